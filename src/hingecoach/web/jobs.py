"""Uploaded videos: checked by content, analysed in a separate process, results kept on disk.

Each upload gets a random job id (32 hex characters) and a folder ``<jobs_dir>/<id>/`` holding
``input<suffix>``, ``status.json`` and, when done, ``result.json`` and the report files. The
analysis runs in a worker process so the pose model never blocks the live WebSocket sessions.
File names a client can ask for are an allowlist; ids are matched against a strict pattern, so
no request can name a path outside the folder.

Disk space (:func:`sweep`): job folders expire after ``max_age_s`` and all of them together stay
under ``max_bytes``, the oldest going first; a job whose set was saved to the training log is
never removed, only trimmed to its ``result.json`` and ``status.json``. Queued, running and
uploading jobs are left alone. Every file a job writes goes to a temporary name and is renamed
into place, and a disk that fills up mid-upload or mid-analysis leaves no partial file behind:
the upload is refused (507) or the job ends in an error saying so.
"""

from __future__ import annotations

import errno
import json
import re
import shutil
import time
import uuid
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hingecoach.atomic import write_atomic
from hingecoach.errors import HingeInputError

#: Upload limit: a 2-minute 1080p phone clip is ~100-250 MB; 300 MB covers it with margin.
MAX_UPLOAD_BYTES = 300 * 1024 * 1024
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
#: Files a client may fetch from a job folder, with their media types.
RESULT_FILES = {"result.json": "application/json", "report.html": "text/html",
                "annotated.mp4": "video/mp4"}
#: Pose extraction runs at ~20-30 frames/s on a laptop CPU; used for the progress estimate.
EXPECTED_POSE_FPS = 20.0
#: Longest upload name kept (shown on the page and used to name the downloads).
MAX_NAME_CHARS = 80
#: Job folders are removed this long after their last change (a saved set keeps its result).
JOB_MAX_AGE_S = 7 * 24 * 3600.0
#: All job folders together stay under this many bytes (oldest removed first).
JOBS_MAX_BYTES = 5 * 1024 ** 3
#: Free disk space an upload must leave untouched (the training log and the OS need it too).
MIN_FREE_BYTES = 512 * 1024 ** 2
#: Room a job needs per byte uploaded: the video, then the annotated video written beside it.
SPACE_PER_UPLOAD_BYTE = 2
#: An upload that has not written a byte for this long is a leftover (the server stopped).
STALE_UPLOAD_S = 3600.0
#: Files a job folder keeps once its set is in the training log and its age or the size cap is up.
KEPT_WHEN_LOGGED = ("result.json", "status.json")
TRASH_PREFIX = ".trash-"
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
DISK_FULL_UPLOAD = ("The server has no disk space left for this upload, so nothing was kept. "
                    "Try again later, or a shorter clip.")
DISK_FULL_ANALYSIS = ("The server ran out of disk space while writing the results, so nothing was kept. "
                      "Upload the clip again later.")


def sniff_video(head: bytes) -> str | None:
    """The container suffix from the first bytes (MP4/MOV, AVI, MKV/WebM, animated GIF), or None."""
    if head[4:8] == b"ftyp":
        return ".mp4"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return ".gif"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return ".avi"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return ".mkv"
    return None


def probe_video(path: Path) -> dict[str, Any]:
    """Decode the first frame with OpenCV: frames, fps and size, or HingeInputError."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        ok, frame = cap.read() if cap.isOpened() else (False, None)
        if not ok or frame is None:
            raise HingeInputError("The upload is not a readable video (no frame could be decoded).",
                                  "Upload an .mp4, .mov, .avi, .mkv, .webm or an animated .gif straight from "
                                  "the camera.")
        return {"frames": int(max(cap.get(cv2.CAP_PROP_FRAME_COUNT), 0)),
                "fps": float(cap.get(cv2.CAP_PROP_FPS) or 0.0),
                "width": int(frame.shape[1]), "height": int(frame.shape[0])}
    finally:
        cap.release()


def is_disk_full(exc: BaseException | None) -> bool:
    """True for 'no space left' (or quota, or file too large), also when another error wraps it."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def write_chunk(fh: Any, chunk: bytes) -> None:
    """One piece of an upload to disk (a function of its own so tests can fill the disk)."""
    fh.write(chunk)


def disk_free(path: Path) -> int:
    return shutil.disk_usage(path).free


def new_job_dir(jobs_dir: Path) -> tuple[str, Path]:
    job_id = uuid.uuid4().hex
    folder = jobs_dir / job_id
    folder.mkdir(parents=True)
    return job_id, folder


def job_dir(jobs_dir: Path, job_id: str) -> Path | None:
    """The folder of ``job_id`` if the id is well formed and exists; None otherwise."""
    if not JOB_ID.match(job_id):
        return None
    folder = jobs_dir / job_id
    return folder if folder.is_dir() else None


def write_status(folder: Path, **status: Any) -> None:
    """Atomic write, so a poll never reads half a file."""
    text = json.dumps(status)
    write_atomic(folder / "status.json", lambda tmp: tmp.write_text(text))


def read_status(folder: Path) -> dict[str, Any]:
    try:
        status = json.loads((folder / "status.json").read_text())
    except (OSError, ValueError):
        return {"state": "unknown"}
    if status.get("state") == "running":
        expected_s = max(status.get("frames", 0) / EXPECTED_POSE_FPS, 1.0)
        elapsed = time.time() - status.get("started", time.time())
        status["progress"] = round(min(0.95, elapsed / expected_s), 2)
        status["progress_is_estimate"] = True
    return status


def upload_name(name: str | None) -> str | None:
    """The upload's own file name, reduced to a safe label for the page and downloads."""
    if not name:
        return None
    stem = Path(name.replace("\\", "/")).name
    clean = re.sub(r"[^\w.\- ]+", "_", stem).strip(" .")[:MAX_NAME_CHARS]
    return clean or None


def run_job(folder_text: str, input_name: str, frames: int, level: str | None = None,
            name: str | None = None) -> None:
    """Worker-process entry: analyse the video at ``level``, write result.json and any report
    files. ``level`` and the upload's ``name`` are kept in every status. A full disk ends the
    job in an error that says so, with every output removed."""
    folder = Path(folder_text)
    meta = {"level": level, "name": name}
    write_status(folder, state="running", started=time.time(), frames=frames, **meta)
    try:
        from hingecoach.analysis import analyze
        from hingecoach.sources import load

        pose = load(folder / input_name, progress=False)
        analysis = analyze(pose, level=level)
        data = analysis.to_dict()
        data["source"] = "upload"
        data["level"] = level
        data["ghost"] = ghost_part(analysis)
        text = json.dumps(data)
        write_atomic(folder / "result.json", lambda tmp: tmp.write_text(text))
        files = ["result.json"] + write_reports(analysis, folder / input_name, folder)
        write_status(folder, state="done", files=files, rep_count=data["rep_count"], **meta)
    except HingeInputError as exc:
        write_status(folder, state="error", message=str(exc), **meta)
    except Exception as exc:  # a worker must always leave a status behind
        if is_disk_full(exc):
            clear_outputs(folder)  # frees the room the status needs, and leaves nothing partial
            write_status(folder, state="error", message=DISK_FULL_ANALYSIS, disk_full=True, **meta)
            return
        write_status(folder, state="error", message=f"Analysis failed: {type(exc).__name__}.", **meta)
        raise
    finally:
        (folder / input_name).unlink(missing_ok=True)


def ghost_part(analysis: Any) -> dict[str, Any] | None:
    """The ghost for the result page: what it is and, per rep, how the bottom differed from
    it in words (:func:`hingecoach.report.ghost.ghost_summary`; the annotated video and the
    report draw the same ghost, built once); None without :mod:`hingecoach.report`."""
    try:
        from hingecoach.report.ghost import ghost_of, ghost_summary
    except ImportError:
        return None
    return ghost_summary(analysis, ghost_of(analysis, getattr(analysis, "height_cm", None)))


def clear_outputs(folder: Path) -> None:
    """Remove every file of a job folder but its status (results, reports, temporary files)."""
    for child in folder.iterdir():
        if child.name != "status.json" and not child.is_dir():
            child.unlink(missing_ok=True)


def write_reports(analysis: Any, video: Path, folder: Path) -> list[str]:
    """The HTML report and annotated video when :mod:`hingecoach.report` is installed, each
    written to a temporary name and renamed into place."""
    try:
        from hingecoach import report
    except ImportError:
        return []
    made = []
    if hasattr(report, "write_report"):
        write_atomic(folder / "report.html", lambda tmp: report.write_report(analysis, tmp, video_path=video))
        made.append("report.html")
    if hasattr(report, "write_annotated_video"):
        write_atomic(folder / "annotated.mp4",
                     lambda tmp: report.write_annotated_video(analysis, video, tmp, progress=False))
        made.append("annotated.mp4")
    return [m for m in made if (folder / m).exists()]


def submit(executor: Executor, folder: Path, input_name: str, frames: int, level: str | None = None,
           name: str | None = None) -> None:
    write_status(folder, state="queued", frames=frames, level=level, name=name)
    executor.submit(run_job, str(folder), input_name, frames, level, name)


# -- disk space --------------------------------------------------------------------------------
@dataclass
class JobEntry:
    """What :func:`sweep` knows of one job folder."""

    folder: Path
    state: str
    logged: bool
    bytes: int
    changed: float  # last change: the newest file's mtime

    def active(self, now: float) -> bool:
        """Queued, running or still uploading (and not left over by a server that stopped)."""
        if self.state in ("queued", "running"):
            return True
        return self.state == "uploading" and now - self.changed < STALE_UPLOAD_S

    def trimmed(self) -> bool:
        return all(p.name in KEPT_WHEN_LOGGED for p in self.folder.iterdir())


@dataclass
class SweepReport:
    removed: list[str] = field(default_factory=list)
    trimmed: list[str] = field(default_factory=list)
    total_bytes: int = 0


def scan(jobs_dir: Path) -> list[JobEntry]:
    """Every job folder, oldest change first (a folder being deleted meanwhile is skipped)."""
    entries = []
    for folder in jobs_dir.iterdir():
        if not JOB_ID.match(folder.name):
            continue
        try:
            stats = [p.stat() for p in folder.iterdir() if p.is_file()]
            changed = max([st.st_mtime for st in stats] + [folder.stat().st_mtime])
        except FileNotFoundError:
            continue
        status = read_status(folder) if (folder / "status.json").exists() else {"state": "uploading"}
        entries.append(JobEntry(folder, status.get("state", "unknown"), status.get("logged_set_id") is not None,
                                sum(st.st_size for st in stats), changed))
    return sorted(entries, key=lambda e: e.changed)


def remove_job(folder: Path) -> None:
    """Rename the folder out of the id namespace first (one atomic step, so no request sees it
    half-deleted), then delete it."""
    trash = folder.with_name(f"{TRASH_PREFIX}{folder.name}-{uuid.uuid4().hex[:8]}")
    try:
        folder.rename(trash)
    except FileNotFoundError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def trim_job(folder: Path) -> int:
    """Keep only the result and status of a job whose set is in the training log; bytes freed."""
    def size() -> int:
        return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())

    before = size()
    for child in folder.iterdir():
        if child.name not in KEPT_WHEN_LOGGED and child.is_file():
            child.unlink(missing_ok=True)
    status = read_status(folder)
    if status.get("files") not in (None, ["result.json"]):
        write_status(folder, **{**status, "files": ["result.json"], "trimmed": True})
    return before - size()


def _let_go(entry: JobEntry, report: SweepReport) -> int:
    """Trim a logged job, remove any other; the bytes freed."""
    if entry.logged:
        if entry.trimmed():
            return 0
        freed = trim_job(entry.folder)
        report.trimmed.append(entry.folder.name)
        return freed
    remove_job(entry.folder)
    report.removed.append(entry.folder.name)
    return entry.bytes


def sweep(jobs_dir: Path, max_age_s: float = JOB_MAX_AGE_S, max_bytes: int = JOBS_MAX_BYTES,
          room_for: int = 0, now: float | None = None) -> SweepReport:
    """Expire job folders older than ``max_age_s``, then let the oldest go until all of them
    plus ``room_for`` bytes fit in ``max_bytes``. Logged jobs are trimmed, never removed;
    active jobs are untouched (so the total may stay above the cap: the caller checks)."""
    now = time.time() if now is None else now
    for leftover in jobs_dir.glob(f"{TRASH_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    report = SweepReport()
    entries = scan(jobs_dir)
    total = sum(e.bytes for e in entries)
    kept = []
    for entry in entries:
        if not entry.active(now) and now - entry.changed > max_age_s:
            total -= _let_go(entry, report)
        else:
            kept.append(entry)
    for entry in kept:
        if total + room_for <= max_bytes:
            break
        if not entry.active(now):
            total -= _let_go(entry, report)
    report.total_bytes = total
    return report
