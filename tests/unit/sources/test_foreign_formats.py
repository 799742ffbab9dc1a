"""Keypoint files from other tools land the right point in the right BlazePose slot."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hingecoach.errors import HingeInputError
from hingecoach.pose.schema import BLAZEPOSE33, COCO17, INDEX, OPENPOSE_BODY25
from hingecoach.sources import load
from hingecoach.sources.formats.openpose import OPENPOSE_COCO18

K = 33


def coco_points(frame: int, scale: float = 1.0) -> list[float]:
    """17 points with coordinates that encode (frame, point index): x = 10*i + frame, y = 5*i."""
    out = []
    for i in range(17):
        out += [(10.0 * i + frame) * scale, 5.0 * i * scale, 0.9]
    return out


# -- COCO ------------------------------------------------------------------------------------

def test_coco_results_map_each_point_to_its_blazepose_slot(tmp_path):
    dets = [{"image_id": f, "category_id": 1, "keypoints": coco_points(f), "score": 0.8}
            for f in (0, 1, 3)]
    dets.append({"image_id": 1, "keypoints": coco_points(1, 0.5), "score": 0.2})  # a second person
    path = tmp_path / "res.json"
    path.write_text(json.dumps(dets))
    seq = load(path, fps=25)
    assert seq.n_frames == 3
    np.testing.assert_allclose(seq.t_s, [0.0, 0.04, 0.12])  # frame 2 missing: a gap in time
    for i, name in enumerate(COCO17):
        np.testing.assert_allclose(seq.point(name)[1, :2], [10.0 * i + 1, 5.0 * i])
    assert np.isnan(seq.point("left_heel")).all() and (seq.vis("left_heel") == 0).all()
    np.testing.assert_allclose(seq.vis("left_knee"), 0.9)
    assert seq.meta["frames_with_several_people"] == 1
    assert seq.image_size == (int(np.ceil(10 * 16 + 3)) + 1, 81)
    assert any("extent" in h for h in seq.history)


def test_coco_dataset_uses_images_flags_and_fps(tmp_path):
    kp = coco_points(0)
    kp[2::3] = [2] * 17                    # COCO labels: 2 = visible
    kp[3 * INDEX["nose"] + 2] = 0          # nose (COCO index 0) not labelled
    kp[3 * COCO17.index("left_knee") + 2] = 1  # labelled, hidden
    doc = {"fps": 50, "images": [{"id": 7, "width": 640, "height": 480, "frame_id": 1},
                                 {"id": 9, "width": 640, "height": 480, "frame_id": 0}],
           "annotations": [{"image_id": 7, "category_id": 1, "keypoints": kp}],
           "categories": [{"id": 1, "name": "person", "keypoints": list(COCO17)}]}
    path = tmp_path / "ds.json"
    path.write_text(json.dumps(doc))
    seq = load(path)
    assert seq.image_size == (640, 480) and seq.fps == 50
    assert seq.n_frames == 2 and np.isnan(seq.xyz[0]).all()   # image 9 (frame 0) has nobody
    assert np.isnan(seq.point("nose")[1]).all()
    assert seq.vis("left_knee")[1] == 0.5 and seq.vis("right_ankle")[1] == 1.0
    np.testing.assert_allclose(seq.point("right_ankle")[1, :2], [160.0, 80.0])


def test_coco_default_fps_is_noted(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps([{"frame": 0, "keypoints": coco_points(0)}]))
    seq = load(path)
    assert seq.fps == 30 and any("assumed 30 fps" in h for h in seq.history)


@pytest.mark.parametrize("doc, words", [
    ([{"image_id": 0, "keypoints": [1, 2, 3]}], "expected 51"),
    ([{"keypoints": coco_points(0)}], "image_id"),
    ([{"image_id": 0, "keypoints": ["a"] * 51}], "list of numbers"),
    ({"annotations": [], "images": [{"id": [1]}]}, "images"),
    ({"annotations": []}, "no detections"),
])
def test_coco_errors_name_the_problem(tmp_path, doc, words):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(HingeInputError, match=words):
        load(path)


# -- OpenPose --------------------------------------------------------------------------------

def openpose_person(names: tuple[str | None, ...], shift: float = 0.0) -> list[float]:
    out = []
    for i, _ in enumerate(names):
        out += [100.0 + 3 * i + shift, 200.0 + 2 * i, 0.0 if i == 0 else 0.7]
    return out


def test_openpose_folder_body25_maps_and_orders_frames(tmp_path):
    folder = tmp_path / "json"
    folder.mkdir()
    for frame in (2, 0, 1):
        people = [{"pose_keypoints_2d": openpose_person(OPENPOSE_BODY25, shift=frame)}]
        if frame == 1:
            people.append({"pose_keypoints_2d": [1.0, 1.0, 0.9] * 25})  # tiny second person
        (folder / f"clip_{frame:012d}_keypoints.json").write_text(json.dumps({"version": 1.3, "people": people}))
    seq = load(folder, fps=10)
    np.testing.assert_allclose(seq.t_s, [0.0, 0.1, 0.2])
    for i, name in enumerate(OPENPOSE_BODY25):
        if name is None or i == 0:
            continue
        np.testing.assert_allclose(seq.point(name)[:, :2],
                                   [[100.0 + 3 * i + f, 200.0 + 2 * i] for f in range(3)])
    assert np.isnan(seq.point("nose")).all()          # confidence 0 = missing
    assert seq.point("left_heel")[0, 0] == 100.0 + 3 * 21
    assert seq.point("right_foot_index")[0, 0] == 100.0 + 3 * 22
    assert seq.meta["keypoint_schema"] == "body25" and seq.meta["frames_with_several_people"] == 1


def test_openpose_single_file_coco18(tmp_path):
    path = tmp_path / "one_keypoints.json"
    path.write_text(json.dumps({"people": [{"pose_keypoints_2d": openpose_person(OPENPOSE_COCO18)}]}))
    seq = load(path, image_size=(640, 480))
    assert seq.n_frames == 1 and seq.image_size == (640, 480)
    assert seq.point("right_hip")[0, 0] == 100.0 + 3 * 8
    assert seq.point("left_ear")[0, 0] == 100.0 + 3 * 17
    assert np.isnan(seq.point("left_heel")).all()


def test_openpose_errors(tmp_path):
    path = tmp_path / "x_keypoints.json"
    path.write_text(json.dumps({"people": [{"pose_keypoints_2d": [1.0] * 30}]}))
    with pytest.raises(HingeInputError, match="75 .BODY_25."):
        load(path)
    with pytest.raises(HingeInputError, match="folder"):
        load(tmp_path / "..")  # a folder without OpenPose files keeps the registry's error


# -- TRC -------------------------------------------------------------------------------------

TRC_MARKERS = ["Hip", "RHip", "RKnee", "RAnkle", "RBigToe", "RHeel", "LHip", "LKnee",
               "RShoulder", "LShoulder", "Nose", "Head"]


def write_trc(path, rows, markers=TRC_MARKERS, units="m", rate="60.00"):
    head = ["PathFileType\t4\t(X/Y/Z)\tx.trc",
            "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
            f"{rate}\t{rate}\t{len(rows)}\t{len(markers)}\t{units}\t{rate}\t1\t{len(rows)}",
            "Frame#\tTime\t" + "\t\t\t".join(markers),
            "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(markers))), ""]
    body = ["\t".join([str(f + 1), f"{f / 60:.6f}"] + [("" if v is None else repr(v)) for v in row])
            for f, row in enumerate(rows)]
    path.write_text("\n".join(head + body) + "\n")


def trc_frame(forward_x: float, dz_right: float = 0.1) -> list[float]:
    """Markers in OpenSim axes (X forward, Y up, Z right): known positions in metres."""
    pos = {"Hip": (0, 1.0, 0), "RHip": (0, 1.0, dz_right), "LHip": (0, 1.0, -dz_right),
           "RKnee": (0.05, 0.55, 0.1), "LKnee": (0.05, 0.55, -0.1), "RAnkle": (0, 0.1, 0.1),
           "RBigToe": (0.2, 0.02, 0.1), "RHeel": (-0.05, 0.02, 0.1), "RShoulder": (forward_x, 1.5, 0.2),
           "LShoulder": (forward_x, 1.5, -0.2), "Nose": (forward_x + 0.1, 1.7, 0), "Head": (0, 1.8, 0)}
    return [c for m in TRC_MARKERS for c in pos[m]]


def test_trc_projects_sagittal_view_and_keeps_metres(tmp_path):
    path = tmp_path / "p.trc"
    write_trc(path, [trc_frame(0.0), trc_frame(0.3)])
    seq = load(path)
    assert seq.fps == 60 and seq.view == "side" and seq.facing == "right"
    # Forward is image +x, up is image -y, 1000 px per metre.
    knee, hip = seq.point("right_knee")[0], seq.point("right_hip")[0]
    assert knee[0] - hip[0] == pytest.approx(50.0) and knee[1] - hip[1] == pytest.approx(450.0)
    toe, heel = seq.point("right_foot_index")[0], seq.point("right_heel")[0]
    assert toe[0] - heel[0] == pytest.approx(250.0)
    sh = seq.point("right_shoulder")
    assert sh[1, 0] - sh[0, 0] == pytest.approx(300.0)  # the trunk leans 0.3 m forward
    assert np.isnan(seq.point("left_ankle")).all() and seq.vis("left_ankle").max() == 0
    assert seq.world_xyz is not None
    mid = (seq.world_xyz[:, INDEX["left_hip"]] + seq.world_xyz[:, INDEX["right_hip"]]) / 2
    np.testing.assert_allclose(mid, 0.0, atol=1e-12)
    assert seq.world_xyz[0, INDEX["right_knee"], 1] == pytest.approx(0.45)  # metres, y down
    assert set(seq.meta["markers_unused"]) == {"Hip", "Head"}
    assert (seq.xyz[..., :2][np.isfinite(seq.xyz[..., 0])] >= 0).all()


def test_trc_finds_the_sagittal_plane_when_the_person_faces_z(tmp_path):
    """Rotate the body 90 degrees about Y: the projection must not change."""
    def rotate(row):
        pts = np.array(row).reshape(-1, 3)
        return np.stack([-pts[:, 2], pts[:, 1], pts[:, 0]], axis=1).ravel().tolist()
    a, b = tmp_path / "a.trc", tmp_path / "b.trc"
    write_trc(a, [trc_frame(0.1)])
    write_trc(b, [rotate(trc_frame(0.1))], units="m")
    np.testing.assert_allclose(load(a).xyz[..., :2], load(b).xyz[..., :2], atol=1e-9, equal_nan=True)


def test_trc_millimetres_and_mirror(tmp_path):
    path = tmp_path / "mm.trc"
    write_trc(path, [[v * 1000 for v in trc_frame(0.0)]], units="mm")
    seq = load(path, facing="left")
    knee, hip = seq.point("right_knee")[0], seq.point("right_hip")[0]
    assert knee[0] - hip[0] == pytest.approx(-50.0) and seq.facing == "left"


@pytest.mark.parametrize("text, words", [
    ("hello\n", "not a TRC"),
    ("PathFileType\t4\nDataRate\tUnits\n30\tfurlong\nFrame#\tTime\tRHip\n\t\tX1\tY1\tZ1\n", "Units"),
])
def test_trc_errors(tmp_path, text, words):
    path = tmp_path / "bad.trc"
    path.write_text(text)
    with pytest.raises(HingeInputError, match=words):
        load(path)


def test_trc_bad_cell_and_unknown_markers(tmp_path):
    path = tmp_path / "b.trc"
    row = trc_frame(0.0)
    write_trc(path, [row])
    path.write_text(path.read_text().replace(repr(row[4]), "oops", 1))
    with pytest.raises(HingeInputError, match="not a number"):
        load(path)
    write_trc(path, [[1.0, 2.0, 3.0]], markers=["Thing"])
    with pytest.raises(HingeInputError, match="maps to a body point"):
        load(path)


# -- MediaPipe-style -------------------------------------------------------------------------

def test_mediapipe_csv_numbered_columns(tmp_path):
    cols = ["frame"] + [f"{a}{i}" for i in range(K) for a in "xyzv"]
    rows = [[str(f)] + [repr(v) for i in range(K) for v in (i / 40, 0.5 + f / 100, -0.1, 0.8)]
            for f in (0, 2)]
    path = tmp_path / "mp.csv"
    path.write_text("\n".join(",".join(r) for r in [cols] + rows))
    seq = load(path, fps=20, image_size=(800, 600))
    np.testing.assert_allclose(seq.t_s, [0.0, 0.1])
    np.testing.assert_allclose(seq.point("left_knee")[1], [INDEX["left_knee"] / 40 * 800, 0.52 * 600, -80.0])
    np.testing.assert_allclose(seq.vis("nose"), 0.8)


def test_mediapipe_csv_named_columns_default_size(tmp_path):
    cols = ["timestamp_ms"] + [f"{n}_{a}" for n in BLAZEPOSE33 for a in ("x", "y", "z", "visibility")]
    row = ["40"] + ["0.5"] * (4 * K)
    path = tmp_path / "named.csv"
    path.write_text(",".join(cols) + "\n" + ",".join(row) + "\n")
    seq = load(path)
    assert seq.image_size == (1000, 1000) and any("1000x1000" in h for h in seq.history)
    assert seq.t_s[0] == pytest.approx(0.04)


def test_mediapipe_json_frames(tmp_path):
    lm = [{"x": i / 33, "y": 0.25, "z": 0.0, "visibility": 0.6} for i in range(K)]
    doc = {"fps": 24, "image_size": [100, 200],
           "frames": [{"frame": 0, "landmarks": lm}, {"frame": 1, "landmarks": []}]}
    path = tmp_path / "mp.json"
    path.write_text(json.dumps(doc))
    seq = load(path)
    assert seq.fps == 24 and seq.image_size == (100, 200)
    assert seq.point("right_hip")[0, 0] == pytest.approx(INDEX["right_hip"] / 33 * 100)
    assert np.isnan(seq.xyz[1]).all()


def test_mediapipe_json_wrong_count(tmp_path):
    path = tmp_path / "mp.json"
    path.write_text(json.dumps([{"landmarks": [[0.1, 0.2]] * 17}]))
    with pytest.raises(HingeInputError, match="17 landmarks, expected 33"):
        load(path)


def test_unknown_json_flavour_is_rejected(tmp_path):
    path = tmp_path / "what.json"
    path.write_text(json.dumps({"hello": 1}))
    with pytest.raises(HingeInputError, match="none of the known"):
        load(path)
