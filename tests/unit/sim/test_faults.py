"""Fault severity moves the relevant true measure monotonically; labels say what was done."""

import numpy as np
import pytest

from hingecoach.sim import simulate
from hingecoach.sim.faults import FAULT_CODES, MAJOR_CUT, severity_label


def at(truth, name, where):
    frames = [getattr(r, where) for r in truth.reps]
    return float(np.mean(truth[name][frames]))


def rng_range(truth, name, rep):
    seg = truth[name][rep.start_frame:rep.end_frame + 1]
    return float(np.ptp(seg))


# fault -> (movement, measure function, +1 if it grows with severity else -1)
MEASURES = {
    "torso_leads": ("hinge", lambda t: at(t, "hip_back_frac_leg", "bottom_frame"), -1),
    "knees_locked": ("hinge", lambda t: at(t, "knee_angle_deg", "bottom_frame"), +1),
    "knees_too_bent": ("hinge", lambda t: at(t, "knee_angle_deg", "bottom_frame"), -1),
    "spine_rounded": ("hinge", lambda t: at(t, "spine_flex_deg", "bottom_frame"), +1),
    "spine_overarched": ("hinge", lambda t: at(t, "spine_flex_deg", "bottom_frame"), -1),
    "too_deep": ("hinge", lambda t: at(t, "trunk_angle_deg", "bottom_frame"), +1),
    "weight_on_toes": ("hinge", lambda t: at(t, "com_foot_frac", "bottom_frame"), +1),
    "pelvis_rock": ("hinge", lambda t: np.mean([rng_range(t, "pelvis_rock_deg", r) for r in t.reps]), +1),
    "incomplete_lockout": ("hinge", lambda t: at(t, "hip_angle_deg", "end_frame"), -1),
    "lockout_lean_back": ("hinge", lambda t: at(t, "trunk_angle_deg", "end_frame"), -1),
}


def test_every_fault_has_a_monotonic_measure():
    assert set(MEASURES) == set(FAULT_CODES)


@pytest.mark.parametrize("code", FAULT_CODES)
def test_severity_moves_the_measure_monotonically(code):
    movement, measure, sign = MEASURES[code]
    values = []
    for sev in (0.0, 0.3, 0.6, 1.0):
        r = simulate(movement, reps=3, seed=31, noise="none", setup=False,
                     faults={code: sev} if sev else {})
        values.append(sign * measure(r.truth))
    assert np.all(np.diff(values) > 0), (code, values)


def test_torso_leads_puts_the_centre_of_mass_forward():
    good = simulate("hinge", reps=3, seed=32, noise="none", setup=False).truth
    bad = simulate("hinge", reps=3, seed=32, noise="none", setup=False, faults={"torso_leads": 1.0}).truth
    assert at(bad, "com_foot_frac", "bottom_frame") > at(good, "com_foot_frac", "bottom_frame") + 0.1


def test_rep_labels_carry_code_severity_and_class():
    r = simulate("hinge", reps=4, seed=33, noise="none", faults={"spine_rounded": 0.8, "pelvis_rock": 0.2})
    for rep in r.truth.to_dict()["reps"]:
        assert set(rep["faults"]) == {"spine_rounded", "pelvis_rock"}
        assert rep["faults"]["spine_rounded"]["class"] == "major"
        assert rep["faults"]["pelvis_rock"]["class"] == "minor"
        assert rep["pattern"] == "hinge"
    assert severity_label(MAJOR_CUT) == "major" and severity_label(MAJOR_CUT - 0.01) == "minor"
    assert severity_label(0.0) == "none"


def test_good_set_has_no_fault_labels_and_the_asked_rep_count():
    r = simulate("squat", reps=6, seed=34)
    assert r.truth.n_reps == 6
    assert all(rep.faults == {} for rep in r.truth.reps)
    assert all(rep.pattern == "squat" for rep in r.truth.reps)


def test_reps_are_ordered_and_setup_frames_hold_no_rep():
    t = simulate("hinge", reps=5, seed=35).truth
    for rep in t.reps:
        assert rep.start_frame < rep.bottom_frame < rep.end_frame
        assert rep.start_s < rep.bottom_s < rep.end_s
    for prev, nxt in zip(t.reps, t.reps[1:], strict=False):
        assert prev.end_frame < nxt.start_frame
    walk = [p for p in t.phases if p["tag"] in ("walk_in", "walk_out")]
    assert len(walk) == 2
    assert walk[0]["end_frame"] < t.reps[0].start_frame and walk[1]["start_frame"] > t.reps[-1].end_frame


def test_unknown_or_impossible_faults_are_refused():
    with pytest.raises(ValueError, match="fault code"):
        simulate("hinge", reps=1, faults={"wobbly": 0.5})
    with pytest.raises(ValueError, match="severity"):
        simulate("hinge", reps=1, faults={"torso_leads": 1.5})
    with pytest.raises(ValueError, match="kneeling"):
        simulate("kneeling", reps=1, faults={"knees_locked": 0.5})


@pytest.mark.parametrize("seed", [34, 35, 36])
def test_a_locked_knee_is_nearly_straight_whatever_the_persons_soft_bend(seed):
    # The fault is a state of the knee: a major lock leaves at most 6 deg of bend at the
    # bottom, a minor one at most 12, while a clean hinge keeps its 15-25 deg soft bend.
    bend = {}
    for sev in (0.0, 0.3, 0.6):
        t = simulate("hinge", reps=3, seed=seed, noise="none", setup=False,
                     faults={"knees_locked": sev} if sev else {}).truth
        bend[sev] = 180.0 - at(t, "knee_angle_deg", "bottom_frame")
    assert bend[0.0] >= 14.0
    assert bend[0.3] <= 12.0 * (1 - 0.3 * 0.9) + 0.5
    assert bend[0.6] <= 12.0 * (1 - 0.6 * 0.9) + 0.5


def test_labels_name_the_weight_a_stoop_puts_on_the_toes():
    # A stoop lets the centre of mass drift 0.55-0.68 of the foot forward by design; the label
    # says so in weight_on_toes' own units (0.35 of a foot = severity 1). A clean hinge keeps
    # the weight over mid-foot and gets no such label.
    stoop = simulate("stoop", reps=4, seed=37, noise="none", setup=False).truth
    for rep in stoop.reps:
        shift = float(stoop["com_foot_frac"][rep.bottom_frame] - stoop["com_foot_frac"][rep.start_frame])
        if shift >= 0.35 * 0.25:
            assert rep.faults.get("weight_on_toes", 0) == pytest.approx(shift / 0.35, abs=0.08)
        assert "weight_on_toes" in rep.faults or shift < 0.35 * 0.2 + 0.02
    hinge = simulate("hinge", reps=4, seed=37, noise="none", setup=False).truth
    assert not any("weight_on_toes" in rep.faults for rep in hinge.reps)
