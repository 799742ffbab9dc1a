"""Live coaching speed: server latency with 4 sessions at 30 fps, and the page's pose frame rate.

1. Server: the web app runs in this process (uvicorn); a child process opens 4 WebSockets and
   streams landmark frames at 30 fps each, in real time, from the pose of a real clip (or a
   synthetic set when ../shared/clips is absent). The server records, per frame, the time from
   the message received to its answer sent. Targets: median < 5 ms, p99 < 20 ms.
2. Page: headless Debian Chromium runs the live page with a real clip as the fake camera,
   lite and full model, CPU inference; frames with a pose per second of wall time.

    .venv/bin/python -m bench.live_latency [--seconds 30] [--sessions 4] [--no-browser]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from bench import CLIPS

CLIP = CLIPS / "tby66" / "0016c_1.mp4"
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def landmark_frames() -> tuple[np.ndarray, tuple[int, int], str]:
    """(T, 33, 4) normalised landmarks at 30 fps, the image size, and where they came from."""
    if CLIP.exists():
        from hingecoach.sources import load

        seq = load(CLIP, progress=False)
        source = f"pose of {CLIP.name}"
    else:
        from tests.fixtures.figures import hinge_reps

        seq = hinge_reps(n_reps=8, floor_y=950.0, size=(800, 1000))
        source = "synthetic stick figure"
    step = max(1, int(round(seq.fps / 30.0)))
    w, h = seq.image_size
    norm = np.concatenate([seq.xyz / np.array([w, h, w]), seq.visibility[..., None]], axis=2)[::step]
    return norm, (w, h), source


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(settings):
    import uvicorn

    from hingecoach.web.server import create_app

    app = create_app(settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return app, server, thread, port


def _client(port: int, frames: list, size: tuple[int, int], seconds: float, offset: int, fps: float,
            out: mp.Queue) -> None:
    """One paced session (runs in a thread of the client process). Like a camera, a session that
    falls behind skips the frames it missed instead of sending them in a burst (a burst over the
    server's rate limit is refused, which a loaded client process would otherwise cause)."""
    from websockets.sync.client import connect

    replies = errors = 0
    rtt_ms = []
    with connect(f"ws://127.0.0.1:{port}/ws/live", max_size=2**20) as ws:
        t0 = time.perf_counter()
        i = 0
        while (now := time.perf_counter() - t0) < seconds:
            lm = frames[(i + offset) % len(frames)]
            sent = time.perf_counter()
            ws.send(json.dumps({"type": "frame", "t": 1000.0 * i / fps, "w": size[0], "h": size[1], "lm": lm}))
            reply = json.loads(ws.recv())
            rtt_ms.append((time.perf_counter() - sent) * 1000.0)
            replies += 1
            errors += reply["type"] == "error"
            i = max(i + 1, int((time.perf_counter() - t0) * fps))  # the camera's current frame
            time.sleep(max(0.0, i / fps - (time.perf_counter() - t0)))
        del now
    out.put((replies, errors, rtt_ms))


def run_clients(port: int, frames: list, size, sessions: int, seconds: float, fps: float, out) -> None:
    threads = [threading.Thread(target=_client, args=(port, frames, size, seconds, k * 97, fps, out))
               for k in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def server_latency(sessions: int, seconds: float, fps: float = 30.0) -> None:
    from hingecoach.web.server import Settings

    norm, size, source = landmark_frames()
    frames = [[[None if not np.isfinite(v) else float(v) for v in row] for row in f] for f in norm]
    with tempfile.TemporaryDirectory() as tmp:
        app, server, thread, port = start_server(Settings(data_dir=Path(tmp)))
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        proc = ctx.Process(target=run_clients, args=(port, frames, size, sessions, seconds, fps, out))
        proc.start()
        proc.join()
        results = [out.get() for _ in range(sessions)]
        server.should_exit = True
        thread.join(timeout=10)
    lat = np.array(app.state.latency_ms)
    replies = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    rtt = np.concatenate([r[2] for r in results])
    print(f"server latency, {sessions} sessions x {fps:.0f} fps for {seconds:.0f} s ({source}): "
          f"{lat.size} frames, {replies} answers, {errors} errors")
    print(f"  frame received -> answer sent: median {np.median(lat):.2f} ms, p99 {np.percentile(lat, 99):.2f} ms, "
          f"max {lat.max():.1f} ms   (targets: median < 5 ms, p99 < 20 ms)")
    print(f"  client round trip (incl. sockets, JSON, client process): median {np.median(rtt):.2f} ms, "
          f"p99 {np.percentile(rtt, 99):.2f} ms")
    print(f"  machine load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def page_fps(model: str, seconds: float, y4m: Path) -> dict:
    """Pose frames per second the live page reaches with ``model``, CPU inference."""
    from playwright.sync_api import sync_playwright

    from hingecoach.web.server import Settings

    with tempfile.TemporaryDirectory() as tmp:
        app, server, thread, port = start_server(Settings(data_dir=Path(tmp)))
        pw = sync_playwright().start()
        ctx = pw.chromium.launch_persistent_context(f"{tmp}/profile", executable_path=str(CHROMIUM), headless=True,
                                                    args=FLAGS + [f"--use-file-for-fake-video-capture={y4m}"])
        try:
            page = ctx.new_page()
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/live?model={model}&cpu=1")
            page.wait_for_function("window.hingeLive && window.hingeLive.landmarkFrames > 0", timeout=120_000)
            first_s = time.perf_counter() - start
            n0 = page.evaluate("window.hingeLive.frames")
            t0 = time.perf_counter()
            time.sleep(seconds)
            state = page.evaluate("window.hingeLive")
            elapsed = time.perf_counter() - t0
        finally:
            ctx.close()
            pw.stop()
            server.should_exit = True
            thread.join(timeout=10)
    return {"model": model, "fps": (state["frames"] - n0) / elapsed, "first_result_s": first_s,
            "landmark_share": state["landmarkFrames"] / max(state["frames"], 1), "reps": state["repCount"]}


def browser_fps(seconds: float) -> None:
    if not CHROMIUM.exists() or not CLIP.exists():
        print("page pose fps: skipped (needs /usr/bin/chromium and ../shared/clips)")
        return
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as tmp:
        y4m = Path(tmp) / "camera.y4m"
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(CLIP),
                        "-vf", "fps=30", "-pix_fmt", "yuv420p", str(y4m)], check=True)
        for model in ("lite", "full"):
            r = page_fps(model, seconds, y4m)
            print(f"page pose fps, headless Chromium, {model} model, CPU inference: {r['fps']:.1f} frames/s "
                  f"(first pose after {r['first_result_s']:.1f} s, {r['landmark_share']:.0%} frames with a pose, "
                  f"{r['reps']} reps counted in {seconds:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    server_latency(args.sessions, args.seconds)
    if not args.no_browser:
        browser_fps(min(args.seconds, 20.0))


if __name__ == "__main__":
    main()
