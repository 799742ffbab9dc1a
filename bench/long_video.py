"""Long inputs: a long 1080p video made from a short real clip, analysed by `hinge analyze`
in a subprocess; prints wall time, analysed frames/s, the peak memory (RSS) and RSS at each
quarter of the run, so memory that grows with the video's length shows.

The video is the clip repeated with FFmpeg's concat demuxer (stream copy: seconds to make, no
re-encode) in a temporary folder, never in the repository. The keypoint cache and the training
log go to that folder too. ``--interrupt-after S`` sends SIGINT (Ctrl-C) S seconds into a first
run and reports what it left in the cache and the log, then runs again and says whether the
second run resumed (it is as slow as a fresh one when nothing was kept).

    .venv/bin/python -m bench.long_video                  # the 2-hour figure (about as long to run)
    .venv/bin/python -m bench.long_video --minutes 3 --interrupt-after 20
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import CLIPS

#: A 1920x1080 real clip (4.2 s, 30 fps).
DEFAULT_CLIP = CLIPS / "mattiolato" / "good_000003.mp4"


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def clip_seconds(path: Path) -> float:
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        return cap.get(cv2.CAP_PROP_FRAME_COUNT) / (cap.get(cv2.CAP_PROP_FPS) or 30.0)
    finally:
        cap.release()


def make_long_video(clip: Path, minutes: float, dest: Path) -> Path:
    """``clip`` repeated to last at least ``minutes`` (concat demuxer, stream copy)."""
    repeats = max(1, math.ceil(minutes * 60.0 / clip_seconds(clip)))
    listing = dest.with_suffix(".txt")
    quoted = str(clip.resolve()).replace("'", "'\\''")
    listing.write_text(f"file '{quoted}'\n" * repeats)
    subprocess.run([ffmpeg(), "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-c", "copy", str(dest)], check=True)
    listing.unlink()
    return dest


def proc_kb(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run_analyze(video: Path, env: dict[str, str], extra: list[str], interrupt_after: float | None = None,
                poll_s: float = 0.2) -> dict:
    """`hinge analyze video --log` in a child process; its RSS sampled every ``poll_s``."""
    cmd = [sys.executable, "-m", "hingecoach", "analyze", str(video), "--log", *extra]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, float]] = []
    peak_kb = 0
    interrupted = False
    while proc.poll() is None:
        now = time.monotonic() - t0
        rss, hwm = proc_kb(proc.pid, "VmRSS"), proc_kb(proc.pid, "VmHWM")
        if rss is not None:
            samples.append((now, rss / 1024.0))
        peak_kb = max(peak_kb, hwm or 0)
        if interrupt_after is not None and not interrupted and now >= interrupt_after:
            proc.send_signal(signal.SIGINT)
            interrupted = True
        time.sleep(poll_s)
    out, err = proc.communicate()
    return {"rc": proc.returncode, "wall_s": time.monotonic() - t0, "peak_mb": peak_kb / 1024.0,
            "samples": samples, "stdout": out, "stderr": err}


def quarters(samples: list[tuple[float, float]]) -> list[float]:
    """RSS (MB) at 25, 50, 75 and 100% of the run."""
    if not samples:
        return []
    end = samples[-1][0]
    return [next(mb for t, mb in samples if t >= end * q) for q in (0.25, 0.5, 0.75, 1.0)]


def log_state(db: Path) -> str:
    """'<n> sets, integrity ok' for the training log (SQLite)."""
    if not db.exists():
        return "no log file"
    con = sqlite3.connect(db)
    try:
        check = con.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        sets = con.execute("SELECT count(*) FROM sets").fetchone()[0] if "sets" in tables else 0
    finally:
        con.close()
    return f"{sets} sets, integrity {check}"


def summary_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip().startswith("reps:")), text[-300:])


def cache_state(folder: Path) -> tuple[int, int]:
    """(complete entries, temporary or partial files) in the keypoint cache."""
    files = list(folder.glob("*")) if folder.exists() else []
    temporary = [p for p in files if ".tmp" in p.name or p.name.startswith(".")]
    return len(files) - len(temporary), len(temporary)


def report_run(label: str, run: dict, video_s: float) -> None:
    q = " / ".join(f"{mb:.0f}" for mb in quarters(run["samples"]))
    print(f"  {label}: exit {run['rc']}, {run['wall_s']:.1f} s wall ({video_s / run['wall_s']:.2f}x real time), "
          f"peak RSS {run['peak_mb']:.0f} MB, RSS at 25/50/75/100% of the run: {q} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=120.0, help="length of the video (default 120)")
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--fps", default=None, help="analysis rate passed to hinge analyze (default: its own)")
    parser.add_argument("--interrupt-after", type=float, default=None, help="SIGINT a first run after S seconds")
    args = parser.parse_args()
    if not args.clip.exists():
        raise SystemExit(f"{args.clip} is not here (the real clips are in ../shared/clips)")
    with tempfile.TemporaryDirectory(prefix="hinge-long-") as tmp:
        work = Path(tmp)
        t0 = time.monotonic()
        video = make_long_video(args.clip, args.minutes, work / "long.mp4")
        import cv2

        cap = cv2.VideoCapture(str(video))
        frames, fps = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), cap.get(cv2.CAP_PROP_FPS)
        size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        cap.release()
        video_s = frames / fps
        print(f"long video: {video_s / 60:.1f} min, {size[0]}x{size[1]} at {fps:.0f} fps, {frames} frames, "
              f"{video.stat().st_size / 1e6:.0f} MB (made in {time.monotonic() - t0:.1f} s from {args.clip.name})")
        env = {**os.environ, "HINGECOACH_CACHE": str(work / "cache"), "HINGECOACH_DB": str(work / "log.db")}
        extra = ["--fps", args.fps] if args.fps else []
        if args.interrupt_after is not None:
            cut = run_analyze(video, env, extra, interrupt_after=args.interrupt_after)
            entries, temporary = cache_state(work / "cache")
            print(f"  Ctrl-C after {args.interrupt_after:.0f} s: exit {cut['rc']}, "
                  f"message {cut['stderr'].strip().splitlines()[-1:]!r}; cache: {entries} entries, "
                  f"{temporary} temporary files; log: {log_state(work / 'log.db')}")
        full = run_analyze(video, env, extra)
        report_run("analysis" if args.interrupt_after is None else "second run", full, video_s)
        print(f"  {summary_line(full['stdout'] or full['stderr'])}")
        print(f"  log: {log_state(work / 'log.db')}; cache: {cache_state(work / 'cache')[0]} entries")
        if args.interrupt_after is not None:
            resumed = full["wall_s"] < cut["wall_s"] + 0.5 * (full["wall_s"] - args.interrupt_after)
            print(f"  second run resumed from the cache: {'yes' if resumed else 'no (started over)'}")
        again = run_analyze(video, env, extra)
        report_run("cached re-run", again, video_s)


if __name__ == "__main__":
    main()
