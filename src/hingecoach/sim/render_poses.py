"""Small hand-made 3D poses for testing the renderer without the full simulator.

A sagittal stick figure (ankle -> knee -> hip -> spine -> neck -> head; arms hanging
straight down) built from three angles, in the simulator's world frame: X = the person's
forward direction, Y = up (floor at Y=0), Z = to the person's left, metres. Segment lengths
are fractions of standing height after Winter, *Biomechanics and Motor Control of Human
Movement*, 4th ed., fig. 4.1 (Drillis & Contini). It exists so the renderer's tests and
benchmark have exact joints to compare BlazePose against even before (or without) the real
simulator; it is not a movement model.
"""

from __future__ import annotations

import numpy as np

#: Segment lengths as fractions of height (Winter fig. 4.1); widths from the same figure.
_FRAC = {
    "ankle_height": 0.039,
    "shank": 0.246,
    "thigh": 0.245,
    "trunk": 0.288,  # hip joint to shoulder joint
    "neck": 0.015,  # shoulder line to C7
    "head": 0.085,  # C7 to the head centre
    "upper_arm": 0.186,
    "forearm": 0.146,
    "hand": 0.08,
    "foot": 0.152,
    "heel_back": 0.039,  # heel behind the ankle
    "hip_half_width": 0.05,
    "shoulder_half_width": 0.105,
}


def _unit(deg: float) -> np.ndarray:
    """Sagittal unit vector at ``deg`` from vertical, positive = forward (+X)."""
    r = np.radians(deg)
    return np.array([np.sin(r), np.cos(r), 0.0])


def stick_pose(
    height_m: float = 1.75,
    shin_deg: float = 0.0,
    thigh_back_deg: float = 0.0,
    trunk_deg: float = 0.0,
    spine_round_deg: float = 0.0,
) -> dict[str, np.ndarray]:
    """Named 3D points of a figure standing on the floor at X=Z=0 (ankle at X=0).

    ``shin_deg`` tilts the shank forward from vertical, ``thigh_back_deg`` tilts the thigh
    back (hips back), ``trunk_deg`` leans the pelvis-to-neck line forward, and
    ``spine_round_deg`` bends the thoracic part further (a rounded back). Knee angle is
    180 - shin - thigh_back; hip angle is 180 - trunk - thigh_back.
    """
    f = {k: v * height_m for k, v in _FRAC.items()}
    side = np.array([0.0, 0.0, 1.0])
    ankle = np.array([0.0, f["ankle_height"], 0.0])
    knee = ankle + f["shank"] * _unit(shin_deg)
    hip = knee + f["thigh"] * _unit(-thigh_back_deg)
    lumbar = hip + 0.35 * f["trunk"] * _unit(trunk_deg)
    thoracic = lumbar + 0.35 * f["trunk"] * _unit(trunk_deg + 0.5 * spine_round_deg)
    shoulder = thoracic + 0.30 * f["trunk"] * _unit(trunk_deg + spine_round_deg)
    head_dir = trunk_deg + spine_round_deg * 1.2
    neck = shoulder + f["neck"] * _unit(head_dir)
    head = neck + f["head"] * _unit(head_dir)
    face = _unit(head_dir + 90.0)  # the way the face points
    up = _unit(head_dir)
    pts: dict[str, np.ndarray] = {
        "pelvis": hip.copy(),
        "lumbar": lumbar,
        "thoracic": thoracic,
        "neck": neck,
        "head_centre": head,
        "nose": head + 0.105 * height_m / 1.75 * face - 0.01 * up,
    }
    for name, sgn in (("left", 1.0), ("right", -1.0)):
        lat = sgn * side
        hw, sw = f["hip_half_width"], f["shoulder_half_width"]
        elbow = shoulder + sw * lat + f["upper_arm"] * _unit(180.0)
        wrist = elbow + f["forearm"] * _unit(180.0)
        pts[f"{name}_hip"] = hip + hw * lat
        pts[f"{name}_knee"] = knee + hw * lat
        pts[f"{name}_ankle"] = ankle + hw * lat
        pts[f"{name}_heel"] = np.array([-f["heel_back"], 0.012, 0.0]) + hw * lat
        pts[f"{name}_foot_index"] = np.array([f["foot"] - f["heel_back"], 0.012, 0.0]) + hw * lat
        pts[f"{name}_shoulder"] = shoulder + sw * lat
        pts[f"{name}_elbow"] = elbow
        pts[f"{name}_wrist"] = wrist
        pts[f"{name}_index"] = wrist + f["hand"] * _unit(180.0) + 0.015 * face
        pts[f"{name}_pinky"] = wrist + 0.8 * f["hand"] * _unit(180.0) - 0.02 * face
        pts[f"{name}_thumb"] = wrist + 0.45 * f["hand"] * _unit(180.0) + 0.035 * face
        pts[f"{name}_ear"] = head - 0.005 * face + 0.075 * lat
        pts[f"{name}_eye"] = head + 0.085 * face + 0.03 * up + 0.032 * lat
        pts[f"{name}_eye_inner"] = head + 0.09 * face + 0.03 * up + 0.018 * lat
        pts[f"{name}_eye_outer"] = head + 0.08 * face + 0.03 * up + 0.046 * lat
    pts["mouth_left"] = head + 0.09 * face - 0.05 * up + 0.022 * side
    pts["mouth_right"] = head + 0.09 * face - 0.05 * up - 0.022 * side
    return pts


def hinge_sequence(n_frames: int = 30, depth_deg: float = 70.0, height_m: float = 1.75) -> dict[str, np.ndarray]:
    """One hip hinge down and up: trunk to ``depth_deg``, hips back, soft knees.

    Returns name -> (frames, 3). The hips move back as the trunk leans so the figure stays
    roughly balanced over the feet.
    """
    phase = 0.5 - 0.5 * np.cos(np.linspace(0.0, 2.0 * np.pi, n_frames))
    frames = [
        stick_pose(height_m, shin_deg=8.0 * p, thigh_back_deg=22.0 * p, trunk_deg=depth_deg * p)
        for p in phase
    ]
    return {k: np.stack([fr[k] for fr in frames]) for k in frames[0]}
