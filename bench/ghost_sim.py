"""The ghost on the simulator's suite (issue 18 item 1).

* Segments: each simulated set (side view, typical detector noise) is analysed; the ghost's
  five segments (thigh, shank, torso, upper arm, forearm), measured from the landmarks of the
  standing frames, are compared with the simulated body's: in the image (pixels over the true
  camera scale at the person's depth: the ghost as drawn over the person, its arms at the
  average proportion where none was seen straight) and in metres with
  the person's true height given (``--height-cm``: the simulated body's head top above the
  floor standing, as a tape measures it; the scale then comes from the stature read off the
  image). Target: within 5%.
* Bottom posture: the ghost's own keypoints (the simulator's detector without noise, the
  set's own camera) are analysed as a video would be, told nothing: the exercise it is
  recognised as, and the faults named on its reps. Target: every check of its exercise passed.

* ``--rendered``: the segments on bench.render_suite's side-view clips instead, rendered figures
  read by BlazePose itself (where its own landmark placement shows, which the detector model
  above does not have).

    .venv/bin/python -m bench.ghost_sim [--n 20] [--seed-base 700000] [--rendered]
"""

from __future__ import annotations

import argparse

import numpy as np

from hingecoach.analysis import analyze
from hingecoach.sim import simulate
from hingecoach.sim.ghost import NoGhost, build_ghost, ghost_pose_sequence
from hingecoach.sim.ghost_body import fit_body, measure_segments_px, standing_height_m, torso_m

MOVEMENTS = ("hinge", "good_morning", "swing", "deadlift", "kneeling")
SEGMENTS = ("thigh", "shank", "torso", "upper_arm", "forearm")
TARGET_FRAC = 0.05


def segment_errors(result, analysis, image_scale: float = 1.0) -> tuple[dict[str, float], dict[str, float]] | None:
    """(image error, metres error with the height given) per segment, as fractions of the truth;
    ``image_scale``: the analysed video's width over the simulated camera's (a rendered clip)."""
    kneeling = analysis.exercise.name == "kneeling_hinge"
    seg = measure_segments_px(analysis.pose, analysis.kinematics, kneeling=kneeling)
    if seg is None:
        return None
    cam, body = result.camera, result.body
    hip = (result.pose3d.points["left_hip"] + result.pose3d.points["right_hip"]) / 2
    px_per_m = image_scale * cam.focal_px / float(np.median(cam.to_camera(hip)[:, 2]))
    truth = {"thigh": body.thigh_m, "shank": body.shank_m, "torso": torso_m(body),
             "upper_arm": body.upper_arm_m, "forearm": body.forearm_m}
    ghost_m = fit_body(seg, standing_height_m(body) * 100.0).segments_m()
    drawn = fit_body(seg)  # as drawn over the person (an arm not seen straight: the average's)
    drawn_px = {k: v * drawn.px_per_m for k, v in drawn.segments_m().items()}
    image = {k: drawn_px[k] / px_per_m / truth[k] - 1.0 for k in SEGMENTS}
    metres = {k: ghost_m[k] / truth[k] - 1.0 for k in SEGMENTS}
    return image, metres


def _spread(errors: list[dict[str, float]]) -> str:
    """Max and p90 of the absolute error per segment."""
    cols = []
    for k in SEGMENTS:
        v = np.abs([e[k] for e in errors])
        cols.append(f"{k} {np.max(v):.1%}/{np.percentile(v, 90):.1%}")
    return ", ".join(cols)


def run(n: int, seed_base: int) -> None:
    print(f"ghost on the simulator: {n} sets per movement, seeds {seed_base}+, side view, typical noise")
    print(f"{'movement':<13} {'sets':>4} {'image max err':>13} {'in 5%':>6} {'metres max':>10} {'in 5%':>6} "
          f"{'exercise ok':>11} {'reps clean':>10}")
    totals = {"sets": 0, "image_ok": 0, "metres_ok": 0, "exercise_ok": 0, "reps": 0, "clean": 0}
    all_image: list[dict[str, float]] = []
    all_metres: list[dict[str, float]] = []
    for mv in MOVEMENTS:
        row = {"sets": 0, "image_ok": 0, "metres_ok": 0, "exercise_ok": 0, "reps": 0, "clean": 0,
               "image_max": 0.0, "metres_max": 0.0}
        for seed in range(seed_base, seed_base + n):
            r = simulate(mv, reps=4, seed=seed, noise="typical")
            a = analyze(r.pose)
            errors = segment_errors(r, a)
            g = build_ghost(a)
            if errors is None or isinstance(g, NoGhost):
                continue
            image, metres = errors
            all_image.append(image)
            all_metres.append(metres)
            row["sets"] += 1
            row["image_max"] = max(row["image_max"], max(abs(v) for v in image.values()))
            row["metres_max"] = max(row["metres_max"], max(abs(v) for v in metres.values()))
            row["image_ok"] += all(abs(v) <= TARGET_FRAC for v in image.values())
            row["metres_ok"] += all(abs(v) <= TARGET_FRAC for v in metres.values())
            ga = analyze(ghost_pose_sequence(g.body.body, g.plan, g.alpha, a.pose.t_s, r.camera))
            row["exercise_ok"] += ga.exercise.name == a.exercise.name
            row["reps"] += ga.rep_count
            row["clean"] += sum(not x.faults for _, x in ga.completed)
        for k in totals:
            totals[k] += row[k]
        print(f"{mv:<13} {row['sets']:>4} {row['image_max']:>12.1%} {row['image_ok']:>6} {row['metres_max']:>10.1%} "
              f"{row['metres_ok']:>6} {row['exercise_ok']:>11} {row['clean']:>4}/{row['reps']:<5}", flush=True)
    s = totals["sets"]
    print(f"all: {s} sets; segments within {TARGET_FRAC:.0%} in the image on {totals['image_ok']}/{s} sets, "
          f"in metres with the height given on {totals['metres_ok']}/{s}")
    print("  image error per segment, max/p90: " + _spread(all_image))
    print("  metres error per segment, max/p90: " + _spread(all_metres))
    print(f"ghost's own keypoints, told nothing: exercise recognised as the person's on {totals['exercise_ok']}/{s} "
          f"sets; {totals['clean']}/{totals['reps']} of its reps pass every check of that exercise")


def run_rendered(reps: int) -> None:
    """The side-view clips of bench.render_suite (rendered figures read by BlazePose itself,
    not the simulator's detector model; renders cached under .cache/render)."""
    from bench.render_suite import _renderer_hash, clip_key, detect, render_cached, simulate_clip, suite

    size = (640, 360)
    renderer = _renderer_hash()
    image, metres = [], []
    print(f"ghost on the rendered suite: side-view clips, {size[0]}x{size[1]}, BlazePose full")
    for config in (c for c in suite(reps, 30.0) if c["view"] == "side"):
        r = simulate_clip(config)
        path, _ = render_cached(r, clip_key(config, size, renderer), size)
        pose, _ = detect(path)
        errors = segment_errors(r, analyze(pose), size[0] / r.camera.image_size[0])
        if errors is None:
            print(f"  {config['seed']} {config['movement']:<6} {config['body_type']:<8} no standing frames")
            continue
        image.append(errors[0])
        metres.append(errors[1])
        print(f"  {config['seed']} {config['movement']:<6} {config['body_type']:<8} image "
              + " ".join(f"{k} {errors[0][k]:+.1%}" for k in SEGMENTS), flush=True)
    ok = sum(all(abs(v) <= TARGET_FRAC for v in e.values()) for e in image)
    print(f"all: {len(image)} clips; segments within {TARGET_FRAC:.0%} in the image on {ok}/{len(image)}")
    print("  image error per segment, max/p90: " + _spread(image))
    print("  metres error per segment, max/p90: " + _spread(metres))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="sets per movement")
    parser.add_argument("--seed-base", type=int, default=700000)
    parser.add_argument("--rendered", action="store_true",
                        help="the rendered suite's side-view clips through BlazePose instead (slow on first run)")
    args = parser.parse_args(argv)
    if args.rendered:
        run_rendered(2)
    else:
        run(args.n, args.seed_base)


if __name__ == "__main__":
    main()
