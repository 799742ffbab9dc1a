"""Simulator body and chain: exact answers for simple postures, physical honesty."""

import numpy as np
import pytest

from hingecoach.sim import simulate
from hingecoach.sim.body import make_body, random_body
from hingecoach.sim.chain import CHANNELS, posture
from hingecoach.sim.pose3d import build_pose3d
from hingecoach.sim.truth import true_angles


def channels(n=1, **values):
    ch = {k: np.full(n, v, dtype=float) for k, v in CHANNELS.items()}
    ch.update({k: np.full(n, v, dtype=float) for k, v in values.items()})
    return ch


def pose_of(body, mode="standing", **values):
    p = posture(body, channels(**values), mode)
    return p, build_pose3d(body, p, np.zeros(1))


@pytest.mark.parametrize("height", [1.55, 1.75, 1.95])
def test_straight_standing_body_has_hip_and_knee_at_180(height):
    body = make_body(height, femur_scale=1.08, torso_scale=0.92)
    _, pose = pose_of(body, knee_deg=180.0, hip_flex_deg=0.0)
    truth = true_angles(pose)
    assert truth["hip_angle_deg"][0] == pytest.approx(180.0, abs=1e-6)
    assert truth["knee_angle_deg"][0] == pytest.approx(180.0, abs=1e-6)


def test_segment_lengths_follow_the_anthropometric_table():
    body = make_body(1.80)
    _, pose = pose_of(body, knee_deg=150.0, hip_flex_deg=60.0)
    p = pose.points
    thigh = np.linalg.norm((p["left_hip"] - p["left_knee"])[0, :2])
    shank = np.linalg.norm((p["left_knee"] - p["left_ankle"])[0, :2])
    assert thigh == pytest.approx(0.245 * 1.80, rel=1e-9)
    assert shank == pytest.approx(0.246 * 1.80, rel=1e-9)


def test_hip_flexion_and_knee_bend_read_back_as_angles():
    body = make_body(1.70)
    _, pose = pose_of(body, knee_deg=160.0, hip_flex_deg=70.0)
    truth = true_angles(pose)
    assert truth["knee_angle_deg"][0] == pytest.approx(160.0, abs=1e-6)
    assert truth["hip_angle_deg"][0] == pytest.approx(110.0, abs=1e-6)


def test_balance_puts_the_centre_of_mass_where_asked():
    body = make_body(1.75)
    for frac in (0.35, 0.5, 0.7):
        _, pose = pose_of(body, knee_deg=160.0, hip_flex_deg=70.0, com_frac=frac)
        assert true_angles(pose)["com_foot_frac"][0] == pytest.approx(frac, abs=0.005)


def test_good_hinge_keeps_feet_on_floor_com_over_foot_and_shins_near_vertical():
    r = simulate("hinge", reps=5, seed=11, noise="none")
    t = r.truth
    a, b = t.reps[0].start_frame, t.reps[-1].end_frame + 1
    for name in ("left_heel", "right_heel", "left_foot_index", "right_foot_index"):
        y = r.pose3d.points[name][a:b, 1]
        assert np.ptp(y) < 1e-9 and 0 <= y[0] < 0.03
    com = t["com_foot_frac"][a:b]
    assert com.min() > 0.3 and com.max() < 0.6
    shin = t["shin_angle_deg"][a:b]
    assert np.abs(shin).max() < 12.0
    bottoms = [rep.bottom_frame for rep in t.reps]
    assert np.all(t["hip_back_frac_leg"][bottoms] > 0.1)
    knee_bend = 180 - t["knee_angle_deg"][bottoms]
    assert np.all((knee_bend > 10) & (knee_bend < 30))


def test_joint_limits_hold_in_every_movement():
    for movement in ("hinge", "squat", "stoop", "kneeling"):
        r = simulate(movement, reps=3, seed=12, noise="none", faults={"spine_rounded": 1.0}
                     if movement != "squat" else {})
        t = r.truth
        assert np.nanmax(t["knee_angle_deg"]) <= 180.0 + 1e-9
        if movement != "kneeling":  # kneeling shins lie on the floor (about 90 degrees)
            assert np.nanmax(t["shin_angle_deg"]) <= 45.0 + 1e-6
        ys = np.stack([v[:, 1] for k, v in r.pose3d.points.items()])
        assert ys.min() > -1e-9, movement  # nothing below the floor


def test_squat_tips_the_shins_and_stoop_keeps_the_hips_over_the_feet():
    sq = simulate("squat", reps=3, seed=13, noise="none", setup=False).truth
    hi = simulate("hinge", reps=3, seed=13, noise="none", setup=False).truth
    st = simulate("stoop", reps=3, seed=13, noise="none", setup=False).truth
    b = lambda t, k: np.mean(t[k][[r.bottom_frame for r in t.reps]])  # noqa: E731
    assert b(sq, "shin_angle_deg") > 20 > b(hi, "shin_angle_deg")
    assert b(sq, "knee_angle_deg") < 110 < b(hi, "knee_angle_deg")
    assert b(st, "hip_back_frac_leg") < b(hi, "hip_back_frac_leg")
    assert b(st, "spine_flex_deg") > 30 > b(hi, "spine_flex_deg")


def test_kneeling_hinge_sits_back_with_knees_on_the_floor():
    r = simulate("kneeling", reps=3, seed=14, noise="none")
    knee_y = r.pose3d.points["left_knee"][:, 1]
    assert np.ptp(knee_y) < 1e-9 and knee_y[0] < 0.08
    t = r.truth
    tops = [rep.start_frame for rep in t.reps]
    bottoms = [rep.bottom_frame for rep in t.reps]
    assert np.all(t["hip_back_frac_leg"][bottoms] > t["hip_back_frac_leg"][tops] + 0.2)


def test_random_bodies_vary_with_the_seed_and_repeat_with_it():
    a = random_body(np.random.default_rng(1))
    b = random_body(np.random.default_rng(1))
    c = random_body(np.random.default_rng(2))
    assert a == b and a != c
    long_femur = random_body(np.random.default_rng(3), "long_femur")
    assert long_femur.femur_scale > 1.05
