import numpy as np

from hingecoach.kinematics import compute_kinematics
from hingecoach.reps import completed, segment_reps
from tests.fixtures.figures import hinge_reps, stick_pose


def _reps(seq):
    return segment_reps(compute_kinematics(seq))


def test_counts_reps_and_orders_their_events():
    reps = _reps(hinge_reps(n_reps=6))
    assert len(completed(reps)) == 6
    for a, b in zip(reps, reps[1:], strict=False):
        assert a.end_frame < b.start_frame
    for r in reps:
        assert r.start_frame <= r.bottom_window[0] <= r.bottom_frame <= r.bottom_window[1] <= r.end_frame
        assert r.start_s < r.bottom_s < r.end_s
        assert [r.phase_of(f) for f in (r.start_frame, r.bottom_frame, r.end_frame)] == \
            ["descent", "bottom", "lockout"]


def test_back_to_back_reps_do_not_overlap():
    reps = _reps(hinge_reps(n_reps=5, stand_s=0.1))
    assert len(completed(reps)) == 5
    assert all(a.end_frame < b.start_frame for a, b in zip(reps, reps[1:], strict=False))


def test_no_ghost_reps_from_standing_and_fidgeting():
    n = 300
    rng = np.random.default_rng(3)
    wobble = 6 * np.sin(np.arange(n) / 7) + rng.normal(0, 1, n)
    assert _reps(stick_pose(np.abs(wobble), np.full(n, 10.0), np.full(n, 5.0))) == []


def test_a_clip_that_ends_at_the_bottom_has_a_partial_rep():
    seq = hinge_reps(n_reps=3)
    cut = seq.slice(0, int(seq.n_frames - 2.5 * seq.fps))  # stop in the middle of the last rep
    reps = _reps(cut)
    assert len(completed(reps)) == 2
    assert reps[-1].partial


def test_a_clip_that_starts_at_the_bottom_counts_its_first_ascent():
    seq = hinge_reps(n_reps=3)
    start = int(2.5 * seq.fps)  # the first rep's bottom
    reps = _reps(seq.slice(start, seq.n_frames))
    assert len(completed(reps)) == 3
    assert reps[0].from_bottom
