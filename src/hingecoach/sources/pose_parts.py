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
        kp_cache.write_part(self.folder, self.start, arrays)
        self.start += n
        self.rows = {key: [] for key in self.rows}
        self.spine_jobs, self.samples = [], []


@dataclass(frozen=True)
class Resume:
    """Where a run picks up: ``done`` frames stored; ``next_index`` the frame number in the file
    after the last one stored (0 for a fresh run)."""

    done: int = 0
    next_index: int = 0


def resume_point(folder: Path, part_frames: int) -> Resume:
    """The stored run in ``folder``: its whole parts of ``part_frames`` from frame 0 on, each
    intact (a shorter part ends a run, and the run is complete then). Any other part file
    (after a gap, damaged, of another part size) is removed so it cannot be read later."""
    run = kp_cache.parts(folder, check=True)
    cut = next((i for i, (_, n, _) in enumerate(run) if n != part_frames), len(run))
    run = run if cut == len(run) - 1 else run[:cut]
    keep = {path for _, _, path in run}
    for stray in folder.glob("part-*") if folder.is_dir() else ():
        if stray not in keep:
            stray.unlink(missing_ok=True)
    if not run:
        return Resume()
    start, n, last = run[-1]
    with np.load(last) as npz:
        return Resume(start + n, int(npz["index"][-1]) + 1 if n else 0)


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
