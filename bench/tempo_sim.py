"""Tempo against the simulator's truth: each rep's descent, pause at the bottom and ascent as
measured (assess.measures.tempo_measures) minus the phases the simulator scripted, and the
set's speed loss against the loss the script put in (``simulate(fatigue=...)`` slows the
ascents through the set; the true speed is each rep's scripted ascent time against the first
rep's, with the same 3-rep running median the summary reads).

    python -m bench.tempo_sim [--sets 40]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from hingecoach.analysis import analyze
from hingecoach.coaching import speed_loss_pct
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


def true_speed_loss(ascents_s: list[float]) -> float:
    """The speed loss the script put in: speeds as 1/ascent time (the path's length hardly varies
    from rep to rep), read as :func:`hingecoach.coaching.set_tempo` reads the measured ones."""
    return speed_loss_pct([1.0 / a for a in ascents_s])


def speed_loss_errors(n_sets: int) -> list[tuple[float, float, float]]:
    """(fatigue, true loss %, measured loss %) for side-view hinge sets of 10 reps."""
    out = []
    for seed in range(n_sets):
        fatigue = (0.0, 0.15, 0.3, 0.45)[seed % 4]
        sim = simulate("hinge", reps=10, seed=1000 + seed, view="side", noise="typical", fatigue=fatigue)
        result = analyze(sim.pose.replace(view="unknown", facing="unknown"))
        measured = result.summary.tempo.get("speed_loss_pct")
        if measured is None or result.rep_count != 10:
            continue
        truth = true_speed_loss([t.ascent_end_s - t.ascent_start_s for t in sim.truth.reps])
        out.append((fatigue, truth, measured))
    return out


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
    losses = speed_loss_errors(args.sets)
    err = np.array([m - t for _, t, m in losses])
    print(f"speed loss, {len(losses)} side-view hinge sets of 10 reps slowed 0-45% by the script:")
    for fatigue in sorted({f for f, _, _ in losses}):
        rows = [(t, m) for f, t, m in losses if f == fatigue]
        print(f"   fatigue {fatigue:.2f}: true {np.mean([t for t, _ in rows]):5.1f}%   "
              f"measured {np.mean([m for _, m in rows]):5.1f}%")
    print(f"   error median {np.median(err):+.1f} points, within 5 points {100 * np.mean(np.abs(err) <= 5):.0f}%, "
          f"p90 |error| {np.percentile(np.abs(err), 90):.1f} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
