"""BlazePose's landmark-to-joint offsets on the standing frames of rendered side views (issue 18).

Rendered figures (bench.render_suite's renderer, cached under .cache/render) of a FIT set of
bodies and cameras, seeds 9100+ (never the 7000+ clips bench.ghost_sim --rendered checks the
ghost on), are read by BlazePose (the product's video source); on the frames the ghost measures
on (sim.ghost_body.standing_frames), each landmark's offset from the true joint projected with
the same camera is taken in the image's sagittal axes (forward, up), in metres at that joint's
own depth (so the camera's perspective is not in it), over the standing stature (a fraction
that carries over between people). Left/right labels are matched to the true joints frame by
frame (BlazePose swaps the hidden side's). Printed per clip and as the median over the set, per
render build (average, heavy): the figures [ghost.landmark_bias] in thresholds.toml holds.

    .venv/bin/python -m bench.ghost_bias [--n 16] [--seed-base 9100]
"""

from __future__ import annotations

import argparse

import numpy as np

from hingecoach.pose.schema import INDEX
from hingecoach.sim.render import build_of, project_points
from hingecoach.sim.render_camera import at_size

JOINTS = ("ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel")
MOVEMENTS = ("hinge", "squat", "stoop", "good_morning")
BODY_TYPES = ("any", "heavy", "long_femur", "short_torso", "tall", "heavy", "short", "average")
SIZE = (640, 360)


def fit_configs(n: int, seed_base: int) -> list[dict]:
    """``n`` side-view clips, body types in turn and the movements shifted by one each round of
    them (so each body type meets every movement); seeds ``seed_base + i``."""
    return [{"movement": MOVEMENTS[(i + i // len(BODY_TYPES)) % len(MOVEMENTS)], "faults": {}, "view": "side",
             "body_type": BODY_TYPES[i % len(BODY_TYPES)], "reps": 2, "fps": 30.0, "seed": seed_base + i}
            for i in range(n)]


def clip_offsets(result, pose, stand: np.ndarray) -> dict[str, np.ndarray]:
    """Joint -> (frames, 2, 2) offsets [side near/far][forward, up] over the standing stature
    on the ``stand`` frames (NaN where unseen)."""
    from hingecoach.kinematics.angles import forward_sign
    from hingecoach.sim.ghost_body import standing_height_m

    cam = at_size(result.camera, SIZE)
    true_px = project_points(result.pose3d.points, result.camera, SIZE)
    sign = forward_sign(pose)
    stature = standing_height_m(result.body)
    near = "left" if cam.side == "left" else "right"
    far = "right" if near == "left" else "left"
    out = {}
    for j in JOINTS:
        t = np.stack([true_px[f"{near}_{j}"], true_px[f"{far}_{j}"]], axis=1)[stand]  # (F, 2, 2)
        d = np.stack([pose.xyz[:, INDEX[f"{near}_{j}"], :2], pose.xyz[:, INDEX[f"{far}_{j}"], :2]], axis=1)[stand]
        same = np.linalg.norm(d - t, axis=-1).sum(-1)
        swapped = np.linalg.norm(d[:, ::-1] - t, axis=-1).sum(-1)
        d = np.where((swapped < same)[:, None, None], d[:, ::-1], d)
        depth = np.stack([cam.to_camera(result.pose3d.points[f"{s}_{j}"])[stand, 2] for s in (near, far)], 1)
        off = (d - t) * np.array([sign, -1.0]) * (depth / cam.focal_px)[..., None] / stature
        out[j] = off
    return out


def run(n: int, seed_base: int) -> None:
    from bench.ghost_sim import TARGET_FRAC, _spread, segment_errors
    from bench.render_suite import CACHE, _renderer_hash, clip_key, detect, render_cached, simulate_clip
    from hingecoach.analysis import analyze
    from hingecoach.sim.ghost_body import standing_frames

    CACHE.mkdir(parents=True, exist_ok=True)
    renderer = _renderer_hash()
    per_build: dict[str, list[dict[str, np.ndarray]]] = {"average": [], "heavy": []}
    seg_errors: dict[str, list[dict[str, float]]] = {"average": [], "heavy": []}
    print(f"landmark offsets on the standing frames, fit set: {n} side-view clips, seeds {seed_base}+, "
          f"{SIZE[0]}x{SIZE[1]}; (forward, up) in % of stature, near side / far side")
    for config in fit_configs(n, seed_base):
        r = simulate_clip(config)
        path, _ = render_cached(r, clip_key(config, SIZE, renderer), SIZE)
        pose, _ = detect(path)
        a = analyze(pose)
        stand = standing_frames(a.kinematics)
        off = clip_offsets(r, pose, stand)
        med = {j: np.nanmedian(v, axis=0) for j, v in off.items()}
        build = build_of(r)
        per_build[build].append(med)
        errors = segment_errors(r, a, SIZE[0] / r.camera.image_size[0])
        if errors is not None:
            seg_errors[build].append(errors[0])
        print(f"  {config['seed']} {config['movement']:<12} {config['body_type']:<11} {build:<7} "
              f"cam {r.camera.height_m:.2f} m, {int(stand.sum())} frames: "
              + " ".join(f"{j} {100 * m[0, 1]:+.1f}/{100 * m[1, 1]:+.1f}" for j, m in med.items()), flush=True)
        if errors is not None:
            print("      ghost's segments in the image: " + " ".join(f"{k} {v:+.1%}" for k, v in errors[0].items()))
    for build, rows in per_build.items():
        if not rows:
            continue
        print(f"{build} build, {len(rows)} clips: median offset (forward, up) % of stature, mean of the sides "
              "[near up, far up]")
        for j in JOINTS:
            v = np.array([r[j] for r in rows])  # (clips, 2 sides, 2 axes)
            both = np.nanmean(v, axis=1)
            print(f"  {j:<9} forward {100 * np.nanmedian(both[:, 0]):+.2f} up {100 * np.nanmedian(both[:, 1]):+.2f} "
                  f"(up IQR {100 * np.nanpercentile(both[:, 1], 25):+.2f}..{100 * np.nanpercentile(both[:, 1], 75):+.2f}) "
                  f"[{100 * np.nanmedian(v[:, 0, 1]):+.2f}, {100 * np.nanmedian(v[:, 1, 1]):+.2f}]")
    for build, errs in seg_errors.items():
        if errs:
            ok = sum(all(abs(v) <= TARGET_FRAC for v in e.values()) for e in errs)
            print(f"ghost's segments on the fit set, {build} build: within {TARGET_FRAC:.0%} on {ok}/{len(errs)}; "
                  "max/p90 " + _spread(errs))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=24, help="fit clips")
    parser.add_argument("--seed-base", type=int, default=9100)
    args = parser.parse_args(argv)
    run(args.n, args.seed_base)


if __name__ == "__main__":
    main()
