"""Many people at once on the web app: N uploads sent at the same moment while S live sessions
stream landmarks at 30 fps each, in real time, on one machine.

The web app runs in this process (uvicorn, its one analyser process as in `hinge serve`); a
child process opens the live WebSockets (frames from the pose of a real clip, as in
bench.live_latency) and, a second in, sends N different real clips to /api/upload together,
then polls each job until it is analysed. Prints: the uploads answered (and each one's place in
line), the analyses finished, failed requests, and the server's live latency (frame received ->
answer sent) over the run, the analyser busy meanwhile. Target (issue 21): every
upload answered, queued with its place shown, none failed; live p99 under 20 ms.

    .venv/bin/python -m bench.web_crowd [--uploads 8] [--sessions 4] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from bench import CLIPS
from bench.live_latency import _client, landmark_frames, start_server


def upload_clips(n: int) -> list[Path]:
    """``n`` different real clips, the smallest first (so the run stays short)."""
    found = sorted((p for p in CLIPS.glob("*/*.mp4")), key=lambda p: p.stat().st_size)
    if len(found) < n:
        raise SystemExit(f"{n} clips wanted, {len(found)} in {CLIPS}")
    return found[:n]


def _request(url: str, data: bytes | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET",
                                 headers={"Content-Type": "application/octet-stream"})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def send_uploads(port: int, clips: list[Path], wait_s: float) -> dict:
    """All ``clips`` sent together; then each job polled until it ends (or ``wait_s`` passes)."""
    base = f"http://127.0.0.1:{port}"
    start = threading.Barrier(len(clips))
    answers: list = [None] * len(clips)

    def send(i: int) -> None:
        data = clips[i].read_bytes()
        start.wait()
        answers[i] = _request(f"{base}/api/upload?name={clips[i].name}", data)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clips))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t_sent = time.time()
    jobs = {a[1]["job"]: clips[i].name for i, a in enumerate(answers) if a[0] == 200}
    ended: dict[str, dict] = {}
    failed_polls = 0
    while len(ended) < len(jobs) and time.time() - t_sent < wait_s:
        for job in set(jobs) - set(ended):
            code, status = _request(f"{base}/api/jobs/{job}")
            failed_polls += code != 200
            if status.get("state") in ("done", "error"):
                ended[job] = status | {"ended_at": time.time()}
        time.sleep(0.5)
    return {"answers": answers, "jobs": jobs, "ended": ended, "failed_polls": failed_polls,
            "sent_at": t_sent}


def crowd(port: int, frames: list, size, sessions: int, seconds: float, clips: list[Path], out) -> None:
    """The client process: live sessions for ``seconds``; the uploads a second in."""
    live = [threading.Thread(target=_client, args=(port, frames, size, seconds, k * 97, 30.0, out))
            for k in range(sessions)]
    for t in live:
        t.start()
    time.sleep(1.0)
    out.put(("uploads", send_uploads(port, clips, wait_s=max(seconds, 1800.0))))
    for t in live:
        t.join()


def report(app, results: list, uploads: dict, sessions: int, seconds: float) -> None:
    lat = np.array(app.state.latency_ms)
    n = len(uploads["answers"])
    codes = [a[0] for a in uploads["answers"]]
    ahead = [a[1].get("ahead") for a in uploads["answers"]]
    done = sum(s["state"] == "done" for s in uploads["ended"].values())
    errors = sum(r[1] for r in results)
    print(f"{n} uploads at once with {sessions} live sessions x 30 fps for {seconds:.0f} s:")
    print(f"  upload answers: {codes.count(200)}/{n} accepted (HTTP {sorted(set(codes))}); place in line given: "
          f"{ahead}")
    last = max((s["ended_at"] for s in uploads["ended"].values()), default=uploads["sent_at"])
    print(f"  analysed: {done} done, {len(uploads['ended']) - done} ended in an error, "
          f"{len(uploads['jobs']) - len(uploads['ended'])} unfinished; the last "
          f"{last - uploads['sent_at']:.0f} s after the uploads; failed status requests: {uploads['failed_polls']}")
    print(f"  live: {sum(r[0] for r in results)} answers, {errors} errors; frame received -> answer sent "
          f"median {np.median(lat):.2f} ms, p99 {np.percentile(lat, 99):.2f} ms, max {lat.max():.1f} ms "
          "(target p99 < 20 ms)")
    print(f"  machine load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main() -> None:
    from hingecoach.web.server import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the live sessions stream")
    args = parser.parse_args()
    clips = upload_clips(args.uploads)
    norm, size, _source = landmark_frames()
    frames = [[[None if not np.isfinite(v) else float(v) for v in row] for row in f] for f in norm]
    with tempfile.TemporaryDirectory(prefix="hinge-crowd-") as tmp:
        os.environ["HINGECOACH_CACHE"] = str(Path(tmp) / "cache")  # the analyser poses every clip
        app, server, thread, port = start_server(Settings(data_dir=Path(tmp) / "web", db_url=f"sqlite:///{tmp}/s.db"))
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        proc = ctx.Process(target=crowd, args=(port, frames, size, args.sessions, args.seconds, clips, out))
        proc.start()
        got = [out.get() for _ in range(args.sessions + 1)]
        proc.join()
        server.should_exit = True
        thread.join(timeout=10)
        if app.state.executor is not None:
            app.state.executor.shutdown(wait=True)
    uploads = next(g[1] for g in got if g[0] == "uploads")
    report(app, [g for g in got if g[0] != "uploads"], uploads, args.sessions, args.seconds)


if __name__ == "__main__":
    main()
