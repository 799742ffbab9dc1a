"""The accuracy benchmark's bootstrap spread: resampling sets of identical make-up gives the
point figure every time; a set mix gives figures between its parts."""

import numpy as np
from bench.assess_sim import bootstrap_f1


def _set(n_called_major, n_major=4, n_clean=4):
    matched = [{"assessable": {"too_deep"}, "faults_true": {"too_deep": 0.8},
                "faults": {"too_deep": "major"} if i < n_called_major else {}} for i in range(n_major)]
    matched += [{"assessable": {"too_deep"}, "faults_true": {}, "faults": {}} for _ in range(n_clean)]
    return {"matched": matched}


def test_identical_sets_give_the_point_figure_on_every_draw():
    f1_min, f1_maj = bootstrap_f1([_set(2)] * 20, "too_deep", draws=50)
    # precision 1, recall 0.5 -> F1 2/3; no minor reps, so the minor F1 is undefined
    assert np.allclose(f1_maj, 2 / 3)
    assert np.isnan(f1_min).all()


def test_a_mix_of_sets_spreads_between_its_parts():
    _, f1_maj = bootstrap_f1([_set(4)] * 10 + [_set(0)] * 10, "too_deep", draws=200, seed=1)
    # half the sets find every rep, half none: recall about 0.5 either way of a draw
    assert 0.0 < np.nanmin(f1_maj) < 2 / 3 < np.nanmax(f1_maj) <= 1.0
    assert abs(np.nanmedian(f1_maj) - 2 / 3) < 0.05


def test_history_gives_the_same_bodys_usual_depth_through_the_store():
    # --history: one clean set of the same body on another day, logged and read back by the
    # store. The usual depth belongs to the body (its hamstrings and proportions): the same for
    # a clean and a too-deep set of that body, so the set being graded does not leak into it.
    from bench.assess_sim import evaluate_set

    for seed in (11, 12):
        clean = {"movement": "hinge", "reps": 6, "faults": {}, "view": "side", "seed": seed,
                 "noise": "low", "body_type": "average", "setup": True}
        deep = dict(clean, faults={"too_deep": 1.0})
        a, b = evaluate_set(clean, history=True), evaluate_set(deep, history=True)
        assert a["usual_depth_hip_angle_deg"] is not None
        assert a["usual_depth_hip_angle_deg"] == b["usual_depth_hip_angle_deg"]
        assert 60.0 < a["usual_depth_hip_angle_deg"] < 130.0
        assert evaluate_set(clean)["usual_depth_hip_angle_deg"] is None
