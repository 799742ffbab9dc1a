"""Our own keypoint format (JSON and CSV): exact round trips and clear errors."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hingecoach.errors import HingeInputError
from hingecoach.pose import PoseSequence
from hingecoach.sources import keypoints_file, load, save_keypoints


def read_format(path):
    """Our format's own reader (no analysis-input checks), for exact round trips."""
    reader = keypoints_file.load_json if path.suffix == ".json" else keypoints_file.load_csv
    return reader(path)

K = 33


def make_seq(n: int = 5, *, world: bool = True, rng_seed: int = 0) -> PoseSequence:
    rng = np.random.default_rng(rng_seed)
    xyz = rng.uniform(0, 640, (n, K, 3))
    xyz[1, 3] = np.nan                     # a missing point
    xyz[2, 7, 2] = np.nan                  # unknown depth only
    vis = rng.uniform(0, 1, (n, K))
    t = np.cumsum(rng.uniform(0.01, 0.05, n))  # variable frame intervals
    chans = {"back_bend_deg": np.where(np.arange(n) == 2, np.nan, rng.normal(size=n)),
             "weird, name \"q\"": rng.normal(size=n)}
    w = rng.normal(size=(n, K, 3)) if world else None
    if w is not None:
        w[0, 0] = np.nan
    return PoseSequence(xyz=xyz, visibility=vis, t_s=t, fps=29.97, image_size=(640, 480),
                        source="clip.mp4", view="side", facing="left", world_xyz=w,
                        channels=chans, history=("blazepose", "lowpass 6 Hz"),
                        meta={"model": "full", "n": 3})


@pytest.mark.parametrize("suffix", [".json", ".csv"])
@pytest.mark.parametrize("world", [True, False])
def test_round_trip_is_exact(tmp_path, suffix, world):
    seq = make_seq(world=world)
    back = load(save_keypoints(seq, tmp_path / f"k{suffix}"))
    assert back.equals(seq)
    assert np.isnan(back.xyz[1, 3]).all() and back.visibility[1, 3] == 0.0
    assert np.isnan(back.xyz[2, 7, 2]) and not np.isnan(back.xyz[2, 7, 0])


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_empty_sequence_round_trips(tmp_path, suffix):
    seq = PoseSequence(xyz=np.zeros((0, K, 3)), visibility=np.zeros((0, K)), t_s=np.zeros(0),
                       fps=30, image_size=(10, 10))
    # the format holds an empty sequence exactly; `load` (analysis input) refuses it
    path = save_keypoints(seq, tmp_path / f"e{suffix}")
    assert read_format(path).equals(seq)
    with pytest.raises(HingeInputError, match="no frames"):
        load(path)


def test_channel_name_with_newline_round_trips_csv(tmp_path):
    seq = make_seq(3, world=False)
    seq = seq.replace(channels={"a\nb": np.array([1.0, 2.0, np.nan])})
    assert load(save_keypoints(seq, tmp_path / "c.csv")).equals(seq)


def _json_doc(tmp_path):
    path = save_keypoints(make_seq(3), tmp_path / "k.json")
    return path, json.loads(path.read_text())


@pytest.mark.parametrize("change, words", [
    (lambda d: d.update(xyz=d["xyz"][:2]), "shape"),
    (lambda d: d.update(keypoints=5), "33 BlazePose"),
    (lambda d: d.update(version=9), "version"),
    (lambda d: d.pop("fps"), "'fps'"),
    (lambda d: d.update(image_size=[1e400, 3]), "image_size"),
    (lambda d: d.update(image_size=None), "image_size"),
    (lambda d: d["t_s"].__setitem__(1, d["t_s"][0]), "increasing"),
    (lambda d: d.update(channels=[1]), "channels"),
    (lambda d: d["xyz"][0][0].__setitem__(0, "a"), "numbers"),
])
def test_malformed_json_names_the_problem(tmp_path, change, words):
    path, doc = _json_doc(tmp_path)
    change(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(HingeInputError, match=words):
        load(path)


def test_huge_integer_and_deep_nesting_are_input_errors(tmp_path):
    path, doc = _json_doc(tmp_path)
    text = json.dumps(doc).replace('"fps": 29.97', '"fps": ' + "9" * 5000)
    path.write_text(text)
    with pytest.raises(HingeInputError):
        load(path)
    path.write_text('{"format": "hingecoach-keypoints", "x": ' + "[" * 100000 + "]" * 100000 + "}")
    with pytest.raises(HingeInputError):
        load(path)


@pytest.mark.parametrize("mutate, words", [
    (lambda s: s.replace(",1", ",x", 1), "not a number"),
    (lambda s: "\n".join(ln for ln in s.splitlines() if ln.startswith("#")), "column"),
    (lambda s: s.replace("t_s,", "time,", 1), "'t_s'"),
])
def test_malformed_csv_names_the_problem(tmp_path, mutate, words):
    path = save_keypoints(make_seq(3, world=False), tmp_path / "k.csv")
    path.write_text(mutate(path.read_text()))
    with pytest.raises(HingeInputError, match=words):
        load(path)


def test_csv_with_bad_bytes_is_an_input_error(tmp_path):
    path = save_keypoints(make_seq(3, world=False), tmp_path / "k.csv")
    path.write_bytes(path.read_bytes() + b"\xff\xfe\x00bad\n")
    with pytest.raises(HingeInputError):
        load(path)


# -- property-based --------------------------------------------------------------------------

_floats = st.floats(allow_nan=True, allow_infinity=False, width=64)


@st.composite
def sequences(draw):
    n = draw(st.integers(0, 4))
    xyz = draw(hnp.arrays(np.float64, (n, K, 3), elements=_floats))
    vis = draw(hnp.arrays(np.float64, (n, K), elements=st.floats(0, 1)))
    steps = draw(hnp.arrays(np.float64, (n,), elements=st.floats(1e-3, 1e3)))
    t = np.cumsum(steps) + draw(st.floats(-1e3, 1e3))
    if n > 1 and np.any(np.diff(t) <= 0):
        t = np.arange(n, dtype=np.float64)
    world = draw(st.none() | hnp.arrays(np.float64, (n, K, 3), elements=_floats))
    names = draw(st.lists(st.text(min_size=1, max_size=8), max_size=2, unique=True))
    chans = {c: draw(hnp.arrays(np.float64, (n,), elements=_floats)) for c in names}
    return PoseSequence(xyz=xyz, visibility=vis, t_s=t, fps=draw(st.floats(0.1, 1000)),
                        image_size=(draw(st.integers(1, 5000)), draw(st.integers(1, 5000))),
                        source=draw(st.text(max_size=10)), world_xyz=world, channels=chans,
                        history=tuple(draw(st.lists(st.text(max_size=10), max_size=2))))


@pytest.mark.parametrize("suffix", [".json", ".csv"])
@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seq=sequences())
def test_random_sequences_round_trip_exactly(tmp_path, suffix, seq):
    assert read_format(save_keypoints(seq, tmp_path / f"r{suffix}")).equals(seq)


def test_round_trip_keeps_every_float_bit(tmp_path):
    seq = make_seq(3)
    xyz = seq.xyz.copy()
    xyz[0, 0] = [math.nextafter(1.0, 2.0), 5e-324, -0.0]
    seq = seq.replace(xyz=xyz)
    for suffix in (".json", ".csv"):
        back = load(save_keypoints(seq, tmp_path / f"b{suffix}"))
        assert back.xyz[0, 0, 0] == math.nextafter(1.0, 2.0) and back.xyz[0, 0, 1] == 5e-324
        assert math.copysign(1.0, back.xyz[0, 0, 2]) == -1.0


def test_the_json_file_is_written_frame_by_frame_with_the_documents_own_bytes(tmp_path):
    # streamed (one frame of Python objects at a time, not the whole clip's), yet the same bytes
    # json.dumps gives the whole document, missing points and channels included
    import json as _json

    import numpy as np

    from hingecoach.pose import PoseSequence
    from hingecoach.sources import keypoints_file as kf

    rng = np.random.default_rng(1)
    xyz = rng.random((40, 33, 3)) * 500
    xyz[3, 4] = np.nan
    for world in (None, rng.random((40, 33, 3))):
        seq = PoseSequence(xyz=xyz, visibility=rng.random((40, 33)), t_s=np.arange(40) / 30, fps=30.0,
                           image_size=(640, 480), source="x", world_xyz=world, meta={"warnings": ["w"]},
                           channels={"back_bend_deg": np.where(rng.random(40) > 0.3, rng.random(40), np.nan)})
        doc = kf._header(seq) | {
            "keypoints": list(kf.BLAZEPOSE33), "t_s": seq.t_s.tolist(), "xyz": kf._to_list(seq.xyz),
            "visibility": seq.visibility.tolist(),
            "world_xyz": None if world is None else kf._to_list(seq.world_xyz),
            "channels": {k: kf._to_list(v) for k, v in seq.channels.items()}}
        path = kf.save(seq, tmp_path / "k.json")
        assert path.read_text() == _json.dumps(doc, allow_nan=False)
        assert kf.load_json(path).equals(seq)
