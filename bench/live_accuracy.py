"""The live coach on real people: each labelled clip in ../shared/clips is fed frame by frame to
a LiveSession (as the web page sends it: normalised landmarks, no mask) and compared with the
offline analysis of the same clip and with its label.

    python -m bench.live_accuracy [--only SUBSTRING]

Per clip: reps counted live and offline, and the faults named on most reps by each. The live
coach waits for the whole body to be in frame for a second before it counts, so clips that start
mid-lift (the single-lift clips) count fewer reps live; they are listed apart.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from bench.clips_accuracy import CLIPS, faults_on_most_reps, labelled_clips
from hingecoach.analysis import analyze
from hingecoach.live import LiveSession
from hingecoach.sources import load


def feed_clip(seq) -> LiveSession:
    """Every frame of ``seq`` through a new LiveSession, as the page sends it."""
    w, h = seq.image_size
    frames = np.concatenate([seq.xyz / np.array([w, h, w]), seq.visibility[..., None]], axis=2)
    session = LiveSession()
    for i in range(seq.n_frames):
        session.push(frames[i], seq.image_size, seq.t_s[i])
    return session


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="only clips whose file contains this")
    args = ap.parse_args(argv)
    if not CLIPS.exists():
        print("../shared/clips is absent: nothing to measure")
        return 0
    same_count = same_faults = sets = 0
    expected = found = good_clean = good = 0
    print(f"{'clip':<30} {'view':<8} {'reps live/off':>13}  live faults (most reps) | offline")
    for label in labelled_clips():
        if args.only not in label["file"]:
            continue
        seq = load(CLIPS / label["file"], progress=False)
        session, offline = feed_clip(seq), analyze(seq)
        live_f, off_f = faults_on_most_reps(session.results), faults_on_most_reps(offline.completed)
        whole = session.rep_count > 0 and offline.rep_count > 1  # a set, not one lift from mid-way
        note = "" if whole else "  (single lift: not a live set)"
        print(f"{label['file'][:30]:<30} {offline.pose.view:<8} {session.rep_count:>6}/{offline.rep_count:<6}  "
              f"{','.join(sorted(live_f)) or '-'} | {','.join(sorted(off_f)) or '-'}{note}")
        if not whole:
            continue
        sets += 1
        same_count += session.rep_count == offline.rep_count
        same_faults += live_f == off_f
        expected += len(label["faults_expected"])
        found += len(set(label["faults_expected"]) & live_f)
        if not label["faults_expected"] and "correct" in label.get("movement", ""):
            good += 1
            good_clean += not live_f
    print(f"\nsets (clips with more than one rep): {sets}")
    for text, n, of in (("rep count live = offline", same_count, sets),
                        ("faults on most reps live = offline", same_faults, sets),
                        ("labelled faults found live", found, expected),
                        ("correct-form sets with no fault live", good_clean, good)):
        print(f"  {text}: {n}/{of}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
