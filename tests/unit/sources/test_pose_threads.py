"""The pose on two threads: how a video is cut into parts and the parts shared out, that two
threads give the landmarks one gives (a real clip), that the setting is honoured (the loader's
default, ``hinge batch``'s one thread), and that a run resumes from any parts stored."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from bench import CLIPS
from hingecoach.sources import cache as kp_cache
from hingecoach.sources import pose_parts, pose_run
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
    (tmp_path / "part-000000750-000000150.npz").write_bytes(b"not a zip")
    assert pose_parts.stored_parts(tmp_path, 150) == {0: 150, 2: 150, 3: 20}
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "part-000000000-000000150.npz", "part-000000300-000000150.npz", "part-000000450-000000020.npz"]


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


def test_two_threads_give_the_landmarks_of_one_to_the_bit(clip, one_thread, tmp_path, monkeypatch):
    groups = []
    plan = pose_parts.plan_groups
    monkeypatch.setattr(pose_parts, "plan_groups", lambda *a, **k: groups.append(plan(*a, **k)) or groups[-1])
    seq1, folder1 = one_thread
    seq2 = extract(clip, progress=False, folder=tmp_path, pose_threads=2)
    assert groups == [[Group((0,), None), Group((1,), 2)]]  # two threads, a half each
    assert seq2.n_frames == 150 and seq2.meta["frames_in_file"] == 300
    _same(seq1, seq2)
    names = sorted(p.name for p in tmp_path.glob("part-*"))
    assert names == ["part-000000000-000000075.npz", "part-000000075-000000075.npz"]
    assert names == sorted(p.name for p in folder1.glob("part-*"))


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
