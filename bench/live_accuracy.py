"""The live coach on real people: each labelled clip in ../shared/clips is fed frame by frame to
a LiveSession (as the web page sends it: normalised landmarks, no mask) and compared with the
offline analysis of the same clip and with its label.

    python -m bench.live_accuracy [--only SUBSTRING]

Per clip: reps counted live and offline, and the faults named on most reps by each. The page
sends MediaPipe's world landmarks with the image ones, so each frame is fed with both. A fault
offline names from what live cannot see (the back's outline in the segmentation mask) agrees
when live says, on most reps, that it did not check it; listed as "not checked live". Clips of
one lift are listed apart: a set holds more than one rep.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

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
        session.push(frames[i], seq.image_size, seq.t_s[i], None if seq.world_xyz is None else seq.world_xyz[i])
    return session


def not_checked_on_most_reps(results) -> set[str]:
    """Codes whose check says "not checked" on more than half of ``results``."""
    counts = Counter(code for _, a in results for code, said in a.checks.items() if said.startswith("not checked"))
    return {code for code, c in counts.items() if 2 * c > len(results)}


def rep_agreement(live, offline) -> tuple[int, int, int]:
    """Offline reps with a live rep within 0.5 s of its bottom, and of those the ones with the
    same pattern and the same faults (a fault live did not check counts as the same)."""
    matched = same_pattern = same_faults = 0
    for rep, a in offline:
        twin = min(live, key=lambda x: abs(x[0].bottom_s - rep.bottom_s), default=None)
        if twin is None or abs(twin[0].bottom_s - rep.bottom_s) >= 0.5:
            continue
        b = twin[1]
        matched += 1
        same_pattern += a.pattern == b.pattern
        unseen = {c for c, said in b.checks.items() if said.startswith("not checked")}
        same_faults += {f.code for f in b.faults} == {f.code for f in a.faults} - unseen
    return matched, same_pattern, same_faults


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="only clips whose file contains this")
    args = ap.parse_args(argv)
    if not CLIPS.exists():
        print("../shared/clips is absent: nothing to measure")
        return 0
    same_count = same_faults = sets = 0
    per_rep = [0, 0, 0, 0]  # offline reps, matched live, same pattern, same faults
    expected = found = good_clean = good = 0
    print(f"{'clip':<30} {'view':<8} {'reps live/off':>13}  live faults (most reps) | offline")
    for label in labelled_clips():
        if args.only not in label["file"]:
            continue
        seq = load(CLIPS / label["file"], progress=False)
        session, offline = feed_clip(seq), analyze(seq)
        results = session.results
        live_f, off_f = faults_on_most_reps(results), faults_on_most_reps(offline.completed)
        unseen = (off_f - live_f) & not_checked_on_most_reps(results)
        whole = offline.rep_count > 1  # a set, not one lift
        note = ("" if whole else "  (single lift: not a set)") + (
            f"  not checked live: {','.join(sorted(unseen))}" if unseen else "")
        print(f"{label['file'][:30]:<30} {offline.pose.view:<8} {session.rep_count:>6}/{offline.rep_count:<6}  "
              f"{','.join(sorted(live_f)) or '-'} | {','.join(sorted(off_f)) or '-'}{note}")
        if not whole:
            continue
        sets += 1
        per_rep = [n + k for n, k in zip(per_rep, (offline.rep_count, *rep_agreement(results, offline.completed)),
                                          strict=True)]
        same_count += session.rep_count == offline.rep_count
        same_faults += live_f == off_f - unseen
        expected += len(label["faults_expected"])
        found += len(set(label["faults_expected"]) & live_f)
        if not label["faults_expected"] and "correct" in label.get("movement", ""):
            good += 1
            good_clean += not live_f
    print(f"\nsets (clips with more than one rep): {sets}")
    for text, n, of in (("rep count live = offline", same_count, sets),
                        ("faults on most reps live = offline (or not checked live)", same_faults, sets),
                        ("labelled faults found live", found, expected),
                        ("correct-form sets with no fault live", good_clean, good),
                        ("reps of the sets found live (bottom within 0.5 s)", per_rep[1], per_rep[0]),
                        ("  of those, same pattern", per_rep[2], per_rep[1]),
                        ("  of those, same faults (or not checked live)", per_rep[3], per_rep[1])):
        print(f"  {text}: {n}/{of}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
