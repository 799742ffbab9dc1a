"""`python -m bench.soak --web`: the web app soaked with uploads and live frames for a while, on
one machine; memory (RSS) and disk must stay flat and no request may fail.

The app runs in this process (uvicorn, with its one analyser process, as `hinge serve` runs it),
its upload folder capped (``--jobs-max-mb``) as a server would be. A child process keeps live
sessions streaming landmarks at 30 fps in real time and uploads a real clip every
``--upload-every`` seconds (the smallest clips in turn), polling each until it is analysed. Every
10 s this process records its own RSS plus the analyser's, and the bytes on disk (upload jobs and
keypoint cache). Printed: RSS and disk after the warm-up (the first clips in turn have filled
the keypoint cache and the upload cap) and at the end, their ratio (target: within 10%), the
largest seen, and every failed request (target 0).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import queue
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from bench.live_latency import _client, landmark_frames, start_server
from bench.long_video import proc_kb
from bench.web_crowd import _request, upload_clips


def tree_bytes(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def rss_mb(pids: list[int]) -> float:
    """Resident memory of ``pids`` together, MB (a process gone meanwhile counts 0)."""
    return sum(proc_kb(pid, "VmRSS") or 0 for pid in pids) / 1024.0


def uploader(port: int, clips: list[Path], seconds: float, every_s: float, out) -> None:
    """Upload the clips in turn, one every ``every_s``, each polled until it ends."""
    base = f"http://127.0.0.1:{port}"
    t0, k = time.time(), 0
    sent = failed = job_errors = 0
    while time.time() - t0 < seconds - every_s:
        clip = clips[k % len(clips)]
        code, answer = _request(f"{base}/api/upload?name={clip.name}", clip.read_bytes())
        sent += 1
        if code != 200:
            failed += 1
        else:
            while True:
                code, status = _request(f"{base}/api/jobs/{answer['job']}")
                failed += code != 200
                if code != 200 or status.get("state") in ("done", "error"):
                    job_errors += status.get("state") == "error"
                    break
                time.sleep(0.5)
        k += 1
        time.sleep(max(0.0, t0 + k * every_s - time.time()))
    out.put(("uploads", {"sent": sent, "failed": failed, "job_errors": job_errors}))


def _session(port: int, frames: list, size, seconds: float, offset: int, out) -> None:
    """One live session; a session the server closed counts as one failed request."""
    try:
        _client(port, frames, size, seconds, offset, 30.0, out)
    except Exception as exc:  # noqa: BLE001 - reported, not raised: the soak goes on
        out.put((0, 1, [], f"{type(exc).__name__}: {exc}"))


def clients(port: int, frames: list, size, sessions: int, seconds: float, clips: list[Path], every_s: float,
            out) -> None:
    threads = [threading.Thread(target=_session, args=(port, frames, size, seconds, k * 97, out))
               for k in range(sessions)]
    threads.append(threading.Thread(target=uploader, args=(port, clips, seconds, every_s, out)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run(minutes: float, sessions: int = 2, every_s: float = 30.0, jobs_max_mb: float = 12.0,
        warmup_min: float = 8.0) -> None:
    from hingecoach.web.server import Settings

    clips = upload_clips(6)
    norm, size, source = landmark_frames()
    frames = [[[None if not np.isfinite(v) else float(v) for v in row] for row in f] for f in norm]
    seconds = minutes * 60.0
    warmup_s = min(warmup_min * 60.0, seconds / 3)
    with tempfile.TemporaryDirectory(prefix="hinge-soak-") as tmp:
        work = Path(tmp)
        os.environ["HINGECOACH_CACHE"] = str(work / "cache")
        app, server, thread, port = start_server(Settings(
            data_dir=work / "web", db_url=f"sqlite:///{work / 'store.db'}", jobs_max_bytes=int(jobs_max_mb * 1024 ** 2)))
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        proc = ctx.Process(target=clients, args=(port, frames, size, sessions, seconds, clips, every_s, out))
        proc.start()
        samples, got = [], []
        t0 = time.time()
        # read the results as they come: a child whose results wait in the queue's pipe cannot
        # exit until they are read (joining it first waited forever after a 30-minute run)
        while len(got) < sessions + 1 and (proc.is_alive() or not out.empty()):
            workers = list(getattr(app.state.executor, "_processes", {}) or {})
            samples.append((time.time() - t0, rss_mb([os.getpid(), *workers]), tree_bytes(work) / 1e6))
            try:
                got.append(out.get(timeout=10.0))
            except queue.Empty:
                pass
        proc.join(timeout=30.0)
        server.should_exit = True
        thread.join(timeout=10)
        if app.state.executor is not None:
            app.state.executor.shutdown(wait=True)
    uploads = next(g[1] for g in got if g[0] == "uploads")
    live = [g for g in got if g[0] != "uploads"]
    lat = np.array(app.state.latency_ms)
    start = next(s for s in samples if s[0] >= warmup_s)
    end = samples[-1]
    print(f"web soak: {minutes:g} min, {sessions} live sessions x 30 fps ({source}), an upload every {every_s:g} s "
          f"({len(clips)} clips in turn), upload folder capped at {jobs_max_mb:g} MB")
    print(f"  RSS (server + analyser): {start[1]:.0f} MB after {start[0] / 60:.1f} min -> {end[1]:.0f} MB at the end "
          f"({end[1] / start[1] - 1:+.1%}), largest {max(s[1] for s in samples):.0f} MB")
    print(f"  disk (uploads + keypoint cache): {start[2]:.1f} MB -> {end[2]:.1f} MB ({end[2] / start[2] - 1:+.1%}), "
          f"largest {max(s[2] for s in samples):.1f} MB")
    failed = uploads["failed"] + sum(r[1] for r in live)
    print(f"  requests: {uploads['sent']} uploads ({uploads['job_errors']} analyses ended in an error), "
          f"{sum(r[0] for r in live)} live frames answered; failed: {failed}")
    print(f"  live latency: median {np.median(lat):.2f} ms, p99 {np.percentile(lat, 99):.2f} ms; "
          f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("  samples (min, RSS MB, disk MB): " + json.dumps([(round(t / 60, 1), round(r), round(d, 1))
                                                           for t, r, d in samples[::6]]))
