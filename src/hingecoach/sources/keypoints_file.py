"""Our own keypoint format, JSON or CSV, round-trip exact.

JSON (``format: "hingecoach-keypoints"``, ``version: 1``)::

    {"format": "hingecoach-keypoints", "version": 1, "schema": "blazepose33",
     "keypoints": [33 names], "fps": 30.0, "image_size": [w, h], "source": "...",
     "view": "side", "facing": "left", "history": [...], "meta": {...},
     "t_s": [T floats], "xyz": [T][33][3] (null for missing), "visibility": [T][33],
     "world_xyz": same shape or null, "channels": {"name": [T floats or null]}}

CSV: ``# key: json-value`` header lines for the metadata above, then a table with one row per
frame: ``t_s``, then ``<name>_x, <name>_y, <name>_z, <name>_v`` for the 33 keypoints, then
``world:<name>_x..`` columns when world landmarks exist, then ``ch:<channel>`` columns.
Empty cells are missing values. Floats are written with ``repr`` so they read back exactly.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from hingecoach import atomic
from hingecoach.errors import HingeInputError
from hingecoach.pose import PoseDataError, PoseSequence
from hingecoach.pose.schema import BLAZEPOSE33
from hingecoach.sources.registry import register_loader

FORMAT = "hingecoach-keypoints"
VERSION = 1
_META_KEYS = ("format", "version", "schema", "fps", "image_size", "source", "view", "facing",
              "history", "meta")


def _to_list(arr: np.ndarray) -> Any:
    obj = arr.tolist()
    return _nan_to_none(obj)


def _nan_to_none(obj: Any) -> Any:
    if isinstance(obj, list):
        return [_nan_to_none(v) for v in obj]
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj


def _from_list(obj: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    try:
        arr = np.array(obj, dtype=np.float64)  # None becomes NaN
    except (TypeError, ValueError, OverflowError):
        raise HingeInputError(f"Expected numbers in {what!r}, but found other values.",
                              "Check the keypoint file against the schema in the README.") from None
    if arr.size == 0 and 0 in shape and isinstance(obj, list):
        arr = arr.reshape(shape)  # an empty sequence is saved as []
    if arr.shape != shape:
        raise HingeInputError(f"Expected {what!r} of shape {shape}, but got {arr.shape}.",
                              "Check the keypoint file against the schema in the README.")
    return arr


def _header(seq: PoseSequence) -> dict[str, Any]:
    return {
        "format": FORMAT, "version": VERSION, "schema": seq.schema, "fps": seq.fps,
        "image_size": list(seq.image_size), "source": seq.source, "view": seq.view,
        "facing": seq.facing, "history": list(seq.history), "meta": seq.meta,
    }


def save(seq: PoseSequence, path: Path) -> Path:
    """Write ``seq`` to ``path`` (.json or .csv) atomically."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise HingeInputError(f"Cannot save keypoints as {suffix!r}.", "Use a .json or .csv name.")
    if suffix == ".json":
        return atomic.write_atomic(path, lambda tmp: _write_json(seq, tmp))
    return atomic.write_atomic(path, lambda tmp: _write_csv(seq, tmp))


def _write_json(seq: PoseSequence, path: Path) -> None:
    """The JSON document, written frame by frame: the same bytes ``json.dumps`` gives the whole
    document, but never more than one frame of it as Python objects (the whole document took
    about 40 MB of memory per minute of video, 4.8 GB for two hours)."""
    def rows(arr: np.ndarray):
        return (json.dumps(_nan_to_none(row.tolist()), allow_nan=False) for row in arr)

    def array(fh, arr: np.ndarray | None) -> None:
        if arr is None:
            fh.write("null")
            return
        fh.write("[")
        for i, text in enumerate(rows(arr)):
            fh.write(", " + text if i else text)
        fh.write("]")

    head = _header(seq) | {"keypoints": list(BLAZEPOSE33), "t_s": seq.t_s.tolist()}
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(head, allow_nan=False)[:-1])  # the header's items, the object left open
        for key, arr in (("xyz", seq.xyz), ("visibility", seq.visibility), ("world_xyz", seq.world_xyz)):
            fh.write(f", {json.dumps(key)}: ")
            array(fh, arr)
        fh.write(', "channels": {')
        for i, (key, values) in enumerate(seq.channels.items()):
            fh.write(f"{', ' if i else ''}{json.dumps(key)}: ")
            fh.write(json.dumps(_to_list(values), allow_nan=False))
        fh.write("}}")


def _columns(seq: PoseSequence) -> list[str]:
    cols = ["t_s"]
    for name in BLAZEPOSE33:
        cols += [f"{name}_x", f"{name}_y", f"{name}_z", f"{name}_v"]
    if seq.world_xyz is not None:
        for name in BLAZEPOSE33:
            cols += [f"world:{name}_x", f"world:{name}_y", f"world:{name}_z"]
    cols += [f"ch:{k}" for k in seq.channels]
    return cols


def _cell(v: float) -> str:
    return "" if math.isnan(v) else repr(float(v))


def _write_csv(seq: PoseSequence, path: Path) -> None:
    n, k = seq.n_frames, len(BLAZEPOSE33)
    parts = [seq.t_s[:, None],
             np.concatenate([seq.xyz, seq.visibility[..., None]], axis=-1).reshape(n, k * 4)]
    if seq.world_xyz is not None:
        parts.append(seq.world_xyz.reshape(n, k * 3))
    parts += [v[:, None] for v in seq.channels.values()]
    table = np.concatenate(parts, axis=1) if n else np.zeros((0, len(_columns(seq))))
    with path.open("w", newline="", encoding="utf-8") as fh:
        for key, value in _header(seq).items():
            fh.write(f"# {key}: {json.dumps(value, allow_nan=False)}\n")
        writer = csv.writer(fh)
        writer.writerow(_columns(seq))
        for row in table:
            writer.writerow([_cell(v) for v in row])


def _sniff(path: Path) -> bool:
    """Our files name the format in their first lines (JSON key or CSV header comment)."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    return FORMAT.encode() in head


def _build(meta: dict[str, Any], t: np.ndarray, xyz: np.ndarray, vis: np.ndarray,
           world: np.ndarray | None, channels: dict[str, np.ndarray], path: Path) -> PoseSequence:
    if meta.get("version") != VERSION:
        raise HingeInputError(
            f"{path.name}: keypoint format version {meta.get('version')!r} is not supported.",
            f"Re-export the keypoints with this HingeCoach (format version {VERSION}).")
    size = meta.get("image_size")
    if not (isinstance(size, list) and len(size) == 2
            and all(isinstance(v, (int, float)) and math.isfinite(v) for v in size)):
        raise HingeInputError(f"{path.name}: expected 'image_size' as [width, height], but got {size!r:.40}.",
                              "Check the keypoint file against the schema in the README.")
    try:
        return PoseSequence(
            xyz=xyz, visibility=vis, t_s=t, fps=meta["fps"],
            image_size=tuple(meta["image_size"]), source=meta.get("source", str(path)),
            schema=meta.get("schema", "blazepose33"), view=meta.get("view", "unknown"),
            facing=meta.get("facing", "unknown"), world_xyz=world, channels=channels,
            history=tuple(meta.get("history", ())), meta=meta.get("meta", {}),
        )
    except KeyError as exc:
        raise HingeInputError(f"{path.name}: the field {exc.args[0]!r} is missing.",
                              "Check the keypoint file against the schema in the README.") from None
    except (PoseDataError, TypeError, ValueError, OverflowError) as exc:
        raise HingeInputError(f"{path.name}: {exc}",
                              "Check the keypoint file against the schema in the README.") from None


@register_loader("hingecoach-json", (".json",), sniff=_sniff, priority=10)
def load_json(path: Path, **_: Any) -> PoseSequence:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:  # also bad UTF-8 and over-long integers
        raise HingeInputError(f"{path.name} is not valid JSON ({exc}).",
                              "Export the keypoints again.") from None
    if not isinstance(doc, dict):
        raise HingeInputError(f"{path.name}: expected a JSON object at the top.",
                              "Check the keypoint file against the schema in the README.")
    names = doc.get("keypoints", list(BLAZEPOSE33))
    if names != list(BLAZEPOSE33):
        raise HingeInputError(f"{path.name}: expected the 33 BlazePose keypoints in order.",
                              "Use schema 'blazepose33' or a COCO/OpenPose loader.")
    t_raw = doc.get("t_s")
    if not isinstance(t_raw, list):
        raise HingeInputError(f"{path.name}: the field 't_s' is missing.",
                              "Check the keypoint file against the schema in the README.")
    n = len(t_raw)
    k = len(BLAZEPOSE33)
    t = _from_list(t_raw, (n,), "t_s")
    xyz = _from_list(doc.get("xyz"), (n, k, 3), "xyz")
    vis = _from_list(doc.get("visibility"), (n, k), "visibility")
    world_raw = doc.get("world_xyz")
    world = None if world_raw is None else _from_list(world_raw, (n, k, 3), "world_xyz")
    chans = doc.get("channels") or {}
    if not isinstance(chans, dict):
        raise HingeInputError(f"{path.name}: 'channels' must be an object.", "Fix or drop it.")
    channels = {str(c): _from_list(v, (n,), f"channels.{c}") for c, v in chans.items()}
    return _build(doc, t, xyz, vis, world, channels, path)


@register_loader("hingecoach-csv", (".csv",), sniff=_sniff, priority=10)
def load_csv(path: Path, **_: Any) -> PoseSequence:
    meta: dict[str, Any] = {}
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise HingeInputError(f"{path.name} is not UTF-8 text.", "Export the keypoints again.") from None
    fh = io.StringIO(text, newline="")
    for i, line in enumerate(iter(fh.readline, "")):
        if not line.startswith("# "):
            fh.seek(fh.tell() - len(line))  # the table starts here; quoted cells may span lines
            break
        key, _sep, value = line[2:].rstrip("\r\n").partition(": ")
        try:
            meta[key] = json.loads(value)
        except (ValueError, RecursionError):
            raise HingeInputError(f"{path.name}: header line {i + 1} is not 'key: json'.",
                                  "Export the keypoints again.") from None
    try:
        rows = list(csv.reader(fh))
    except csv.Error as exc:
        raise HingeInputError(f"{path.name}: the table is not valid CSV ({exc}).",
                              "Export the keypoints again.") from None
    if not rows:
        raise HingeInputError(f"{path.name}: no column header.", "Export the keypoints again.")
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    k = len(BLAZEPOSE33)
    try:
        table = np.array([[float(c) if c != "" else np.nan for c in r] for r in body],
                         dtype=np.float64).reshape(len(body), len(header))
    except ValueError:
        raise HingeInputError(f"{path.name}: a cell is not a number or rows differ in length.",
                              "Export the keypoints again.") from None
    try:
        t = table[:, col["t_s"]]
        idx = [[col[f"{n}_{a}"] for a in "xyzv"] for n in BLAZEPOSE33]
        block = table[:, np.array(idx).ravel()].reshape(len(body), k, 4)
        world = None
        if f"world:{BLAZEPOSE33[0]}_x" in col:
            widx = [[col[f"world:{n}_{a}"] for a in "xyz"] for n in BLAZEPOSE33]
            world = table[:, np.array(widx).ravel()].reshape(len(body), k, 3)
    except KeyError as exc:
        raise HingeInputError(f"{path.name}: column {exc.args[0]!r} is missing.",
                              "Check the keypoint file against the schema in the README.") from None
    channels = {h[3:]: table[:, i] for h, i in col.items() if h.startswith("ch:")}
    return _build(meta, t, block[..., :3], block[..., 3], world, channels, path)
