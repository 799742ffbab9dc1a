"""The keypoint cache stays under its size cap: least recently used entries go first, runs in
progress stay, interrupted runs nobody resumed go after a day."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from hingecoach.errors import HingeInputError
from hingecoach.pose import PoseSequence
from hingecoach.sources import cache as kp_cache


def sequence(frames: int, seed: int) -> PoseSequence:
    rng = np.random.default_rng(seed)
    return PoseSequence(xyz=rng.normal(300, 50, (frames, 33, 3)), visibility=rng.random((frames, 33)),
                        t_s=np.arange(frames) / 30, fps=30.0, image_size=(640, 480), source="v.mp4")


def entry_bytes(key: str) -> int:
    return sum(p.stat().st_size for p in kp_cache.entry_path(key).iterdir())


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HINGECOACH_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def age(key: str, seconds: float) -> None:
    """Make an entry look last used ``seconds`` ago."""
    past = time.time() - seconds
    for path in kp_cache.entry_path(key).iterdir():
        os.utime(path, (past, past))


def test_the_least_recently_used_entries_go_when_the_cap_is_passed(cache, monkeypatch):
    kp_cache.put("a", sequence(300, 0))
    size = entry_bytes("a")
    kp_cache.put("b", sequence(300, 1))
    kp_cache.put("c", sequence(300, 2))
    age("a", 300), age("b", 200), age("c", 100)
    assert kp_cache.get("a", "v.mp4") is not None  # reading "a" makes it the most recently used
    monkeypatch.setenv("HINGECOACH_CACHE_MAX_MB", str(3.5 * size / 1024 ** 2))
    kp_cache.put("d", sequence(300, 3))  # four entries over a cap of three and a half: one goes
    assert sorted(p.name for p in cache.iterdir()) == ["a", "c", "d"]
    assert sum(entry_bytes(k) for k in ("a", "c", "d")) <= kp_cache.max_bytes()
    assert kp_cache.get("b", "v.mp4") is None and kp_cache.get("c", "v.mp4") is not None


def test_the_entry_just_written_stays_even_over_the_cap(cache, monkeypatch):
    monkeypatch.setenv("HINGECOACH_CACHE_MAX_MB", "0")
    kp_cache.put("a", sequence(100, 0))
    kp_cache.put("b", sequence(100, 1))
    assert [p.name for p in cache.iterdir()] == ["b"]
    assert np.array_equal(kp_cache.get("b", "v.mp4").xyz, sequence(100, 1).xyz)


def test_a_run_in_progress_stays_and_an_abandoned_one_goes(cache, monkeypatch):
    arrays = {"xyz": np.zeros((10, 33, 3)), "visibility": np.ones((10, 33))}
    kp_cache.write_part(kp_cache.entry_path("running"), 0, arrays)
    kp_cache.write_part(kp_cache.entry_path("abandoned"), 0, arrays)
    age("abandoned", kp_cache.STALE_PARTIAL_S + 60)
    monkeypatch.setenv("HINGECOACH_CACHE_MAX_MB", "0")
    kp_cache.put("done", sequence(100, 0))
    assert sorted(p.name for p in cache.iterdir()) == ["done", "running"]


def test_an_abandoned_run_goes_even_under_the_cap(cache):
    kp_cache.write_part(kp_cache.entry_path("abandoned"), 0, {"xyz": np.zeros((10, 33, 3))})
    age("abandoned", kp_cache.STALE_PARTIAL_S + 60)
    assert kp_cache.prune(kp_cache.max_bytes()) == ["abandoned"]
    assert not cache.joinpath("abandoned").exists()


@pytest.mark.parametrize("value", ["lots", "-1"])
def test_a_bad_cap_is_named_before_any_pose_runs(cache, monkeypatch, value):
    monkeypatch.setenv("HINGECOACH_CACHE_MAX_MB", value)
    with pytest.raises(HingeInputError, match="HINGECOACH_CACHE_MAX_MB should be a number of megabytes, 0 or more"):
        kp_cache.get("a", "v.mp4")
