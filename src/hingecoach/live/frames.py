"""One incoming frame: MediaPipe's landmarks checked and turned into the pose model's units."""

from __future__ import annotations

from typing import Any

import numpy as np

from hingecoach.pose.schema import BLAZEPOSE33, INDEX

K = len(BLAZEPOSE33)
#: Shoulders, hips, knees and ankles: the body the camera guide asks to see whole.
KEY_POINTS = ("shoulder", "hip", "knee", "ankle")
_KEY_SIDES = np.array([[INDEX[f"{side}_{joint}"] for side in ("left", "right")] for joint in KEY_POINTS])


class LiveFrameError(ValueError):
    """A frame that cannot be used; the message says what was expected."""


def _numbers(values: Any, what: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise LiveFrameError(f"Expected {what}, but got values that are not numbers ({exc}).") from None


def landmarks_to_pixels(landmarks: Any, image_size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(xyz (33,3) pixels, visibility (33,)) from 33 rows of normalised x, y, z, visibility.
    Raises LiveFrameError for a wrong shape or non-finite image size."""
    arr = _numbers(landmarks, "33 rows of 4 numbers")
    if arr.shape != (K, 4):
        raise LiveFrameError(f"Expected landmarks of shape ({K}, 4), but got {arr.shape}.")
    w, h = image_size
    if not (1 <= w <= 10000 and 1 <= h <= 10000):
        raise LiveFrameError(f"Expected an image size between 1 and 10000 pixels, but got {image_size!r}.")
    arr = np.where(np.isfinite(arr), arr, np.nan)
    xyz = arr[:, :3] * np.array([w, h, w], dtype=np.float64)
    vis = np.nan_to_num(np.clip(arr[:, 3], 0.0, 1.0), nan=0.0)
    return xyz, vis


def world_metres(world: Any) -> np.ndarray:
    """(33, 3) world landmarks in metres (MediaPipe's ``poseWorldLandmarks``: x right, y down,
    z away from the camera, origin between the hips); all NaN when the frame has none. The
    offline analysis reads oblique and front views from them (the image plane is not the
    body's plane there), so the live coach does too when the page sends them."""
    if world is None:
        return np.full((K, 3), np.nan)
    arr = _numbers(world, "33 rows of 3 numbers (world landmarks)")
    if arr.shape != (K, 3):
        raise LiveFrameError(f"Expected world landmarks of shape ({K}, 3), but got {arr.shape}.")
    return np.where(np.isfinite(arr) & (np.abs(arr) < 100.0), arr, np.nan)


def body_in_frame(xyz: np.ndarray, vis: np.ndarray, image_size: tuple[int, int], min_visibility: float) -> bool:
    """Shoulders, hips, knees and ankles (either side) seen inside the image."""
    w, h = image_size
    x, y = xyz[_KEY_SIDES, 0], xyz[_KEY_SIDES, 1]
    with np.errstate(invalid="ignore"):
        seen = (vis[_KEY_SIDES] >= min_visibility) & (x >= 0) & (x < w) & (y >= 0) & (y < h)
    return bool(seen.any(axis=1).all())
