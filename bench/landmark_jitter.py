"""How much the hips' landmark shakes from frame to frame: the real clips (BlazePose, as the
product reads them) against the simulator's noise levels, so the simulator's figures can be
read against the detector's.

Jitter is the white part of the mid-hip's error, estimated from its second difference (a hinge
moves smoothly: at 30 fps its own second difference is far below the landmarks' shake): the
robust standard deviation (MAD x 1.4826) of x[t+1] - 2x[t] + x[t-1], divided by sqrt(6), per
image axis, averaged over the two axes, in % of the body's height in the image (heel to nose,
over 0.91). Side-view video clips of ../shared/clips; the simulator's hinge sets, side view.

    python -m bench.landmark_jitter
"""

from __future__ import annotations

import json

import numpy as np

from bench import CLIPS
from hingecoach.pose import PoseSequence
from hingecoach.pose.schema import INDEX

NOSE_HEIGHT_FRAC = 0.91  # the nose's height over the heel, as a fraction of stature
VIDEO = (".mp4", ".mov", ".webm", ".avi")


def hip_jitter_pct(seq: PoseSequence) -> float:
    """The mid-hip's frame-to-frame jitter, % of body height (see the module docstring)."""
    xyz = seq.xyz
    hip = (xyz[:, INDEX["left_hip"], :2] + xyz[:, INDEX["right_hip"], :2]) / 2
    heel_y = (xyz[:, INDEX["left_heel"], 1] + xyz[:, INDEX["right_heel"], 1]) / 2
    height_px = np.nanmedian(np.abs(heel_y - xyz[:, INDEX["nose"], 1])) / NOSE_HEIGHT_FRAC
    d2 = hip[2:] - 2 * hip[1:-1] + hip[:-2]
    d2 = d2[np.all(np.isfinite(d2), axis=1)]
    mad = np.median(np.abs(d2 - np.median(d2, axis=0)), axis=0) * 1.4826
    return float(100.0 * np.mean(mad) / np.sqrt(6.0) / height_px)


def main() -> None:
    from hingecoach.sim import simulate
    from hingecoach.sources import load

    labels = json.loads((CLIPS / "labels.json").read_text())["clips"]
    real = []
    for clip in labels:
        path = CLIPS / clip["file"]
        if clip.get("view") != "side" or path.suffix.lower() not in VIDEO:
            continue
        jitter = hip_jitter_pct(load(path, progress=False))
        real.append(jitter)
        print(f"   {clip['file']:<40} {jitter:.3f}%")
    print(f"real side-view clips ({len(real)}): median {np.median(real):.3f}%, "
          f"range {min(real):.3f}-{max(real):.3f}% of body height")
    for level in ("low", "typical", "high"):
        sims = [hip_jitter_pct(simulate("hinge", reps=5, seed=seed, view="side", noise=level).pose)
                for seed in range(6)]
        print(f"simulator, {level:<8} noise: median {np.median(sims):.3f}% (6 hinge sets)")


if __name__ == "__main__":
    main()
