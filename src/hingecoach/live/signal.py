"""The hip flexion of each frame as it arrives, for the phase shown live.

The offline geometry, one frame at a time: the side merge (:func:`merge_sides`), the
sagittal plane of the current camera view (:class:`SagittalPlane`: the image from the side,
the world landmarks from an oblique or front camera), the included angle
(:func:`included_angle_deg`). Offline fills short gaps by interpolation and low-passes
without lag; live has no future frames, so a gap is held and a causal One-Euro filter smooths.
Reps are never counted from this signal: :mod:`hingecoach.live.reading` runs the offline
pipeline over the window for that.
"""

from __future__ import annotations

import math

import numpy as np

from hingecoach.kinematics.angles import JOINTS, SagittalPlane, included_angle_deg, merge_sides
from hingecoach.kinematics.filters import OneEuroFilter

_SH, _HIP, _KNEE = (JOINTS.index(j) for j in ("shoulder", "hip", "knee"))


class FlexionSignal:
    """Per-frame hip flexion (180 - hip angle, degrees) in the current sagittal plane."""

    def __init__(self, min_visibility: float, max_gap_s: float):
        self.min_visibility = min_visibility
        self.max_gap_s = max_gap_s
        self.plane = SagittalPlane("image")
        self._reset()

    def _reset(self) -> None:
        self._filter = OneEuroFilter()
        self._last_seen = np.full(len(JOINTS), -math.inf)
        self._held = np.full((len(JOINTS), 2), np.nan)

    def use_plane(self, plane: SagittalPlane) -> None:
        """Read later frames in ``plane``; the filter restarts when the plane's kind or the
        facing changes (its state would glide between two mirror images)."""
        if (plane.kind, plane.sign) != (self.plane.kind, self.plane.sign):
            self._reset()
        self.plane = plane

    def __call__(self, xyz: np.ndarray, vis: np.ndarray, world: np.ndarray, t_s: float) -> float:
        if self.plane.kind == "world":
            merged = merge_sides(world[None], vis[None], self.min_visibility)[0]
        else:
            merged = merge_sides(xyz[None], vis[None], self.min_visibility, dims=2)[0]
        pts = self.plane.project(merged)
        seen = np.isfinite(pts).all(axis=1)
        self._last_seen[seen] = t_s
        held = ~seen & (t_s - self._last_seen <= self.max_gap_s)
        pts[held] = self._held[held]
        pts = self._filter(pts, t_s)
        self._held = np.where(np.isfinite(pts), pts, self._held)
        angle = included_angle_deg((pts[_SH] - pts[_HIP])[None], (pts[_KNEE] - pts[_HIP])[None])[0]
        return float(180.0 - angle)
