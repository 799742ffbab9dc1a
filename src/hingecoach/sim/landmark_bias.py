"""BlazePose's landmark offsets from the joint centres, and their undoing.

BlazePose does not put its points on the joint centres: on the standing frames of rendered
side views whose joints are known (``python -m bench.ghost_bias``: a fit set of rendered
bodies and cameras, never the clips the ghost is checked on) the shoulder point sits 1.8% of
stature (3 cm) above the shoulder joint, the wrist 3.0% above it, the heel point 0.5% above the
back of the heel, the knee 0.2% below the joint; the hip point sits 0.5% below the joint on a
slim pelvis and 0.8% above it on a heavy one. The shoulder's and the hip's are undone (the
others' do not carry to the lengths: see ``[landmark_bias]``). The figures are in ``[landmark_bias]`` of
thresholds.toml as fractions of stature (which carry over between people and image sizes).

The offsets belong to the detector, so they are undone only on landmarks BlazePose made
(:func:`carries_blazepose_bias`): the product's video and image sources (``meta['pose_model']``
names a BlazePose model), MediaPipe exports (``meta['format']`` 'mediapipe-...'), and any
sequence marked so (``meta['landmark_bias']``); not OpenPose, COCO or motion-capture joint
centres, nor the simulator's landmarks (its detector model does not put these offsets in: doing
so moved other simulated figures, the tempo's and the overlay's tests among them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from hingecoach.config import section

#: The detector whose offsets ``[landmark_bias]`` holds (a sequence's ``meta['landmark_bias']``).
BLAZEPOSE = "blazepose"


def up_frac() -> dict[str, float]:
    """Joint -> BlazePose's point above the joint centre on a standing person, in fractions of
    stature (negative: below); the joints the ghost's standing lengths read."""
    cfg = section("landmark_bias")
    return {k.removesuffix("_up_frac"): float(v) for k, v in cfg.items() if k.endswith("_up_frac")}


def carries_blazepose_bias(meta: Mapping[str, Any]) -> bool:
    """Whether a sequence's landmarks are BlazePose's (module doc), read from its ``meta``."""
    return (str(meta.get("pose_model", "")).startswith(BLAZEPOSE)
            or str(meta.get("format", "")).startswith("mediapipe")
            or meta.get("landmark_bias") == BLAZEPOSE)


def undo_up(points: Mapping[str, np.ndarray], stature: float, offsets: Mapping[str, float]) -> dict[str, np.ndarray]:
    """``points`` ((frames, 2) forward and up in the sagittal plane, any unit) with each joint's
    offset (fractions of ``stature``, in the same unit) taken off its height."""
    out = dict(points)
    for joint, frac in offsets.items():
        if joint in out:
            out[joint] = out[joint] - np.array([0.0, frac * stature])
    return out
