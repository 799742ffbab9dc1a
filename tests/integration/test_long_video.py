"""A long 1080p video (a real clip repeated to one minute by FFmpeg's concat demuxer):
Ctrl-C mid-analysis leaves the keypoint cache and the training log consistent, the next run
resumes from the parts the first stored (on two pose threads, any of them) and gives what an
uninterrupted run gives, the analysis runs in flat memory with a progress bar that tells the
time left, and a re-run reads the cache.
The 2-hour figure is `python -m bench.long_video` (not run here)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest
from bench.long_video import cache_state, log_state, make_long_video, proc_kb, run_analyze

pytestmark = [pytest.mark.slow, pytest.mark.clips]
#: Pose on every third frame (10 frames/s) keeps the one-minute video's analysis near 30 s.
FPS = ["--fps", "10", "--no-progress"]


@pytest.fixture
def long_video(clips_dir: Path, tmp_path: Path) -> Path:
    return make_long_video(clips_dir / "mattiolato" / "good_000003.mp4", 1.0, tmp_path / "long.mp4")


def _analyse_on_a_terminal(video: Path, env: dict[str, str]) -> dict:
    """`hinge analyze --log` with stderr on a pseudo-terminal (so the progress bar shows, as for a
    person), its RSS sampled every 0.2 s."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a 120-column terminal
    chunks: list[bytes] = []

    def pump() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "hingecoach", "analyze", str(video), "--log", "--fps", "10"],
                            env=env, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    rss, peak = [], 0
    while proc.poll() is None:
        kb, hwm = proc_kb(proc.pid, "VmRSS"), proc_kb(proc.pid, "VmHWM")
        if kb:
            rss.append(kb / 1024.0)
        peak = max(peak, hwm or 0)
        time.sleep(0.2)
    out = proc.stdout.read() if proc.stdout else ""
    proc.wait()
    reader.join(timeout=5)
    os.close(master)
    return {"rc": proc.returncode, "stdout": out, "bar": b"".join(chunks).decode(errors="replace"),
            "rss": rss, "peak_mb": peak / 1024.0, "wall_s": time.monotonic() - t0}


def _interrupt_after_first_part(video: Path, env: dict[str, str], extra: list[str]) -> dict:
    """`hinge analyze` SIGINTed (Ctrl-C) once the keypoint cache holds its first part (a quarter
    of the video, ~157 frames at 10 frames/s: its two pose threads take a half each), mid-way
    through the next."""
    cmd = [sys.executable, "-m", "hingecoach", "analyze", str(video), "--log", *extra]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cache = Path(env["HINGECOACH_CACHE"])
    deadline = time.monotonic() + 600
    while proc.poll() is None and not list(cache.glob("*/part-*.npz")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(3.0)  # into the second part
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    return {"rc": proc.returncode, "stdout": out, "stderr": err}


def _parts(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.glob("*/*"))


def test_a_long_video_interrupted_then_resumed(long_video: Path, tmp_path: Path) -> None:
    env = {**os.environ, "HINGECOACH_CACHE": str(tmp_path / "cache"), "HINGECOACH_DB": str(tmp_path / "log.db")}
    cut = _interrupt_after_first_part(long_video, env, FPS)
    assert cut["rc"] == 130 and "interrupted" in cut["stderr"], cut["stderr"][-1000:]
    stored = _parts(tmp_path / "cache")
    # whole parts only (any of the four: each half has its own thread): no completion marker, no
    # partial or temporary file
    size = {int(s[-13:-4]) for s in stored}  # part-<first frame>-<frames>.npz
    assert len(size) == 1 and 150 < (pf := size.pop()) < 165, stored
    assert 0 < len(stored) < 4 and all(int(s[5:14]) % pf == 0 for s in stored), stored
    assert cache_state(tmp_path / "cache") == (0, len(stored), 0)
    assert log_state(tmp_path / "log.db") in ("no log file", "0 sets, integrity ok")

    full = _analyse_on_a_terminal(long_video, env)
    assert full["rc"] == 0, full["bar"][-2000:]
    first = re.search(r"\(resumed\):.*?\| *(\d+)/(\d+)", full["bar"])  # the bar starts where the cut stopped
    assert first and int(first[1]) == pf * len(stored) and 0.2 < int(first[1]) / int(first[2]) < 0.8, full["bar"][:600]
    # the clip's one rep, 15 times; the jumps where it repeats cost the tracker a few (13-18 read)
    assert re.search(r"reps: 1[2-9]\b", full["stdout"]), full["stdout"][-500:]
    assert _parts(tmp_path / "cache") == ["final.npz", *(f"part-{pf * k:09d}-{pf:09d}.npz" for k in range(3)),
                                          f"part-{3 * pf:09d}-{628 - 3 * pf:09d}.npz", "pose.json"]
    assert log_state(tmp_path / "log.db") == "1 sets, integrity ok"
    rss, q = full["rss"], len(full["rss"]) // 4
    # decoding and pose in flat memory: a 1080p frame is 6 MB, so frames held would add hundreds
    # of MB between the second and third quarters (a quarter is ~120 frames). Not 50 MB: on two
    # pose threads a part's fresh model is allocated while the other thread's runs (one graph is
    # ~80 MB; measured 715-723 -> 792-804 MB here on an idle machine, against 527 -> 551 on one)
    early, late = max(rss[q:2 * q]), max(rss[2 * q:3 * q])
    assert late < early + 120, (early, late)
    left = re.findall(r"<(\d+:\d\d)", full["bar"])  # tqdm shows elapsed<remaining
    assert len(left) >= 3, full["bar"][-1000:]

    # the same video analysed in one go from nothing: the same landmarks, to the bit, so the same reps
    whole_env = env | {"HINGECOACH_CACHE": str(tmp_path / "whole"), "HINGECOACH_DB": str(tmp_path / "whole.db")}
    whole = run_analyze(long_video, whole_env, FPS + ["--json", str(tmp_path / "whole.json")])
    cached = run_analyze(long_video, env, FPS + ["--json", str(tmp_path / "resumed.json")])
    assert whole["rc"] == 0 and cached["rc"] == 0
    resumed_reps = json.loads((tmp_path / "resumed.json").read_text())["reps"]
    assert resumed_reps == json.loads((tmp_path / "whole.json").read_text())["reps"]
    assert cached["wall_s"] < whole["wall_s"] / 3  # the re-run read the cache
    assert log_state(tmp_path / "log.db") == "2 sets, integrity ok"
    print(f"\n1-min 1080p at 10 frames/s, resumed after {pf * len(stored)} of 628 frames: {full['wall_s']:.1f} s "
          f"(whole run {whole['wall_s']:.1f} s), peak RSS {full['peak_mb']:.0f} MB, max RSS second quarter "
          f"{early:.0f} MB, third {late:.0f} MB; time left shown: {left[:2]} ... {left[-2:]}")
