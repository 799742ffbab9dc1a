"""Does the simulator's back-outline model read what a real mask reads? Side-view hinges with a
neutral, rounded and over-arched back, and neutral squats, kneeling hinges and stoops (the
other postures the spine checks read), are rendered as shaded figures, read by the product's own
video source (BlazePose's segmentation mask, ``hingecoach.sources.spine_mask``), and the bend at
each rep's bottom is set beside the one ``hingecoach.sim.outline`` gives the same spine (no
noise): the gain (mask change per degree of modelled change) and the offset between them, and
the offset per movement.

    .venv/bin/python -m bench.outline_check [--reps 2] [--size 640x360]

Rendered clips are cached like bench.render_suite's (``.cache/render/``).
"""

from __future__ import annotations

import argparse

import numpy as np

from bench.render_suite import CACHE, _renderer_hash, clip_key, detect, render_cached, simulate_clip
from hingecoach.sim.outline import geometric_bend_deg, neutral_bend_deg

BACKS = ({}, {"spine_rounded": 0.4}, {"spine_rounded": 0.8}, {"spine_overarched": 1.0})
#: (movement, faults) of every rendered clip: the hinge's backs, then the other postures neutral.
CLIPS = tuple(("hinge", f) for f in BACKS) + (("squat", {}), ("kneeling", {}), ("stoop", {}))


def bottom_medians(series: np.ndarray, reps, half: int = 4) -> list[float]:
    out = []
    for r in reps:
        seg = series[max(0, r.bottom_frame - half):r.bottom_frame + half + 1]
        out.append(float(np.nanmedian(seg)) if np.isfinite(seg).any() else float("nan"))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--size", default="640x360")
    args = ap.parse_args(argv)
    size = tuple(int(v) for v in args.size.lower().split("x"))
    CACHE.mkdir(parents=True, exist_ok=True)
    renderer = _renderer_hash()
    model, mask, offsets = [], [], {}
    print(f"{'back':<36}{'seed':>6}  {'model at the bottom (deg)':<28}{'mask at the bottom (deg)'}")
    for i, (movement, faults) in enumerate(CLIPS):
        for body in ("average", "heavy"):
            config = {"movement": movement, "faults": faults, "view": "side", "body_type": body,
                      "reps": args.reps, "fps": 30.0, "seed": 7100 + 2 * i + (body == "heavy")}
            sim = simulate_clip(config)
            video, _ = render_cached(sim, clip_key(config, size, renderer), size)
            pose, _ = detect(video)
            geo = geometric_bend_deg(sim.pose3d, sim.camera) - neutral_bend_deg(sim.body)
            m = bottom_medians(geo, sim.truth.reps)
            k = bottom_medians(pose.channels["back_bend_deg"], sim.truth.reps)
            model += m
            mask += k
            offsets.setdefault(movement, []).extend(np.subtract(k, m))
            name = movement + " " + (",".join(f"{c}:{s}" for c, s in faults.items()) or "neutral")
            print(f"{name + ' ' + body:<36}{config['seed']:>6}  {np.round(m, 1)!s:<28}{np.round(k, 1)}")
    model, mask = np.array(model), np.array(mask)
    ok = np.isfinite(model) & np.isfinite(mask)
    gain, offset = np.polyfit(model[ok], mask[ok], 1)
    r = float(np.corrcoef(model[ok], mask[ok])[0, 1])
    print(f"mask = {gain:.2f} x model {offset:+.1f} deg (r = {r:.2f}, {ok.sum()} reps); "
          f"the model assumes gain 1 and a person offset of -2.5 +- 2.5 deg")
    print("mask - model at the bottom, by movement: " + ", ".join(
        f"{mv} {np.nanmean(d):+.1f} deg ({np.isfinite(d).sum()} reps)" for mv, d in
        ((mv, np.array(v, float)) for mv, v in offsets.items())))


if __name__ == "__main__":
    main()
