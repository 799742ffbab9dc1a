"""MediaPipe BlazePose on the CPU: the pose object for a model (lite, full or heavy:
:mod:`hingecoach.sources.pose_models`), its landmarks as arrays, and the back outline's readings
of one frame from its segmentation mask (:mod:`hingecoach.sources.spine_mask`)."""

from __future__ import annotations

import math

import numpy as np

from hingecoach.pose.schema import BLAZEPOSE33, INDEX
from hingecoach.sources import pose_models, spine_mask

K = len(BLAZEPOSE33)


def make_pose(static_image_mode: bool, model: str = pose_models.DEFAULT_MODEL):
    """A MediaPipe Pose object running ``model`` (lite, full or heavy; a HingeInputError if its
    file is not installed); use it in a ``with`` block so its graph is closed."""
    complexity = pose_models.check_model(model)
    import mediapipe as mp  # heavy import, deferred on purpose

    return mp.solutions.pose.Pose(
        static_image_mode=static_image_mode, model_complexity=complexity,
        enable_segmentation=True, smooth_landmarks=not static_image_mode,
    )


def wait_started(pose) -> None:
    """Block until ``pose``'s graph has opened its models: MediaPipe opens them on the graph's own
    threads after the constructor returns, and they log to fd 2 then (wanted inside a
    :class:`~hingecoach.sources.native_logs.QuietStderr`). Nothing is posed, so the model stays
    as fresh as a new one. A graph without the method is left alone."""
    graph = getattr(pose, "_graph", None)
    if graph is not None and hasattr(graph, "wait_until_idle"):
        graph.wait_until_idle()


def landmarks_from_result(result, width: int, height: int):
    """(xyz (33,3) pixels, visibility (33,), world (33,3) metres) from one MediaPipe result;
    NaN and zero visibility when no person was found."""
    xyz = np.full((K, 3), math.nan)
    vis = np.zeros(K)
    world = np.full((K, 3), math.nan)
    if result.pose_landmarks is None:
        return xyz, vis, world
    for i, lm in enumerate(result.pose_landmarks.landmark):
        xyz[i] = (lm.x * width, lm.y * height, lm.z * width)
        vis[i] = lm.visibility
    if result.pose_world_landmarks is not None:
        for i, lm in enumerate(result.pose_world_landmarks.landmark):
            world[i] = (lm.x, lm.y, lm.z)
    return xyz, vis, world


def mid_point(xyz: np.ndarray, name: str) -> np.ndarray:
    """Mean of the left and right landmark ``name`` in 2-D pixels. In a side view the sides
    overlap and BlazePose swaps their labels, so the midpoint is the stable reading."""
    return (xyz[INDEX[f"left_{name}"], :2] + xyz[INDEX[f"right_{name}"], :2]) / 2


def spine_readings(mask: np.ndarray | None, xyz: np.ndarray, min_trunk_deg: float) -> dict[str, float]:
    """Back bend and neck turn of one frame for both facings (NaN without mask or person, and
    in upright frames: the back's shape is judged where the trunk is inclined)."""
    hip, shoulder = mid_point(xyz, "hip"), mid_point(xyz, "shoulder")
    dx, dy = shoulder - hip
    upright = not abs(math.degrees(math.atan2(dx, -dy))) >= min_trunk_deg  # NaN counts as upright
    if mask is None or upright:
        nan2 = (math.nan, math.nan)
        return spine_mask.spine_angles(np.zeros((1, 1)), nan2, nan2)
    return spine_mask.spine_angles(mask, hip, shoulder)
