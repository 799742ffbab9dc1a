"""PoseSequence: the one data model every source produces and every stage reads.

Conventions
-----------
* ``xyz`` has shape (frames, 33, 3) in BlazePose-33 order (see :mod:`hingecoach.pose.schema`).
  x and y are image pixels (x to the right, y downwards, origin top-left of the upright,
  rotation-corrected image); z is depth in the same pixel scale (BlazePose's relative z,
  negative towards the camera), NaN where unknown.
* ``visibility`` has shape (frames, 33) in [0, 1]; a missing point is NaN in ``xyz`` and 0 here.
* ``t_s`` holds each frame's timestamp in seconds, strictly increasing (variable frame rate
  is allowed); ``fps`` is the nominal rate.
* ``channels`` holds extra per-frame signals measured at the source (for example
  ``back_bend_deg`` from the segmentation mask), each of shape (frames,).
* ``history`` records what was done to the data (filters, mappings), oldest first.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hingecoach.pose.schema import BLAZEPOSE33, INDEX

VIEWS = ("side", "front", "oblique", "unknown")
FACINGS = ("left", "right", "camera", "away", "unknown")


class PoseDataError(ValueError):
    """Pose data that cannot be used; the message says what was expected and what was found."""


@dataclass(frozen=True, eq=False)
class PoseSequence:
    """Landmarks of one person over time, validated at construction (see module docstring)."""

    xyz: np.ndarray
    visibility: np.ndarray
    t_s: np.ndarray
    fps: float
    image_size: tuple[int, int]
    source: str = ""
    schema: str = "blazepose33"
    view: str = "unknown"
    facing: str = "unknown"
    world_xyz: np.ndarray | None = None
    channels: dict[str, np.ndarray] = field(default_factory=dict)
    history: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        xyz, vis, t = _checked_arrays(self.xyz, self.visibility, self.t_s)
        n = xyz.shape[0]
        w, h = _checked_scalars(self)
        channels = {}
        for name, values in self.channels.items():
            arr = np.asarray(values, dtype=np.float64)
            if arr.shape != (n,):
                raise PoseDataError(f"Expected channel {name!r} of shape ({n},), but got {arr.shape}.")
            channels[name] = arr
        world = None
        if self.world_xyz is not None:
            world = np.asarray(self.world_xyz, dtype=np.float64)
            if world.shape != xyz.shape:
                raise PoseDataError(f"Expected world landmarks of shape {xyz.shape}, but got {world.shape}.")
        for name, arr in (("xyz", xyz), ("visibility", vis), ("t_s", t)):
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "fps", float(self.fps))
        object.__setattr__(self, "image_size", (w, h))
        object.__setattr__(self, "channels", channels)
        object.__setattr__(self, "world_xyz", world)
        object.__setattr__(self, "history", tuple(self.history))
        object.__setattr__(self, "meta", dict(self.meta))

    # -- basic facts -------------------------------------------------------------------
    @property
    def n_frames(self) -> int:
        return int(self.xyz.shape[0])

    @property
    def duration_s(self) -> float:
        if self.n_frames == 0:
            return 0.0
        return float(self.t_s[-1] - self.t_s[0] + 1.0 / self.fps)

    def point(self, name: str) -> np.ndarray:
        """(frames, 3) coordinates of one keypoint by BlazePose name."""
        return self.xyz[:, INDEX[name], :]

    def vis(self, name: str) -> np.ndarray:
        return self.visibility[:, INDEX[name]]

    # -- derivation --------------------------------------------------------------------
    def replace(self, note: str | None = None, **changes: Any) -> PoseSequence:
        """A new validated sequence with fields changed; ``note`` is appended to history."""
        if note:
            changes["history"] = tuple(self.history) + (note,)
        return dataclasses.replace(self, **changes)

    def slice(self, start: int, stop: int) -> PoseSequence:
        """Frames [start, stop) as a new sequence."""
        world = None if self.world_xyz is None else self.world_xyz[start:stop]
        return self.replace(
            note=f"slice[{start}:{stop}]",
            xyz=self.xyz[start:stop],
            visibility=self.visibility[start:stop],
            t_s=self.t_s[start:stop],
            world_xyz=world,
            channels={k: v[start:stop] for k, v in self.channels.items()},
        )

    def equals(self, other: PoseSequence) -> bool:
        """Exact equality of every field (NaN equals NaN)."""
        if not isinstance(other, PoseSequence):
            return False

        def same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
            if a is None or b is None:
                return a is b
            return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))

        return (
            same(self.xyz, other.xyz)
            and same(self.visibility, other.visibility)
            and same(self.t_s, other.t_s)
            and same(self.world_xyz, other.world_xyz)
            and self.fps == other.fps
            and self.image_size == other.image_size
            and self.source == other.source
            and self.view == other.view
            and self.facing == other.facing
            and self.history == other.history
            and sorted(self.channels) == sorted(other.channels)
            and all(same(v, other.channels[k]) for k, v in self.channels.items())
            and self.meta == other.meta
        )


def _checked_arrays(xyz_in: Any, vis_in: Any, t_in: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Landmarks, visibility and timestamps as float arrays of matching shapes; visibility
    clipped to [0, 1] and zero wherever a point is missing."""
    xyz = np.asarray(xyz_in, dtype=np.float64)
    vis = np.asarray(vis_in, dtype=np.float64)
    t = np.asarray(t_in, dtype=np.float64)
    k = len(BLAZEPOSE33)
    if xyz.ndim != 3 or xyz.shape[1:] != (k, 3):
        raise PoseDataError(f"Expected landmarks of shape (frames, {k}, 3), but got {xyz.shape}.")
    n = xyz.shape[0]
    if vis.shape != (n, k):
        raise PoseDataError(f"Expected visibility of shape ({n}, {k}), but got {vis.shape}.")
    if t.shape != (n,):
        raise PoseDataError(f"Expected {n} timestamps, but got shape {t.shape}.")
    if n and not np.all(np.isfinite(t)):
        raise PoseDataError("Expected finite timestamps, but some are NaN or infinite.")
    if n > 1 and np.any(np.diff(t) <= 0):
        raise PoseDataError("Expected strictly increasing timestamps, but they repeat or go back.")
    if np.any(np.isinf(xyz)):
        raise PoseDataError("Expected finite landmark coordinates or NaN, but got infinity.")
    missing = np.isnan(xyz[..., :2]).any(axis=-1)
    with np.errstate(invalid="ignore"):
        clean = np.isfinite(vis) & (vis >= 0.0) & (vis <= 1.0) & ~(missing & (vis != 0.0))
    if not clean.all():  # a new array only when something changes: every replace() checks again,
        vis = np.where(np.isfinite(vis), np.clip(vis, 0.0, 1.0), 0.0)  # and a 2-hour video's
        vis = np.where(missing, 0.0, vis)  # visibility is 57 MB
    return xyz, vis, t


def _checked_scalars(seq: PoseSequence) -> tuple[int, int]:
    """Check fps, schema, view and facing; return the image size as ints."""
    if not (np.isfinite(seq.fps) and seq.fps > 0):
        raise PoseDataError(f"Expected a positive frame rate, but got {seq.fps!r}.")
    w, h = (int(v) for v in seq.image_size)
    if w <= 0 or h <= 0:
        raise PoseDataError(f"Expected a positive image size, but got {seq.image_size!r}.")
    if seq.schema != "blazepose33":
        raise PoseDataError(f"Expected schema 'blazepose33' (map others first), but got {seq.schema!r}.")
    if seq.view not in VIEWS:
        raise PoseDataError(f"Expected view in {VIEWS}, but got {seq.view!r}.")
    if seq.facing not in FACINGS:
        raise PoseDataError(f"Expected facing in {FACINGS}, but got {seq.facing!r}.")
    return w, h
