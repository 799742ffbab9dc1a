"""Each exercise judged by its own standard, on the simulator: every movement it makes (the
bodyweight hinge, squat, stoop, kneeling hinge, and the loaded good morning, kettlebell swing
and deadlift from the floor) analysed as a video would be, at the default level (the exercise
recognised from the landmarks picks the standard).

    python -m bench.exercise_sim [--n 700] [--workers 2] [--seed-base 500000]

Prints, per movement: sets whose exercise was recognised right (the bodyweight hinge and the
stoop hang the arms like an RDL: a camera sees no wall, band or bar, so that is their right
answer), rep count exact, pattern accuracy over the reps whose pattern the camera sees, and how
often each fault fires on clean reps (reps with no simulated fault), by exercise.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from hingecoach.analysis import analyze
from hingecoach.assess.specs import fault_specs
from hingecoach.sim import simulate
from hingecoach.sim.faults import LOADED_FAULT_CODES, MAJOR_CUT
from hingecoach.sim.movements import EXERCISE
from hingecoach.sim.suite import exercise_suite


def evaluate_set(cfg: dict[str, Any]) -> dict[str, Any]:
    sim = simulate(**cfg)
    result = analyze(sim.pose.replace(view="unknown", facing="unknown"))
    out = {"movement": cfg["movement"], "view": result.pose.view, "exercise": result.exercise.name,
           "standard": result.standard, "reps_true": len(sim.truth.reps), "reps": result.rep_count,
           "matched": []}
    for rep, a in result.completed:
        match = next((t for t in sim.truth.reps if t.start_s - 0.3 <= rep.bottom_s <= t.end_s + 0.3), None)
        if match is not None:
            assessable = [c for c, spec in fault_specs(result.standard).items() if spec.seen_from(a.view)]
            out["matched"].append({"pattern_true": match.pattern, "pattern": a.pattern, "seen": a.pattern_seen,
                                   "faults_true": dict(match.faults), "faults": sorted({f.code for f in a.faults}),
                                   "assessable": assessable})
    return out


def summarise(rows: list[dict[str, Any]]) -> None:
    by_mov: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_mov[r["movement"]].append(r)
    print(f"{'movement':<13} {'sets':>5} {'exercise right':>15} {'reps exact':>11} {'pattern':>9}  called as")
    total_ok = total_pat = total_judged = 0
    for mov, rs in by_mov.items():
        ok = sum(r["exercise"] == EXERCISE[mov] for r in rs)
        exact = sum(r["reps"] == r["reps_true"] for r in rs)
        judged = [m for r in rs for m in r["matched"] if m["seen"]]
        pat = sum(m["pattern"] == m["pattern_true"] for m in judged)
        total_ok, total_pat, total_judged = total_ok + ok, total_pat + pat, total_judged + len(judged)
        called = Counter(r["exercise"] for r in rs if r["exercise"] != EXERCISE[mov]).most_common(3)
        print(f"{mov:<13} {len(rs):>5} {100 * ok / len(rs):14.1f}% {100 * exact / len(rs):10.1f}% "
              f"{100 * pat / max(len(judged), 1):8.1f}%  {', '.join(f'{c} {n}' for c, n in called) or '-'}")
    print(f"\nexercise recognised right: {100 * total_ok / len(rows):.1f}% of {len(rows)} sets (target >= 95%)")
    print(f"pattern right: {100 * total_pat / max(total_judged, 1):.1f}% of {total_judged} reps seen (target >= 98%)")
    print("\nclean reps (no simulated fault) firing each fault, by recognised exercise (target <= 3%):")
    worst = []
    for ex in sorted({r["exercise"] or "-" for r in rows}):
        clean = [m for r in rows if (r["exercise"] or "-") == ex for m in r["matched"]
                 if not m["faults_true"] and m["pattern_true"] == "hinge"]
        if not clean:
            continue
        counts = Counter(c for m in clean for c in m["faults"])
        line = ", ".join(f"{c} {100 * n / len(clean):.1f}%" for c, n in counts.most_common())
        worst += [(100 * n / len(clean), ex, c) for c, n in counts.items()]
        print(f"   {ex:<20} {len(clean):>5} clean reps: {line or 'none fires'}")
    over = [f"{ex}:{c} {p:.1f}%" for p, ex, c in sorted(worst, reverse=True) if p > 3.0]
    print(f"faults firing on more than 3% of clean reps: {', '.join(over) or 'none'}")
    for code in LOADED_FAULT_CODES:
        reps = [m for r in rows for m in r["matched"] if code in m["assessable"]]
        called = [m for m in reps if code in m["faults"]]
        prec = sum(code in m["faults_true"] for m in called) / len(called) if called else float("nan")
        line = f"{code}: {len(reps)} assessable reps, precision {prec:.2f}"
        for name, lo, hi in (("minor", 0.0, MAJOR_CUT), ("major", MAJOR_CUT, 9.0)):
            pos = [m for m in reps if lo <= m["faults_true"].get(code, -1) < hi]
            rec = sum(code in m["faults"] for m in pos) / len(pos) if pos else float("nan")
            f1 = 2 * prec * rec / (prec + rec) if pos and called and prec + rec > 0 else float("nan")
            line += f", {name} recall {rec:.2f} F1 {f1:.2f} (n {len(pos)})"
        clean = [m for m in reps if not m["faults_true"]]
        line += f", clean reps firing {100 * sum(code in m['faults'] for m in clean) / max(len(clean), 1):.1f}%"
        print(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=700)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed-base", type=int, default=500000)
    ap.add_argument("--dump", default=None, help="write every set's row as JSON here")
    args = ap.parse_args(argv)
    cfgs = list(exercise_suite(args.seed_base, args.n))
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(evaluate_set, cfgs, chunksize=4))
    summarise(rows)
    if args.dump:
        import json

        with open(args.dump, "w") as f:
            json.dump(rows, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
