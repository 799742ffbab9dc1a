"""Tempo against the simulator's truth: each rep's descent, pause at the bottom and ascent as
measured (assess.measures.tempo_measures) minus the phases the simulator scripted.

    python -m bench.tempo_sim [--sets 40]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from hingecoach.analysis import analyze
from hingecoach.sim import simulate

MOVEMENTS = ("hinge", "good_morning", "deadlift", "swing", "squat")


def phase_errors(n_sets: int) -> dict[str, list[float]]:
    errs: dict[str, list[float]] = {"descent": [], "pause": [], "ascent": []}
    for seed in range(n_sets):
        sim = simulate(MOVEMENTS[seed % len(MOVEMENTS)], reps=5, seed=seed, view="side", noise="typical")
        result = analyze(sim.pose.replace(view="unknown", facing="unknown"))
        for rep, a in result.completed:
            t = next((t for t in sim.truth.reps if t.start_s - 0.3 <= rep.bottom_s <= t.end_s + 0.3), None)
            if t is None:
                continue
            m = a.measures
            truth = {"descent": t.bottom_start_s - t.start_s, "pause": t.ascent_start_s - t.bottom_start_s,
                     "ascent": t.ascent_end_s - t.ascent_start_s}
            for phase, measured in (("descent", m["descent_s"]), ("pause", m["bottom_pause_s"]),
                                    ("ascent", m["ascent_s"])):
                if np.isfinite(measured):
                    errs[phase].append(measured - truth[phase])
    return errs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sets", type=int, default=40)
    args = ap.parse_args(argv)
    errs = phase_errors(args.sets)
    print(f"tempo against the script, {args.sets} side-view sets ({', '.join(MOVEMENTS)}):")
    for phase, e in errs.items():
        v = np.array(e)
        print(f"   {phase:<8} reps {v.size:4d}   median error {np.median(v):+.2f} s   "
              f"within 0.1 s {100 * np.mean(np.abs(v) <= 0.1):5.1f}%   p90 |error| {np.percentile(np.abs(v), 90):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
