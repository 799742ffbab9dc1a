"""Exact synthetic figures for tests: a planar stick person built from joint angles, so the
kinematics have known answers (independent of the simulator, which has its own tests)."""

from __future__ import annotations

import numpy as np

from hingecoach.pose import PoseSequence
from hingecoach.pose.schema import INDEX

SEG = {"shank": 220.0, "thigh": 230.0, "trunk": 300.0, "neck": 80.0, "foot": 120.0, "heel": 30.0}


def stick_pose(trunk_deg, knee_flex_deg, shin_deg, fps=30.0, facing="right", ankle_x=400.0,
               floor_y=650.0, size=(800, 720), neck_deg=None) -> PoseSequence:
    """Frames of a side-view figure. Angles in degrees per frame: trunk from vertical
    (forward +), knee flexion (0 = straight), shin from vertical (knee forward +)."""
    trunk = np.radians(np.asarray(trunk_deg, float))
    knee_flex = np.radians(np.asarray(knee_flex_deg, float))
    shin = np.radians(np.asarray(shin_deg, float))
    n = trunk.shape[0]
    neck = trunk if neck_deg is None else np.radians(np.asarray(neck_deg, float)) + trunk
    sgn = 1.0 if facing == "right" else -1.0
    # sagittal (u forward, v up) positions
    ankle = np.stack([np.zeros(n), np.full(n, 80.0)], 1)
    knee = ankle + SEG["shank"] * np.stack([np.sin(shin), np.cos(shin)], 1)
    thigh_dir = shin - knee_flex  # thigh from vertical, forward + (tilts back as knee flexes)
    hip = knee + SEG["thigh"] * np.stack([np.sin(thigh_dir), np.cos(thigh_dir)], 1)
    sh = hip + SEG["trunk"] * np.stack([np.sin(trunk), np.cos(trunk)], 1)
    ear = sh + SEG["neck"] * np.stack([np.sin(neck), np.cos(neck)], 1)
    heel = ankle + np.array([-SEG["heel"], -60.0])
    toe = ankle + np.array([SEG["foot"] - SEG["heel"], -80.0])
    elbow = sh + np.array([0.0, -140.0])
    wrist = elbow + np.array([0.0, -130.0])
    pts = {"ear": ear, "shoulder": sh, "elbow": elbow, "wrist": wrist, "hip": hip, "knee": knee,
           "ankle": ankle, "heel": heel, "foot_index": toe}
    xyz = np.full((n, 33, 3), np.nan)
    vis = np.zeros((n, 33))
    for name, p in pts.items():
        for side, dz in (("left", -40.0), ("right", 40.0)):
            i = INDEX[f"{side}_{name}"]
            xyz[:, i, 0] = ankle_x + sgn * p[:, 0]
            xyz[:, i, 1] = floor_y - p[:, 1]
            xyz[:, i, 2] = dz
            vis[:, i] = 0.99 if side == "left" else 0.6
    xyz[:, INDEX["nose"]] = xyz[:, INDEX["left_ear"]] + np.array([sgn * 40.0, 5.0, 0.0])
    vis[:, INDEX["nose"]] = 0.99
    t = np.arange(n) / fps
    return PoseSequence(xyz=xyz, visibility=vis, t_s=t, fps=fps, image_size=size, source="stick-figure")


def hinge_reps(n_reps=5, fps=30.0, depth_trunk_deg=70.0, knee_flex_deg=(12.0, 35.0), shin_deg=(8.0, 3.0),
               rep_s=3.0, stand_s=1.0, **kw) -> PoseSequence:
    """A set of smooth reps (raised-cosine), standing ``stand_s`` between them."""
    period = rep_s + stand_s
    t = np.arange(int((n_reps * period + stand_s) * fps)) / fps
    phase = np.clip((t - stand_s) % period / rep_s, 0, 1)
    active = (t >= stand_s) & (t < stand_s + n_reps * period)
    s = np.where(active & ((t - stand_s) % period < rep_s), 0.5 - 0.5 * np.cos(2 * np.pi * phase), 0.0)
    trunk = depth_trunk_deg * s
    knee = knee_flex_deg[0] + (knee_flex_deg[1] - knee_flex_deg[0]) * s
    shin = shin_deg[0] + (shin_deg[1] - shin_deg[0]) * s
    return stick_pose(trunk, knee, shin, fps=fps, **kw)
