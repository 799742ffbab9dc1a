"""Video and image pose sources: spine geometry on synthetic masks, real clips, bad input."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from hingecoach.errors import HingeInputError, NoPersonError, NotAVideoError, OutOfFrameError, TooShortError
from hingecoach.pose import PoseSequence
from hingecoach.pose.schema import INDEX
from hingecoach.sources import blazepose, load, spine_mask
from hingecoach.sources import cache as kp_cache
from hingecoach.sources.frames import (
    FramePicker,
    effective_rate,
    model_scale,
    parse_fps,
    repair_timestamps,
    shrink,
)
from hingecoach.sources.video import cache_settings, key_joints_in_view
from tests.fixtures.clips import CLIPS

SIDE_CLIP = CLIPS / "tby66" / "0016c_1.mp4"
needs_clips = pytest.mark.skipif(not SIDE_CLIP.exists(), reason=f"real clips not found at {CLIPS}")


# -- spine geometry on synthetic masks ------------------------------------------------------
HIP, SHOULDER = (400.0, 300.0), (100.0, 300.0)  # bent over, facing left: the back is up (−y)


def kinked_torso(kink_deg: float) -> np.ndarray:
    """A bent-over torso whose back edge is two straight lines meeting at chord fraction 0.45
    at ``kink_deg`` (positive = convex, a rounded back); the belly edge is straight."""
    x_kink = HIP[0] + 0.45 * (SHOULDER[0] - HIP[0])
    y_back = 250.0
    half = math.radians(kink_deg) / 2
    far_x = SHOULDER[0] - 60
    pts = [
        (HIP[0] + 60, y_back + (HIP[0] + 60 - x_kink) * math.tan(half)),
        (x_kink, y_back),
        (far_x, y_back + (x_kink - far_x) * math.tan(half)),
        (far_x, 360.0),
        (HIP[0] + 60, 360.0),
    ]
    mask = np.zeros((500, 600), np.float32)
    cv2.fillPoly(mask, [np.round(np.array(pts)).astype(np.int32)], 1.0)
    return mask


@pytest.mark.parametrize("kink_deg", [0.0, 10.0, 20.0, -10.0])
def test_back_bend_reads_the_kink_angle(kink_deg):
    bend = spine_mask.back_bend_deg(kinked_torso(kink_deg), HIP, SHOULDER, "left")
    assert bend == pytest.approx(kink_deg, abs=1.0)


def test_back_bend_looks_at_the_back_not_the_belly():
    # Facing right, the normal points to the straight belly edge of the same mask.
    assert abs(spine_mask.back_bend_deg(kinked_torso(20.0), HIP, SHOULDER, "right")) < 1.0


def test_back_bend_is_nan_when_not_measurable():
    mask = kinked_torso(10.0)
    assert math.isnan(spine_mask.back_bend_deg(mask, HIP, (HIP[0] - 10, HIP[1]), "left"))  # tiny chord
    assert math.isnan(spine_mask.back_bend_deg(mask, HIP, SHOULDER, "unknown"))
    assert math.isnan(spine_mask.back_bend_deg(np.zeros_like(mask), HIP, SHOULDER, "left"))


def test_largest_blob_drops_a_smaller_region():
    mask = kinked_torso(0.0)
    mask[10:30, 10:30] = 1.0
    blob = spine_mask.largest_blob(mask)
    assert not blob[20, 20] and blob[300, 300]


def _landmarks(hip, shoulder) -> np.ndarray:
    xyz = np.full((33, 3), np.nan)
    for side in ("left", "right"):
        xyz[INDEX[f"{side}_hip"], :2] = hip
        xyz[INDEX[f"{side}_shoulder"], :2] = shoulder
    return xyz


def test_pose_threads_keep_a_binarised_mask_of_inclined_frames_only():
    class Result:  # what MediaPipe returns: probabilities, soft at the edges
        segmentation_mask = cv2.GaussianBlur(kinked_torso(15.0), (9, 9), 3.0)

    bent, upright = _landmarks(HIP, SHOULDER), _landmarks(HIP, (HIP[0], HIP[1] - 300.0))
    kept = blazepose.body_mask(Result, bent, min_trunk_deg=25.0)
    assert kept is not None and kept.dtype == bool and kept.nbytes * 4 == Result.segmentation_mask.nbytes
    assert blazepose.spine_readings(kept, bent, 25.0) == blazepose.spine_readings(Result.segmentation_mask, bent, 25.0)
    assert blazepose.spine_readings(kept, bent, 25.0)["back_bend_deg:left"] == pytest.approx(15.0, abs=1.5)
    assert blazepose.body_mask(Result, upright, min_trunk_deg=25.0) is None
    assert blazepose.body_mask(Result, np.full((33, 3), np.nan), min_trunk_deg=25.0) is None  # no person


def test_neck_turn_grows_when_the_upper_back_drops():
    straight = spine_mask.spine_angles(kinked_torso(0.0), HIP, SHOULDER)["neck_turn_mask_deg:left"]
    rounded = spine_mask.spine_angles(kinked_torso(20.0), HIP, SHOULDER)["neck_turn_mask_deg:left"]
    assert abs(straight) < 1.0 and rounded > 15.0


# -- small pure helpers ------------------------------------------------------------------
def test_repair_timestamps_keeps_them_strictly_increasing():
    t_s, repaired = repair_timestamps([40.0, 73.0, 73.0, 0.0, 173.0, float("nan")], fps=30.0)
    assert t_s[0] == 0.0 and np.all(np.diff(t_s) > 0) and repaired == 3
    assert t_s[1] == pytest.approx(0.033) and t_s[4] == pytest.approx(0.133)


def _picked(times_ms, rate, source_fps) -> list[int]:
    picker = FramePicker(rate, source_fps)
    return [i for i, t in enumerate(times_ms) if picker.keep(t)]


def test_frame_picker_keeps_frames_on_the_analysis_grid():
    at = lambda fps, n: [1000.0 * i / fps for i in range(n)]  # noqa: E731
    assert _picked(at(60, 12), 30, 60) == list(range(0, 12, 2))
    assert _picked(at(120, 16), 30, 120) == list(range(0, 16, 4))
    assert _picked(at(240, 32), 30, 240) == list(range(0, 32, 8))
    assert _picked(at(30, 10), None, 30) == list(range(10))
    kept = _picked(at(50, 501), 30, 50)  # not a whole ratio: 30 a second on average
    assert len(kept) == pytest.approx(301, abs=1) and set(np.diff(kept)) == {1, 2}
    rng = np.random.default_rng(1)  # a phone's jittery 60 fps still gives every second frame
    jitter = np.array(at(60, 120)) + rng.uniform(-2, 2, 120)
    assert _picked(list(jitter), 30, 60) == list(range(0, 120, 2))
    # repeated or missing timestamps count one source frame on
    assert _picked([0, 16.7, float("nan"), 50, 50, 83.3], 30, 60) == [0, 2, 4]


def test_analysis_rate_settings():
    assert parse_fps("native") is None and parse_fps(None) is None and parse_fps("24") == 24.0
    for bad in ("fast", "0", "-5", "nan"):
        with pytest.raises(ValueError):
            parse_fps(bad)
    assert effective_rate(30, 60) == 30 and effective_rate(30, 29.97) is None
    assert effective_rate(30, 30.3) is None and effective_rate(None, 240) is None
    assert effective_rate(30, float("nan")) == 30  # unknown rate: the grid decides
    frame = np.zeros((1920, 1080, 3), np.uint8)
    small, scale = shrink(frame)
    assert small.shape == (960, 540, 3) and scale == 0.5  # a whole factor: 2x2 box averages
    assert shrink(frame[:1280, :720])[1] == 1.0 and shrink(frame[:1440])[0].shape == (1280, 960, 3)
    assert [model_scale(w, 1080) for w in (1280, 1919, 2560, 3840, 5760)] == [1.0, 1280 / 1919, 0.5, 0.25, 1 / 6]
    ramp = np.tile(np.arange(0, 256, 2, dtype=np.uint8), (4, 16))[:, :, None].repeat(3, axis=2)  # 4x2048
    assert np.array_equal(shrink(ramp)[0][0, :4, 0], [1, 5, 9, 13])  # each the mean of its 2x2 pixels


def test_the_analysis_rate_is_part_of_the_cache_key(tmp_path):
    grey = [np.full((120, 160, 3), 128, np.uint8)] * 6
    fast, slow = _write_video(tmp_path / "fast.mp4", grey, 60.0), _write_video(tmp_path / "slow.mp4", grey, 30.0)
    keys = {fps: kp_cache.cache_key(fast, cache_settings(fast, fps)) for fps in ("native", 30, 24)}
    assert len(set(keys.values())) == 3
    # a video not faster than the rate is analysed at its own: the native entry serves
    assert cache_settings(slow, 30) == cache_settings(slow, "native")
    # the shrink size is in the key of frames it shrinks only
    big = _write_video(tmp_path / "big.mp4", [np.full((1400, 200, 3), 128, np.uint8)] * 3, 30.0)
    assert "model_shrink" in cache_settings(big, 30) and "model_shrink" not in cache_settings(slow, 30)


def test_key_joints_in_view_needs_hips_knees_and_ankles():
    xyz = np.full((2, 33, 3), 50.0)
    vis = np.ones((2, 33))
    xyz[1, [INDEX["left_ankle"], INDEX["right_ankle"]], 1] = 150.0  # below a 100-px-high image
    assert key_joints_in_view(xyz, vis, (100, 100), 0.3).tolist() == [True, False]


def test_cache_round_trip_is_exact(tmp_path, monkeypatch):
    monkeypatch.setenv("HINGECOACH_CACHE", str(tmp_path / "cache"))
    video = tmp_path / "v.mp4"
    video.write_bytes(b"some bytes")
    rng = np.random.default_rng(0)
    xyz = rng.normal(300, 50, (5, 33, 3))
    xyz[2] = np.nan
    seq = PoseSequence(xyz=xyz, visibility=rng.random((5, 33)), t_s=np.arange(5) / 30, fps=30.0,
                       image_size=(640, 480), source=str(video), channels={"back_bend_deg": rng.random(5)},
                       meta={"frames_decoded": 5})
    key = kp_cache.cache_key(video, {"a": 1})
    assert kp_cache.get(key, str(video)) is None
    kp_cache.put(key, seq)
    assert kp_cache.get(key, str(video)).equals(seq)
    assert key != kp_cache.cache_key(video, {"a": 2})
    assert list((tmp_path / "cache").iterdir()) == [kp_cache.entry_path(key)]  # no temp files left


# -- real clips ----------------------------------------------------------------------------
def ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", *args], check=True)


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory) -> Path:
    """The first 1.5 s of a real side-view clip (re-encoded), to keep the tests quick."""
    if not SIDE_CLIP.exists():
        pytest.skip(f"real clips not found at {CLIPS}")
    out = tmp_path_factory.mktemp("clips") / "short.mp4"
    ffmpeg("-i", str(SIDE_CLIP), "-t", "1.5", "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out))
    return out


@pytest.fixture(scope="module")
def short_seq(short_clip) -> PoseSequence:
    return load(short_clip, cache=False, progress=False, fps="native")


@needs_clips
def test_real_clip_has_a_person_in_plausible_pixels(short_seq):
    seq = short_seq
    w, h = seq.image_size
    assert (w, h) == (360, 640) and seq.fps == pytest.approx(60.0)
    assert seq.n_frames == pytest.approx(90, abs=2)
    person = ~np.isnan(seq.xyz[..., :2]).all(axis=(1, 2))
    assert person.mean() > 0.9
    assert seq.meta["frames_with_person"] == int(person.sum())
    trunk = seq.xyz[person][:, [INDEX["left_hip"], INDEX["right_hip"], INDEX["left_shoulder"]], :2]
    assert np.all((trunk[..., 0] > 0) & (trunk[..., 0] < w) & (trunk[..., 1] > 0) & (trunk[..., 1] < h))
    # upright at the start: the nose is above the hips, the hips above the ankles
    first = seq.xyz[np.argmax(person)]
    assert first[INDEX["nose"], 1] < first[INDEX["left_hip"], 1] < first[INDEX["left_ankle"], 1]
    assert np.all(np.diff(seq.t_s) > 0) and seq.t_s[1] == pytest.approx(1 / 60, abs=1e-3)
    assert seq.world_xyz is not None and np.nanmax(np.abs(seq.world_xyz)) < 2.0  # metres
    # the back's outline is measured where the trunk leans (the bottom of a rep; checked on
    # whole clips in test_clips.py), not in these upright frames
    hips = (seq.xyz[:, INDEX["left_hip"], :2] + seq.xyz[:, INDEX["right_hip"], :2]) / 2
    shoulders = (seq.xyz[:, INDEX["left_shoulder"], :2] + seq.xyz[:, INDEX["right_shoulder"], :2]) / 2
    d = shoulders - hips
    lean = np.abs(np.degrees(np.arctan2(d[:, 0], -d[:, 1])))
    bend = seq.channels["back_bend_deg"]
    assert (lean < 20).mean() > 0.9
    assert np.isnan(bend[lean < 20]).all()
    assert seq.meta["rotation_deg"] == 0 and seq.meta["pose_model"] == "blazepose-full mediapipe 0.10.21"
    assert seq.meta["analysis_fps"] is None and "source_frames" not in seq.meta


@needs_clips
def test_default_rate_runs_the_model_on_every_second_frame_of_a_60_fps_clip(short_clip, short_seq):
    seq = load(short_clip, cache=False, progress=False)  # default: 30 frames/s
    assert seq.fps == 30.0 and seq.meta["source_fps"] == pytest.approx(60.0)
    assert seq.meta["analysis_fps"] == 30.0 and seq.meta["frames_in_file"] == short_seq.n_frames
    assert seq.meta["source_frames"] == list(range(0, short_seq.n_frames, 2))
    assert np.allclose(seq.t_s, short_seq.t_s[::2])  # the kept frames' own timestamps
    # the same body in the same place (the tracker's smoothing differs a little between rates)
    hips = [INDEX["left_hip"], INDEX["right_hip"], INDEX["left_knee"], INDEX["left_ankle"]]
    gap = np.nanmedian(np.abs(seq.xyz[:, hips, :2] - short_seq.xyz[::2][:, hips, :2]))
    assert gap < 3.0  # pixels, in a 360x640 frame


@needs_clips
def test_large_frames_are_shrunk_for_the_model_and_landmarks_stay_in_their_pixels(short_clip, short_seq, tmp_path):
    big = tmp_path / "big.mp4"  # 1080x1920: three times the clip
    ffmpeg("-i", str(short_clip), "-t", "1.0", "-vf", "scale=1080:1920", "-c:v", "libx264", "-preset", "ultrafast",
           "-pix_fmt", "yuv420p", str(big))
    seq = load(big, cache=False, progress=False, fps="native")
    assert seq.image_size == (1080, 1920)
    n = seq.n_frames
    gap = np.nanmedian(np.abs(seq.xyz[:, :, :2] / 3.0 - short_seq.xyz[:n, :, :2]))
    assert gap < 2.0  # pixels of the small clip
    lean_frames = np.isfinite(short_seq.channels["back_bend_deg"][:n])
    assert np.array_equal(np.isfinite(seq.channels["back_bend_deg"]), lean_frames)


@needs_clips
def test_rotated_phone_video_comes_out_upright(short_clip, tmp_path, capfd):
    rotated = tmp_path / "rotated.mp4"
    # a display matrix of −90° is the phone's "rotate=90": the stored frames lie on their side
    ffmpeg("-display_rotation", "-90", "-i", str(short_clip), "-c", "copy", str(rotated))
    stored = cv2.VideoCapture(str(rotated))
    assert stored.get(cv2.CAP_PROP_FRAME_WIDTH) == 360  # the stream itself is not rotated
    stored.release()
    seq = load(rotated, cache=False, progress=True)
    assert seq.meta["rotation_deg"] in (90, 270)
    assert seq.image_size == (640, 360)
    person = ~np.isnan(seq.xyz[..., :2]).all(axis=(1, 2))
    assert person.mean() > 0.9
    f = seq.xyz[np.argmax(person)]
    assert f[INDEX["nose"], 1] < f[INDEX["left_hip"], 1] < f[INDEX["left_ankle"], 1]
    assert "frame" in capfd.readouterr().err  # the progress bar was shown


@needs_clips
def test_cache_hit_returns_an_identical_sequence(short_clip, tmp_path, monkeypatch):
    monkeypatch.setenv("HINGECOACH_CACHE", str(tmp_path / "cache"))
    first = load(short_clip, progress=False)
    assert len(list((tmp_path / "cache").glob("*/pose.json"))) == 1  # one complete entry
    moved = tmp_path / "renamed.mp4"
    moved.write_bytes(short_clip.read_bytes())
    second = load(moved, progress=False)
    assert second.source == str(moved)
    assert second.replace(source=first.source).equals(first)


@needs_clips
def test_still_image_gives_one_frame(short_clip, tmp_path):
    cap = cv2.VideoCapture(str(short_clip))
    ok, frame = cap.read()
    cap.release()
    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), frame)
    seq = load(photo)
    assert seq.n_frames == 1 and seq.fps == 1.0 and seq.image_size == (360, 640)
    assert np.isfinite(seq.xyz[0, INDEX["left_hip"]]).all()


def _write_video(path: Path, frames, fps: float = 30.0) -> Path:
    frames = list(frames)
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        writer.write(f)
    writer.release()
    return path


@needs_clips
def test_person_in_few_frames_is_out_of_frame(short_clip, tmp_path):
    cap = cv2.VideoCapture(str(short_clip))
    frames = [cap.read()[1] for _ in range(15)]
    cap.release()
    empty = np.full_like(frames[0], 128)
    video = _write_video(tmp_path / "walk_off.mp4", frames + [empty] * 60)
    with pytest.raises(OutOfFrameError, match="out of frame.*20%"):
        load(video, cache=False, progress=False)


@needs_clips
def test_legs_cut_off_is_out_of_frame(short_clip, tmp_path):
    cap = cv2.VideoCapture(str(short_clip))
    frames = [cap.read()[1] for _ in range(45)]
    cap.release()
    video = _write_video(tmp_path / "top_half.mp4", [f[: f.shape[0] * 9 // 20] for f in frames])
    with pytest.raises(OutOfFrameError, match="hips, knees and ankles"):
        load(video, cache=False, progress=False)


@needs_clips
def test_truncated_video_is_reported_as_damaged(tmp_path):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(SIDE_CLIP.read_bytes()[: SIDE_CLIP.stat().st_size // 3])
    with pytest.raises(NotAVideoError, match="damaged or incomplete"):
        load(cut, cache=False)


# -- bad input without clips ----------------------------------------------------------------
def test_text_renamed_to_mp4_is_not_a_video(tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is a shopping list, not a video\n")
    with pytest.raises(NotAVideoError, match="not a video"):
        load(fake, cache=False)


def test_black_video_has_no_person_and_says_it_is_dark(tmp_path):
    video = _write_video(tmp_path / "black.mp4", [np.zeros((120, 160, 3), np.uint8)] * 45)
    with pytest.raises(NoPersonError, match="No person found.*too dark"):
        load(video, cache=False, progress=False)


def test_empty_grey_video_has_no_person(tmp_path):
    video = _write_video(tmp_path / "grey.mp4", [np.full((120, 160, 3), 128, np.uint8)] * 45)
    with pytest.raises(NoPersonError, match="No person found in any frame") as err:
        load(video, cache=False, progress=False)
    assert "dark" not in str(err.value) and "side" in err.value.fix


def test_too_short_video_says_so(tmp_path):
    video = _write_video(tmp_path / "blip.mp4", [np.full((120, 160, 3), 128, np.uint8)] * 10)
    with pytest.raises(TooShortError, match=r"too short: 0\.33 s"):
        load(video, cache=False, progress=False)


def test_unreadable_image_is_reported(tmp_path):
    fake = tmp_path / "photo.jpg"
    fake.write_text("not a picture")
    with pytest.raises(HingeInputError, match="not a readable image"):
        load(fake)


# -- animated GIF ---------------------------------------------------------------------------
SHARED = CLIPS.parent
GIF_CLIP = CLIPS / "chloe" / "rdl_curl_press.gif"  # 600x549, 142 frames at 100 ms: RDL, curl, press


def _write_gif(path: Path, rgb_frames, durations_ms) -> Path:
    from PIL import Image

    images = [Image.fromarray(np.ascontiguousarray(f)) for f in rgb_frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=list(durations_ms), loop=0)
    return path


@pytest.mark.skipif(not SHARED.exists(), reason=f"the real clips are not here: {SHARED} is absent")
def test_real_animated_gif_is_analysed_like_a_video():
    seq = load(GIF_CLIP, progress=False)  # cached by content like any video
    assert seq.n_frames == 142 and seq.image_size == (600, 549) and seq.fps == pytest.approx(10.0)
    assert np.allclose(seq.t_s, np.arange(142) * 0.1, atol=1e-6)  # the GIF's own 100 ms delays
    person = ~np.isnan(seq.xyz[..., :2]).all(axis=(1, 2))
    assert person.mean() > 0.9
    first = seq.xyz[np.argmax(person)]
    assert first[INDEX["nose"], 1] < first[INDEX["left_hip"], 1] < first[INDEX["left_ankle"], 1]


def test_gif_frame_times_come_from_its_own_delays(tmp_path):
    """A GIF rendered from the simulator with uneven delays: every frame keeps its time."""
    from hingecoach.sim.camera import Camera
    from hingecoach.sim.render import render_frame
    from hingecoach.sim.render_poses import hinge_sequence

    side = Camera(distance_m=3.2, height_m=1.0, yaw_deg=0.0, side="right", hfov_deg=66.0)
    seq3d = hinge_sequence(n_frames=13)  # odd: no two neighbours alike (Pillow would merge them)
    frames = [render_frame({k: v[i] for k, v in seq3d.items()}, side, (480, 270)) for i in range(12)]
    delays = [80, 120] * 6
    gif = _write_gif(tmp_path / "hinge.gif", frames, delays)
    seq = load(gif, cache=False, progress=False)
    assert seq.n_frames == 12 and seq.image_size == (480, 270)
    assert np.allclose(seq.t_s, np.cumsum([0, *delays[:-1]]) / 1000.0, atol=1e-6)
    assert seq.meta["frames_with_person"] == 12


def test_gif_without_a_person_says_so(tmp_path):
    rng = np.random.default_rng(0)
    noise = [np.repeat(rng.integers(90, 170, (12, 16, 3), dtype=np.uint8), 10, axis=0).repeat(10, axis=1)
             for _ in range(10)]
    gif = _write_gif(tmp_path / "wallpaper.gif", noise, [100] * 10)
    with pytest.raises(NoPersonError, match="No person found in any frame of wallpaper.gif"):
        load(gif, cache=False, progress=False)


def test_short_or_fake_gif_is_refused_clearly(tmp_path):
    grey = [np.full((120, 160, 3), 100 + i, np.uint8) for i in range(3)]
    with pytest.raises(TooShortError, match=r"blip\.gif is too short: 0\.30 s \(3 frames\)"):
        load(_write_gif(tmp_path / "blip.gif", grey, [100] * 3), cache=False, progress=False)
    fake = tmp_path / "notes.gif"
    fake.write_text("not a picture at all\n")
    with pytest.raises(NotAVideoError, match="animated .gif"):
        load(fake, cache=False)


def test_cli_refuses_a_bad_analysis_rate(capsys):
    from hingecoach.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["analyze", "clip.mp4", "--fps", "fast"])
    assert stop.value.code == 2 and "--fps: expected frames per second (1-1000) or 'native'" in capsys.readouterr().err
