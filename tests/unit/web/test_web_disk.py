"""The web server never fills the disk: upload jobs expire by age and by total size (a set saved
to the training log keeps its result), a full disk during an upload or an analysis is told to
the person and leaves nothing half-written, and a Content-Length over the limit is refused
before the body is read."""

from __future__ import annotations

import errno
import json
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hingecoach.web import jobs
from hingecoach.web.server import Settings, create_app
from tests.unit.web.test_web import _wait

DAY = 24 * 3600.0
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42"


def _job(root: Path, name: str, age_s: float, state: str = "done", logged: bool = False,
         video_bytes: int = 1000, now: float | None = None) -> Path:
    """A job folder as the server leaves it: status, result, report and annotated video."""
    folder = root / (name * 32)[:32]
    folder.mkdir(parents=True)
    status = {"state": state, "files": ["result.json", "report.html", "annotated.mp4"]}
    if logged:
        status["logged_set_id"] = 7
    (folder / "status.json").write_text(json.dumps(status))
    (folder / "result.json").write_text('{"rep_count": 3}')
    (folder / "report.html").write_text("<html></html>")
    (folder / "annotated.mp4").write_bytes(b"\x00" * video_bytes)
    stamp = (now or time.time()) - age_s
    for p in [*folder.iterdir(), folder]:
        os.utime(p, (stamp, stamp))
    return folder


def _names(root: Path) -> set[str]:
    return {p.name for p in root.iterdir()} if root.exists() else set()


def test_sweep_expires_old_jobs_and_keeps_logged_results(tmp_path):
    root = tmp_path / "jobs"
    now = time.time()
    old = _job(root, "a", 8 * DAY, now=now)
    old_logged = _job(root, "b", 30 * DAY, logged=True, now=now)
    stuck = _job(root, "c", 9 * DAY, state="running", now=now)  # never removed under a worker
    fresh = _job(root, "d", 1 * DAY, now=now)
    (root / ".trash-leftover").mkdir()  # a sweep the server did not finish
    report = jobs.sweep(root, max_age_s=7 * DAY, max_bytes=10 ** 9, now=now)
    assert report.removed == [old.name] and report.trimmed == [old_logged.name]
    assert _names(root) == {old_logged.name, stuck.name, fresh.name}
    assert _names(old_logged) == {"result.json", "status.json"}
    assert jobs.read_status(old_logged)["files"] == ["result.json"]
    assert jobs.read_status(old_logged)["logged_set_id"] == 7
    again = jobs.sweep(root, max_age_s=7 * DAY, max_bytes=10 ** 9, now=now)
    assert again.removed == [] and again.trimmed == []  # a trimmed logged job stays as it is


def test_sweep_keeps_the_total_under_the_cap_oldest_first(tmp_path):
    root = tmp_path / "jobs"
    now = time.time()
    a = _job(root, "a", 3 * DAY, video_bytes=4000, now=now)
    b = _job(root, "b", 2 * DAY, logged=True, video_bytes=4000, now=now)
    c = _job(root, "c", 1 * DAY, video_bytes=4000, now=now)
    running = _job(root, "e", 4 * DAY, state="queued", video_bytes=4000, now=now)
    report = jobs.sweep(root, max_age_s=7 * DAY, max_bytes=12_000, room_for=2000, now=now)
    # 4 x ~4 kB + 2 kB wanted: a goes, b keeps its result, c and the queued job stay
    assert report.removed == [a.name] and report.trimmed == [b.name]
    assert _names(root) == {b.name, c.name, running.name}
    assert report.total_bytes + 2000 <= 12_000
    assert report.total_bytes == sum(p.stat().st_size for d in root.iterdir() for p in d.iterdir())
    squeezed = jobs.sweep(root, max_age_s=7 * DAY, max_bytes=1, now=now)
    assert squeezed.removed == [c.name]  # the logged result and the queued job are never removed
    assert _names(root) == {b.name, running.name} and squeezed.total_bytes > 1


def test_server_start_expires_jobs_and_logged_results_stay_reachable(make_client, tmp_path):
    root = tmp_path / "web" / "jobs"
    gone = _job(root, "a", 10 * DAY)
    kept = _job(root, "b", 10 * DAY, logged=True)
    c = make_client()  # the default: 7 days
    assert c.get(f"/api/jobs/{gone.name}").status_code == 404
    status = c.get(f"/api/jobs/{kept.name}").json()
    assert status["state"] == "done" and status["files"] == ["result.json"]
    assert c.get(f"/api/jobs/{kept.name}/result.json").json() == {"rep_count": 3}
    assert c.get(f"/api/jobs/{kept.name}/annotated.mp4").status_code == 404
    assert c.post(f"/api/jobs/{kept.name}/log", json={}).json()["logged_set_id"] == 7


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HINGECOACH_WEB_KEEP_DAYS", "2")
    monkeypatch.setenv("HINGECOACH_WEB_JOBS_MAX_MB", "100")
    monkeypatch.setenv("HINGECOACH_WEB_MAX_UPLOAD_MB", "oops")  # not a number: the default
    s = Settings()
    assert s.job_max_age_s == 2 * DAY and s.jobs_max_bytes == 100 * 1024 ** 2
    assert s.max_upload_bytes == jobs.MAX_UPLOAD_BYTES and s.min_free_bytes == jobs.MIN_FREE_BYTES


def _disk_full(*_args, **_kw):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_disk_full_during_an_upload_keeps_nothing(make_client, tmp_path, monkeypatch):
    written = []

    def fill_up(fh, chunk):  # half of the body reaches the disk, then it is full
        if written:
            _disk_full()
        fh.write(chunk)
        written.append(len(chunk))

    monkeypatch.setattr(jobs, "write_chunk", fill_up)
    c = make_client()

    def body():
        yield MP4_HEAD
        for _ in range(4):
            yield b"\x00" * 10_000

    r = c.post("/api/upload", content=body())
    assert r.status_code == 507 and "no disk space" in r.json()["error"]
    assert written and _names(tmp_path / "web" / "jobs") == set()  # no job, no half video


def test_upload_refused_when_the_cap_or_the_free_disk_has_no_room(make_client, tmp_path, monkeypatch):
    root = tmp_path / "web" / "jobs"
    busy = _job(root, "e", 0, state="running", video_bytes=50_000)
    c = make_client(jobs_max_bytes=60_000)
    r = c.post("/api/upload", content=MP4_HEAD + b"\x00" * 10_000)
    assert r.status_code == 507 and "no disk space" in r.json()["error"]
    assert _names(root) == {busy.name}
    monkeypatch.setattr(jobs, "disk_free", lambda _path: 100 * 1024 ** 2)
    r = make_client().post("/api/upload", content=MP4_HEAD + b"\x00" * 10_000)
    assert r.status_code == 507 and _names(root) == {busy.name}  # 512 MB must stay free


def _tiny_video(path: Path, frames: int = 30) -> Path:
    import cv2
    import numpy as np

    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 20, (160, 120))
    for i in range(frames):
        out.write(np.full((120, 160, 3), 40 + i, np.uint8))
    out.release()
    return path




@pytest.mark.parametrize("full_at", ["result", "annotated"])
def test_disk_full_during_the_analysis_is_told_and_leaves_no_partial_file(make_client, tmp_path,
                                                                          monkeypatch, full_at):
    import hingecoach.report as report
    import hingecoach.sources as sources
    from tests.fixtures.figures import hinge_reps

    monkeypatch.setattr(sources, "load", lambda *_a, **_k: hinge_reps(3, floor_y=950.0, size=(800, 1000)))
    monkeypatch.setattr(report, "write_report", lambda _a, path, **_k: Path(path).write_text("<html>"))

    def half_video(_analysis, _video, path, **_kw):
        Path(path).write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 5000)
        _disk_full()

    monkeypatch.setattr(report, "write_annotated_video", half_video)
    if full_at == "result":
        real = jobs.write_atomic

        def no_room_for_result(final, write):
            if final.name == "result.json":
                return real(final, lambda tmp: (tmp.write_text('{"rep_co'), _disk_full()))
            return real(final, write)

        monkeypatch.setattr(jobs, "write_atomic", no_room_for_result)
    c = make_client()
    r = c.post("/api/upload", content=_tiny_video(tmp_path / "t.mp4").read_bytes())
    assert r.status_code == 200, r.text
    job = r.json()["job"]
    status = _wait(c, job)
    assert status["state"] == "error" and status["disk_full"] is True
    assert "ran out of disk space" in status["message"] and "nothing was kept" in status["message"]
    assert _names(tmp_path / "web" / "jobs" / job) == {"status.json"}  # no result, report, video or temp
    assert c.get(f"/api/jobs/{job}/result.json").status_code == 404


def test_a_declared_600_mb_upload_is_refused_before_the_body_is_read(tmp_path):
    """A real server on loopback and a raw request: the 413 comes back while the client has sent
    only the headers (it would take minutes to send 600 MB), and no job folder is made."""
    import uvicorn

    pool = ThreadPoolExecutor(max_workers=1)
    app = create_app(Settings(data_dir=tmp_path / "web", db_url=f"sqlite:///{tmp_path / 's.db'}", executor=pool))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        for expect in ("", "Expect: 100-continue\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall((f"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                              f"Content-Type: video/mp4\r\nContent-Length: {600 * 1024 * 1024}\r\n{expect}\r\n"
                              ).encode() + MP4_HEAD)
                t0 = time.monotonic()
                reply = b""
                while b"\r\n\r\n" not in reply:
                    piece = sock.recv(4096)
                    if not piece:
                        break
                    reply += piece
                assert time.monotonic() - t0 < 5
            head = reply.split(b"\r\n", 1)[0]
            assert head.startswith(b"HTTP/1.1 413"), reply[:200]
            assert b"100 Continue" not in reply
        assert _names(tmp_path / "web" / "jobs") == set()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        pool.shutdown()
