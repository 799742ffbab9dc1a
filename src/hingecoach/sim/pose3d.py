"""3D joint centres in WORLD metres, for the camera model and the renderer.

Axes: X = the person's forward direction, Y = up, Z = to the person's left; floor at Y = 0;
the ankles (knees when kneeling) stand at X = 0 during the set.

``Pose3D.points`` maps names to (frames, 3) arrays:

* the 33 BlazePose names (``nose``, ``left_eye_inner`` ... ``right_foot_index``), placed at the
  anatomical points (joint centres; ``heel`` = back of the heel, ``foot_index`` = tip of the
  second toe; ``ear`` = ear canal; ``index``/``pinky`` = knuckles; ``thumb`` = thumb tip);
* the spine, through the vertebral bodies: ``pelvis`` (midpoint of the hip joint centres),
  ``sacrum`` (L5/S1), ``lumbar`` (L3), ``thoracolumbar`` (T12/L1), ``thoracic`` (T7),
  ``neck`` (C7), ``head_centre``, ``head_top``;
* ``com`` (whole-body centre of mass, Dempster segments).

Segment radii and widths for drawing are ``Body.dims_m``. Head orientation: ``head_dir_deg``
(frames,) is the direction of the head's up axis from vertical, positive forward.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hingecoach.pose.schema import BLAZEPOSE33
from hingecoach.sim.body import Body
from hingecoach.sim.chain import normal, unit

SPINE_POINTS = ("pelvis", "sacrum", "lumbar", "thoracolumbar", "thoracic", "neck",
                "head_centre", "head_top")


@dataclass(frozen=True, eq=False)
class Pose3D:
    """World-frame points of one simulated set (see module docstring)."""

    t_s: np.ndarray
    points: dict[str, np.ndarray]
    head_dir_deg: np.ndarray

    @property
    def n_frames(self) -> int:
        return int(self.t_s.shape[0])

    def blazepose_array(self) -> np.ndarray:
        """(frames, 33, 3) in BlazePose order."""
        return np.stack([self.points[n] for n in BLAZEPOSE33], axis=1)


def _xyz(p2: np.ndarray, z: float | np.ndarray) -> np.ndarray:
    z = np.broadcast_to(np.asarray(z, dtype=np.float64), p2.shape[:1])
    return np.concatenate([p2, z[:, None]], axis=1)


def _head_points(body: Body, hc: np.ndarray, head_dir: np.ndarray) -> dict[str, np.ndarray]:
    """Face landmarks in the head frame (fractions of stature: eyes 8 cm in front of the head
    centre and 2 cm above, ear canals 7.5 cm either side, nose 10 cm forward)."""
    h = body.height_m
    u, n = unit(head_dir), normal(head_dir)
    at = lambda fwd, up: hc + fwd * h * n + up * h * u  # noqa: E731
    out = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        out[f"{side}_eye_inner"] = _xyz(at(0.047, 0.012), s * 0.010 * h)
        out[f"{side}_eye"] = _xyz(at(0.045, 0.012), s * 0.018 * h)
        out[f"{side}_eye_outer"] = _xyz(at(0.040, 0.012), s * 0.027 * h)
        out[f"{side}_ear"] = _xyz(at(-0.005, 0.004), s * 0.043 * h)
        out[f"mouth_{side}"] = _xyz(at(0.050, -0.035), s * 0.014 * h)
    out["nose"] = _xyz(at(0.058, -0.008), 0.0)
    out["head_top"] = _xyz(at(0.0, 0.075), 0.0)
    return out


def _arm_points(body: Body, up: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    h = body.height_m
    half = body.shoulder_separation_m / 2
    d = up["hand_dir"]
    out = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        out[f"{side}_shoulder"] = _xyz(up["shoulder"], s * half)
        out[f"{side}_elbow"] = _xyz(up["elbow"], s * (half + 0.012 * h))
        out[f"{side}_wrist"] = _xyz(up["wrist"], s * (half + 0.010 * h))
        knuckles = up["wrist"] + 0.45 * body.hand_m * d
        out[f"{side}_index"] = _xyz(knuckles, s * (half - 0.010 * h))
        out[f"{side}_pinky"] = _xyz(knuckles - 0.05 * body.hand_m * d, s * (half + 0.022 * h))
        out[f"{side}_thumb"] = _xyz(up["wrist"] + 0.35 * body.hand_m * d, s * (half - 0.020 * h))
    return out


def _leg_points(body: Body, leg: dict[str, np.ndarray], side: str) -> dict[str, np.ndarray]:
    """Hip joints at +-half the hip separation, feet at +-half the stance; the knee lies on
    the straight hip-ankle line seen from the front."""
    s = 1.0 if side == "left" else -1.0
    hip_z = s * body.hip_separation_m / 2
    ankle_z = s * body.stance_width_m / 2
    knee_z = hip_z + (ankle_z - hip_z) * body.thigh_m / body.leg_m
    return {
        f"{side}_hip": _xyz(leg["hip"], hip_z),
        f"{side}_knee": _xyz(leg["knee"], knee_z),
        f"{side}_ankle": _xyz(leg["ankle"], ankle_z),
        f"{side}_heel": _xyz(leg["heel"], ankle_z),
        f"{side}_foot_index": _xyz(leg["toe"], ankle_z + s * 0.012 * body.height_m),
    }


def build_pose3d(body: Body, posture: dict, t_s: np.ndarray) -> Pose3D:
    """World points from a sagittal posture (chain.posture)."""
    up = posture["upper"]
    pts: dict[str, np.ndarray] = {}
    pts.update(_leg_points(body, posture["left"], "left"))
    pts.update(_leg_points(body, posture["right"], "right"))
    pts.update(_arm_points(body, up))
    pts.update(_head_points(body, up["head_centre"], up["head_dir"]))
    pelvis = (pts["left_hip"] + pts["right_hip"]) / 2
    pts["pelvis"] = pelvis
    for name in ("sacrum", "lumbar", "thoracolumbar", "thoracic", "neck", "head_centre"):
        pts[name] = _xyz(up[name], 0.0)
    pts["com"] = _xyz(posture["com"], 0.0)
    return Pose3D(t_s=t_s, points=pts, head_dir_deg=up["head_dir"])
