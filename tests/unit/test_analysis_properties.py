"""Property tests: any finite PoseSequence through the whole analysis never crashes and every
number it returns is physically possible.

Sequences come from a seed and a few shape parameters (numpy fills the arrays, hypothesis
shrinks the parameters): pure noise, a real-looking stick figure doing hinge reps with noise,
NaN gaps, lost keypoints and jittered timestamps, and 0, 1 or 2 frame clips.
"""

from __future__ import annotations

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hingecoach.analysis import analyze
from hingecoach.pose import PoseSequence
from tests.fixtures.figures import hinge_reps

K = 33
_SETTINGS = settings(max_examples=60, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow])
ANGLES_0_180 = ("hip_angle_deg", "knee_angle_deg")
ANGLES_SIGNED = ("trunk_angle_deg", "shin_angle_deg", "thigh_angle_deg", "neck_angle_deg", "back_bend_deg")


def timestamps(rng: np.random.Generator, n: int, fps: float, jitter: float) -> np.ndarray:
    """Strictly increasing times: nominal steps scaled by up to ``jitter`` (variable frame rate)."""
    steps = (1.0 / fps) * (1.0 + jitter * rng.uniform(-0.9, 0.9, n))
    return np.concatenate([[0.0], np.cumsum(steps[1:])]) if n else np.zeros(0)


def with_gaps(rng: np.random.Generator, xyz: np.ndarray, vis: np.ndarray, gap_frac: float):
    """Knock out whole frames, single keypoints and runs of frames (NaN, visibility 0)."""
    xyz, vis = xyz.copy(), vis.copy()
    n = xyz.shape[0]
    lost = rng.random((n, K)) < gap_frac
    lost |= (rng.random(n) < gap_frac)[:, None]
    if n > 4 and rng.random() < 0.5:
        a = int(rng.integers(0, n - 1))
        lost[a:a + int(rng.integers(1, n // 2 + 2))] = True
    xyz[lost] = np.nan
    vis[lost] = 0.0
    return xyz, vis


@st.composite
def noise_sequences(draw) -> PoseSequence:
    """Landmarks anywhere (inside, outside, far outside the picture), any visibility."""
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(0, 90))
    fps = draw(st.floats(0.5, 480.0))
    scale = draw(st.sampled_from([1.0, 100.0, 1e4, 1e7]))
    rng = np.random.default_rng(seed)
    xyz = rng.normal(0.0, scale, (n, K, 3))
    vis = rng.uniform(-0.5, 1.5, (n, K))
    xyz, vis = with_gaps(rng, xyz, vis, draw(st.floats(0.0, 1.0)))
    w, h = draw(st.integers(1, 8000)), draw(st.integers(1, 8000))
    return PoseSequence(xyz=xyz, visibility=vis, t_s=timestamps(rng, n, fps, draw(st.floats(0, 1))),
                        fps=fps, image_size=(w, h), source="noise")


@st.composite
def figure_sequences(draw) -> PoseSequence:
    """A stick figure doing hinge reps (so reps and faults are found), then damaged: noise,
    NaN gaps, a random slice, resampled in time."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    seq = hinge_reps(n_reps=draw(st.integers(1, 3)), fps=draw(st.sampled_from([10.0, 30.0, 60.0])),
                     depth_trunk_deg=draw(st.floats(5.0, 110.0)),
                     knee_flex_deg=(draw(st.floats(0.0, 40.0)), draw(st.floats(0.0, 120.0))),
                     shin_deg=(draw(st.floats(-20.0, 20.0)), draw(st.floats(-20.0, 40.0))),
                     rep_s=draw(st.floats(0.4, 4.0)), stand_s=draw(st.floats(0.0, 1.5)),
                     facing=draw(st.sampled_from(["left", "right"])))
    start = draw(st.integers(0, seq.n_frames))
    stop = draw(st.integers(start, seq.n_frames))
    xyz = seq.xyz[start:stop] + rng.normal(0.0, draw(st.floats(0.0, 40.0)), (stop - start, K, 3))
    xyz, vis = with_gaps(rng, xyz, seq.visibility[start:stop], draw(st.floats(0.0, 0.6)))
    fps = draw(st.floats(1.0, 240.0))
    return PoseSequence(xyz=xyz, visibility=vis, t_s=timestamps(rng, stop - start, fps, draw(st.floats(0, 1))),
                        fps=fps, image_size=seq.image_size, source="figure")


def check_bounds(seq: PoseSequence) -> None:
    """Run the analysis and check every output is possible for a human body and this clip."""
    result = analyze(seq)
    kin = result.kinematics
    assert kin.n_frames == seq.n_frames
    for name in ANGLES_0_180:
        values = kin[name][np.isfinite(kin[name])]
        assert np.all((values >= 0.0) & (values <= 180.0 + 1e-9)), name
    for name in ANGLES_SIGNED:
        if name in kin.series:
            values = kin[name][np.isfinite(kin[name])]
            assert np.all(np.abs(values) <= 180.0 + 1e-9), name
    t0, t1 = (seq.t_s[0], seq.t_s[-1]) if seq.n_frames else (0.0, 0.0)
    assert len(result.assessments) == len(result.reps)
    assert result.rep_count <= seq.n_frames // 3  # a rep needs a descent, a bottom and an ascent
    for rep, assessment in zip(result.reps, result.assessments, strict=True):
        assert 0 <= rep.start_frame <= rep.bottom_frame <= rep.end_frame < seq.n_frames
        assert t0 - 1e-9 <= rep.start_s <= rep.bottom_s <= rep.end_s <= t1 + 1e-9
        assert not (rep.descent_s < 0 or rep.ascent_s < 0)  # NaN: not seen (a partial rep)
        assert 0.0 <= rep.depth_hip_angle_deg <= 180.0
        if not rep.partial:  # a partial rep is measured, not graded (score NaN)
            assert 0.0 <= assessment.score <= 100.0
        assert assessment.pattern in ("hinge", "squat", "stoop", "unknown")
        assert 0.0 <= assessment.pattern_confidence <= 1.0
    if result.summary.score is not None:
        assert 0.0 <= result.summary.score <= 100.0
    assert all(isinstance(w, str) and w for w in result.warnings)
    doc = json.dumps(result.to_dict(), allow_nan=False)  # the JSON result is always valid JSON
    assert json.loads(doc)["frames"] == seq.n_frames


@_SETTINGS
@given(seq=noise_sequences())
def test_noise_never_crashes_and_stays_in_bounds(seq):
    check_bounds(seq)


@_SETTINGS
@given(seq=figure_sequences())
def test_damaged_figures_never_crash_and_stay_in_bounds(seq):
    check_bounds(seq)


@given(n=st.integers(0, 2), fps=st.floats(1.0, 240.0))
@settings(max_examples=15, deadline=None, database=None)
def test_zero_one_two_frames(n, fps):
    seq = hinge_reps(n_reps=1).slice(40, 40 + n).replace(
        t_s=np.arange(n) / fps, fps=fps)
    check_bounds(seq)
    assert analyze(seq).rep_count == 0
