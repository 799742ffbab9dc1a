"""BlazePose's landmark offsets (issue 18): undone on BlazePose's landmarks only, by the ghost's
segment lengths; the hip point's build-dependent height does not reach the thigh."""

from __future__ import annotations

import numpy as np
import pytest

from hingecoach.analysis import analyze
from hingecoach.pose.schema import INDEX
from hingecoach.sim import simulate
from hingecoach.sim.ghost_body import measure_segments_px, standing_frames, stature_px_of
from hingecoach.sim.landmark_bias import BLAZEPOSE, carries_blazepose_bias, undo_up, up_frac


@pytest.fixture(scope="module")
def clean():
    """A side-view hinge with perfect landmarks (no offsets), and its lengths."""
    r = simulate("hinge", reps=3, seed=703, noise="none")
    a = analyze(r.pose)
    return r, a, measure_segments_px(a.pose, a.kinematics)


def _raised(pose, joints: tuple[str, ...], px: float, frames: np.ndarray | None = None):
    """``pose`` with the joints' points ``px`` higher in the image on ``frames`` (all)."""
    xyz = pose.xyz.copy()
    rows = slice(None) if frames is None else frames
    for j in joints:
        for side in ("left", "right"):
            xyz[rows, INDEX[f"{side}_{j}"], 1] -= px
    return pose.replace(xyz=xyz)


def test_which_landmarks_are_blazepose_s():
    assert carries_blazepose_bias({"pose_model": "blazepose-full mediapipe 0.10.21"})
    assert carries_blazepose_bias({"format": "mediapipe-csv"})
    assert carries_blazepose_bias({"landmark_bias": BLAZEPOSE})
    assert not carries_blazepose_bias({"format": "openpose"})
    assert not carries_blazepose_bias({"format": "trc"})
    assert not carries_blazepose_bias({"simulated": True, "noise": "none"})
    assert not carries_blazepose_bias(simulate("hinge", reps=1, seed=1, noise="typical").pose.meta)


def test_undo_moves_each_joint_down_by_its_offset():
    pts = {"shoulder": np.array([[0.0, 100.0]]), "knee": np.array([[0.0, 50.0]])}
    out = undo_up(pts, 200.0, {"shoulder": 0.02, "hip": 0.01})
    assert out["shoulder"][0, 1] == pytest.approx(96.0)
    assert out["knee"] is pts["knee"]


def test_a_shoulder_point_above_the_joint_is_undone_on_blazepose_landmarks_only(clean):
    """The shoulder points raised by [landmark_bias]'s offset: BlazePose's read the torso as the
    joints give it; the same points from another detector are left as they are (torso long)."""
    r, a, base = clean
    frac = up_frac()["shoulder"]
    hip_frac = up_frac()["hip"]
    stature = stature_px_of(base)
    biased = _raised(_raised(a.pose, ("shoulder", "elbow", "wrist"), frac * stature), ("hip",), hip_frac * stature)
    told = biased.replace(meta={**biased.meta, "landmark_bias": BLAZEPOSE})
    seg = measure_segments_px(told, analyze(told).kinematics)
    assert seg["torso"] == pytest.approx(base["torso"], rel=0.01)
    assert seg["upper_arm"] + seg["forearm"] == pytest.approx(base["upper_arm"] + base["forearm"], rel=0.01)
    untold = measure_segments_px(biased, analyze(biased).kinematics)
    assert untold["torso"] / base["torso"] - 1 > (frac - hip_frac) * stature / base["torso"] * 0.8


def test_a_hip_point_high_only_while_standing_does_not_reach_the_thigh(clean):
    """A heavy build's hip point rides high on the standing frames and sits on the joint once
    the hips flex: the thigh is read where they flex."""
    r, a, base = clean
    stand = standing_frames(a.kinematics)
    high = _raised(a.pose, ("hip",), 0.012 * stature_px_of(base), stand)
    told = high.replace(meta={**high.meta, "landmark_bias": BLAZEPOSE})
    seg = measure_segments_px(told, analyze(told).kinematics)
    assert seg["thigh"] == pytest.approx(base["thigh"], rel=0.015)
    untold = measure_segments_px(high, analyze(high).kinematics)
    assert untold["thigh"] / base["thigh"] - 1 > 0.03  # read standing, 5% long


def test_blazepose_s_arm_is_read_only_where_it_hangs_straight():
    """A good morning's hands stay behind the neck: on BlazePose's landmarks (its elbow point off
    the joint) no arm length then (the ghost takes the average proportion); on landmarks with
    the elbow on the joint the folded arm's two segments add up to the arm."""
    r = simulate("good_morning", reps=2, seed=31, noise="none")
    a = analyze(r.pose)
    seg = measure_segments_px(a.pose, a.kinematics)
    cam = r.camera
    hip = (r.pose3d.points["left_hip"] + r.pose3d.points["right_hip"]) / 2
    px_per_m = cam.focal_px / float(np.median(cam.to_camera(hip)[:, 2]))
    arm_m = (seg["upper_arm"] + seg["forearm"]) / px_per_m
    assert arm_m == pytest.approx(r.body.upper_arm_m + r.body.forearm_m, rel=0.05)
    told = a.pose.replace(meta={**a.pose.meta, "landmark_bias": BLAZEPOSE})
    seg = measure_segments_px(told, analyze(told).kinematics)
    assert seg is not None and np.isfinite(seg["thigh"])
    assert not np.isfinite(seg["upper_arm"])
