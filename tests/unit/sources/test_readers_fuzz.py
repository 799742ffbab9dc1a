"""Random bytes and random JSON fed to every reader raise nothing but HingeInputError."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hingecoach.errors import HingeInputError
from hingecoach.sources import keypoints_file
from hingecoach.sources.formats import coco, mediapipe, openpose, trc

READERS = {
    "hingecoach-json": (keypoints_file.load_json, ".json"),
    "hingecoach-csv": (keypoints_file.load_csv, ".csv"),
    "coco17": (coco.load_coco, ".json"),
    "openpose": (openpose.load_openpose, ".json"),
    "trc": (trc.load_trc, ".trc"),
    "mediapipe-csv": (mediapipe.load_mediapipe_csv, ".csv"),
    "mediapipe-json": (mediapipe.load_mediapipe_json, ".json"),
}
SNIFFS = (keypoints_file._sniff, coco.sniff_coco,
          openpose.sniff_openpose, mediapipe.sniff_mediapipe_json, mediapipe.sniff_mediapipe_csv)

_FUZZ = settings(max_examples=40, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(
        st.sampled_from(["keypoints", "image_id", "frame", "people", "pose_keypoints_2d",
                         "annotations", "images", "categories", "landmarks", "frames", "fps",
                         "image_size", "id", "width", "height", "score", "x", "y", "t_s", "xyz",
                         "visibility", "format", "version", "channels", "frame_id", "bbox"])
        | st.text(max_size=4), inner, max_size=6),
    max_leaves=40)


def _only_input_errors(reader, path) -> None:
    try:
        reader(path)
    except HingeInputError:
        pass


@pytest.mark.parametrize("name", sorted(READERS))
@_FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes(tmp_path, name, data):
    reader, suffix = READERS[name]
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    _only_input_errors(reader, path)
    for sniff in SNIFFS:
        assert sniff(path) in (True, False)


@pytest.mark.parametrize("name", [n for n, (_, s) in READERS.items() if s == ".json"])
@_FUZZ
@given(doc=json_values)
def test_random_json(tmp_path, name, doc):
    reader, _ = READERS[name]
    path = tmp_path / "f.json"
    path.write_text(json.dumps(doc))
    _only_input_errors(reader, path)
    for sniff in SNIFFS:
        assert sniff(path) in (True, False)


@_FUZZ
@given(people=st.lists(st.lists(st.floats() | st.integers(-5, 5), max_size=80), max_size=3))
def test_random_openpose_numbers(tmp_path, people):
    path = tmp_path / "x_keypoints.json"
    path.write_text(json.dumps({"people": [{"pose_keypoints_2d": p} for p in people]}))
    _only_input_errors(openpose.load_openpose, path)


@_FUZZ
@given(kps=st.lists(st.lists(st.floats() | st.integers(-3, 3), min_size=51, max_size=51), max_size=3),
       ids=st.lists(st.integers() | st.text(max_size=5) | st.floats(), min_size=3, max_size=3))
def test_random_coco_numbers(tmp_path, kps, ids):
    path = tmp_path / "c.json"
    path.write_text(json.dumps([{"image_id": i, "keypoints": k} for i, k in zip(ids, kps, strict=False)]))
    _only_input_errors(coco.load_coco, path)


@_FUZZ
@given(cells=st.lists(st.lists(st.sampled_from(["", "1.5", "nan", "inf", "-0", "1e999", "x", "3"]),
                               min_size=1, max_size=9), min_size=1, max_size=4),
       units=st.sampled_from(["m", "mm", "km", ""]))
def test_random_trc_cells(tmp_path, cells, units):
    head = ["PathFileType\t4\t(X/Y/Z)\tx.trc", "DataRate\tUnits", f"30\t{units}",
            "Frame#\tTime\tRHip\t\t\tRKnee", "\t\tX1\tY1\tZ1\tX2\tY2\tZ2", ""]
    path = tmp_path / "t.trc"
    path.write_text("\n".join(head + ["\t".join(r) for r in cells]))
    _only_input_errors(trc.load_trc, path)
