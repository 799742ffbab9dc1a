"""Uploaded videos: checked by content, analysed in a separate process, results kept on disk.

Each upload gets a random job id (32 hex characters) and a folder ``<jobs_dir>/<id>/`` holding
``input<suffix>``, ``status.json`` and, when done, ``result.json`` and the report files. The
analysis runs in a worker process so the pose model never blocks the live WebSocket sessions.
File names a client can ask for are an allowlist; ids are matched against a strict pattern, so
no request can name a path outside the folder.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

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


def sniff_video(head: bytes) -> str | None:
    """The container suffix from the first bytes (MP4/MOV, AVI, MKV/WebM), or None."""
    if head[4:8] == b"ftyp":
        return ".mp4"
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
                                  "Upload an .mp4, .mov, .avi, .mkv or .webm straight from the camera.")
        return {"frames": int(max(cap.get(cv2.CAP_PROP_FRAME_COUNT), 0)),
                "fps": float(cap.get(cv2.CAP_PROP_FPS) or 0.0),
                "width": int(frame.shape[1]), "height": int(frame.shape[0])}
    finally:
        cap.release()


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
    tmp = folder / f".status.{os.getpid()}.{uuid.uuid4().hex}.tmp"
    tmp.write_text(json.dumps(status))
    tmp.replace(folder / "status.json")


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
    files. ``level`` and the upload's ``name`` are kept in every status."""
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
        (folder / "result.json").write_text(json.dumps(data))
        files = ["result.json"] + write_reports(analysis, folder / input_name, folder)
        write_status(folder, state="done", files=files, rep_count=data["rep_count"], **meta)
    except HingeInputError as exc:
        write_status(folder, state="error", message=str(exc), **meta)
    except Exception as exc:  # a worker must always leave a status behind
        write_status(folder, state="error", message=f"Analysis failed: {type(exc).__name__}.", **meta)
        raise
    finally:
        (folder / input_name).unlink(missing_ok=True)


def write_reports(analysis: Any, video: Path, folder: Path) -> list[str]:
    """The HTML report and annotated video when :mod:`hingecoach.report` is installed."""
    try:
        from hingecoach import report
    except ImportError:
        return []
    made = []
    if hasattr(report, "write_report"):
        report.write_report(analysis, folder / "report.html", video_path=video)
        made.append("report.html")
    if hasattr(report, "write_annotated_video"):
        report.write_annotated_video(analysis, video, folder / "annotated.mp4", progress=False)
        made.append("annotated.mp4")
    return [m for m in made if (folder / m).exists()]


def submit(executor: Executor, folder: Path, input_name: str, frames: int, level: str | None = None,
           name: str | None = None) -> None:
    write_status(folder, state="queued", frames=frames, level=level, name=name)
    executor.submit(run_job, str(folder), input_name, frames, level, name)
