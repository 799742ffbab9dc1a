"""MediaPipe BlazePose on the CPU: the pose object for a model (lite, full or heavy:
:mod:`hingecoach.sources.pose_models`), its landmarks as arrays, and the back outline's readings
of one frame from its segmentation mask (:mod:`hingecoach.sources.spine_mask`)."""

from __future__ import annotations

import importlib
import math
import sys
import threading
import types

import numpy as np

from hingecoach.pose.schema import BLAZEPOSE33, INDEX
from hingecoach.sources import pose_models, spine_mask

K = len(BLAZEPOSE33)
#: Set once MediaPipe is imported, i.e. a pose is about to run: what else a run needs can be
#: imported then, beside the pose, instead of competing with MediaPipe's own import for the GIL
#: (``hinge analyze`` imports the analysis so; a cached pose never sets it).
mediapipe_imported = threading.Event()


def make_pose(static_image_mode: bool, model: str = pose_models.DEFAULT_MODEL):
    """A MediaPipe Pose object running ``model`` (lite, full or heavy; a HingeInputError if its
    file is not installed); use it in a ``with`` block so its graph is closed."""
    complexity = pose_models.check_model(model)
    _defer_pyplot()
    import mediapipe as mp  # heavy import, deferred on purpose

    mediapipe_imported.set()

    return mp.solutions.pose.Pose(
        static_image_mode=static_image_mode, model_complexity=complexity,
        enable_segmentation=True, smooth_landmarks=not static_image_mode,
    )


class _PyplotOnFirstUse(types.ModuleType):
    """Stands for ``matplotlib.pyplot`` in ``sys.modules`` until something reads from it, then
    imports the real module (which takes its place there) and answers from it."""

    def __getattr__(self, name: str):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def _defer_pyplot() -> None:
    """Put off importing matplotlib's pyplot until it is used, unless it is imported already:
    MediaPipe's drawing utilities import it when MediaPipe is imported, which comes before a
    video's first frame, and we never draw with them (pyplot and what it pulls in: ~0.2 s)."""
    if "matplotlib.pyplot" not in sys.modules:
        sys.modules["matplotlib.pyplot"] = _PyplotOnFirstUse("matplotlib.pyplot")


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


def inclined(xyz: np.ndarray, min_trunk_deg: float) -> bool:
    """True when the trunk (mid-hip to mid-shoulder) leans at least ``min_trunk_deg`` from
    upright in the image; a frame without a person counts as upright."""
    return _leans(mid_point(xyz, "hip"), mid_point(xyz, "shoulder"), min_trunk_deg)


def _leans(hip: np.ndarray, shoulder: np.ndarray, min_trunk_deg: float) -> bool:
    dx, dy = shoulder - hip
    return abs(math.degrees(math.atan2(dx, -dy))) >= min_trunk_deg  # NaN: False


def body_mask(result, xyz: np.ndarray, min_trunk_deg: float) -> np.ndarray | None:
    """The person's mask of one MediaPipe result as booleans, for the frames whose back
    :func:`spine_readings` reads (inclined ones); None otherwise. A quarter of the float mask's
    memory, and nothing is copied for an upright frame."""
    if result.segmentation_mask is None or not inclined(xyz, min_trunk_deg):
        return None
    return spine_mask.binarise(result.segmentation_mask)


def spine_readings(mask: np.ndarray | None, xyz: np.ndarray, min_trunk_deg: float) -> dict[str, float]:
    """Back bend and neck turn of one frame for both facings (NaN without mask or person, and
    in upright frames: the back's shape is judged where the trunk is inclined). ``mask`` is the
    segmentation mask, as probabilities or already binarised (:func:`body_mask`)."""
    hip, shoulder = mid_point(xyz, "hip"), mid_point(xyz, "shoulder")
    if mask is None or not _leans(hip, shoulder, min_trunk_deg):
        nan2 = (math.nan, math.nan)
        return spine_mask.spine_angles(np.zeros((1, 1)), nan2, nan2)
    return spine_mask.spine_angles(mask, hip, shoulder)
