"""`hinge simulate` writes files that load back; seeds reproduce exactly."""

import json

import numpy as np
import pytest

from hingecoach.cli import main
from hingecoach.sim import simulate
from hingecoach.sim.suite import accuracy_suite
from hingecoach.sources import load


def test_same_seed_same_result_other_seed_other_result():
    a = simulate("hinge", reps=3, seed=41, faults={"torso_leads": 0.5}, view="oblique")
    b = simulate("hinge", reps=3, seed=41, faults={"torso_leads": 0.5}, view="oblique")
    c = simulate("hinge", reps=3, seed=42, faults={"torso_leads": 0.5}, view="oblique")
    assert a.pose.equals(b.pose)
    assert a.truth.to_dict() == b.truth.to_dict()
    assert not a.pose.equals(c.pose)


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_cli_writes_keypoints_and_labels_that_load_back(tmp_path, suffix):
    out = tmp_path / f"set{suffix}"
    code = main(["simulate", "--movement", "squat", "--reps", "3", "--fault", "weight_on_toes:0.6",
                 "--view", "side", "--seed", "43", "--noise", "low", "--out", str(out)])
    assert code == 0
    pose = load(out)
    labels = json.loads((tmp_path / "set.labels.json").read_text())
    assert labels["n_reps"] == 3 and labels["pattern"] == "squat"
    assert labels["reps"][0]["faults"]["weight_on_toes"]["class"] == "major"
    assert len(labels["series"]["hip_angle_deg"]) == pose.n_frames
    ref = simulate("squat", reps=3, faults={"weight_on_toes": 0.6}, view="side", seed=43, noise="low")
    np.testing.assert_allclose(pose.xyz, ref.pose.xyz, equal_nan=True)
    assert pose.view == "side"


def test_cli_refuses_bad_options_with_one_line(tmp_path, capsys):
    code = main(["simulate", "--fault", "nope", "--out", str(tmp_path / "x.json")])
    assert code == 2
    assert "Unknown fault" in capsys.readouterr().err
    assert main(["simulate", "--out", str(tmp_path / "x.txt")]) == 2


def test_suite_is_large_varied_and_uses_seeds_apart_from_the_tests():
    configs = list(accuracy_suite())
    assert len(configs) == 500
    assert min(c["seed"] for c in configs) >= 100000
    assert {c["view"] for c in configs} == {"side", "oblique", "front"}
    assert {c["movement"] for c in configs} == {"hinge", "squat", "stoop", "kneeling"}
    assert {c["noise"] for c in configs} == {"low", "typical", "high"}
    faults = [s for c in configs for s in c["faults"].values()]
    assert min(faults) < 0.5 <= max(faults)
    assert configs == list(accuracy_suite())
