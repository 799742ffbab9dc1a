"""`hinge analyze` against the naive loop (issue 17): OpenCV decode + BlazePose full with
segmentation on every frame, as anyone would first write it, versus
`hinge analyze CLIP --json OUT --no-progress` with an empty keypoint cache (a fresh temporary
HINGECOACH_CACHE each run), both as fresh processes (imports included).

Clips, made with ffmpeg (the system's, else imageio-ffmpeg's) from a real 60 fps side-view
clip, ../shared/clips/tby66/0016c_1.mp4 (360x640), into a temporary folder:
(a) 1080x1920 at 60 fps (a phone's portrait 1080p at 60), (b) 1080x1920 at 30 fps (the fps
filter), (c) the shared 30 fps clip kbtrainer/kbGoodMorning.mp4 as it is (404x720: neither
frames skipped nor shrunk; what the analysis itself costs over the naive loop).

Runs alternate naive / hinge per clip, median of ``--runs`` (3). Printed per clip and method:
wall and CPU seconds, wall relative to the naive loop and to the clip's duration, CPU-seconds
per second of video; and the load average before and after (on a shared machine the walls
mean little: compare the CPU figures then).

    python -m bench.speed_vs_naive [--runs 3] [--seconds 10] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import CLIPS, load_averages

SOURCE_60 = CLIPS / "tby66" / "0016c_1.mp4"
CLIP_30 = CLIPS / "kbtrainer" / "kbGoodMorning.mp4"


def ffmpeg_exe() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def probe(path: Path) -> tuple[int, int, float, int]:
    """(width, height, fps, frames) as OpenCV reads them."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        return (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
                float(cap.get(cv2.CAP_PROP_FPS)), int(cap.get(cv2.CAP_PROP_FRAME_COUNT)))
    finally:
        cap.release()


def make_clips(folder: Path, seconds: float) -> list[tuple[str, Path]]:
    """The benchmark's clips (see the module docstring), cut to ``seconds`` (0: whole)."""
    cut = ["-t", f"{seconds:g}"] if seconds > 0 else []
    src_fps = probe(SOURCE_60)[2]
    fps60 = [] if abs(src_fps - 60) < 0.5 else ["fps=60"]  # a 30 fps source is made 60 first
    out = []
    for name, filters in (("1080x1920_60fps.mp4", [*fps60, "scale=1080:1920"]),
                          ("1080x1920_30fps.mp4", ["fps=30", "scale=1080:1920"])):
        path = folder / name
        if not path.exists():
            subprocess.run([ffmpeg_exe(), "-y", "-v", "error", "-i", str(SOURCE_60), *cut, "-an",
                            "-vf", ",".join(filters), "-c:v", "libx264", "-preset", "fast", "-crf", "20",
                            "-pix_fmt", "yuv420p", str(path)], check=True)
        out.append((name, path))
    if CLIP_30.exists():
        path = folder / "kbGoodMorning_30fps.mp4"
        if not path.exists():
            if seconds > 0:
                subprocess.run([ffmpeg_exe(), "-y", "-v", "error", "-i", str(CLIP_30), *cut, "-an",
                                "-c", "copy", str(path)], check=True)
            else:
                shutil.copyfile(CLIP_30, path)
        out.append((f"{CLIP_30.parent.name}/{CLIP_30.name} 30fps", path))
    return out


def naive(path: str) -> int:
    """The naive loop (run in its own process by ``--naive``): every frame decoded, converted
    and given to BlazePose full with segmentation, nothing else."""
    import cv2
    import mediapipe as mp

    cap = cv2.VideoCapture(path)
    n = 0
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1, enable_segmentation=True,
                                smooth_landmarks=True) as pose:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            n += 1
    cap.release()
    print(json.dumps({"frames": n}))
    return 0


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall s, CPU s of the child: user + system, stdout) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def hinge_cmd(clip: Path, out: Path) -> list[str]:
    script = Path(sys.executable).with_name("hinge")
    base = [str(script)] if script.exists() else [sys.executable, "-c",
                                                   "import sys; from hingecoach.cli import main; sys.exit(main())"]
    return [*base, "analyze", str(clip), "--json", str(out), "--no-progress"]


def run_clip(name: str, clip: Path, runs: int, work: Path) -> list[dict]:
    w, h, fps, frames = probe(clip)
    duration = frames / fps if fps else float("nan")
    times: dict[str, list[tuple[float, float]]] = {"naive": [], "hinge": []}
    analysed = None
    for i in range(runs):
        order = ("naive", "hinge") if i % 2 == 0 else ("hinge", "naive")
        for method in order:
            env = dict(os.environ)
            if method == "naive":
                wall, cpu, _ = timed([sys.executable, "-m", "bench.speed_vs_naive", "--naive", str(clip)], env)
            else:
                cache = Path(tempfile.mkdtemp(prefix="cache-", dir=work))  # empty: nothing reused
                env["HINGECOACH_CACHE"] = str(cache)
                out = work / "result.json"
                wall, cpu, _ = timed(hinge_cmd(clip, out), env)
                analysed = json.loads(out.read_text())
                shutil.rmtree(cache, ignore_errors=True)
            times[method].append((wall, cpu))
    naive_wall = statistics.median(t[0] for t in times["naive"])
    rows = []
    for method in ("naive", "hinge"):
        wall = statistics.median(t[0] for t in times[method])
        cpu = statistics.median(t[1] for t in times[method])
        rows.append({"clip": name, "size": f"{w}x{h}", "fps": fps, "frames": frames, "duration_s": duration,
                     "method": method, "wall_s": wall, "cpu_s": cpu, "vs_naive": wall / naive_wall,
                     "vs_duration": wall / duration,
                     "pose_frames": frames if method == "naive" else (analysed or {}).get("frames"),
                     "reps": None if method == "naive" else (analysed or {}).get("rep_count")})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per method and clip (median)")
    ap.add_argument("--seconds", type=float, default=10.0, help="cut the clips to this length (0: whole)")
    ap.add_argument("--keep", type=Path, default=None, help="make the clips in this folder and keep them")
    ap.add_argument("--naive", default=None, help=argparse.SUPPRESS)  # the naive loop's own process
    args = ap.parse_args(argv)
    if args.naive:
        return naive(args.naive)
    if not SOURCE_60.exists():
        print(f"speed vs naive: skipped, {SOURCE_60} is absent")
        return 0
    with tempfile.TemporaryDirectory(prefix="speed-vs-naive-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        clips = make_clips(folder, args.seconds)
        print(f"{os.cpu_count()} cores; median of {args.runs} alternating runs; hinge with an empty "
              f"keypoint cache each run; both as fresh processes; load average {load_averages()} at the start")
        print(f"{'clip':36} {'size':>9} {'fps':>4} {'dur s':>6} {'method':6} {'pose fr':>7} "
              f"{'wall s':>7} {'cpu s':>7} {'/naive':>7} {'/dur':>6} {'cpu/dur':>7}")
        for name, clip in clips:
            for r in run_clip(name, clip, args.runs, Path(tmp)):
                print(f"{r['clip']:36} {r['size']:>9} {r['fps']:4.0f} {r['duration_s']:6.1f} {r['method']:6} "
                      f"{r['pose_frames'] or 0:7d} {r['wall_s']:7.1f} {r['cpu_s']:7.1f} {r['vs_naive']:7.2f} "
                      f"{r['vs_duration']:6.2f} {r['cpu_s'] / r['duration_s']:7.2f}", flush=True)
        busy = os.getloadavg()[0] > (os.cpu_count() or 1) + 1  # the benchmark itself keeps ~2 busy
        print(f"load average {load_averages()} at the end" + (": other jobs share the cores, so the walls are not "
              "judgeable; cpu/dur, CPU-seconds per second of video, still is" if busy else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
