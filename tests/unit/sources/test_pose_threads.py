"""The pose on two threads: how a video is cut into parts and the parts shared out, that two
threads give the landmarks one gives (a real clip; the second thread starting by seeking, and
falling back to decoding from the first frame when a frame's time is not the one promised), that
the setting is honoured (the loader's default, ``hinge batch``'s one thread), and that a run
resumes from any parts stored."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from bench import CLIPS
from hingecoach.sources import cache as kp_cache
from hingecoach.sources import frame_timeline, pose_parts, pose_run
from hingecoach.sources.frames import FramePicker
from hingecoach.sources.pose_parts import Group, part_frames_for, plan_groups
from hingecoach.sources.video import extract

SIDE_CLIP = CLIPS / "tby66" / "0016c_1.mp4"


# -- the cut into parts and the groups --------------------------------------------------------
def test_parts_are_halves_of_a_short_clip_and_an_even_count_of_equal_parts_of_a_long_one():
    assert part_frames_for(300, 30.0, 30.0, 2.0) == 150  # 10 s: two halves
    assert part_frames_for(1350, 30.0, 30.0, 2.0) == 675  # 45 s: two of 22.5 s
    assert part_frames_for(2700, 30.0, 30.0, 2.0) == 675  # 90 s: four, not three of 30 s
    assert part_frames_for(18000, 30.0, 30.0, 2.0) == 900  # 10 min: twenty of 30 s
    assert part_frames_for(121, 30.0, 30.0, 2.0) == 61  # 4 s: halves (the second one frame shorter)
    assert part_frames_for(119, 30.0, 30.0, 2.0) == 900  # under two parts of 2 s: one part
    assert part_frames_for(100, 30.0, 30.0, 1.0) == 50
    assert part_frames_for(0, 30.0, 30.0, 2.0) == 900  # frame count unknown: parts of 30 s


def test_the_parts_not_stored_are_shared_out_in_runs_of_consecutive_parts():
    assert plan_groups({}, 150, 2, threads=2) == [Group((0,), None), Group((1,), 2)]
    assert plan_groups({}, 150, 2, threads=1) == [Group((0, 1), 2)]
    assert plan_groups({}, 900, 20, 2) == [Group(tuple(range(10)), None), Group(tuple(range(10, 20)), 20)]
    # resumed: what is missing, anywhere
    assert plan_groups({0: 900, 12: 900}, 900, 20, 2) == [Group(tuple(range(1, 10)), None),
                                                          Group((10, 11, *range(13, 20)), 20)]
    assert plan_groups({1: 150}, 150, 2, 2) == [Group((0,), 2)]  # one thread is enough
    # a stored short part is the video's end: nothing after it is posed
    assert plan_groups({1: 40}, 150, 2, 2) == [Group((0,), None)]
    assert plan_groups({0: 150, 1: 40}, 150, 2, 2) == [Group((), None)]
    assert Group((3, 4), 7).mine(4) and Group((3, 4), 7).mine(9) and not Group((3, 4), 7).mine(5)


def test_stored_parts_keeps_whole_parts_anywhere_and_removes_the_rest(tmp_path):
    def part(start: int, n: int) -> None:
        kp_cache.write_part(tmp_path, start, {"xyz": np.zeros((n, 33, 3))})

    part(0, 150), part(300, 150), part(450, 20), part(600, 150), part(150, 200), part(170, 150)
    kp_cache.write_part(tmp_path, 150, {"xyz": np.zeros((150, 33, 3))}, checked=False)  # a run stopped before its check
    (tmp_path / "part-000000750-000000150.npz").write_bytes(b"not a zip")
    assert pose_parts.stored_parts(tmp_path, 150) == {0: 150, 2: 150, 3: 20}
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "part-000000000-000000150.npz", "part-000000300-000000150.npz", "part-000000450-000000020.npz"]


def test_a_timeline_start_is_where_a_decoder_from_the_first_frame_would_be():
    times = [1000 * i / 60 for i in range(40)] + [1000 * (i + 20) / 60 for i in range(40, 80)]  # a 1/3-s gap
    timeline = frame_timeline.Timeline(np.array(times))
    for rate in (30.0, None, 24.0):
        picker, pos = FramePicker(rate, 60.0), -1
        for index, t in enumerate(times):
            before = (picker.due_ms, picker.last_ms)
            if picker.keep(t):
                pos += 1
                assert timeline.start_at(pos, rate, 60.0) == frame_timeline.Start(index, pos, *before)
        assert timeline.start_at(pos + 1, rate, 60.0) is None  # past the end
    assert timeline.matches(3, times[3]) and not timeline.matches(3, times[4]) and not timeline.matches(80, 0.0)


def test_the_thread_setting_is_the_config_s_capped_at_the_cpus(monkeypatch):
    monkeypatch.setattr(pose_run.os, "cpu_count", lambda: 8)
    assert pose_run.pose_threads(None) == 2 and pose_run.pose_threads(1) == 1 and pose_run.pose_threads(5) == 5
    monkeypatch.setattr(pose_run.os, "cpu_count", lambda: 1)
    assert pose_run.pose_threads(None) == 1


# -- a real clip ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """The first 5 s of a real 60-fps side-view clip: 150 frames at 30 frames/s, two parts."""
    if not SIDE_CLIP.exists():
        pytest.skip(f"the real clips are not here: {SIDE_CLIP} is absent")
    import imageio_ffmpeg

    out = tmp_path_factory.mktemp("clip") / "five_s.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", "-i", str(SIDE_CLIP), "-t", "5", "-an",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)], check=True)
    return out


@pytest.fixture(scope="module")
def one_thread(clip, tmp_path_factory):
    folder = tmp_path_factory.mktemp("one")
    return extract(clip, progress=False, folder=folder, pose_threads=1), folder


def _same(a, b) -> None:
    assert np.array_equal(a.xyz, b.xyz, equal_nan=True) and np.array_equal(a.visibility, b.visibility)
    assert np.array_equal(a.world_xyz, b.world_xyz, equal_nan=True) and np.array_equal(a.t_s, b.t_s)
    assert a.channels.keys() == b.channels.keys()
    assert all(np.array_equal(a.channels[k], b.channels[k], equal_nan=True) for k in a.channels)
    assert a.meta == b.meta


def _spy(monkeypatch, owner, name: str) -> list:
    """Calls of ``owner.name`` as (args, result)."""
    calls, real = [], getattr(owner, name)

    def spied(*args, **kwargs):
        calls.append((args, result := real(*args, **kwargs)))
        return result

    monkeypatch.setattr(owner, name, spied)
    return calls


def test_two_threads_give_the_landmarks_of_one_to_the_bit(clip, one_thread, tmp_path, monkeypatch):
    groups = _spy(monkeypatch, pose_parts, "plan_groups")
    seeks = _spy(monkeypatch, frame_timeline, "seek_to")
    posed = _spy(monkeypatch, pose_run._PoseGraph, "process")
    seq1, folder1 = one_thread
    seq2 = extract(clip, progress=False, folder=tmp_path, pose_threads=2)
    assert [g for _, g in groups] == [[Group((0,), None), Group((1,), 2)]]  # two threads, a half each
    # the second half's thread starts at its warm-up's first frame (position 75 - 10, frame 130
    # of the 60-fps file), found by seeking; it decodes none of the frames before it
    assert [(args[2], landed) for args, landed in seeks] == [(130, True)]
    assert min(args[1].index for args, _ in posed if args[1].pos >= 65) == 130
    assert seq2.n_frames == 150 and seq2.meta["frames_in_file"] == 300
    _same(seq1, seq2)
    names = sorted(p.name for p in tmp_path.iterdir() if "part-" in p.name)
    assert names == ["part-000000000-000000075.npz", "part-000000075-000000075.npz"]  # none left unchecked
    assert names == sorted(p.name for p in folder1.glob("part-*"))


def test_a_frame_time_not_the_one_promised_poses_the_seeking_thread_s_part_again(clip, one_thread, tmp_path,
                                                                                  monkeypatch):
    matches = frame_timeline.Timeline.matches
    monkeypatch.setattr(frame_timeline.Timeline, "matches", lambda self, i, t: i != 40 and matches(self, i, t))
    plans = _spy(monkeypatch, pose_parts, "plan_groups")
    seq = extract(clip, progress=False, folder=tmp_path, pose_threads=2)
    assert [g for _, g in plans] == [[Group((0,), None), Group((1,), 2)], [Group((1,), 2)]]  # the second again
    _same(one_thread[0], seq)
    assert not list(tmp_path.glob(f"{kp_cache.UNCHECKED}*"))


def test_a_seek_that_cannot_land_decodes_from_the_first_frame(clip, one_thread, tmp_path, monkeypatch):
    monkeypatch.setattr(frame_timeline, "seek_to", lambda *_: False)
    _same(one_thread[0], extract(clip, progress=False, folder=tmp_path, pose_threads=2))


def test_a_rotated_phone_video_with_jittered_frame_times_seeks_to_the_same_frames(clip, tmp_path, monkeypatch):
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    jittered, turned = tmp_path / "vfr.mp4", tmp_path / "vfr_turned.mp4"  # frame times off the grid by up to 4 ms
    subprocess.run([ffmpeg, "-y", "-v", "error", "-i", str(clip), "-an", "-vf", "setpts='PTS+0.004*sin(N)/TB'",
                    "-fps_mode", "vfr", "-c:v", "libx264", "-g", "30", "-pix_fmt", "yuv420p", str(jittered)], check=True)
    subprocess.run([ffmpeg, "-y", "-v", "error", "-display_rotation", "90", "-i", str(jittered), "-c", "copy",
                    str(turned)], check=True)
    seeks = _spy(monkeypatch, frame_timeline, "seek_to")
    one = extract(turned, progress=False, folder=tmp_path / "one", pose_threads=1)
    two = extract(turned, progress=False, folder=tmp_path / "two", pose_threads=2)
    assert [landed for _, landed in seeks] == [True] and one.meta["rotation_deg"] == 270
    _same(one, two)


def test_the_timeline_from_the_packets_is_the_decoded_frames_times(clip):
    import cv2

    cap, times = cv2.VideoCapture(str(clip)), []
    while cap.grab():
        times.append(cap.get(cv2.CAP_PROP_POS_MSEC))
    cap.release()
    timeline = frame_timeline.read_timeline(clip)
    assert timeline is not None and timeline.times_ms.tolist() == times
    assert frame_timeline.read_timeline(Path(__file__)) is None  # not a video


class _Asked(Exception):
    pass


def test_the_loader_uses_the_config_s_threads_and_batch_asks_for_one(clip, monkeypatch, tmp_path):
    from hingecoach.batch import jobs
    from hingecoach.sources.video import load_video

    seen = []

    def asked(*_, threads, **__):
        seen.append(threads)
        raise _Asked

    monkeypatch.setattr(pose_run, "pose_video", asked)
    monkeypatch.setattr(pose_run.os, "cpu_count", lambda: 2)
    for run in (lambda: extract(clip, progress=False), lambda: load_video(clip, cache=False, pose_threads=1)):
        with pytest.raises(_Asked):
            run()
    assert seen == [2, 1]
    options = {}

    def load(path, **kw):
        options.update(kw)
        raise _Asked

    monkeypatch.setattr("hingecoach.sources.load", load)
    with pytest.raises(_Asked):
        jobs._analyse(clip, jobs.JobSettings(out_dir=str(tmp_path)), "digest")
    assert options["pose_threads"] == 1


def test_a_run_resumes_from_any_part_stored(clip, one_thread, tmp_path, monkeypatch):
    seq1, folder1 = one_thread
    second = kp_cache.all_parts(folder1)[1][2]
    (tmp_path / second.name).write_bytes(second.read_bytes())  # only the second half stored
    before = (tmp_path / second.name).stat().st_mtime_ns
    posed = []
    monkeypatch.setattr(pose_run._Run, "posed", lambda self: posed.append(1))
    seq = extract(clip, progress=False, folder=tmp_path, pose_threads=2)
    assert len(posed) == 75  # the first half only
    assert (tmp_path / second.name).stat().st_mtime_ns == before
    _same(seq1, seq)


def test_native_logs_quieted_on_two_threads_at_once_give_fd_2_back():
    import os
    import threading

    from hingecoach.sources.native_logs import QuietStderr

    before = os.fstat(2)
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with QuietStderr():
            first_in.set()
            second_in.wait(5)
        first_out.set()  # leaves while the second is still inside

    def second() -> None:
        first_in.wait(5)
        with QuietStderr():
            second_in.set()
            first_out.wait(5)
            assert os.fstat(2).st_ino != before.st_ino  # still quiet for the one inside

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
