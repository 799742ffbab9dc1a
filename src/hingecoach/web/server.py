"""The FastAPI app: pages, the live WebSocket, uploads, today's plan and history.

Security (see also :mod:`hingecoach.web.security`): every request passes one middleware that
checks the Host header (loopback names only, unless a token is set) and the token (when set);
the WebSocket handshake is checked the same way plus its Origin. Pages are static files that
fill themselves from JSON with ``textContent``, so no user string is ever parsed as HTML; a
Content-Security-Policy forbids inline script as a second line of defence.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from hingecoach.errors import HingeInputError
from hingecoach.live import LiveFrameError, LiveSession
from hingecoach.web import history, jobs, protocol, security

log = logging.getLogger("hingecoach.web")
STATIC = Path(__file__).parent / "static"
PAGES = {"/": "index.html", "/live": "live.html", "/upload": "upload.html", "/history": "history.html"}
#: 'unsafe-eval' and 'wasm-unsafe-eval': the MediaPipe wasm loader compiles code at run time;
#: blob: for the worker and media it creates. Everything else comes from this server only.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; "
       "style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
       "connect-src 'self'; worker-src 'self' blob:; frame-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
#: Latency samples kept for the benchmark (frame received -> answer sent).
LATENCY_SAMPLES = 200_000
#: Person names are short labels (the store's own check applies too).
MAX_PERSON_CHARS = 64
#: Methods that change nothing; every other one must come from a page of this server.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _env_number(name: str, default: float, scale: float = 1.0) -> float:
    """A positive number from the environment (in the unit the name says), else ``default``."""
    text = os.environ.get(name, "").strip()
    try:
        value = float(text) * scale if text else default
    except ValueError:
        log.warning("%s=%r is not a number; using the default", name, text)
        return default
    return value if value > 0 else default


@dataclass
class Settings:
    """Server settings. The disk limits default from the environment:
    ``HINGECOACH_WEB_MAX_UPLOAD_MB`` (300), ``HINGECOACH_WEB_KEEP_DAYS`` (7),
    ``HINGECOACH_WEB_JOBS_MAX_MB`` (5120) and ``HINGECOACH_WEB_MIN_FREE_MB`` (512)."""

    token: str | None = None
    data_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "hingecoach-web")
    db_url: str | None = None
    person: str = "me"
    max_upload_bytes: int = field(default_factory=lambda: int(_env_number(
        "HINGECOACH_WEB_MAX_UPLOAD_MB", jobs.MAX_UPLOAD_BYTES, 1024 ** 2)))
    max_frames_per_s: float = protocol.MAX_FRAMES_PER_S
    executor: Executor | None = None
    #: upload job folders are removed this long after their last change (saved sets keep their result)
    job_max_age_s: float = field(default_factory=lambda: _env_number(
        "HINGECOACH_WEB_KEEP_DAYS", jobs.JOB_MAX_AGE_S, 24 * 3600.0))
    #: all upload job folders together stay under this (oldest removed first)
    jobs_max_bytes: int = field(default_factory=lambda: int(_env_number(
        "HINGECOACH_WEB_JOBS_MAX_MB", jobs.JOBS_MAX_BYTES, 1024 ** 2)))
    #: an upload is refused when it would leave less free disk than this
    min_free_bytes: int = field(default_factory=lambda: int(_env_number(
        "HINGECOACH_WEB_MIN_FREE_MB", jobs.MIN_FREE_BYTES, 1024 ** 2)))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    jobs_dir = settings.data_dir / "jobs"
    jobs_dir.mkdir(parents=True, exist_ok=True)
    app = FastAPI(title="HingeCoach", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.latency_ms = deque(maxlen=LATENCY_SAMPLES)
    app.state.sessions = 0
    app.state.executor = settings.executor
    app.state.jobs_lock = threading.Lock()  # a job is never removed while it is being saved to the log
    swept = jobs.sweep(jobs_dir, settings.job_max_age_s, settings.jobs_max_bytes)
    if swept.removed or swept.trimmed:
        log.info("upload jobs: %d expired, %d trimmed to their result", len(swept.removed), len(swept.trimmed))
    app.middleware("http")(_guard(settings))
    for route, name in PAGES.items():
        app.add_api_route(route, _page(name), methods=["GET"], include_in_schema=False)
    app.add_api_route("/today", lambda: RedirectResponse("/history#today"), methods=["GET"])
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_api(app, settings)
    _add_jobs(app, settings, jobs_dir)

    @app.websocket("/ws/live")
    async def live(ws: WebSocket) -> None:
        await _live_socket(ws, app, settings)

    return app


def _guard(settings: Settings):
    """The one middleware every HTTP request passes: Host, token, Origin; security headers."""
    async def guard(request: Request, call_next):
        if not security.host_allowed(request.headers.get("host"), settings.token is not None):
            return JSONResponse({"error": "Unknown host."}, status_code=421)
        given = security.presented_token(request.query_params, request.headers, request.cookies)
        if not security.token_ok(settings.token, given):
            return JSONResponse({"error": "A valid token is needed (open the link `hinge serve` printed)."},
                                status_code=401)
        if request.method not in SAFE_METHODS and not security.origin_allowed(request.headers.get("origin"),
                                                                     request.headers.get("host")):
            return JSONResponse({"error": "Cross-site request refused."}, status_code=403)
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)  # job files bring a stricter one
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if settings.token and request.query_params.get("token"):
            response.set_cookie(security.TOKEN_COOKIE, settings.token, httponly=True, samesite="strict")
        return response
    return guard


def _add_api(app: FastAPI, settings: Settings) -> None:
    @app.get("/api/health")
    def health() -> dict[str, Any]:
        vendor = STATIC / "vendor" / "mediapipe" / "pose.js"
        return {"ok": True, "pose_assets": vendor.exists(), "live_sessions": app.state.sessions}

    @app.get("/api/today")
    def api_today() -> JSONResponse:
        return _store_call(history.today, settings)

    @app.get("/api/history")
    def api_history() -> JSONResponse:
        return _store_call(history.history, settings)

    @app.get("/api/config")
    def api_config() -> dict[str, Any]:
        return history.config(settings.max_upload_bytes)

    @app.delete("/api/sets/{set_id}")
    def delete_set(set_id: int) -> JSONResponse:
        try:
            deleted = history.delete_set(set_id, settings.person, settings.db_url)
        except (HingeInputError, OSError, RuntimeError, ValueError, ImportError) as exc:
            log.warning("set not deleted: %s", exc)
            return JSONResponse({"error": "The training log could not be changed."}, status_code=503)
        if not deleted:
            return JSONResponse({"error": "No such set."}, status_code=404)
        return JSONResponse({"deleted": set_id})


def _add_jobs(app: FastAPI, settings: Settings, jobs_dir: Path) -> None:
    def executor() -> Executor:
        if app.state.executor is None:
            app.state.executor = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
        return app.state.executor

    @app.post("/api/upload")
    async def upload(request: Request) -> JSONResponse:
        return await _receive_upload(request, settings, jobs_dir, executor, app.state.jobs_lock)

    @app.get("/api/jobs/{job_id}")
    def job_status(job_id: str) -> JSONResponse:
        folder = jobs.job_dir(jobs_dir, job_id)
        if folder is None:
            return JSONResponse({"error": "No such job."}, status_code=404)
        return JSONResponse(jobs.read_status(folder))

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


def _page(name: str):
    def serve() -> FileResponse:
        return FileResponse(STATIC / name, media_type="text/html")
    return serve


def _store_call(func, settings: Settings) -> JSONResponse:
    try:
        return JSONResponse(func(settings.person, settings.db_url))
    except HingeInputError as exc:
        return JSONResponse(history.unavailable(str(exc)))
    except (OSError, RuntimeError, ValueError, LookupError) as exc:
        log.warning("store unavailable: %s", exc)
        return JSONResponse(history.unavailable(f"The training log could not be read ({type(exc).__name__})."))


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


async def _receive_upload(request: Request, settings: Settings, jobs_dir: Path, executor,
                          lock: threading.Lock) -> JSONResponse:
    """The request body is the video itself (no multipart), streamed to disk and cut off at the
    size limit: nothing larger than the limit is ever stored, even without a Content-Length, and
    a declared Content-Length over it is refused before a byte of the body is read. Old jobs
    are swept first to make room; a disk that fills up meanwhile refuses the upload (507) and
    keeps nothing. ``?level=`` is the level to analyse at, ``?name=`` the file's own name."""
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
        jobs.submit(executor(), folder, video.name, info["frames"], level=level, name=name)
    except OSError as exc:
        return _disk_error(exc, folder)
    return JSONResponse({"job": job_id, "level": level, "name": name, **info})


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


async def _live_socket(ws: WebSocket, app: FastAPI, settings: Settings) -> None:
    host = ws.headers.get("host")
    given = security.presented_token(ws.query_params, ws.headers, ws.cookies)
    if (not security.host_allowed(host, settings.token is not None)
            or not security.token_ok(settings.token, given)
            or not security.origin_allowed(ws.headers.get("origin"), host)):
        await ws.close(code=1008)
        return
    await ws.accept()
    app.state.sessions += 1
    try:
        await _live_loop(ws, app.state.latency_ms, settings)
    except WebSocketDisconnect:
        pass
    finally:
        app.state.sessions -= 1


async def _live_loop(ws: WebSocket, latency_ms: deque, settings: Settings) -> None:
    session = LiveSession(defer_assessment=True)
    limiter = protocol.RateLimiter(rate=settings.max_frames_per_s)
    errors = 0
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        t0 = time.perf_counter()
        text = message.get("text") if message.get("text") is not None else message.get("bytes") or b""
        try:
            reply = _handle(text, session, limiter, settings)
        except (protocol.ProtocolError, LiveFrameError) as exc:
            errors += 1
            if errors > protocol.MAX_ERRORS:
                await ws.close(code=1008)
                return
            reply = {"type": "error", "message": str(exc)}
        if reply is not None:
            await ws.send_json(reply)
        latency_ms.append((time.perf_counter() - t0) * 1000.0)
        if session.assessment_due:
            # ~10-25 ms of assessment once per rep: off the event loop, so other sessions'
            # frames are answered meanwhile; its cue goes out with this session's next answer
            await asyncio.to_thread(session.run_due)


def _handle(text: str | bytes, session: LiveSession, limiter: protocol.RateLimiter,
            settings: Settings) -> dict[str, Any] | None:
    msg = protocol.parse_message(text)
    kind = msg["type"]
    if kind == "frame":
        if not limiter.allow():
            raise protocol.ProtocolError(f"Too many frames: at most {limiter.rate:g} a second; this one was dropped.")
        frame = protocol.parse_frame(msg)
        update = session.push(frame.landmarks, frame.size, frame.t_s, frame.world)
        return {"type": "update", **update.to_dict()}
    if kind == "start":
        session.level = history.known_level(msg.get("level"))
        session.new_set()
        return {"type": "started", "level": session.level}
    result = session.set_result()
    logged = None
    if msg.get("log") and result["rep_count"] > 0:
        try:
            logged = history.log_live_set(result, settings.person, session.level, settings.db_url)
        except (HingeInputError, OSError, RuntimeError, ValueError) as exc:
            log.warning("live set not logged: %s", exc)
    session.new_set()
    return {"type": "summary", "result": result, "logged_set_id": logged}


def default_data_dir() -> Path:
    """Where uploads and their results live: $HINGECOACH_WEB_DIR or the user cache."""
    env = os.environ.get("HINGECOACH_WEB_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "hingecoach" / "web"
