"""The upload side of the web app: a video streamed to disk within the limits, queued for the
one analyser process (each person sees their place in the queue while they wait), its status and
result files, and saving its set to the training log. The jobs on disk: :mod:`hingecoach.web.jobs`."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from hingecoach.errors import HingeInputError
from hingecoach.web import history, jobs
from hingecoach.web.settings import Settings

log = logging.getLogger("hingecoach.web")


#: The analyser process runs at this lower CPU priority (nice), so on a small machine the live
#: sessions' frames, answered by the server process, come first and a queue of uploads does not
#: raise their latency; the analyser still gets every CPU cycle the live sessions leave.
ANALYSER_NICENESS = 10


def analyser_priority() -> None:
    """The analyser process's initializer: lower its CPU priority (ANALYSER_NICENESS)."""
    try:
        os.nice(ANALYSER_NICENESS)
    except OSError:  # not allowed here: run at the same priority
        pass


class JobQueue:
    """The uploads handed to the analyser, in the order they came, until each is finished. The
    analyser takes them one at a time in that order, so a waiting job's place is the number of
    jobs ahead of it not finished yet (the one being analysed included): what the upload page
    shows while the person waits, instead of a failure when many upload at once."""

    def __init__(self) -> None:
        self._folders: list[Path] = []
        self._lock = threading.Lock()

    def add(self, folder: Path) -> None:
        with self._lock:
            self._folders.append(folder)

    def ahead(self, folder: Path) -> int | None:
        """Jobs ahead of this one still queued or running; None when it is not in the queue."""
        with self._lock:
            self._folders = [f for f in self._folders
                             if jobs.read_status(f).get("state") in ("queued", "running")]
            return self._folders.index(folder) if folder in self._folders else None


def add_job_routes(app: FastAPI, settings: Settings, jobs_dir: Path) -> None:
    queue = JobQueue()

    def submit(folder: Path, video: Path, frames: int, level: str | None, name: str | None) -> int | None:
        if app.state.executor is None:
            app.state.executor = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"),
                                                     initializer=analyser_priority)
        jobs.submit(app.state.executor, folder, video.name, frames, level=level, name=name)
        queue.add(folder)
        return queue.ahead(folder)

    @app.post("/api/upload")
    async def upload(request: Request) -> JSONResponse:
        return await _receive_upload(request, settings, jobs_dir, submit, app.state.jobs_lock)

    @app.get("/api/jobs/{job_id}")
    def job_status(job_id: str) -> JSONResponse:
        folder = jobs.job_dir(jobs_dir, job_id)
        if folder is None:
            return JSONResponse({"error": "No such job."}, status_code=404)
        status = jobs.read_status(folder)
        if status.get("state") == "queued":
            status["ahead"] = queue.ahead(folder)
        return JSONResponse(status)

    log_lock = app.state.jobs_lock  # one save per job, however often the button is pressed

    @app.post("/api/jobs/{job_id}/log")
    async def job_log(job_id: str, request: Request) -> JSONResponse:
        folder = jobs.job_dir(jobs_dir, job_id)
        if folder is None:
            return JSONResponse({"error": "No such job."}, status_code=404)
        try:
            body = await request.json()
        except ValueError:
            body = {}
        level = body.get("level") if isinstance(body, dict) else None
        return await asyncio.to_thread(_log_job, folder, level, settings, log_lock)

    @app.get("/api/jobs/{job_id}/{name}")
    def job_file(job_id: str, name: str) -> Response:
        folder = jobs.job_dir(jobs_dir, job_id)
        if folder is None or name not in jobs.RESULT_FILES or not (folder / name).is_file():
            return JSONResponse({"error": "No such file."}, status_code=404)
        headers = {"Content-Security-Policy": "sandbox; default-src 'self' data: blob: 'unsafe-inline'"}
        return FileResponse(folder / name, media_type=jobs.RESULT_FILES[name], headers=headers)


def _log_job(folder: Path, level: Any, settings: Settings, lock: threading.Lock) -> JSONResponse:
    """Save an analysed upload to the training log at ``level`` (else the level it was analysed
    at); saving again returns the set already saved."""
    with lock:
        if not folder.is_dir():  # expired since the request came in
            return JSONResponse({"error": "No such job."}, status_code=404)
        status = jobs.read_status(folder)
        if status.get("state") != "done":
            return JSONResponse({"error": "The analysis is not finished."}, status_code=409)
        if status.get("logged_set_id") is not None:
            return JSONResponse({"logged_set_id": status["logged_set_id"], "level": status.get("logged_level")})
        chosen = history.known_level(level) if level is not None else status.get("level")
        if level is not None and chosen is None:
            return JSONResponse({"error": "Unknown level."}, status_code=400)
        try:
            result = json.loads((folder / "result.json").read_text())
            if not result.get("rep_count"):
                return JSONResponse({"error": "No rep to save."}, status_code=409)
            set_id = history.log_live_set(result, settings.person, chosen, settings.db_url)
        except (HingeInputError, OSError, RuntimeError, ValueError) as exc:
            log.warning("upload not logged: %s", exc)
            return JSONResponse({"error": "The training log could not be written."}, status_code=503)
        if set_id is None:
            return JSONResponse({"error": "The training log is not installed in this version."}, status_code=503)
        jobs.write_status(folder, **{**status, "logged_set_id": set_id, "logged_level": chosen})
        return JSONResponse({"logged_set_id": set_id, "level": chosen})


async def _receive_upload(request: Request, settings: Settings, jobs_dir: Path, submit,
                          lock: threading.Lock) -> JSONResponse:
    """The request body is the video itself (no multipart), streamed to disk and cut off at the
    size limit: nothing larger than the limit is ever stored, even without a Content-Length, and
    a declared Content-Length over it is refused before a byte of the body is read. Old jobs
    are swept first to make room; a disk that fills up meanwhile refuses the upload (507) and
    keeps nothing. ``?level=`` is the level to analyse at, ``?name=`` the file's own name. The
    answer names the job and ``ahead``, the uploads before it the analyser has still to finish."""
    limit = settings.max_upload_bytes
    level = request.query_params.get("level") or None
    if level is not None and history.known_level(level) is None:
        return _upload_error("Unknown level: choose one from the list.", 400)
    level = history.known_level(level) if level else None
    name = jobs.upload_name(request.query_params.get("name"))
    declared = request.headers.get("content-length")
    too_large = _upload_error(f"The file is larger than the {limit // (1024 * 1024)} MB limit.", 413)
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        return too_large
    expected = int(declared) if declared and declared.isdigit() else limit
    if not await asyncio.to_thread(_make_room, jobs_dir, settings, expected, lock):
        return _upload_error(jobs.DISK_FULL_UPLOAD, 507)
    try:
        job_id, folder = jobs.new_job_dir(jobs_dir)
    except OSError as exc:
        return _disk_error(exc, None)
    dest = folder / "upload.bin"
    size = 0
    try:
        with dest.open("wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    out.close()
                    jobs.remove_job(folder)
                    return too_large
                jobs.write_chunk(out, chunk)
        with dest.open("rb") as fh:
            suffix = jobs.sniff_video(fh.read(16))
    except OSError as exc:
        return _disk_error(exc, folder)
    if suffix is None:
        jobs.remove_job(folder)
        return _upload_error("The file is not a video (its content is not MP4, MOV, AVI, MKV, WebM or an "
                             "animated GIF, whatever its name says).", 415)
    video = dest.rename(folder / f"input{suffix}")
    try:
        info = await asyncio.to_thread(jobs.probe_video, video)
    except HingeInputError as exc:
        jobs.remove_job(folder)
        return _upload_error(str(exc), 415)
    try:
        ahead = submit(folder, video, info["frames"], level, name)
    except OSError as exc:
        return _disk_error(exc, folder)
    return JSONResponse({"job": job_id, "level": level, "name": name, "ahead": ahead, **info})


def _make_room(jobs_dir: Path, settings: Settings, upload_bytes: int, lock: threading.Lock) -> bool:
    """Sweep old jobs so this upload and its outputs fit under the cap and leave the minimum free
    disk; False when they still would not (active and logged jobs are never removed)."""
    need = upload_bytes * jobs.SPACE_PER_UPLOAD_BYTE
    with lock:
        swept = jobs.sweep(jobs_dir, settings.job_max_age_s, settings.jobs_max_bytes, room_for=need)
    if swept.removed or swept.trimmed:
        log.info("upload jobs: %d removed, %d trimmed to their result", len(swept.removed), len(swept.trimmed))
    if swept.total_bytes + need > settings.jobs_max_bytes:
        log.warning("upload refused: jobs hold %d bytes, cap %d", swept.total_bytes, settings.jobs_max_bytes)
        return False
    free = jobs.disk_free(jobs_dir)
    if free - need < settings.min_free_bytes:
        log.warning("upload refused: %d bytes free on the disk", free)
        return False
    return True


def _disk_error(exc: OSError, folder: Path | None) -> JSONResponse:
    """An upload that could not be written: nothing of it is kept; the person is told why."""
    if folder is not None:
        jobs.remove_job(folder)
    if jobs.is_disk_full(exc):
        log.warning("upload refused, disk full: %s", exc)
        return _upload_error(jobs.DISK_FULL_UPLOAD, 507)
    log.warning("upload not stored: %s", exc)
    return _upload_error("The server could not store the upload; nothing was kept. Try again.", 500)


def _upload_error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
