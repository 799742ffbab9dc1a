"""The TRC and MOT writers (`hinge analyze --trc/--mot`): markers in metres that read back into
their own slots with the body's shape kept, and the angles as OpenSim's storage table."""

from __future__ import annotations

import numpy as np
import pytest

from hingecoach.analysis import analyze
from hingecoach.cli import main
from hingecoach.errors import HingeInputError
from hingecoach.pose.schema import INDEX
from hingecoach.sim import simulate
from hingecoach.sources import load, save_keypoints
from hingecoach.sources.formats.mot import angle_columns, write_mot
from hingecoach.sources.formats.trc import TRC_WRITE_MARKERS, write_trc

SEGMENTS = [("right_hip", "right_knee"), ("left_knee", "left_ankle"), ("right_shoulder", "right_hip"),
            ("left_heel", "left_foot_index"), ("right_elbow", "right_wrist")]


def _set(view: str = "side", seed: int = 3):
    return simulate("hinge", reps=2, seed=seed, view=view, noise="none", setup=False).pose


def _lengths(world: np.ndarray) -> np.ndarray:
    return np.stack([np.linalg.norm(world[:, INDEX[a]] - world[:, INDEX[b]], axis=1) for a, b in SEGMENTS], 1)


@pytest.mark.parametrize("view", ["side", "oblique"])
def test_trc_written_then_read_keeps_every_marker_and_the_body(tmp_path, view):
    seq = _set(view)
    path = write_trc(seq, tmp_path / "set.trc", min_visibility=0.0)
    back = load(path)
    assert back.n_frames == seq.n_frames and back.fps == seq.fps
    np.testing.assert_allclose(back.t_s, seq.t_s, atol=1e-6)
    assert back.meta["markers_used"] == [name for _, name in TRC_WRITE_MARKERS] and not back.meta["markers_unused"]
    # rotated into the body's axes and re-centred, but the same body: every segment's length
    np.testing.assert_allclose(_lengths(back.world_xyz), _lengths(seq.world_xyz), atol=1e-5)
    # and the knee's bend (an angle no rotation changes)
    def knee(w):
        a, b = w[:, INDEX["right_hip"]] - w[:, INDEX["right_knee"]], w[:, INDEX["right_ankle"]] - w[:, INDEX["right_knee"]]
        return np.degrees(np.arccos(np.sum(a * b, 1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)))
    np.testing.assert_allclose(knee(back.world_xyz), knee(seq.world_xyz), atol=1e-3)
    # Y up and X the way the person faces: read back as a side view, head up, toes ahead
    assert back.facing == "right"
    assert (back.point("nose")[:, 1] < back.point("right_ankle")[:, 1]).all()
    toe, heel = back.point("right_foot_index")[0], back.point("right_heel")[0]
    assert toe[0] > heel[0]


def test_trc_leaves_unseen_landmarks_empty_and_they_read_back_missing(tmp_path):
    seq = _set()
    vis = seq.visibility.copy()
    vis[5:9, INDEX["left_wrist"]] = 0.1
    path = write_trc(seq.replace(visibility=vis), tmp_path / "s.trc", min_visibility=0.3)
    line = path.read_text().splitlines()[5 + 5]  # frame 6
    assert line.endswith("\t\t\t")  # the left wrist, the last marker: its three cells empty
    back = load(path)
    assert np.isnan(back.point("left_wrist")[5:9]).all() and np.isfinite(back.point("left_wrist")[:5]).all()


def test_trc_needs_world_landmarks(tmp_path):
    seq = _set()
    with pytest.raises(HingeInputError, match="no 3D world landmarks"):
        write_trc(seq.replace(world_xyz=None), tmp_path / "x.trc", min_visibility=0.3)
    assert not (tmp_path / "x.trc").exists()


def test_mot_holds_every_angle_in_degrees_per_frame(tmp_path):
    kin = analyze(_set()).kinematics
    lines = write_mot(kin, tmp_path / "a.mot").read_text().splitlines()
    head = lines[:lines.index("endheader")]
    names = lines[len(head) + 1].split("\t")
    assert "inDegrees=yes" in head and f"nRows={kin.n_frames}" in head and f"nColumns={len(names)}" in head
    assert names[0] == "time" and names[1:] == angle_columns(kin) and "hip_angle_deg" in names
    table = np.array([[float(v) for v in row.split("\t")] for row in lines[len(head) + 2:]])
    assert table.shape == (kin.n_frames, len(names))
    np.testing.assert_allclose(table[:, 0], kin.t_s, atol=1e-6)
    for i, name in enumerate(names[1:], 1):
        np.testing.assert_allclose(table[:, i], kin[name], atol=1e-6, equal_nan=True)


def test_hinge_analyze_writes_both_and_refuses_to_overwrite_its_input(tmp_path, capsys):
    src = save_keypoints(_set(), tmp_path / "set.json")
    assert main(["analyze", str(src), "--no-progress", "--trc", str(tmp_path / "o.trc"),
                 "--mot", str(tmp_path / "o.mot")]) == 0
    assert load(tmp_path / "o.trc").n_frames == load(src).n_frames
    assert (tmp_path / "o.mot").read_text().startswith("o\nversion=1\n")
    before = src.read_bytes()
    assert main(["analyze", str(src), "--no-progress", "--trc", str(src)]) == 2
    assert "is the input file" in capsys.readouterr().err and src.read_bytes() == before
