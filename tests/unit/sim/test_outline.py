"""The simulated back outline reads what the spine does, as the mask of a video would."""

import numpy as np
import pytest

from hingecoach.analysis import analyze
from hingecoach.config import section
from hingecoach.sim import simulate
from hingecoach.sim.outline import geometric_bend_deg, neutral_bend_deg


def bottom_bend(sim):
    bend = sim.pose.channels["back_bend_deg"]
    return np.array([np.nanmedian(bend[r.bottom_frame - 4:r.bottom_frame + 5]) for r in sim.truth.reps])


def test_neutral_spine_reads_as_the_persons_own_zero():
    sim = simulate("hinge", reps=3, seed=41, noise="none", setup=False)
    geo = geometric_bend_deg(sim.pose3d, sim.camera) - neutral_bend_deg(sim.body)
    standing = sim.truth["hip_angle_deg"] > 175  # spine straight up, no flexion anywhere
    assert np.abs(geo[standing]).max() < 1.0
    assert np.abs(bottom_bend(sim)).max() < 5.0  # the style's few degrees of lumbar/thoracic


@pytest.mark.parametrize(("fault", "sign"), [("spine_rounded", +1), ("spine_overarched", -1)])
def test_outline_bends_with_the_fault_and_its_severity(fault, sign):
    reads = [sign * bottom_bend(simulate("hinge", reps=3, seed=42, noise="none", setup=False,
                                         faults={fault: s} if s else {})).mean()
             for s in (0.0, 0.4, 1.0)]
    assert np.all(np.diff(reads) > 3.0), reads
    assert reads[2] > 10.0


def test_outline_is_missing_where_a_video_would_not_measure_it():
    sim = simulate("hinge", reps=3, seed=43, noise="typical")
    bend = sim.pose.channels["back_bend_deg"]
    upright = np.abs(sim.truth["trunk_angle_deg"]) < section("video")["spine_min_trunk_deg"] - 2.0
    assert np.isnan(bend[upright]).all()
    assert np.isfinite(bottom_bend(sim)).all()


def test_same_seed_same_outline():
    a = simulate("hinge", reps=2, seed=44, noise="high").pose.channels["back_bend_deg"]
    b = simulate("hinge", reps=2, seed=44, noise="high").pose.channels["back_bend_deg"]
    np.testing.assert_array_equal(a, b)


def test_a_stoop_is_labelled_with_the_rounding_it_holds():
    sim = simulate("stoop", reps=3, seed=45, noise="none", setup=False)
    assert all(r.faults.get("spine_rounded", 0) >= 0.5 for r in sim.truth.reps)
    hinge = simulate("hinge", reps=3, seed=45, noise="none", setup=False)
    assert all("spine_rounded" not in r.faults for r in hinge.truth.reps)


def test_rounded_and_overarched_backs_are_named_from_the_outline():
    level = "dowel"
    clean = analyze(simulate("hinge", reps=4, seed=46, noise="typical", setup=False).pose, level=level)
    rounded = analyze(simulate("hinge", reps=4, seed=46, noise="typical", setup=False,
                               faults={"spine_rounded": 0.9}).pose, level=level)
    arched = analyze(simulate("hinge", reps=4, seed=46, noise="typical", setup=False,
                              faults={"spine_overarched": 1.0}).pose, level=level)
    codes = lambda res: [{f.code for f in a.faults} for _, a in res.completed]  # noqa: E731
    assert not any({"spine_rounded", "spine_overarched"} & c for c in codes(clean))
    assert sum("spine_rounded" in c for c in codes(rounded)) >= 3
    assert sum("spine_overarched" in c for c in codes(arched)) >= 3
