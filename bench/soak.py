"""Soak: one live session fed 30 minutes of landmarks at 30 fps, faster than real time.

Frames go through the same path as the web server's WebSocket handler (JSON parse, message
checks, LiveSession.push, deferred assessment), taken from the pose of a real clip played in a
loop (or a synthetic set when ../shared/clips is absent). Prints the process memory (RSS) and
the count of live Python objects at start and end, and per-5-minute latency, so a leak or a slowdown shows.

    .venv/bin/python -m bench.soak [--minutes 30] [--fps 30]
    .venv/bin/python -m bench.soak --web [--minutes 30] [--jobs-max-mb 12] [--warmup-min 8]
        # the web app: uploads and live frames (bench.soak_web)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time

import numpy as np

from bench.live_latency import landmark_frames
from bench.long_video import proc_kb


def rss_mb() -> float:
    """Resident memory of this process (Linux /proc), MB."""
    kb = proc_kb(os.getpid(), "VmRSS")
    return float("nan") if kb is None else kb / 1024.0


def messages(frames: np.ndarray, size: tuple[int, int], fps: float, n: int):
    """JSON frame messages as the page sends them, the clip looped, time running on."""
    texts = []
    for f in frames:
        lm = [[None if not np.isfinite(v) else round(float(v), 5) for v in row] for row in f]
        texts.append(lm)
    for i in range(n):
        yield json.dumps({"type": "frame", "t": 1000.0 * i / fps, "w": size[0], "h": size[1],
                          "lm": texts[i % len(texts)]})


def main() -> None:
    from hingecoach.live import LiveSession
    from hingecoach.web.protocol import RateLimiter
    from hingecoach.web.server import Settings, _handle

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--web", action="store_true",
                        help="soak the web app with uploads and live sessions in real time (bench.soak_web)")
    parser.add_argument("--jobs-max-mb", type=float, default=12.0,
                        help="--web: the upload folder's cap, MB (small, so the warm-up fills it)")
    parser.add_argument("--warmup-min", type=float, default=8.0,
                        help="--web: minutes before the flat-memory and flat-disk baseline is taken (the "
                             "upload folder's 12 MB cap fills after about 6 min of uploads every 30 s)")
    args = parser.parse_args()
    if args.web:
        from bench.soak_web import run

        run(args.minutes, jobs_max_mb=args.jobs_max_mb, warmup_min=args.warmup_min)
        return
    frames, size, source = landmark_frames()
    n = int(args.minutes * 60 * args.fps)
    block = int(5 * 60 * args.fps)
    session = LiveSession(defer_assessment=True)
    limiter = RateLimiter(rate=float("inf"), burst=float("inf"))  # simulated time: no pacing
    settings = Settings()
    lat = np.empty(n)  # preallocated: the benchmark's own record must not look like a leak
    cpu = np.empty(n)  # CPU time per frame: the engine's own cost, unaffected by other processes
    print(f"soak: {args.minutes:.0f} min at {args.fps:.0f} fps = {n} frames ({source}, looped)")
    start_rss, start_heap = float("nan"), 0
    wall0 = time.perf_counter()
    for i, text in enumerate(messages(frames, size, args.fps, n)):
        t0, c0 = time.perf_counter(), time.thread_time()
        reply = _handle(text, session, limiter, settings)
        lat[i] = (time.perf_counter() - t0) * 1000.0
        cpu[i] = (time.thread_time() - c0) * 1000.0
        session.run_due()
        if reply["type"] != "update":
            raise SystemExit(f"frame {i}: unexpected reply {reply}")
        if i == int(60 * args.fps):  # after the first simulated minute: buffers are full
            start_rss, start_heap = rss_mb(), len(gc.get_objects())
            print(f"  after 1 min: RSS {start_rss:.1f} MB, Python objects {start_heap}, reps {session.rep_count}")
        if (i + 1) % block == 0:
            chunk, cchunk = lat[i + 1 - block:i + 1], cpu[i + 1 - block:i + 1]
            print(f"  {(i + 1) / args.fps / 60:4.0f} min: latency median {np.median(chunk):.2f} ms, "
                  f"p99 {np.percentile(chunk, 99):.2f} ms (CPU {np.median(cchunk):.2f} / "
                  f"{np.percentile(cchunk, 99):.2f} ms); RSS {rss_mb():.1f} MB, "
                  f"objects {len(gc.get_objects())}, reps {session.rep_count}")
    end_rss, end_heap = rss_mb(), len(gc.get_objects())
    wall = time.perf_counter() - wall0
    print(f"  end: RSS {end_rss:.1f} MB, Python objects {end_heap} "
          f"(after 1 min: {start_rss:.1f} MB, {start_heap} objects); {session.rep_count} reps; "
          f"results kept {len(session.results)}; {wall:.0f} s wall for {args.minutes:.0f} simulated min")
    lat_arr = lat
    print(f"  whole run latency: median {np.median(lat_arr):.2f} ms, p99 {np.percentile(lat_arr, 99):.2f} ms; "
          f"CPU per frame: median {np.median(cpu):.2f} ms, p99 {np.percentile(cpu, 99):.2f} ms "
          f"(wall minus CPU = time the OS gave to other processes; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
