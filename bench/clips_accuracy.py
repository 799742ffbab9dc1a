"""Accuracy on the real clips in ../shared/clips against their labels: rep count, pattern per
rep, expected faults found and absent faults not flagged.

    python -m bench.clips_accuracy [--explain] [--only SUBSTRING] [--level ID]

``--level`` grades at a program level (default: the base table, which the labels describe).
The clips are loaded lifts, so at a bodyweight level (wall_tap, dowel, band) the guide's
stricter standard is expected to call some of them squats; it shows how the bodyweight checks
read real people, whom the simulator's calibration never saw.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from bench import CLIPS
from hingecoach.analysis import analyze
from hingecoach.errors import HingeInputError
from hingecoach.sources import load


def labelled_clips() -> list[dict]:
    return json.loads((CLIPS / "labels.json").read_text())["clips"]


def faults_on_most_reps(results) -> set[str]:
    """Codes named on more than half of ``results`` ((rep, assessment) pairs)."""
    counts = Counter(code for _, a in results for code in {f.code for f in a.faults})
    return {code for code, c in counts.items() if 2 * c > len(results)}


def evaluate_clip(label: dict, level: str | None = None) -> dict:
    """Analyse one clip and compare it with its label."""
    result = analyze(load(CLIPS / label["file"], progress=False), level=level)
    done = result.completed
    n = len(done)
    patterns = Counter(a.pattern for _, a in done)
    most = faults_on_most_reps(done)
    out = {
        "file": label["file"], "view_label": label["view"], "view": result.pose.view,
        "reps_true": label["rep_count"], "reps": n,
        "rep_ok": label["rep_count"] is None or abs(n - label["rep_count"]) <= label["rep_tolerance"],
        "pattern_true": label["pattern"], "patterns": dict(patterns),
        "pattern_right": (patterns.get(label["pattern"], 0) if label["pattern"] else None),
        "faults_on_most": sorted(most),
        "expected_found": [c for c in label["faults_expected"] if c in most],
        "expected_missed": [c for c in label["faults_expected"] if c not in most],
        "absent_flagged": [c for c in label["faults_absent"] if c in most],
        "exercise_true": label.get("exercise"), "exercise": result.exercise.name,
        "exercise_confidence": result.exercise.confidence,
        "result": result,
    }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--explain", action="store_true", help="print per-rep measures")
    ap.add_argument("--only", default="", help="only clips whose file contains this")
    ap.add_argument("--level", default=None, help="grade at this program level (see the docstring)")
    args = ap.parse_args(argv)
    if not CLIPS.exists():
        print("clips accuracy: skipped, ../shared/clips is absent")
        return 0
    rows, refused = [], []
    for c in labelled_clips():
        if args.only not in c["file"]:
            continue
        try:
            rows.append(evaluate_clip(c, args.level))
        except HingeInputError as exc:  # a clip the product refuses is a result too
            refused.append((c["file"], str(exc)))
    print(f"{'clip':<28} {'view':<16} {'reps':>9} {'pattern (right/reps)':<28} {'exercise':<24}faults on most reps")
    for r in rows:
        pr = "-" if r["pattern_right"] is None else f"{r['pattern_right']}/{r['reps']}"
        flag = "" if r["rep_ok"] else "  <-- reps"
        print(f"{r['file']:<28} {r['view_label'][:7] + '>' + r['view']:<16} "
              f"{r['reps']:>3}/{r['reps_true'] if r['reps_true'] is not None else '-':<3} "
              f"{(r['pattern_true'] or '-') + ' ' + pr + ' ' + str(r['patterns']):<28} "
              f"{(r['exercise'] or '-') + ' ' + format(r['exercise_confidence'], '.2f'):<24}"
              f"{'' if r['exercise'] == r['exercise_true'] else '(' + str(r['exercise_true']) + ') '}"
              f"{','.join(r['faults_on_most']) or '-'}"
              f"{'  missed:' + ','.join(r['expected_missed']) if r['expected_missed'] else ''}"
              f"{'  WRONG:' + ','.join(r['absent_flagged']) if r['absent_flagged'] else ''}{flag}")
        if args.explain:
            from hingecoach.cli.render_text import explain_rep

            for i in range(len(r["result"].reps)):
                print("   " + "\n   ".join(explain_rep(r["result"], i)))
    counted = [r for r in rows if r["reps_true"] is not None]
    exact = sum(r["reps"] == r["reps_true"] for r in counted)
    mae = sum(abs(r["reps"] - r["reps_true"]) for r in counted) / max(len(counted), 1)
    pat = [r for r in rows if r["pattern_true"]]
    pat_right = sum(r["pattern_right"] for r in pat)
    pat_total = sum(r["reps"] for r in pat)
    exp_total = sum(len(r["expected_found"]) + len(r["expected_missed"]) for r in rows)
    exp_found = sum(len(r["expected_found"]) for r in rows)
    wrong = sum(len(r["absent_flagged"]) for r in rows)
    print()
    print(f"rep count exact: {exact}/{len(counted)} clips, MAE {mae:.2f} reps")
    print(f"pattern right: {pat_right}/{pat_total} reps on {len(pat)} labelled clips")
    print(f"expected faults found: {exp_found}/{exp_total}; absent faults wrongly flagged: {wrong}")
    ex = [r for r in rows if r["exercise_true"]]
    print(f"exercise right: {sum(r['exercise'] == r['exercise_true'] for r in ex)}/{len(ex)} labelled clips")
    print(f"clips refused: {len(refused)}" + "".join(f"\n  {f}: {why}" for f, why in refused))
    return 0


if __name__ == "__main__":
    sys.exit(main())
