"""Tempo against the simulator's truth: each rep's descent, pause at the bottom and ascent as
measured (assess.measures.tempo_measures) minus the phases the simulator scripted, and the
set's speed loss against the loss the script put in (``simulate(fatigue=...)`` slows the
ascents through the set; each rep's true speed is the hips' displacement over the scripted
ascent, read from the simulator's own series, and the loss is read from them by the same rule
the summary uses, coaching.speed_loss_pct).

    python -m bench.tempo_sim [--sets 40] [--noise typical]
    python -m bench.tempo_sim --rendered 8     # BlazePose on rendered videos of 10-rep hinge sets

``--rendered N``: the simulator's sets (no noise added) are rendered as shaded 3D figure videos
(bench.render_suite's renderer and cache, side view, the average and the heavy body in turn,
slowed 0-45% by the script) and read by the product's own video source (BlazePose full), so the
errors are the detector's own, not the simulator's model of them.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from hingecoach.analysis import analyze
from hingecoach.coaching import speed_loss_pct
from hingecoach.sim import simulate

MOVEMENTS = ("hinge", "good_morning", "deadlift", "swing", "squat")
#: How much the speed-loss sets' script slows their ascents (simulate's ``fatigue``), in turn.
FATIGUES = (0.0, 0.15, 0.3, 0.45)


def phase_errors(n_sets: int, noise: str = "typical") -> dict[str, list[float]]:
    errs: dict[str, list[float]] = {"descent": [], "pause": [], "ascent": []}
    for seed in range(n_sets):
        sim = simulate(MOVEMENTS[seed % len(MOVEMENTS)], reps=5, seed=seed, view="side", noise=noise)
        result = analyze(sim.pose.replace(view="unknown", facing="unknown"))
        add_phase_errors(errs, sim, result)
    return errs


def add_phase_errors(errs: dict[str, list[float]], sim, result) -> None:
    """Each found rep's phases minus the script's (a rep matched by its bottom's time)."""
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


def true_speeds(truth) -> list[float]:
    """Each rep's true mean ascent speed of the hips: their displacement in the simulator's own
    series from the scripted start of the ascent to its end, over its scripted time (the
    measure's definition, read from the truth; the depth varies from rep to rep, so the time
    alone is not the speed)."""
    hip = np.stack([truth["hip_back_frac_leg"], truth["hip_down_frac_leg"]], axis=-1)
    out = []
    for rep in truth.reps:
        i0, i1 = np.searchsorted(truth.t_s, [rep.ascent_start_s, rep.ascent_end_s])
        i1 = min(int(i1), truth.t_s.size - 1)
        out.append(float(np.linalg.norm(hip[i1] - hip[i0])) / (rep.ascent_end_s - rep.ascent_start_s))
    return out


def speed_loss_errors(n_sets: int, noise: str = "typical") -> list[tuple[float, float, float]]:
    """(fatigue, true loss %, measured loss %) for side-view hinge sets of 10 reps."""
    out = []
    for seed in range(n_sets):
        fatigue = FATIGUES[seed % len(FATIGUES)]
        sim = simulate("hinge", reps=10, seed=1000 + seed, view="side", noise=noise, fatigue=fatigue)
        result = analyze(sim.pose.replace(view="unknown", facing="unknown"))
        measured = result.summary.tempo.get("speed_loss_pct")
        if measured is None or result.rep_count != 10:
            continue
        truth = speed_loss_pct(true_speeds(sim.truth))
        out.append((fatigue, truth, measured))
    return out


def rendered(n_sets: int) -> tuple[dict[str, list[float]], list[tuple[float, float, float]]]:
    """Phase errors and (fatigue, true loss, measured loss) on rendered 10-rep hinge sets."""
    from bench.render_suite import _renderer_hash, clip_key, detect, render_cached

    size, renderer = (640, 360), _renderer_hash()
    errs: dict[str, list[float]] = {"descent": [], "pause": [], "ascent": []}
    losses = []
    for k in range(n_sets):
        config = {"movement": "hinge", "reps": 10, "view": "side", "body_type": ("average", "heavy")[k % 2],
                  "fatigue": FATIGUES[k // 2 % len(FATIGUES)], "seed": 8100 + k, "fps": 30.0}
        sim = simulate("hinge", reps=10, seed=config["seed"], view="side", noise="none", fps=30.0,
                       body_type=config["body_type"], fatigue=config["fatigue"], setup=False)
        video, _ = render_cached(sim, clip_key(config, size, renderer), size)
        pose, _ = detect(video)
        result = analyze(pose)
        add_phase_errors(errs, sim, result)
        measured, truth = result.summary.tempo.get("speed_loss_pct"), speed_loss_pct(true_speeds(sim.truth))
        print(f"   rendered set {k + 1}/{n_sets}: {config['body_type']}, fatigue {config['fatigue']:.2f}, "
              f"{result.rep_count} reps, speed loss {measured} (true {truth:.1f})", flush=True)
        if measured is not None and result.rep_count == 10:
            losses.append((config["fatigue"], truth, measured))
    return errs, losses


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sets", type=int, default=40)
    ap.add_argument("--noise", default="typical", choices=("none", "low", "typical", "high"),
                    help="the simulated detector's noise (default: typical)")
    ap.add_argument("--rendered", type=int, default=0, metavar="N",
                    help="instead: N rendered 10-rep hinge sets read by BlazePose (slow: renders and poses)")
    args = ap.parse_args(argv)
    if args.rendered:
        errs, losses = rendered(args.rendered)
        print(f"tempo against the script, {args.rendered} rendered side-view hinge sets (BlazePose full):")
    else:
        errs = phase_errors(args.sets, args.noise)
        losses = speed_loss_errors(args.sets, args.noise)
        print(f"tempo against the script, {args.sets} side-view sets at {args.noise} noise ({', '.join(MOVEMENTS)}):")
    for phase, e in errs.items():
        v = np.array(e)
        print(f"   {phase:<8} reps {v.size:4d}   median error {np.median(v):+.2f} s   "
              f"within 0.1 s {100 * np.mean(np.abs(v) <= 0.1):5.1f}%   p90 |error| {np.percentile(np.abs(v), 90):.2f} s")
    err = np.array([m - t for _, t, m in losses])
    print(f"speed loss, {len(losses)} side-view hinge sets of 10 reps (all found) slowed 0-45% by the script:")
    for fatigue in sorted({f for f, _, _ in losses}):
        rows = [(t, m) for f, t, m in losses if f == fatigue]
        print(f"   fatigue {fatigue:.2f}: true {np.mean([t for t, _ in rows]):5.1f}%   "
              f"measured {np.mean([m for _, m in rows]):5.1f}%")
    print(f"   error median {np.median(err):+.1f} points, within 5 points {100 * np.mean(np.abs(err) <= 5):.0f}%, "
          f"p90 |error| {np.percentile(np.abs(err), 90):.1f} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
