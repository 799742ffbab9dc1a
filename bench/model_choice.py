"""What each pose model (lite, full, heavy) costs and buys, on the rendered suite.

Each clip of ``bench.render_suite`` (simulated sets rendered as a shaded 3D figure, with exact
truth) is read by the product's own video source with each model in turn (keypoint cache off,
models alternated clip by clip so the machine's load falls on all three alike), then analysed;
printed per model:

* CPU-ms per analysed frame of the whole read (decode, pose, mask outline; all threads),
* landmark error against the projected true joints (median, % of image height),
* hip/knee/trunk angle error of the product's kinematics against the truth (mean absolute, deg),
  and the difference from full,
* reps right, pattern right, faults found / missed / reported but not in the labels.

    .venv/bin/python -m bench.model_choice [--body average|heavy|all] [--only N] [--models lite,full,heavy]

Renders are cached under ``.cache/render/`` (shared with bench.render_suite). Needs the lite and
heavy files (``make models``); a missing one is reported and left out.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench import load_averages
from bench.render_suite import (
    ANGLES,
    CACHE,
    VIEWS,
    _renderer_hash,
    clip_key,
    evaluate,
    render_cached,
    simulate_clip,
    suite,
)
from hingecoach.errors import HingeInputError
from hingecoach.sim.render_check import CHECK_JOINTS, Detections
from hingecoach.sources import pose_models


def read(video, model: str):
    """(PoseSequence, Detections, CPU seconds) of the video source with ``model``, cache off."""
    from hingecoach.sources.video import load_video

    c0 = time.process_time()
    pose = load_video(video, progress=False, cache=False, model=model)
    cpu_s = time.process_time() - c0
    world = pose.world_xyz if pose.world_xyz is not None else np.full(pose.xyz.shape, np.nan)
    return pose, Detections(pose.xyz[..., :2], pose.xyz[..., 2], world, pose.visibility), cpu_s


def summary(rows: list[dict]) -> dict[str, float]:
    """The figures of one model over the clips."""
    judged = [r for r in rows if r["pattern_found"] is not None]
    return {
        "cpu_ms": 1000.0 * sum(r["cpu_s"] for r in rows) / sum(r["frames"] for r in rows),
        "landmark_pct": 100.0 * float(np.mean([[r["landmark"][j] for j in CHECK_JOINTS] for r in rows])),
        **{a: float(np.nanmean([r["angle"][a] for r in rows])) for a in ANGLES},
        "reps_ok": float(np.mean([r["reps_found"] == r["reps_true"] for r in rows])),
        "pattern_ok": float(np.mean([r["pattern_found"] == r["pattern_true"] for r in judged])) if judged else float("nan"),
        "tp": sum(r["faults_tp"] for r in rows), "fn": sum(r["faults_fn"] for r in rows),
        "fp": sum(r["faults_fp"] for r in rows),
    }


def print_report(by_model: dict[str, list[dict]], seconds: float) -> None:
    n = len(next(iter(by_model.values())))
    print(f"model_choice: {n} rendered clips x {len(by_model)} models in {seconds:.0f} s "
          f"(load average {load_averages()}, {os.cpu_count()} cores)")
    print(f"{'model':<7}{'CPU-ms/fr':>10}{'lm err':>8}" + "".join(f"{a.split('_')[0] + ' err':>10}" for a in ANGLES)
          + f"{'mean err':>10}{'vs full':>9}{'reps=':>7}{'pattern':>8}{'faults found/missed/extra':>27}")
    stats = {m: summary(rows) for m, rows in by_model.items()}
    base = stats.get("full")
    for model, s in stats.items():
        mean = float(np.mean([s[a] for a in ANGLES]))
        delta = f"{mean - float(np.mean([base[a] for a in ANGLES])):>+8.2f}°" if base else f"{'n/a':>9}"
        print(f"{model:<7}{s['cpu_ms']:>10.1f}{s['landmark_pct']:>7.2f}%" + "".join(f"{s[a]:>9.2f}°" for a in ANGLES)
              + f"{mean:>9.2f}°{delta}{100 * s['reps_ok']:>6.0f}%{100 * s['pattern_ok']:>7.0f}%"
              + f"{s['tp']:>17}/{s['fn']}/{s['fp']}")
    for view in VIEWS:
        cells = []
        for model, rows in by_model.items():
            seen = [r for r in rows if r["config"]["view"] == view]
            if seen:
                cells.append(f"{model} " + "/".join(f"{np.nanmean([r['angle'][a] for r in seen]):.1f}" for a in ANGLES))
        print(f"  {view} view, hip/knee/trunk angle error (deg): " + "; ".join(cells))
    if base:
        for model, s in stats.items():
            if model != "full":
                print(f"{model} against full: {s['cpu_ms'] / base['cpu_ms']:.2f}x the CPU per frame, angle error "
                      + ", ".join(f"{a.split('_')[0]} {s[a] - base[a]:+.2f}°" for a in ANGLES))
    names = list(by_model)
    for i in range(n):
        outcome = {m: by_model[m][i] for m in names}
        if len({(o["reps_found"], o["pattern_found"], tuple(o["faults_found"])) for o in outcome.values()}) > 1:
            c = by_model[names[0]][i]["config"]
            print(f"  differ: {c['seed']} {c['movement']} {c['view']} {c['body_type']}: " + "; ".join(
                f"{m} reps {o['reps_found']} {o['pattern_found']} {','.join(o['faults_found']) or '-'}"
                for m, o in outcome.items()))


def available(models: list[str]) -> list[str]:
    kept = []
    for model in models:
        try:
            pose_models.check_model(model)
            kept.append(model)
        except HingeInputError as exc:
            print(f"model_choice: {model} left out: {exc}")
    return kept


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", type=int, default=None, help="first N clips of the suite only")
    ap.add_argument("--body", choices=("average", "heavy", "all"), default="average",
                    help="the suite's clips of this body (default average: 12 of the 24, every movement and view)")
    ap.add_argument("--models", default="lite,full,heavy")
    ap.add_argument("--json", type=Path, default=None, help="also write every clip's figures here")
    ap.add_argument("--size", default="640x360")  # bench.render_suite's, so its renders serve
    args = ap.parse_args(argv)
    models = available(args.models.split(","))
    size = tuple(int(v) for v in args.size.lower().split("x"))
    CACHE.mkdir(parents=True, exist_ok=True)
    renderer = _renderer_hash()
    by_model: dict[str, list[dict]] = defaultdict(list)
    t0 = time.perf_counter()
    configs = [c for c in suite(2, 30.0) if args.body in ("all", c["body_type"])]
    for config in configs[: args.only]:
        result = simulate_clip(config)
        video, _ = render_cached(result, clip_key(config, size, renderer), size)
        for model in models:
            pose, det, cpu_s = read(video, model)
            row = evaluate(config, result, pose, det, size)
            by_model[model].append(row | {"cpu_s": cpu_s, "frames": pose.n_frames, "config": config})
    print_report(by_model, time.perf_counter() - t0)
    if args.json:
        args.json.write_text(json.dumps(by_model, indent=1, default=str))


if __name__ == "__main__":
    main()
