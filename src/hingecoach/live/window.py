"""The last few seconds of raw frames in preallocated arrays, and those frames as a PoseSequence
for the offline pipeline."""

from __future__ import annotations

import math

import numpy as np

from hingecoach.live.frames import K
from hingecoach.pose import PoseSequence


class Ring:
    """Fixed-capacity time series with contiguous reads: rows are written into a buffer twice
    the capacity and shifted down when it fills (amortised O(1), no reallocation)."""

    def __init__(self, capacity: int, shape: tuple[int, ...]):
        self.capacity = capacity
        self.data = np.full((2 * capacity, *shape), np.nan)
        self.start = 0
        self.stop = 0

    def append(self, row: np.ndarray | float) -> None:
        if self.stop == len(self.data):
            keep = self.stop - self.start
            self.data[:keep] = self.data[self.start:self.stop]
            self.start, self.stop = 0, keep
        self.data[self.stop] = row
        self.stop += 1
        if self.stop - self.start > self.capacity:
            self.start += 1

    def drop_before(self, count: int) -> None:
        self.start = min(self.start + count, self.stop)

    def view(self) -> np.ndarray:
        return self.data[self.start:self.stop]

    def __len__(self) -> int:
        return self.stop - self.start


class FrameWindow:
    """The frames of the last ``window_s`` seconds: time, image landmarks (pixels), visibility,
    world landmarks (metres, NaN when the frame had none) and the per-frame hip flexion shown
    live. ``first_index`` is the session's number of the window's first frame, so reps keep
    their frame numbers as the window slides."""

    def __init__(self, window_s: float, max_fps: float):
        self.window_s = window_s
        cap = int(math.ceil(window_s * max_fps)) + 1
        self._rings = {"t": Ring(cap, ()), "xyz": Ring(cap, (K, 3)), "vis": Ring(cap, (K,)),
                       "world": Ring(cap, (K, 3)), "flex": Ring(cap, ())}
        self.first_index = 0

    def append(self, t_s: float, xyz: np.ndarray, vis: np.ndarray, world: np.ndarray, flex: float) -> None:
        before = len(self)
        for name, row in (("t", t_s), ("xyz", xyz), ("vis", vis), ("world", world), ("flex", flex)):
            self._rings[name].append(row)
        old = int(np.searchsorted(self.t, t_s - self.window_s, side="left"))
        if old:
            for ring in self._rings.values():
                ring.drop_before(old)
        self.first_index += before + 1 - len(self)  # frames past the window or the capacity

    @property
    def t(self) -> np.ndarray:
        return self._rings["t"].view()

    @property
    def flex(self) -> np.ndarray:
        return self._rings["flex"].view()

    @property
    def end_index(self) -> int:
        """The session's number of the frame after the newest."""
        return self.first_index + len(self)

    def index_at(self, t_s: float) -> int:
        """The window's first frame at or after ``t_s``."""
        return int(np.searchsorted(self.t, t_s, side="left"))

    def pose(self, lo: int, fps: float, image_size: tuple[int, int], view: str = "unknown",
             facing: str = "unknown") -> PoseSequence:
        """Window frames [lo, newest] as a PoseSequence (copied: the rings move on); with world
        landmarks when any of those frames has them."""
        world = self._rings["world"].view()[lo:]
        return PoseSequence(xyz=self._rings["xyz"].view()[lo:].copy(), visibility=self._rings["vis"].view()[lo:].copy(),
                            t_s=self.t[lo:].copy(), fps=fps, image_size=image_size, source="live",
                            view=view, facing=facing,
                            world_xyz=world.copy() if np.isfinite(world[:, :, 0]).any() else None)

    def __len__(self) -> int:
        return len(self._rings["t"])

    def memory_bytes(self) -> int:
        return sum(r.data.nbytes for r in self._rings.values())
