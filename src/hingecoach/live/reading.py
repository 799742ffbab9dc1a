"""The offline pipeline over the live window, a few times a second.

The frames of the current camera view (:func:`hingecoach.kinematics.view.view_segments` over
the window: a cut, once seen, stays, as offline reads each part apart), their view and facing
(:func:`hingecoach.kinematics.view.with_view`), then :func:`compute_kinematics` (the offline
side merge, gap filling and zero-phase low-pass) and :func:`segment_reps`. Reps are counted and
measured from this read, never from the per-frame signal, so live finds the reps offline finds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hingecoach.config import section
from hingecoach.kinematics import Kinematics, compute_kinematics
from hingecoach.kinematics.angles import SagittalPlane, sagittal_plane
from hingecoach.kinematics.view import view_segments, with_view
from hingecoach.live.window import FrameWindow
from hingecoach.reps import Rep, segment_reps

#: How often the camera view and facing are read again (they change slowly, if ever), and the
#: fewest frames a read needs (thresholds.toml [live]).
VIEW_REFRESH_S: float = section("live")["view_refresh_s"]
MIN_FRAMES: int = section("live")["min_frames"]


@dataclass(frozen=True, eq=False)
class WindowRead:
    """One read of the window: kinematics of the current view's frames and their reps (frames
    of ``kin``); ``offset`` is the session's number of ``kin``'s first frame."""

    kin: Kinematics
    reps: list[Rep]
    offset: int
    part: int

    @property
    def t_end(self) -> float:
        return float(self.kin.t_s[-1])


class WindowReader:
    """Reads the window the offline way; keeps the view, facing and sagittal plane it found."""

    def __init__(self) -> None:
        self.part = 0
        self.part_start_s = -math.inf
        self.view, self.facing = "unknown", "unknown"
        self.plane = SagittalPlane("image")
        self._next_view_s = -math.inf
        #: set when the view, facing or part changed: reps from then on were read in another
        #: plane and are measured again (the session clears it)
        self.changed_since_s: float | None = None

    def read(self, window: FrameWindow, fps: float, image_size: tuple[int, int]) -> WindowRead | None:
        lo = window.index_at(self.part_start_s)
        if len(window) - lo < MIN_FRAMES:
            return None
        if window.t[-1] >= self._next_view_s:
            self._next_view_s = float(window.t[-1]) + VIEW_REFRESH_S
            lo = self._read_view(window, lo, fps, image_size)
        seq = window.pose(lo, fps, image_size, self.view, self.facing)
        kin = compute_kinematics(seq)
        return WindowRead(kin, segment_reps(kin), window.first_index + lo, self.part)

    def _read_view(self, window: FrameWindow, lo: int, fps: float, image_size: tuple[int, int]) -> int:
        """Cut the window where the camera view changed for good (a new part), then read the
        current part's view, facing and plane; the part's first window frame."""
        seq = window.pose(lo, fps, image_size)
        parts = view_segments(seq)
        if len(parts) > 1:
            start = parts[-1][0]
            self.part += 1
            self.part_start_s = float(seq.t_s[start])
            lo += start
            seq = seq.slice(start, seq.n_frames)
        seen = with_view(seq)
        if (seen.view, seen.facing) != (self.view, self.facing) or len(parts) > 1:
            self.changed_since_s = float(seq.t_s[0])
        self.view, self.facing = seen.view, seen.facing
        self.plane = sagittal_plane(seen)
        return lo
