"""Long inputs: a 2-hour 1080p video made from a short real clip, analysed by `hinge analyze
--log` in a subprocess; prints wall time, the peak memory (RSS) and RSS at each quarter of the
run, so memory that grows with the video's length shows, and checks that the 2 hours give the
same reps as the same content analysed in parts.

The videos are the clip repeated with FFmpeg's concat demuxer (stream copy: seconds to make, no
re-encode) in a temporary folder, never in the repository; the keypoint cache and the training
log go there too. Pose on 2 hours at 30 frames/s is ~216,000 frames, hours of CPU, so:

1. a short video of the same clip (``--pose-minutes``, default 1) is posed whole, for real: the
   memory through the pose (RSS per quarter, and its slope per video-minute);
2. the long video's keypoint cache is filled with that run's frames, repeated to cover all but
   its last part (the cache keeps a run in parts of 30 s: :mod:`hingecoach.sources.cache`), so
   `hinge analyze` of the 2 hours resumes there: it decodes the whole file, poses the last part
   for real, gathers the 2 hours of keypoints, checks them, counts the people, analyses the set
   and logs it, all in one process, whose peak RSS is the figure (target: under 1 GiB);
3. a re-run reads the whole entry from the cache (peak RSS again);
4. the 2 hours' keypoints are analysed whole and in parts of about 10 minutes cut between reps
   (each part on its own); the reps must be the same.

    .venv/bin/python -m bench.long_video                  # the 2-hour figure (~15-25 min here)
    .venv/bin/python -m bench.long_video --minutes 10 --part-minutes 2
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

import numpy as np

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
    """`hinge analyze video --log` in a child process; its RSS sampled every ``poll_s``; SIGINT
    (Ctrl-C) after ``interrupt_after`` seconds if given."""
    cmd = [sys.executable, "-m", "hingecoach", "analyze", str(video), "--log", *extra]
    t0 = time.monotonic()
    # to files, not pipes: a pipe not read until the end blocks the child once it holds 64 KB
    # (the table of a 2-hour set's ~1700 reps is more)
    out_fh, err_fh = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
    proc = subprocess.Popen(cmd, env=env, stdout=out_fh, stderr=err_fh, text=True)
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
    proc.wait()
    out, err = (_read_back(fh) for fh in (out_fh, err_fh))
    return {"rc": proc.returncode, "wall_s": time.monotonic() - t0, "peak_mb": peak_kb / 1024.0,
            "samples": samples, "stdout": out, "stderr": err}


def _read_back(fh) -> str:
    with fh:
        fh.seek(0)
        return fh.read()


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


def cache_state(folder: Path) -> tuple[int, int, int]:
    """(complete entries, parts stored for runs not complete, temporary files) in the keypoint
    cache (:mod:`hingecoach.sources.cache`: a folder per entry, complete with its pose.json)."""
    entries = [p for p in folder.iterdir() if p.is_dir()] if folder.exists() else []
    complete = [e for e in entries if (e / "pose.json").is_file()]
    parts = sum(len(list(e.glob("part-*.npz"))) for e in entries if e not in complete)
    temporary = sum(1 for p in folder.rglob("*") if ".tmp" in p.name) if folder.exists() else 0
    return len(complete), parts, temporary


def report_run(label: str, run: dict, video_s: float) -> None:
    q = " / ".join(f"{mb:.0f}" for mb in quarters(run["samples"]))
    print(f"  {label}: exit {run['rc']}, {run['wall_s']:.1f} s wall ({video_s / run['wall_s']:.2f}x real time), "
          f"peak RSS {run['peak_mb']:.0f} MB, RSS at 25/50/75/100% of the run: {q} MB")


def rss_slope_mb_per_min(samples: list[tuple[float, float]], video_s: float) -> float:
    """RSS growth through the middle half of a run (25-75% of its time: the pose), in MB per
    minute of video (the run's wall time spread evenly over the video)."""
    end = samples[-1][0]
    mid = np.array([(t, mb) for t, mb in samples if 0.25 * end <= t <= 0.75 * end])
    if len(mid) < 3:
        return math.nan
    per_s = np.polyfit(mid[:, 0], mid[:, 1], 1)[0]
    return float(per_s * end / (video_s / 60.0))


def video_facts(video: Path) -> tuple[int, float, tuple[int, int]]:
    import cv2

    cap = cv2.VideoCapture(str(video))
    try:
        return (int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), cap.get(cv2.CAP_PROP_FPS),
                (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))))
    finally:
        cap.release()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=120.0, help="length of the long video (default 120)")
    parser.add_argument("--pose-minutes", type=float, default=1.0,
                        help="length of the video posed whole, whose frames fill the long one's cache (default 1)")
    parser.add_argument("--part-minutes", type=float, default=10.0,
                        help="length of the parts the long video's keypoints are also analysed in (default 10)")
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    args = parser.parse_args()
    if not args.clip.exists():
        raise SystemExit(f"{args.clip} is not here (the real clips are in ../shared/clips)")
    with tempfile.TemporaryDirectory(prefix="hinge-long-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "HINGECOACH_CACHE": str(work / "cache"), "HINGECOACH_DB": str(work / "log.db")}
        short = make_long_video(args.clip, args.pose_minutes, work / "short.mp4")
        frames, fps, size = video_facts(short)
        print(f"posed whole: {frames / fps / 60:.1f} min, {size[0]}x{size[1]} at {fps:.0f} fps, {frames} frames")
        run = run_analyze(short, env, ["--no-progress"])
        report_run("analysis", run, frames / fps)
        print(f"  {summary_line(run['stdout'] or run['stderr'])}")
        print(f"  RSS slope through the pose: {rss_slope_mb_per_min(run['samples'], frames / fps):+.1f} MB "
              "per video-minute")
        long_run(args, work, env)


def long_run(args: argparse.Namespace, work: Path, env: dict[str, str]) -> None:
    from bench.long_video_cache import analyse_in_parts, fill_from

    t0 = time.monotonic()
    video = make_long_video(args.clip, args.minutes, work / "long.mp4")
    frames, fps, size = video_facts(video)
    video_s = frames / fps
    print(f"long video: {video_s / 60:.1f} min, {size[0]}x{size[1]} at {fps:.0f} fps, {frames} frames, "
          f"{video.stat().st_size / 1e6:.0f} MB (made in {time.monotonic() - t0:.1f} s from {args.clip.name})")
    short = work / "short.mp4"
    with_env(env, lambda: fill_from(short, video))
    print(f"  cache: {cache_state(work / 'cache')[1]} parts of the long video filled from the short run's frames")
    first = run_analyze(video, env, ["--no-progress"])
    report_run("analysis (resumed at its last part)", first, video_s)
    print(f"  {summary_line(first['stdout'] or first['stderr'])}")
    print(f"  log: {log_state(work / 'log.db')}; cache: {cache_state(work / 'cache')[0]} complete entries")
    again = run_analyze(video, env, ["--no-progress"])
    report_run("cached re-run", again, video_s)
    whole, parts, same = with_env(env, lambda: analyse_in_parts(video, args.part_minutes))
    print(f"  in parts of about {args.part_minutes:g} min, cut between reps: {whole} reps whole, {parts} in "
          f"the parts; same reps (start, bottom and end frames, pattern, faults): {same}")
    print(f"  peak RSS under 1 GiB: first run {'yes' if first['peak_mb'] < 1024 else 'NO'}, "
          f"cached re-run {'yes' if again['peak_mb'] < 1024 else 'NO'}")


def with_env(env: dict[str, str], fn):
    """``fn()`` with this process's cache and log pointed where the runs' are."""
    saved = {k: os.environ.get(k) for k in ("HINGECOACH_CACHE", "HINGECOACH_DB")}
    os.environ.update({k: env[k] for k in saved})
    try:
        return fn()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


if __name__ == "__main__":
    main()
