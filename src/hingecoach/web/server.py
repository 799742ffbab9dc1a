"""The FastAPI app: pages, the live WebSocket, today's plan and history; the uploads' routes
are in :mod:`hingecoach.web.uploads`, the settings in :mod:`hingecoach.web.settings`.

Security (see also :mod:`hingecoach.web.security`): every request passes one middleware that
checks the Host header (loopback names only, unless a token is set) and the token (when set);
the WebSocket handshake is checked the same way plus its Origin. Pages are static files that
fill themselves from JSON with ``textContent``, so no user string is ever parsed as HTML; a
Content-Security-Policy forbids inline script as a second line of defence.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from hingecoach.errors import HingeInputError
from hingecoach.live import LiveFrameError, LiveSession
from hingecoach.web import history, jobs, protocol, security, uploads
from hingecoach.web.settings import Settings

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
    uploads.add_job_routes(app, settings, jobs_dir)

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
        raw = message.get("text")
        text: str | bytes = raw if isinstance(raw, str) else (message.get("bytes") or b"")
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
