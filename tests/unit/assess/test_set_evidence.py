"""Set evidence: a habit the whole set shows is named on the reps that show it, from the set's
median (thresholds ``set_evidence``), and never from one or two reps."""

import math
import statistics

from hingecoach.assess import set_medians
from hingecoach.assess.checks import check_rep
from hingecoach.config import section
from hingecoach.reps import Rep

LEVEL = "dowel"
FRAMES = {"start": (0, 5), "bottom": (20, 30), "lockout": (40, 50), "descent": (0, 20)}


def _lean_back_codes(own_deg, set_values):
    m = {"lean_back_lockout_deg": own_deg}
    faults = check_rep(m, pattern="hinge", view="side", frames=FRAMES, level=LEVEL, set_values=set_values)
    return {f.code: f for f in faults}


def _limits():
    cfg = section("faults", LEVEL)["lockout_lean_back"]
    return cfg["signals"][0], cfg["set_evidence"]


def test_set_median_names_the_fault_on_a_rep_below_its_own_limit():
    rep_signal, ev = _limits()
    own = (ev["rep_floor"] + rep_signal["minor"]) / 2  # past the floor, short of the rep's limit
    assert "lockout_lean_back" not in _lean_back_codes(own, None)
    hit = _lean_back_codes(own, {"lean_back_lockout_deg": ev["minor"] + 0.5})["lockout_lean_back"]
    assert hit.severity == "minor"
    assert hit.measure == "lean_back_lockout_deg (set median)"
    assert hit.threshold == ev["minor"]


def test_set_median_short_of_its_limit_or_a_rep_under_the_floor_names_nothing():
    rep_signal, ev = _limits()
    own = (ev["rep_floor"] + rep_signal["minor"]) / 2
    assert "lockout_lean_back" not in _lean_back_codes(own, {"lean_back_lockout_deg": ev["minor"] - 0.5})
    assert "lockout_lean_back" not in _lean_back_codes(ev["rep_floor"] - 0.5,
                                                       {"lean_back_lockout_deg": ev["major"] + 5})


def test_a_major_set_median_makes_the_rep_major():
    rep_signal, ev = _limits()
    hit = _lean_back_codes(rep_signal["minor"] + 0.1, {"lean_back_lockout_deg": ev["major"] + 1})
    assert hit["lockout_lean_back"].severity == "major"


def test_evidence_restricted_to_a_view_is_not_read_from_another():
    # the default table (loaded lifts): the tall-stance evidence, from the side only
    ev = section("faults", None)["incomplete_lockout"]["set_evidence"]
    assert ev["views"] == ["side"]
    m = {"lockout_hip_angle_deg": ev["rep_floor"] - 0.5}
    values = {"lockout_hip_angle_deg": ev["minor"] - 2}
    side = check_rep(m, pattern="hinge", view="side", frames=FRAMES, level=None, set_values=values)
    oblique = check_rep(m, pattern="hinge", view="oblique", frames=FRAMES, level=None, set_values=values)
    assert "incomplete_lockout" in {f.code for f in side}
    assert "incomplete_lockout" not in {f.code for f in oblique}


def _rep(i, partial=False):
    return Rep(index=i, start_frame=10 * i, bottom_frame=10 * i + 4, end_frame=10 * i + 9,
               start_s=float(i), bottom_s=i + 0.4, end_s=i + 0.9, bottom_window=(10 * i + 3, 10 * i + 5),
               ascent_end_frame=10 * i + 8, depth_hip_angle_deg=90.0, depth_flexion_deg=90.0,
               descent_s=0.3, ascent_s=0.3, partial=partial, from_bottom=False)


def test_set_medians_need_enough_completed_reps():
    n = section("set_evidence", LEVEL)["min_reps"]
    values = [1.0, 9.0, 5.0, 7.0, 3.0][:n]
    measures = [{"lean_back_lockout_deg": v} for v in values]
    assert set_medians(measures, [_rep(i) for i in range(n)], LEVEL)["lean_back_lockout_deg"] == \
        statistics.median(values)
    # one short, or the last one partial (setting the weight down is not a rep): no evidence
    assert "lean_back_lockout_deg" not in set_medians(measures[:-1], [_rep(i) for i in range(n - 1)], LEVEL)
    reps = [_rep(i, partial=(i == n - 1)) for i in range(n)]
    assert "lean_back_lockout_deg" not in set_medians(measures, reps, LEVEL)
    # missing readings do not count
    gaps = [{"lean_back_lockout_deg": math.nan}] + measures[1:]
    assert "lean_back_lockout_deg" not in set_medians(gaps, [_rep(i) for i in range(n)], LEVEL)


def _too_deep(m, set_values):
    faults = check_rep(m, pattern="hinge", view="side", frames=FRAMES, level=LEVEL, set_values=set_values)
    return [f for f in faults if f.code == "too_deep"]


def test_too_deep_needs_every_compensation_and_may_read_them_from_the_set():
    cfg = section("faults", LEVEL)["too_deep"]
    comp, ev = cfg["compensation"], cfg["set_evidence"]
    assert comp["min_count"] == 3 and ev["compensation_from_set"]
    giving_way = {"knee_flexion_gain_deg": comp["knee_flexion_gain_deg"] + 5,
                  "back_bend_bottom_deg": comp["back_bend_deg"] + 3,
                  "com_foot_shift_bottom_frac": comp["com_foot_shift_frac"] + 0.05}
    deep = cfg["signals"][0]["minor"] - 5
    # one rep, deep: all three compensations name it, two do not
    assert _too_deep({"depth_hip_angle_deg": deep, **giving_way}, None)
    two = dict(giving_way, com_foot_shift_bottom_frac=0.0)
    assert not _too_deep({"depth_hip_angle_deg": deep, **two}, None)
    # a rep that alone shows too little: the set's medians give way all three ways
    shallow = {"depth_hip_angle_deg": ev["rep_floor"] - 1, **two}
    set_values = {"depth_hip_angle_deg": ev["minor"] - 1, **giving_way}
    hit = _too_deep(shallow, set_values)
    assert hit and hit[0].measure == "depth_hip_angle_deg (set median)"
    assert not _too_deep(shallow, dict(set_values, com_foot_shift_bottom_frac=0.0))
    assert not _too_deep(shallow, dict(set_values, depth_hip_angle_deg=ev["minor"] + 1))


def test_a_lockout_short_of_the_persons_own_standing_is_named_from_the_set():
    # Bodyweight levels: the top hip angle against the person's standing before the set. A rep
    # 5 deg short reads clean alone (a tall-looking 173 deg), but a set that stops short every
    # time is named on it; a set whose median stands tall is not.
    m = {"lockout_hip_angle_deg": 173.0, "lockout_hip_short_of_setup_deg": 5.0}
    alone = check_rep(m, pattern="hinge", view="side", frames=FRAMES, level=LEVEL)
    assert "incomplete_lockout" not in {f.code for f in alone}
    ev = section("faults", LEVEL)["incomplete_lockout"]["set_evidence"]
    habit = {ev["measure"]: ev["minor"] + 2.0}
    named = check_rep(m, pattern="hinge", view="side", frames=FRAMES, level=LEVEL, set_values=habit)
    assert {f.code: f.severity for f in named}.get("incomplete_lockout") == "minor"
    tall = {ev["measure"]: ev["minor"] - 2.0}
    assert "incomplete_lockout" not in {f.code for f in check_rep(
        m, pattern="hinge", view="side", frames=FRAMES, level=LEVEL, set_values=tall)}


def test_a_view_can_have_set_limits_of_its_own():
    # From 45 deg the top reads less steadily against the person's standing, so the set's median
    # must pass a wider limit there than from the side.
    ev = section("faults", LEVEL)["incomplete_lockout"]["set_evidence"]
    side, oblique = ev["minor"], ev["by_view"]["oblique"]["minor"]
    assert side < oblique
    m = {"lockout_hip_short_of_setup_deg": 1.0}
    between = {ev["measure"]: (side + oblique) / 2}

    def named(view):
        faults = check_rep(m, pattern="hinge", view=view, frames=FRAMES, level=LEVEL, set_values=between)
        return "incomplete_lockout" in {f.code for f in faults}

    assert named("side") and not named("oblique")
