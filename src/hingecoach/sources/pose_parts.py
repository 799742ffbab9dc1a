"""A video's pose run kept in parts on disk as it goes (:mod:`hingecoach.sources.cache`), so
memory stays flat however long the video, and an interrupted run resumes from the frames it
stored.

A part holds, for each frame the model saw: ``xyz``, ``visibility``, ``world_xyz`` (the pose),
``t_ms`` and ``index`` (its time and frame number in the file), ``luma`` (brightness),
``spine`` (the back outline's readings, columns named by ``spine_keys``), the frame size, and
the few frames sampled for the people count (``sample_pos``, ``sample_rgb_<j>``,
``sample_xyz_<j>``).
"""

from __future__ import annotations

import math
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hingecoach.sources import cache as kp_cache


@dataclass
class PartBuffer:
    """The frames posed since the last part; :meth:`flush` writes them as the next part.
    ``start``: frames of the run stored before them."""

    folder: Path
    start: int
    part_frames: int
    rows: dict[str, list] = field(default_factory=lambda: {k: [] for k in ("xyz", "visibility", "world_xyz",
                                                                            "t_ms", "index", "luma")})
    spine_jobs: list[Future] = field(default_factory=list)
    samples: list[tuple[int, np.ndarray, np.ndarray]] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)
    #: False: written as an unchecked part (a thread that started by seeking: frame_timeline).
    checked: bool = True

    def add(self, values: dict[str, object], spine_job: Future, size: tuple[int, int]) -> None:
        for key, rows in self.rows.items():
            rows.append(values[key])
        self.spine_jobs.append(spine_job)
        self.size = size

    def add_sample(self, rgb: np.ndarray, xyz: np.ndarray) -> None:
        """Keep the frame being added for the people count."""
        self.samples.append((self.start + len(self.spine_jobs) - 1, rgb, xyz))

    @property
    def full(self) -> bool:
        return len(self.spine_jobs) >= self.part_frames

    def flush(self) -> None:
        """Write the buffered frames as a part (atomic; nothing when empty) and start afresh."""
        n = len(self.spine_jobs)
        if not n:
            return
        readings = [job.result() for job in self.spine_jobs]
        keys = list(readings[0])
        arrays = {key: np.array(rows) for key, rows in self.rows.items()}
        arrays |= {"spine": np.array([[r[k] for k in keys] for r in readings], float).reshape(n, len(keys)),
                   "spine_keys": np.array(keys, dtype=str), "size": np.array(self.size),
                   "sample_pos": np.array([pos for pos, _, _ in self.samples], dtype=np.int64)}
        for j, (_, rgb, xyz) in enumerate(self.samples):
            arrays |= {f"sample_rgb_{j}": rgb, f"sample_xyz_{j}": xyz}
        kp_cache.write_part(self.folder, self.start, arrays, self.checked)
        self.start += n
        self.rows = {key: [] for key in self.rows}
        self.spine_jobs, self.samples = [], []


def part_frames_for(kept: int, fps: float, part_s: float, min_part_s: float) -> int:
    """Frames per part for a video of about ``kept`` frames to pose at ``fps``: parts of at most
    ``part_s`` seconds, and an even number of equal parts wherever two parts of at least
    ``min_part_s`` fit, so two pose threads get the same work (a 10-s clip: two halves; 45 s:
    two of 22.5 s; 90 s: four of 22.5 s). ``kept`` 0 (unknown): parts of ``part_s``. Decided
    from the file's own metadata alone, so every run on a file cuts it at the same frames."""
    longest = max(1, round(part_s * fps))
    if kept < 2 * max(1, round(min_part_s * fps)):
        return longest
    n = math.ceil(kept / longest)
    return math.ceil(kept / (n + n % 2))


def stored_parts(folder: Path, part_frames: int) -> dict[int, int]:
    """The parts a run before stored in ``folder``: {part number: frames} for each intact file
    that starts at a part's first frame and holds at most ``part_frames`` frames. A shorter part
    ends the video, so nothing after it counts. Any other part file (damaged, of another part
    size, after the end) is removed so it cannot be read later."""
    whole = [(start // part_frames, n, path) for start, n, path in kp_cache.all_parts(folder)
             if start % part_frames == 0 and 0 < n <= part_frames and kp_cache.intact(path)]
    end = min((k for k, n, _ in whole if n < part_frames), default=None)
    kept = [(k, n, path) for k, n, path in whole if end is None or k <= end]
    keep = {path for _, _, path in kept}
    for pattern in ("part-*", f"{kp_cache.UNCHECKED}part-*"):  # unchecked ones: a run stopped before its check
        for stray in folder.glob(pattern) if folder.is_dir() else ():
            if stray not in keep:
                stray.unlink(missing_ok=True)
    return {k: n for k, n, _ in kept}


@dataclass(frozen=True)
class Group:
    """The parts one pose thread poses, in order (``parts``), each by a fresh model warmed on
    the frames before it; ``open_from``: also every part from this one on, to the video's end
    (the frame count a file reports can be short of its frames), or None."""

    parts: tuple[int, ...]
    open_from: int | None

    def mine(self, k: int) -> bool:
        return k in self.parts or (self.open_from is not None and k >= self.open_from)


def plan_groups(stored: dict[int, int], part_frames: int, expected_parts: int, threads: int) -> list[Group]:
    """The parts not stored, cut into up to ``threads`` runs of consecutive parts of equal
    count, in the video's order; the last group also takes every part after the expected ones
    unless a stored short part marks the video's end. Always at least one group."""
    ends = [k for k, n in stored.items() if n < part_frames]
    upto = ends[0] + 1 if ends else max([expected_parts, *(k + 1 for k in stored)])
    missing = [k for k in range(upto) if k not in stored]
    t = max(1, min(threads, len(missing)))
    cuts = [round(i * len(missing) / t) for i in range(t + 1)]
    return [Group(tuple(missing[cuts[i]:cuts[i + 1]]), None if ends or i < t - 1 else upto) for i in range(t)]


def spine_readings(folder: Path) -> dict[str, np.ndarray]:
    """The back outline's readings of every stored frame, one array per reading."""
    spans = kp_cache.parts(folder)
    if not spans:
        return {}
    with np.load(spans[0][2]) as npz:
        keys = [str(k) for k in npz["spine_keys"]]
    table = kp_cache.gather(folder, ("spine",))["spine"]
    return {key: table[:, i] for i, key in enumerate(keys)}


def people_samples(folder: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """(RGB frame, landmarks) of the frames sampled for the people count, in order."""
    found = []
    for _, _, path in kp_cache.parts(folder):
        with np.load(path) as npz:
            found += [(int(pos), npz[f"sample_rgb_{j}"], npz[f"sample_xyz_{j}"])
                      for j, pos in enumerate(npz["sample_pos"])]
    return [(rgb, xyz) for _, rgb, xyz in sorted(found, key=lambda s: s[0])]


def frame_size(folder: Path) -> tuple[int, int]:
    """The video's (w, h) as the last part recorded it ((0, 0) without parts)."""
    spans = kp_cache.parts(folder)
    if not spans:
        return (0, 0)
    with np.load(spans[-1][2]) as npz:
        w, h = (int(v) for v in npz["size"])
    return (w, h)
