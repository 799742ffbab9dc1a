"""Rendered-video suite: simulated sets -> shaded 3D figure video -> BlazePose -> analysis,
checked against the simulator's exact truth.

Run: ``.venv/bin/python -m bench.render_suite [--reps 2] [--fps 30] [--size 640x360] [--only N]``

For each of the 24 clips (hinge, squat, stoop and a faulty hinge; side, oblique and front
view; an average and a heavy body) it renders the video (cached under ``.cache/render/``,
keyed by the clip's config and the renderer's source, so a re-run only re-measures), reads it
through the product's own video source (BlazePose full, video mode; cached by content), and
prints:

* render speed (frames/s wall clock and CPU-ms per frame; n/a when every clip came from cache),
* detection rate (share of frames with a person found),
* landmark error against the projected true joints (median, % of image height; shoulders,
  hips, knees, ankles; swap-tolerant, see ``hingecoach.sim.render_check``),
* hip/knee/trunk angle error of the product's own kinematics (``hingecoach.analysis.analyze``
  on the detected PoseSequence) against the true angles, mean absolute, inside the set,
* end to end: reps found vs true, set pattern vs true, faults found vs the truth labels.

The clip seeds (7000 + index) are separate from the seeds the tests use.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from hingecoach.atomic import write_atomic
from hingecoach.sim import simulate
from hingecoach.sim.render import project_points, render_video
from hingecoach.sim.render_check import CHECK_JOINTS, Detections, landmark_error_frac

CACHE = Path(".cache/render")
VIEWS = ("side", "oblique", "front")
BODIES = ("average", "heavy")
ANGLES = ("hip_angle_deg", "knee_angle_deg", "trunk_angle_deg")
_RENDER_SOURCES = ("render.py", "render_scene.py", "render_kernel.py", "render_camera.py")


def suite(reps: int, fps: float) -> list[dict]:
    """24 clip configs: 4 movements x 3 views x 2 bodies; the faulty hinge differs by body."""
    specs = [("hinge", {}), ("squat", {}), ("stoop", {}), ("hinge", None)]
    out = []
    for movement, faults in specs:
        for view in VIEWS:
            for body in BODIES:
                f = faults if faults is not None else (
                    {"spine_rounded": 0.8} if body == "average" else {"knees_too_bent": 0.8})
                out.append({"movement": movement, "faults": f, "view": view, "body_type": body,
                            "reps": reps, "fps": fps, "seed": 7000 + len(out)})
    return out


def _renderer_hash() -> str:
    import hingecoach.sim.render as r

    h = hashlib.sha1()
    for name in _RENDER_SOURCES:
        h.update((Path(r.__file__).parent / name).read_bytes())
    return h.hexdigest()[:10]


def clip_key(config: dict, size: tuple[int, int], renderer: str) -> str:
    blob = json.dumps({"config": config, "size": list(size), "renderer": renderer}, sort_keys=True)
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def simulate_clip(config: dict):
    return simulate(config["movement"], reps=config["reps"], faults=config["faults"], view=config["view"],
                    seed=config["seed"], noise="none", fps=config["fps"], body_type=config["body_type"],
                    setup=False)


def render_cached(result, key: str, size: tuple[int, int]) -> tuple[Path, tuple[float, float] | None]:
    """The clip's mp4 and (frames/s wall clock, CPU ms per frame over all threads incl. the
    encoder's pipe), None when it came from the cache."""
    path = CACHE / f"{key}.mp4"
    if path.exists():
        return path, None
    t0, c0 = time.perf_counter(), time.process_time()
    write_atomic(path, lambda tmp: render_video(result, tmp, size=size, progress=False))
    n = result.pose3d.n_frames
    return path, (n / (time.perf_counter() - t0), 1000.0 * (time.process_time() - c0) / n)


def detect(video: Path):
    """The product's own video source on the rendered mp4 (BlazePose full, video mode, mask
    channels; cached by file content), and its landmarks as Detections."""
    from hingecoach.sources.video import load_video

    pose = load_video(video, progress=False)
    world = pose.world_xyz if pose.world_xyz is not None else np.full(pose.xyz.shape, np.nan)
    det = Detections(pose.xyz[..., :2], pose.xyz[..., 2], world, pose.visibility)
    return pose, det


def evaluate(config: dict, result, pose, det: Detections, size: tuple[int, int]) -> dict:
    """Every figure of one clip (see module docstring)."""
    from hingecoach.analysis import analyze

    truth = result.truth
    true_px = project_points(result.pose3d.points, result.camera, size)
    lm = landmark_error_frac(det, true_px, size[1])
    an = analyze(pose)
    a, b = truth.reps[0].start_frame, truth.reps[-1].end_frame + 1
    ang = {}
    for name in ANGLES:
        d = np.abs(an.kinematics[name] - truth.series[name])[a:b]
        ang[name] = float(np.nanmean(d)) if np.isfinite(d).any() else float("nan")
    found = {f.code for _, asmt in an.completed for f in asmt.faults}
    put_in = {code for rep in truth.reps for code, sev in rep.faults.items() if sev > 0}  # as labelled
    return {
        "detected": float(det.detected.mean()),
        "landmark": {j: float(np.nanmedian(lm[j])) for j in CHECK_JOINTS},
        "angle": ang,
        "reps_true": len(truth.reps), "reps_found": an.rep_count,
        "pattern_true": truth.pattern, "pattern_found": an.summary.pattern,
        "faults_tp": len(found & put_in), "faults_fn": len(put_in - found), "faults_fp": len(found - put_in),
        "faults_found": sorted(found), "faults_true": sorted(put_in),
    }


def _row(name: str, rows: list[dict]) -> str:
    lm = np.mean([[r["landmark"][j] for j in CHECK_JOINTS] for r in rows], axis=0) * 100
    ang = [np.nanmean([r["angle"][a] for r in rows]) for a in ANGLES]
    reps_ok = np.mean([r["reps_found"] == r["reps_true"] for r in rows]) * 100
    judged = [r for r in rows if r["pattern_found"] is not None]  # not judged from the front
    pat = (f"{np.mean([r['pattern_found'] == r['pattern_true'] for r in judged]) * 100:>7.0f}%"
           if judged else f"{'n/a':>8}")
    return (f"{name:<16}{len(rows):>4}{np.mean([r['detected'] for r in rows]) * 100:>7.1f}%"
            + "".join(f"{v:>7.2f}%" for v in lm) + "".join(f"{v:>7.1f}°" for v in ang)
            + f"{reps_ok:>7.0f}%{pat}")


def print_report(results: list[tuple[dict, dict]], fps_list: list[float], seconds: float) -> None:
    speed = "n/a (all clips from cache)"
    if fps_list:
        fps, cpu_ms = np.mean(fps_list, axis=0)
        speed = (f"{fps:.1f} frames/s wall clock, {cpu_ms:.0f} CPU-ms/frame "
                 f"({len(fps_list)} clips rendered, {os.cpu_count()} cores, shared machine)")
    print(f"render_suite: {len(results)} clips in {seconds:.0f} s; render speed {speed}")
    print(f"{'group':<16}{'n':>4}{'detect':>8}" + "".join(f"{'lm ' + j[:5]:>8}" for j in CHECK_JOINTS)
          + "".join(f"{a.split('_')[0] + ' err':>8}" for a in ANGLES) + f"{'reps=':>8}{'pattern':>8}")
    groups: dict[str, list[dict]] = defaultdict(list)
    for config, r in results:
        groups["all"].append(r)
        groups[f"view={config['view']}"].append(r)
        groups[f"body={config['body_type']}"].append(r)
        groups[f"move={config['movement']}{'+fault' if config['faults'] else ''}"].append(r)
    for name, rows in groups.items():
        print(_row(name, rows))
    tp = sum(r["faults_tp"] for _, r in results)
    fn = sum(r["faults_fn"] for _, r in results)
    fp = sum(r["faults_fp"] for _, r in results)
    print(f"faults in the truth labels: found {tp}, missed {fn}; faults reported that are not in the labels: {fp}")
    for config, r in results:
        print(f"  {config['seed']} {config['movement']:<6} {config['view']:<8} {config['body_type']:<8}"
              f" true={','.join(r['faults_true']) or '-':<15} reps {r['reps_found']}/{r['reps_true']}"
              f" pattern {r['pattern_found']}/{r['pattern_true']} found={','.join(r['faults_found']) or '-'}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--fps", type=float, default=30.0)  # 15 fps lets BlazePose lag fast descents
    ap.add_argument("--size", default="640x360")
    ap.add_argument("--only", type=int, default=None, help="first N clips only")
    args = ap.parse_args(argv)
    from tqdm import tqdm

    size = tuple(int(v) for v in args.size.lower().split("x"))
    CACHE.mkdir(parents=True, exist_ok=True)
    renderer = _renderer_hash()
    configs = suite(args.reps, args.fps)[: args.only]
    t0 = time.perf_counter()
    results, fps_list = [], []
    for config in tqdm(configs, desc="render_suite", unit="clip"):
        result = simulate_clip(config)
        key = clip_key(config, size, renderer)
        video, fps = render_cached(result, key, size)
        if fps is not None:
            fps_list.append(fps)
        pose, det = detect(video)
        results.append((config, evaluate(config, result, pose, det, size)))
    print_report(results, fps_list, time.perf_counter() - t0)


if __name__ == "__main__":
    main()
