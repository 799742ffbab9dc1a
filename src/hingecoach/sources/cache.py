"""Keypoint cache: pose extraction is slow (~30 frames/s on a laptop CPU, hours for a 2-hour
video), so each video's PoseSequence is kept on disk keyed by the file's content and the pose
settings, and written as the pose runs, so an interrupted run resumes where it stopped.

The key is sha256(file bytes) + sha256(settings as sorted JSON), so renaming or moving a
video still hits, and changing the model or the spine measurement misses. Entries live in
``$HINGECOACH_CACHE`` or ``~/.cache/hingecoach/keypoints``, one folder per key:

* ``part-<first frame>-<frames>.npz``: the frames of one stretch of the run, as NumPy arrays
  (``xyz``, ``visibility``, ``world_xyz`` and whatever else the writer keeps per frame),
  appended while the pose model runs;
* ``final.npz``: the whole sequence's ``t_s`` and channels (``ch:<name>``), and
* ``pose.json``: the rest of the sequence (fps, image size, view, history, meta) and the
  number of frames. Written last, it marks the entry complete; without it the parts are a run
  to resume.

Every file is written atomically (a unique temporary name, then a rename), so a crash, a kill
or Ctrl-C never leaves half a file; reading an entry back fills preallocated arrays part by
part (the memory of the arrays themselves, nothing parsed into Python objects: the JSON format
this replaced took ~31 MB per minute of video to read). An unreadable entry is a miss. Entries
of the older single-JSON format (``<key>.json``) are ignored and rebuilt.

The cache never fills the disk: each time an entry is completed, the least recently used
complete entries are removed until the whole cache is under ``$HINGECOACH_CACHE_MAX_MB``
(default 2048 MB, about ten hours of video at 30 fps); a read marks an entry used. An
unfinished entry is a run that may still be going (another process, a batch worker): it is
removed only when nothing has been written to it for ``STALE_PARTIAL_S`` (a day), as an
interrupted run nobody resumed. A removed entry is only a miss: the video is posed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from hingecoach import atomic
from hingecoach.errors import HingeInputError
from hingecoach.pose import PoseDataError, PoseSequence

_CHUNK_BYTES = 1 << 20
DONE = "pose.json"
FINAL = "final.npz"
_PART = re.compile(r"part-(\d{9})-(\d{9})\.npz")
#: The name prefix of a part whose frames a run has still to check (sources/frame_timeline.py).
UNCHECKED = "unchecked-"
POSE_ARRAYS = ("xyz", "visibility", "world_xyz")
CACHE_MAX_BYTES = 2048 * 1024 ** 2
STALE_PARTIAL_S = 24 * 3600.0


def cache_dir() -> Path:
    """Where cached keypoints live (not created here)."""
    env = os.environ.get("HINGECOACH_CACHE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "hingecoach" / "keypoints"


def file_sha256(path: Path) -> str:
    """Hex sha256 of the file's bytes (read in chunks: videos can be large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def max_bytes() -> int:
    """The cache's size cap: ``$HINGECOACH_CACHE_MAX_MB`` (a number of MB), else the default."""
    env = os.environ.get("HINGECOACH_CACHE_MAX_MB")
    if env:
        try:
            mb = float(env)
        except ValueError:
            mb = -1.0
        if mb >= 0:
            return int(mb * 1024 ** 2)
        raise HingeInputError(f"HINGECOACH_CACHE_MAX_MB should be a number of megabytes, 0 or more, not {env!r}: "
                              "set it to the keypoint cache's size cap (e.g. 2048) or unset it for the default.")
    return CACHE_MAX_BYTES


def cache_key(path: Path, settings: dict[str, Any]) -> str:
    """Key from the file content and the settings that change the output."""
    settings_hash = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    return f"{file_sha256(path)[:32]}-{settings_hash[:16]}"


def entry_path(key: str) -> Path:
    """The entry's folder."""
    return cache_dir() / key


# -- parts ---------------------------------------------------------------------------------
def _save_npz(path: Path, arrays: dict[str, np.ndarray]) -> Path:
    def write(tmp: Path) -> None:
        with tmp.open("wb") as fh:
            np.savez(fh, **arrays)

    return atomic.write_atomic(path, write)


def write_part(folder: Path, start: int, arrays: dict[str, np.ndarray], checked: bool = True) -> Path:
    """Store frames ``start..start+n`` of a run (n: the first array's length) atomically; as
    an unchecked part (not read as a part until :func:`settle_unchecked` accepts it) when not
    ``checked``."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(next(iter(arrays.values())))
    return _save_npz(folder / f"{'' if checked else UNCHECKED}part-{start:09d}-{n:09d}.npz", arrays)


def settle_unchecked(folder: Path, accept: bool) -> None:
    """Make the unchecked parts of ``folder`` parts (``accept``), or remove them."""
    for path in folder.glob(f"{UNCHECKED}part-*.npz") if folder.is_dir() else ():
        if accept:
            os.replace(path, path.with_name(path.name.removeprefix(UNCHECKED)))
        else:
            path.unlink(missing_ok=True)


def all_parts(folder: Path) -> list[tuple[int, int, Path]]:
    """(first frame, frames, path) of every part file in ``folder``, in order, gaps and all (a
    run posed by several threads stores its parts out of order)."""
    return sorted((int(m[1]), int(m[2]), p) for p in (folder.glob("part-*.npz") if folder.is_dir() else ())
                  if (m := _PART.fullmatch(p.name)))


def parts(folder: Path, check: bool = False) -> list[tuple[int, int, Path]]:
    """(first frame, frames, path) of the parts that run on from frame 0 without a gap; a part
    after a gap (or, with ``check``, one whose bytes fail their CRC) ends the list."""
    run: list[tuple[int, int, Path]] = []
    for start, n, path in all_parts(folder):
        if start != (run[-1][0] + run[-1][1] if run else 0) or (check and not intact(path)):
            break
        run.append((start, n, path))
    return run


def intact(path: Path) -> bool:
    """True when every member of the part file ``path`` passes its CRC."""
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.testzip() is None
    except (OSError, zipfile.BadZipFile):
        return False


def gather(folder: Path, names: tuple[str, ...], n: int | None = None) -> dict[str, np.ndarray]:
    """The per-frame arrays ``names`` of all parts end to end, filled into arrays allocated once
    (never a list of parts and its concatenation side by side). A name missing from the first
    part is left out; ``n`` (optional) the frames expected. Raises ValueError on a bad entry."""
    spans = parts(folder)
    total = spans[-1][0] + spans[-1][1] if spans else 0
    if n is not None and total != n:
        raise ValueError(f"expected {n} frames in the parts, found {total}")
    out: dict[str, np.ndarray] = {}
    for start, count, path in spans:
        with np.load(path) as npz:
            for name in names:
                if start == 0 and name in npz.files:
                    first = npz[name]
                    out[name] = np.empty((total,) + first.shape[1:], first.dtype)
                if name in out:
                    block = npz[name]
                    if len(block) != count:
                        raise ValueError(f"{path.name}: {name} has {len(block)} frames, not {count}")
                    out[name][start:start + count] = block
    return out


# -- whole entries -------------------------------------------------------------------------
def finish(folder: Path, seq: PoseSequence) -> None:
    """Mark the run in ``folder`` complete: ``seq``'s per-frame pose arrays must be its parts
    already; its times, channels and the rest are written here, the marker last."""
    _save_npz(folder / FINAL, {"t_s": seq.t_s} | {f"ch:{k}": v for k, v in seq.channels.items()})
    header = {"frames": seq.n_frames, "schema": seq.schema, "fps": seq.fps, "image_size": list(seq.image_size),
              "view": seq.view, "facing": seq.facing, "history": list(seq.history), "meta": seq.meta}
    atomic.write_text(folder / DONE, json.dumps(header, allow_nan=False))
    prune(max_bytes(), keep=folder.name)


def get(key: str, source: str) -> PoseSequence | None:
    """The cached sequence for ``key`` with ``source`` set to the caller's path, or None (no
    complete entry, or an unreadable one). A bad size cap is told here, before any pose runs."""
    max_bytes()
    folder = entry_path(key)
    try:
        header = json.loads((folder / DONE).read_text(encoding="utf-8"))
        arrays = gather(folder, POSE_ARRAYS, int(header["frames"]))
        with np.load(folder / FINAL) as fin:
            t_s = fin["t_s"]
            channels = {name[3:]: fin[name] for name in fin.files if name.startswith("ch:")}
        _touch(folder / DONE)
        return PoseSequence(xyz=arrays["xyz"], visibility=arrays["visibility"], t_s=t_s,
                            world_xyz=arrays.get("world_xyz"), channels=channels, source=source,
                            fps=header["fps"], image_size=tuple(header["image_size"]), schema=header["schema"],
                            view=header["view"], facing=header["facing"], history=tuple(header["history"]),
                            meta=header["meta"])
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, PoseDataError):
        return None


def put(key: str, seq: PoseSequence) -> Path:
    """Store the whole of ``seq`` under ``key`` (one part); returns the entry's folder."""
    folder = entry_path(key)
    clear(folder)
    arrays = {"xyz": seq.xyz, "visibility": seq.visibility}
    if seq.world_xyz is not None:
        arrays["world_xyz"] = seq.world_xyz
    write_part(folder, 0, arrays)
    finish(folder, seq)
    return folder


def _touch(marker: Path) -> None:
    """Mark an entry used now (its marker's time orders the removals); a read-only cache is left as it is."""
    try:
        os.utime(marker)
    except OSError:
        pass


def _entry_state(folder: Path) -> tuple[int, float, bool]:
    """(bytes, last use or write as a Unix time, complete) of one entry's folder."""
    total, newest = 0, 0.0
    for item in folder.iterdir():
        try:
            st = item.stat()
        except OSError:  # removed meanwhile (a temporary file renamed, another prune)
            continue
        total += st.st_size
        newest = max(newest, st.st_mtime)
    return total, newest, (folder / DONE).is_file()


def prune(limit_bytes: int, keep: str | None = None, now: float | None = None) -> list[str]:
    """Remove entries until the cache holds at most ``limit_bytes``: unfinished entries left
    untouched for ``STALE_PARTIAL_S`` first, then complete ones, least recently used first.
    ``keep`` (a key) and unfinished entries still being written are never removed. Returns the
    keys removed."""
    root = cache_dir()
    if not root.is_dir():
        return []
    now = time.time() if now is None else now
    entries = []
    for folder in root.iterdir():
        if folder.is_dir():
            try:
                entries.append((folder, *_entry_state(folder)))
            except OSError:
                continue
    total = sum(size for _, size, _, _ in entries)
    entries = [e for e in entries if e[0].name != keep]
    stale = [e for e in entries if not e[3] and now - e[2] > STALE_PARTIAL_S]
    done = sorted((e for e in entries if e[3]), key=lambda e: e[2])
    removed = []
    for folder, size, _, _ in stale:  # interrupted runs nobody resumed: removed whatever the size
        clear(folder)
        total -= size
        removed.append(folder.name)
    for folder, size, _, _ in done:
        if total <= limit_bytes:
            break
        clear(folder)
        total -= size
        removed.append(folder.name)
    return removed


def clear(folder: Path) -> None:
    """Remove an entry (complete or partial)."""
    shutil.rmtree(folder, ignore_errors=True)
