"""The pose model choice (--model lite|full|heavy): offline install, the missing-file message,
and the choice carried from the command line to the model and the keypoint cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from hingecoach.batch.jobs import JobSettings
from hingecoach.errors import HingeInputError
from hingecoach.sources import cache as kp_cache
from hingecoach.sources import load, pose_models
from hingecoach.sources.video import cache_settings
from tests.fixtures.clips import CLIPS

SHORT_CLIP = CLIPS / "jeffchen" / "good.mp4"  # one deadlift, 62 frames at 30 fps
needs_clips = pytest.mark.skipif(not SHORT_CLIP.exists(), reason=f"real clips not found at {CLIPS}")


def _installed(model: str) -> bool:
    return (pose_models.model_dir() / pose_models.file_name(model)).is_file()


def _grey_video(path: Path) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (160, 120))
    for _ in range(6):
        writer.write(np.full((120, 160, 3), 128, np.uint8))
    writer.release()
    return path


def test_a_missing_model_names_the_command_that_installs_it(tmp_path):
    with pytest.raises(HingeInputError, match="heavy pose model is not installed") as err:
        pose_models.check_model("heavy", tmp_path)
    assert "make models" in str(err.value) and "--model full" in str(err.value)
    with pytest.raises(HingeInputError, match="Expected a pose model among lite, full, heavy, but got 'huge'"):
        pose_models.check_model("huge", tmp_path)
    (tmp_path / "pose_landmark_heavy.tflite").write_bytes(b"x")
    assert pose_models.check_model("heavy", tmp_path) == 2


def test_analyze_and_batch_refuse_a_missing_model_in_one_line(tmp_path, monkeypatch, capsys):
    from hingecoach.cli import main

    empty = tmp_path / "no_models"
    empty.mkdir()
    monkeypatch.setattr(pose_models, "model_dir", lambda: empty)
    monkeypatch.setenv("HINGECOACH_CACHE", str(tmp_path / "cache"))
    video = _grey_video(tmp_path / "clip.mp4")
    assert main(["analyze", str(video), "--model", "lite", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hinge analyze: error: The lite pose model is not installed") and "make models" in err
    assert "Traceback" not in err and not (tmp_path / "cache").exists()
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "out"), "--model", "heavy", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hinge batch: error: The heavy pose model is not installed")
    assert not (tmp_path / "out").exists()  # stopped before any input was tried or recorded


def test_the_model_is_part_of_the_cache_key_and_the_batch_fingerprint(tmp_path):
    video = _grey_video(tmp_path / "clip.mp4")
    keys = {m: kp_cache.cache_key(video, cache_settings(video, 30, m)) for m in pose_models.MODELS}
    assert len(set(keys.values())) == 3
    assert cache_settings(video, 30) == cache_settings(video, 30, "full")  # the default keeps its old key
    plain = JobSettings(out_dir="x").fingerprint()
    assert set(plain) == {"hingecoach_version", "level"}  # results stored before --model stand
    assert JobSettings(out_dir="x", model="lite", fps=15.0).fingerprint() == plain | {"model": "lite", "fps": 15.0}


def test_install_checks_the_full_model_then_copies_lite_and_heavy(tmp_path):
    source = pose_models.vendored_dir()
    if not all((source / pose_models.file_name(m)).is_file() for m in pose_models.MODELS):
        pytest.skip(f"the npm package @mediapipe/pose is not vendored at {source} (make web-assets)")
    dest = tmp_path / "pose_landmark"
    dest.mkdir()
    with pytest.raises(HingeInputError, match="not the expected full model"):
        pose_models.install(source, dest)  # no wheel model to compare with
    shutil.copyfile(pose_models.model_dir() / "pose_landmark_full.tflite", dest / "pose_landmark_full.tflite")
    done = pose_models.install(source, dest)
    assert [line.split(":")[0] for line in done] == ["full", "lite", "heavy"] and "installed" in done[2]
    for model in ("lite", "heavy"):
        assert pose_models.sha256(dest / pose_models.file_name(model)) == pose_models.SHA256[model]
    assert "already installed" in pose_models.install(source, dest)[1]
    (dest / "pose_landmark_lite.tflite").write_bytes(b"damaged")
    assert "installed" in pose_models.install(source, dest)[1]  # a damaged copy is replaced
    fake = tmp_path / "fake_npm"
    fake.mkdir()
    shutil.copyfile(dest / "pose_landmark_full.tflite", fake / "pose_landmark_full.tflite")
    (fake / "pose_landmark_heavy.tflite").write_bytes(b"not the model")
    (dest / "pose_landmark_heavy.tflite").unlink()
    with pytest.raises(HingeInputError, match="not the expected heavy model"):
        pose_models.install(fake, dest)


@needs_clips
def test_lite_runs_from_the_command_line_to_the_cache(tmp_path, monkeypatch, capsys):
    if not _installed("lite"):
        pytest.skip("the lite pose model is not installed (make models)")
    from hingecoach.cli import main

    monkeypatch.setenv("HINGECOACH_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "result.json"
    assert main(["analyze", str(SHORT_CLIP), "--model", "lite", "--no-progress", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["rep_count"] == 1
    cached = kp_cache.get(kp_cache.cache_key(SHORT_CLIP, cache_settings(SHORT_CLIP, 30, "lite")), str(SHORT_CLIP))
    assert cached is not None
    assert cached.meta["pose_model"] == "blazepose-lite mediapipe 0.10.21"
    assert cached.history[0].startswith("pose: blazepose-lite")
    full = load(SHORT_CLIP, cache=False, progress=False)
    assert full.meta["pose_model"] == "blazepose-full mediapipe 0.10.21"
    # a different network: the same person, other landmarks
    assert not np.allclose(cached.xyz, full.xyz, equal_nan=True)
    shift = np.nanmedian(np.linalg.norm(cached.xyz[:, :, :2] - full.xyz[:, :, :2], axis=-1))
    assert shift < 0.05 * full.image_size[1]
