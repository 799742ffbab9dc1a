"""Readers on files the other tools wrote themselves (tests/fixtures/data/README.md says where
each comes from), not on files built in the tests."""

from __future__ import annotations

import numpy as np
import pytest

from hingecoach.pose.schema import INDEX
from hingecoach.sources import load
from tests.fixtures.clips import REPO

DATA = REPO / "tests" / "fixtures" / "data"


def test_a_pose2sim_trc_lands_each_marker_in_its_slot():
    seq = load(DATA / "pose2sim_static_trial.trc")
    assert (seq.n_frames, seq.fps, seq.view, seq.facing) == (12, 60, "side", "right")
    np.testing.assert_allclose(seq.t_s, np.arange(1, 13) / 60.0, atol=1e-9)  # the file's times
    # BlazePose has no neck, head top or small toe: named as left out, not put in a wrong slot
    assert set(seq.meta["markers_unused"]) == {"RSmallToe", "LSmallToe", "Neck", "Head"}
    assert len(seq.meta["markers_used"]) == 17
    # metres kept: the file's right knee is 0.367 m below the hips' midpoint (world y down)
    assert seq.world_xyz[0, INDEX["right_knee"], 1] == pytest.approx(0.8697 - 0.5027, abs=1e-3)
    # the person faces +X (OpenSim's forward): toes ahead of heels by the file's 0.227 m
    toe, heel = seq.point("right_foot_index")[0], seq.point("right_heel")[0]
    assert toe[0] - heel[0] == pytest.approx(227.0, abs=2.0)
    # standing upright: shoulders above hips above knees above ankles in the image (y down)
    ys = [seq.point(f"left_{j}")[0, 1] for j in ("shoulder", "hip", "knee", "ankle")]
    assert ys == sorted(ys)
    assert (seq.vis("right_hip") == 1).all() and (seq.vis("left_ear") == 0).all()
