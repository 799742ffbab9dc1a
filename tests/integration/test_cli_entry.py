"""The ``hinge`` console script as a person runs it: `hinge analyze` leaves with os._exit once
its work is written (no interpreter teardown), and still prints, writes and exits with the
codes main() returns; other commands exit as usual. And MediaPipe's import leaves matplotlib's
pyplot for later without breaking it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hingecoach.cli import main

HINGE = Path(sys.executable).with_name("hinge")


def _hinge(*args: str) -> subprocess.CompletedProcess:
    cmd = [str(HINGE)] if HINGE.exists() else [sys.executable, "-c", "from hingecoach.cli import entry; entry()"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120)


def test_analyze_prints_writes_and_exits_with_main_s_codes(tmp_path):
    keypoints = tmp_path / "set.json"
    assert main(["simulate", "--movement", "hinge", "--reps", "3", "--seed", "5", "--out", str(keypoints)]) == 0
    out = tmp_path / "result.json"
    done = _hinge("analyze", str(keypoints), "--json", str(out), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "reps: 3" in done.stdout and f"result written to {out}" in done.stderr  # both streams flushed
    assert json.loads(out.read_text())["rep_count"] == 3
    refused = _hinge("analyze", str(tmp_path / "missing.mp4"))
    assert refused.returncode == 2 and refused.stderr.startswith("hinge analyze: error:")
    assert _hinge("--version").returncode == 0  # not analyze: the usual exit


def test_pyplot_put_off_by_the_pose_model_s_import_is_the_real_one_when_used():
    code = """
import sys
from hingecoach.sources import blazepose
blazepose._defer_pyplot()
import mediapipe
assert "matplotlib.figure" not in sys.modules, "pyplot was imported with MediaPipe"
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
figure = plt.figure()
from mediapipe.python.solutions import drawing_utils
assert drawing_utils.plt.figure is plt.figure and type(sys.modules["matplotlib.pyplot"]).__name__ == "module"
print(type(figure).__name__)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Figure"
