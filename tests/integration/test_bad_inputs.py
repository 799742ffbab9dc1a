"""Bad-input corpus, generated here, each run through the real CLI (`hinge analyze ... --log`).

Input nobody can analyse must give one line ``hinge analyze: error: <problem> <what to do>``,
exit code 2, no traceback, no native log noise, and leave the training log exactly as it was.
Input that can be analysed but is not ideal (two people, front view, rotated phone video,
variable frame rate, huge frames) exits 0 with the right warning or the right reading.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from hingecoach.cli import main
from hingecoach.pose.schema import INDEX
from hingecoach.sources import save_keypoints
from tests.fixtures.clips import CLIPS
from tests.fixtures.figures import hinge_reps

SIDE_CLIP = CLIPS / "jeffchen" / "good.mp4"  # 600x600, 30 fps, 2 s, one hinge from the side
FRONT_CLIP = CLIPS / "kbtrainer" / "gobletSquats.mp4"  # front-oblique
needs_clips = pytest.mark.skipif(not SIDE_CLIP.exists(), reason=f"real clips not found at {CLIPS}")
NATIVE_NOISE = ("W0000", "I0000", "moov atom", "XNNPACK", "absl::InitializeLog")


# -- running the CLI and watching the store ---------------------------------------------------
@pytest.fixture
def store(tmp_path, monkeypatch, capfd):
    """A training log with one set in it; returns a function giving the store's full dump."""
    db = tmp_path / "store.db"
    monkeypatch.setenv("HINGECOACH_DB", f"sqlite:///{db}")
    monkeypatch.setenv("HINGECOACH_CACHE", str(tmp_path / "cache"))
    good = save_keypoints(hinge_reps(n_reps=2), tmp_path / "good.json")
    assert main(["analyze", str(good), "--log", "--no-progress"]) == 0
    assert "set logged" in capfd.readouterr().err

    def dump() -> list[str]:
        with sqlite3.connect(db) as con:
            return list(con.iterdump())

    assert any("INSERT INTO" in line for line in dump())
    return dump


def run(capfd, *argv: str) -> tuple[int, str, str]:
    code = main(["analyze", *argv, "--no-progress"])
    out, err = capfd.readouterr()
    return code, out, err


def assert_refused(capfd, store, path: Path, *expected: str) -> str:
    """Exit 2 with one specific line naming the problem and the fix; the store unchanged."""
    before = store()
    code, _, err = run(capfd, str(path), "--log")
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # no traceback, no native log lines above the message
    assert lines[0].startswith("hinge analyze: error: ")
    for words in expected:
        assert words in lines[0], lines[0]
    assert store() == before
    return lines[0]


def assert_quiet(err: str) -> None:
    assert "Traceback" not in err
    assert not any(noise in err for noise in NATIVE_NOISE), err


# -- making bad videos -------------------------------------------------------------------------
def write_video(path: Path, frames, fps: float = 30.0) -> Path:
    frames = list(frames)
    h, w = frames[0].shape[:2] if frames else (120, 160)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def clip_frames(path: Path = SIDE_CLIP, limit: int = 1000) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    frames = []
    while len(frames) < limit:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", *args], check=True)


def grey(n: int, size=(160, 120), level=128) -> list[np.ndarray]:
    return [np.full((size[1], size[0], 3), level, np.uint8)] * n


# -- files that are not videos or are broken -----------------------------------------------------
def test_empty_file(tmp_path, store, capfd):
    (tmp_path / "empty.mp4").touch()
    assert_refused(capfd, store, tmp_path / "empty.mp4", "empty (0 bytes)", "Record or export")


def test_text_renamed_mp4(tmp_path, store, capfd):
    fake = tmp_path / "notes.mp4"
    fake.write_text("milk, eggs, a kettlebell\n")
    assert_refused(capfd, store, fake, "not a video file", "Give an .mp4")


def test_truncated_video(tmp_path, store, capfd):
    whole = write_video(tmp_path / "whole.mp4", grey(60))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    line = assert_refused(capfd, store, cut, "damaged or incomplete", "Copy or export the video again")
    assert "moov" not in line


def test_zero_frame_video(tmp_path, store, capfd):
    video = write_video(tmp_path / "zero.mp4", [])
    assert_refused(capfd, store, video, "zero.mp4", "no video frames", "again")


def test_one_frame_video(tmp_path, store, capfd):
    video = write_video(tmp_path / "one.mp4", grey(1))
    assert_refused(capfd, store, video, "too short", "(1 frame)", "full repetition")


def test_no_person(tmp_path, store, capfd):
    video = write_video(tmp_path / "wall.mp4", grey(40))
    assert_refused(capfd, store, video, "No person found", "whole body")


def test_huge_resolution_without_person_is_read(tmp_path, store, capfd):
    """4000x3000 frames decode and are checked like any other (no memory blow-up, no crash)."""
    video = write_video(tmp_path / "huge.mp4", grey(30, size=(4000, 3000), level=90))
    assert_refused(capfd, store, video, "No person found in any frame of huge.mp4")


@needs_clips
def test_very_dark_video(tmp_path, store, capfd):
    dark = [(f.astype(np.float32) * 0.02).astype(np.uint8) for f in clip_frames(limit=40)]
    video = write_video(tmp_path / "dark.mp4", dark)
    assert_refused(capfd, store, video, "too dark", "brighter light")


@needs_clips
def test_legs_out_of_frame(tmp_path, store, capfd):
    top = [f[: f.shape[0] * 2 // 5] for f in clip_frames(limit=40)]  # head and trunk only
    video = write_video(tmp_path / "top.mp4", top)
    assert_refused(capfd, store, video, "Body out of frame", "Step back")


# -- keypoint files --------------------------------------------------------------------------
@pytest.fixture
def keypoints_doc(tmp_path) -> dict:
    path = save_keypoints(hinge_reps(n_reps=1), tmp_path / "kp.json")
    return json.loads(path.read_text())


def write_doc(tmp_path: Path, doc: dict, name: str) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_keypoints_all_nan(tmp_path, store, capfd, keypoints_doc):
    n = len(keypoints_doc["t_s"])
    doc = keypoints_doc | {"xyz": [[[float("nan")] * 3] * 33] * n, "world_xyz": None}
    assert_refused(capfd, store, write_doc(tmp_path, doc, "nan.json"), "No person", "every keypoint", "Export")


def test_keypoints_no_frames(tmp_path, store, capfd, keypoints_doc):
    doc = keypoints_doc | {"xyz": [], "visibility": [], "t_s": [], "world_xyz": None, "channels": {}}
    assert_refused(capfd, store, write_doc(tmp_path, doc, "none.json"), "holds no frames", "Export")


def test_keypoints_wrong_shape(tmp_path, store, capfd, keypoints_doc):
    doc = keypoints_doc | {"xyz": [[p[:2] for p in frame] for frame in keypoints_doc["xyz"]]}
    assert_refused(capfd, store, write_doc(tmp_path, doc, "flat.json"), "'xyz'", "(", "Check the keypoint file")


def test_keypoints_missing_field(tmp_path, store, capfd, keypoints_doc):
    doc = {k: v for k, v in keypoints_doc.items() if k != "t_s"}
    assert_refused(capfd, store, write_doc(tmp_path, doc, "no_t.json"), "'t_s' is missing", "Check")


def test_keypoints_unknown_schema(tmp_path, store, capfd, keypoints_doc):
    doc = keypoints_doc | {"schema": "halpe26"}
    assert_refused(capfd, store, write_doc(tmp_path, doc, "halpe.json"), "'halpe26'", "blazepose33")


def test_keypoints_unknown_format(tmp_path, store, capfd):
    doc = {"format": "alphapose", "frames": [{"kp": [1, 2, 3]}]}
    assert_refused(capfd, store, write_doc(tmp_path, doc, "alpha.json"), "matches none of the known .json",
                   "README")


def test_keypoints_nan_text_in_csv(tmp_path, store, capfd):
    path = tmp_path / "kp.csv"
    save_keypoints(hinge_reps(n_reps=1), path)
    lines = path.read_text().splitlines()
    body = [i for i, line in enumerate(lines) if not line.startswith("#")]
    lines[body[3]] = lines[body[3]].replace(",", ",nonsense", 1)
    path.write_text("\n".join(lines) + "\n")
    assert_refused(capfd, store, path, "kp.csv: a cell is not a number", "Export the keypoints again")


# -- analysable, with a warning or the right reading ---------------------------------------------
def analyse_ok(capfd, path: Path, tmp_path: Path) -> tuple[dict, str, dict]:
    """(JSON result, stderr+stdout text, saved keypoints) of a run that must succeed quietly."""
    out_json, out_kp = tmp_path / "r.json", tmp_path / "kp.json"
    code, out, err = run(capfd, str(path), "--json", str(out_json), "--keypoints", str(out_kp))
    assert code == 0, err
    assert_quiet(err)
    return json.loads(out_json.read_text()), out + err, json.loads(out_kp.read_text())


def upright(kp: dict) -> bool:
    """Nose and hips above the ankles in most frames with a person (the nose may drop below
    the hips at the bottom of a hinge, the ankles stay lowest)."""
    xyz = np.array(kp["xyz"], float)
    y = xyz[:, [INDEX["nose"], INDEX["left_hip"], INDEX["left_ankle"]], 1]
    seen = np.isfinite(y).all(axis=1)
    return bool(seen.any() and ((y[seen, 0] < y[seen, 2]) & (y[seen, 1] < y[seen, 2])).mean() > 0.9)


@needs_clips
def test_two_people_analyses_the_main_one_and_says_so(tmp_path, capfd):
    frames = []
    for f in clip_frames():
        small = cv2.resize(f, None, fx=0.75, fy=0.75)
        right = np.full_like(f, 128)
        right[f.shape[0] - small.shape[0]:, : small.shape[1]] = small
        frames.append(np.hstack([f, right]))
    result, text, kp = analyse_ok(capfd, write_video(tmp_path / "two.mp4", frames), tmp_path)
    assert kp["meta"]["people_seen"] == 2
    warning = [w for w in result["warnings"] if "people are in view" in w]
    assert warning and "follows the main person" in warning[0] and "on the left" in warning[0]
    assert "warning: 2 people are in view" in text
    assert result["rep_count"] >= 1


@needs_clips
def test_one_person_gets_no_people_warning(tmp_path, capfd):
    result, _, kp = analyse_ok(capfd, SIDE_CLIP, tmp_path)
    assert kp["meta"]["people_seen"] == 1
    assert not any("people" in w for w in result["warnings"])


@needs_clips
@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_phone_video_is_read_upright(tmp_path, capfd, rotation):
    """Like a phone: the stored frames lie turned, a tag says how to turn them back."""
    turn = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
    stored = write_video(tmp_path / "stored.mp4", [cv2.rotate(f[:, 50:550], turn[rotation]) for f in clip_frames()])
    rotated = tmp_path / f"rot{rotation}.mp4"
    tag = {90: "-90", 180: "180", 270: "90"}[rotation]  # ffmpeg's display rotation is counterclockwise
    ffmpeg("-display_rotation", tag, "-i", str(stored), "-c", "copy", str(rotated))
    _, _, kp = analyse_ok(capfd, rotated, tmp_path)
    assert kp["meta"]["rotation_deg"] == rotation
    assert kp["image_size"] == [500, 600]  # the upright picture, not the stored one
    assert upright(kp)


@needs_clips
def test_variable_frame_rate_keeps_real_timestamps(tmp_path, capfd):
    vfr = tmp_path / "vfr.mp4"
    # frame times stretch as the clip goes on (a phone throttling): steps of 1/30 s to ~2/30 s
    ffmpeg("-i", str(SIDE_CLIP), "-vf", "setpts='N/30/TB*(1+N/60)'", "-fps_mode", "vfr",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", str(vfr))
    result, _, kp = analyse_ok(capfd, vfr, tmp_path)
    steps = np.diff(kp["t_s"])
    assert np.all(steps > 0) and steps[-5:].mean() > 1.5 * steps[:5].mean()
    assert result["duration_s"] > 2.5  # stretched, not frames / nominal fps


@needs_clips
def test_huge_resolution_with_person(tmp_path, capfd):
    big = [cv2.resize(f, (4000, 3000)) for f in clip_frames(limit=30)]
    result, _, kp = analyse_ok(capfd, write_video(tmp_path / "big.mp4", big), tmp_path)
    assert kp["image_size"] == [4000, 3000] and result["frames"] == 30
    assert upright(kp)


@needs_clips
def test_front_view_warns_and_still_analyses(tmp_path, capfd):
    front = tmp_path / "front.mp4"
    ffmpeg("-i", str(FRONT_CLIP), "-t", "4", "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(front))
    result, text, _ = analyse_ok(capfd, front, tmp_path)
    assert result["view"] in ("front", "oblique")
    assert "warning: Camera view" in text and "side" in text
