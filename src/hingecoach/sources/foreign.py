"""Keypoint files written by other tools, mapped onto BlazePose-33.

Formats (each a registered loader; JSON flavours share ``.json`` and are told apart by ``sniff``):

* **COCO-17 JSON** (``coco17``): a results list ``[{"image_id"|"frame", "keypoints": [x, y, v]*17,
  "score"}, ...]`` or a dataset dict with ``"annotations"`` (+ optional ``"images"`` for the image
  size and ``"categories"`` whose ``"keypoints"`` names select the mapping). A point whose ``v`` is 0
  is missing (COCO: "not labelled"). Visibility is ``v / 2`` for the dataset's 0/1/2 flags and the
  score itself (clipped to [0, 1]) for results.
* **OpenPose JSON** (``openpose``): one ``*_keypoints.json`` file per frame
  (``{"people": [{"pose_keypoints_2d": [...]}]}``) in BODY_25 (75 numbers) or COCO-18 (54
  numbers); a single file or a folder of them. A point with confidence 0 is missing.
* **TRC** (``trc``): OpenSim marker files from Sports2D/Pose2Sim, 3D, Y up, metres or mm.
  See :func:`load_trc` for the projection onto a side view.
* **MediaPipe-style CSV/JSON** (``mediapipe-csv``, ``mediapipe-json``): 33 landmarks per frame
  with x, y, z, visibility, normalised to 0..1 (scaled by the ``image_size`` option).

Where a file holds several people in a frame, the loader keeps one (the highest score, else
the largest) and says so in ``meta``. Options every loader accepts: ``fps`` (frames per
second, overrides the file's) and ``image_size`` ((width, height) in pixels). Defaults used
in place of missing facts are written to ``history``.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from hingecoach.errors import HingeInputError
from hingecoach.pose import PoseDataError, PoseSequence
from hingecoach.pose.schema import BLAZEPOSE33, COCO17, INDEX, mapping_to_blazepose
from hingecoach.sources.registry import register_loader

K = len(BLAZEPOSE33)
DEFAULT_FPS = 30.0
#: Size assumed for normalised (0..1) coordinates when neither the file nor the caller gives one.
DEFAULT_NORMALISED_SIZE = (1000, 1000)
#: TRC projection scale: 1000 px per metre keeps millimetre detail in whole pixels.
TRC_PX_PER_M = 1000.0
#: Border around the projected TRC skeleton, pixels.
TRC_MARGIN_PX = 100.0
#: Frame numbers beyond this are ids, not frame counts (COCO image ids can be anything).
_MAX_FRAME_NUMBER = 10**9

#: OpenPose's COCO-18 order (the "COCO" model): neck is extra, no feet.
OPENPOSE_COCO18: tuple[str | None, ...] = (
    "nose", None, "right_shoulder", "right_elbow", "right_wrist",
    "left_shoulder", "left_elbow", "left_wrist", "right_hip", "right_knee", "right_ankle",
    "left_hip", "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear",
)

_FIX_SCHEMA = "Export the keypoints again, or check the file against its tool's documented format."


# -- shared helpers -------------------------------------------------------------------------

def _fail(path: Path, problem: str, fix: str = _FIX_SCHEMA) -> HingeInputError:
    return HingeInputError(f"{path.name}: {problem}", fix)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _floats(values: Any, path: Path, what: str) -> np.ndarray:
    """A flat float64 array from a JSON list of numbers (null becomes NaN)."""
    if not isinstance(values, list) or not all(v is None or _is_number(v) for v in values):
        raise _fail(path, f"expected {what} to be a list of numbers, but got something else.")
    try:
        arr = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    except OverflowError:
        raise _fail(path, f"{what} holds a number too large for a coordinate.") from None
    if np.isinf(arr).any():
        raise _fail(path, f"{what} holds an infinite value.")
    return arr


def _option_fps(options: dict[str, Any], file_fps: Any, path: Path) -> tuple[float, str | None]:
    """Frame rate from the caller, else the file, else 30 (with a history note)."""
    for value, where in ((options.get("fps"), "the fps option"), (file_fps, "the file's fps")):
        if value is None:
            continue
        if not _is_number(value) or not (math.isfinite(value) and value > 0):
            raise _fail(path, f"{where} is {value!r}, not a positive number.",
                        "Give the frame rate as a positive number, e.g. fps=30.")
        return float(value), None
    return DEFAULT_FPS, f"frame rate unknown: assumed {DEFAULT_FPS:g} fps (pass fps= to set it)"


def _option_size(options: dict[str, Any], path: Path) -> tuple[int, int] | None:
    size = options.get("image_size")
    if size is None:
        return None
    if (not isinstance(size, (tuple, list)) or len(size) != 2
            or not all(_is_number(v) and math.isfinite(v) and v >= 1 for v in size)):
        raise _fail(path, f"the image_size option is {size!r}.",
                    "Give the image size as (width, height) in pixels, e.g. image_size=(1920, 1080).")
    return int(size[0]), int(size[1])


def _extent_size(xyz: np.ndarray, path: Path) -> tuple[tuple[int, int], str]:
    """Image size that holds every point, when the file does not say."""
    xy = xyz[..., :2]
    finite = np.isfinite(xy).all(axis=-1)
    if not finite.any():
        raise _fail(path, "no keypoint has coordinates, so there is nothing to analyse.",
                    "Check that the pose tool found a person in the video.")
    w = int(math.ceil(max(float(xy[..., 0][finite].max()), 0.0))) + 1
    h = int(math.ceil(max(float(xy[..., 1][finite].max()), 0.0))) + 1
    return (w, h), f"image size unknown: taken from the keypoints' extent ({w}x{h} px)"


def _frame_number(key: Any) -> int | None:
    """A frame number from an id: an integer, or the last digits in a name like frame_0012.jpg."""
    if _is_number(key) and float(key).is_integer() and abs(key) <= _MAX_FRAME_NUMBER:
        return int(key)
    if isinstance(key, str):
        digits = re.findall(r"\d+", key)
        if digits and len(digits[-1].lstrip("0")) <= 9:
            return int(digits[-1])
    return None


def _times_from_keys(keys: list[Any], fps: float) -> tuple[np.ndarray, list[Any], str | None]:
    """Order frames by number (gaps become gaps in time); fall back to the order given."""
    numbers = [_frame_number(k) for k in keys]
    if all(n is not None for n in numbers) and len(set(numbers)) == len(numbers):
        order = sorted(range(len(keys)), key=lambda i: numbers[i])
        first = numbers[order[0]] if order else 0
        t = np.array([(numbers[i] - first) / fps for i in order], dtype=np.float64)
        return t, [keys[i] for i in order], None
    t = np.arange(len(keys), dtype=np.float64) / fps
    return t, list(keys), "frame ids are not distinct numbers: frames kept in file order"


def _sequence(path: Path, *, xyz: np.ndarray, vis: np.ndarray, t: np.ndarray, fps: float,
              size: tuple[int, int], history: list[str | None], meta: dict[str, Any],
              world: np.ndarray | None = None, view: str = "unknown",
              facing: str = "unknown") -> PoseSequence:
    try:
        return PoseSequence(xyz=xyz, visibility=vis, t_s=t, fps=fps, image_size=size,
                            source=str(path), view=view, facing=facing, world_xyz=world,
                            history=tuple(h for h in history if h), meta=meta)
    except PoseDataError as exc:
        raise _fail(path, str(exc)) from None


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(path, "is not UTF-8 text.", "Export the keypoints again as UTF-8 text.") from None
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror}).", "Check the file's permissions.") from None


@functools.lru_cache(maxsize=4)
def _parse_json_cached(path_str: str, _mtime_ns: int, _size: int) -> Any:
    text = Path(path_str).read_bytes().decode("utf-8-sig")
    return json.loads(text)


def _json(path: Path) -> Any:
    """The parsed document (cached so the sniffs and the loader parse a file once)."""
    try:
        st = path.stat()
        return _parse_json_cached(str(path), st.st_mtime_ns, st.st_size)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise _fail(path, f"is not valid JSON ({str(exc)[:80]}).", "Export the keypoints again.") from None
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror}).", "Check the file's permissions.") from None


def _json_or_none(path: Path) -> Any:
    try:
        return _json(path)
    except HingeInputError:
        return None


# -- COCO-17 --------------------------------------------------------------------------------

def _norm_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _coco_mapping(doc: Any, path: Path) -> tuple[list[tuple[int, int]], int, Any]:
    """(source index, BlazePose index) pairs, points per person, and the person category id."""
    cats = doc.get("categories") if isinstance(doc, dict) else None
    if isinstance(cats, list):
        with_names = [c for c in cats if isinstance(c, dict) and isinstance(c.get("keypoints"), list)]
        if with_names:
            person = [c for c in with_names if c.get("name") == "person"] or with_names
            names = person[0]["keypoints"]
            if not all(isinstance(n, str) for n in names):
                raise _fail(path, "the category's keypoint names are not all strings.")
            pairs = [(i, INDEX[_norm_name(n)]) for i, n in enumerate(names) if _norm_name(n) in INDEX]
            if not pairs:
                raise _fail(path, f"none of the keypoint names {names[:5]}... is a BlazePose point.",
                            "Use COCO keypoint names (nose, left_shoulder, ..., right_ankle).")
            return pairs, len(names), person[0].get("id")
    return mapping_to_blazepose("coco17"), len(COCO17), None


def _sniff_coco(path: Path) -> bool:
    doc = _json_or_none(path)
    if isinstance(doc, dict):
        return isinstance(doc.get("annotations"), list)
    return (isinstance(doc, list) and len(doc) > 0 and isinstance(doc[0], dict)
            and "keypoints" in doc[0])


def _coco_candidate(ann: Any, i: int, n_points: int, path: Path) -> tuple[Any, float | None, np.ndarray]:
    """(frame key, score, (n_points, 3) x, y, v) from one annotation or result."""
    if not isinstance(ann, dict):
        raise _fail(path, f"entry {i} is not an object.")
    key = ann.get("image_id", ann.get("frame"))
    if key is None or not isinstance(key, (str, int, float)) or isinstance(key, bool):
        raise _fail(path, f"entry {i} has no 'image_id' or 'frame'.",
                    "Give each detection the frame it belongs to ('image_id' or 'frame').")
    kp = _floats(ann.get("keypoints"), path, f"'keypoints' of entry {i}")
    if kp.size != 3 * n_points:
        raise _fail(path, f"entry {i} has {kp.size} keypoint numbers, expected {3 * n_points} "
                    f"({n_points} points x (x, y, v)).")
    score = ann.get("score")
    score = float(score) if _is_number(score) and math.isfinite(score) else None
    return key, score, kp.reshape(n_points, 3)


def _area(points: np.ndarray, bbox: Any = None) -> float:
    if isinstance(bbox, list) and len(bbox) == 4 and all(_is_number(v) for v in bbox):
        area = float(bbox[2]) * float(bbox[3])
        if math.isfinite(area):
            return area
    seen = points[(points[:, 2] > 0) & np.isfinite(points[:, :2]).all(axis=1), :2]
    if len(seen) < 2:
        return 0.0
    span = seen.max(axis=0) - seen.min(axis=0)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(span[0] * span[1])


def _pick_person(cands: list[tuple[float | None, float, np.ndarray]]) -> np.ndarray:
    """The highest-scored detection, else the largest."""
    if any(c[0] is not None for c in cands):
        return max(cands, key=lambda c: -math.inf if c[0] is None else c[0])[2]
    return max(cands, key=lambda c: c[1])[2]


def _coco_visibility(v: np.ndarray, flags: bool) -> tuple[np.ndarray, np.ndarray]:
    """(missing mask, visibility) from COCO's third number."""
    missing = ~(v > 0)
    vis = v / 2.0 if flags else np.clip(v, 0.0, 1.0)
    return missing, np.where(missing, 0.0, np.nan_to_num(vis))


@register_loader("coco17", (".json",), sniff=_sniff_coco)
def load_coco(path: Path, **options: Any) -> PoseSequence:
    """COCO keypoint results or dataset (see module docstring) as a PoseSequence."""
    doc = _json(path)
    is_dataset = isinstance(doc, dict)
    entries = doc.get("annotations") if is_dataset else doc
    if not isinstance(entries, list):
        raise _fail(path, "expected a list of detections or a dict with 'annotations'.")
    pairs, n_points, cat_id = _coco_mapping(doc, path)
    if cat_id is not None:
        entries = [a for a in entries if not isinstance(a, dict) or a.get("category_id", cat_id) == cat_id]
    groups: dict[Any, list[tuple[float | None, float, np.ndarray]]] = {}
    for i, ann in enumerate(entries):
        key, score, pts = _coco_candidate(ann, i, n_points, path)
        groups.setdefault(key, []).append((score, _area(pts, ann.get("bbox")), pts))
    images = _coco_images(doc, path) if is_dataset else []
    keys = [im[0] for im in images] or list(groups)
    if not keys:
        raise _fail(path, "holds no detections.", "Check that the pose tool found a person.")
    file_fps = doc.get("fps") if is_dataset else None
    fps, fps_note = _option_fps(options, file_fps, path)
    if images:  # the dataset's own frame order: frame_id when every image has one, else list order
        t, order_note = np.array([im[3] for im in images], dtype=np.float64) / fps, None
        t -= t[0]
    else:
        t, keys, order_note = _times_from_keys(keys, fps)
    all_v = np.concatenate([c[2][:, 2] for g in groups.values() for c in g]) if groups else np.zeros(0)
    finite_v = all_v[np.isfinite(all_v)]
    # 0/1/2 labels (dataset, or results carrying them) vs detector scores in [0, 1].
    flags = bool(np.isin(finite_v, (0.0, 1.0, 2.0)).all()) and (is_dataset or bool((finite_v == 2).any()))
    xyz = np.full((len(keys), K, 3), np.nan)
    vis = np.zeros((len(keys), K))
    src, dst = (np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]))
    for f, key in enumerate(keys):
        if key not in groups:
            continue
        pts = _pick_person(groups[key])
        missing, v = _coco_visibility(pts[src, 2], flags)
        xyz[f, dst, :2] = np.where(missing[:, None], np.nan, pts[src, :2])
        vis[f, dst] = v
    size, size_note = _coco_size(images, options, xyz, path)
    crowded = sum(1 for g in groups.values() if len(g) > 1)
    meta = {"format": "coco-dataset" if is_dataset else "coco-results", "keypoint_schema": "coco17",
            "frames_with_several_people": crowded,
            "person_choice": "highest score, else largest box" if crowded else "one person per frame",
            "frames_without_person": sum(1 for k in keys if k not in groups)}
    history = [f"loaded {meta['format']} ({len(pairs)} points mapped to BlazePose-33, the rest missing)",
               fps_note, order_note, size_note]
    return _sequence(path, xyz=xyz, vis=vis, t=t, fps=fps, size=size, history=history, meta=meta)


def _coco_images(doc: dict[str, Any], path: Path) -> list[tuple[Any, Any, Any, float]]:
    """(id, width, height, frame number) per image, ordered by frame_id when every image has one."""
    images = doc.get("images")
    if images is None:
        return []
    if not isinstance(images, list) or not all(
            isinstance(im, dict) and isinstance(im.get("id"), (int, str)) for im in images):
        raise _fail(path, "'images' must be a list of objects each with a number or name 'id'.")
    frame_ids = [im.get("frame_id") for im in images]
    if all(_is_number(f) and abs(f) <= _MAX_FRAME_NUMBER for f in frame_ids) and len(set(frame_ids)) == len(images):
        images = sorted(images, key=lambda im: im["frame_id"])
        return [(im["id"], im.get("width"), im.get("height"), float(im["frame_id"])) for im in images]
    return [(im["id"], im.get("width"), im.get("height"), float(i)) for i, im in enumerate(images)]


def _coco_size(images: list[tuple[Any, Any, Any, float]], options: dict[str, Any], xyz: np.ndarray,
               path: Path) -> tuple[tuple[int, int], str | None]:
    given = _option_size(options, path)
    if given:
        return given, None
    sizes = {(w, h) for _, w, h, _ in images
             if _is_number(w) and _is_number(h) and math.isfinite(w) and math.isfinite(h)
             and 1 <= w <= 1e6 and 1 <= h <= 1e6}
    if len(sizes) == 1:
        w, h = sizes.pop()
        return (int(w), int(h)), None
    if len(sizes) > 1:
        w = max(s[0] for s in sizes)
        h = max(s[1] for s in sizes)
        return (int(w), int(h)), f"images differ in size: used the largest ({int(w)}x{int(h)} px)"
    return _extent_size(xyz, path)


# -- OpenPose -------------------------------------------------------------------------------

_OPENPOSE_SCHEMAS = {75: ("body25", mapping_to_blazepose("openpose_body25")),
                     54: ("coco18", [(i, INDEX[n]) for i, n in enumerate(OPENPOSE_COCO18) if n])}


def _sniff_openpose(path: Path) -> bool:
    doc = _json_or_none(path)
    return isinstance(doc, dict) and isinstance(doc.get("people"), list)


def is_openpose_folder(path: Path) -> bool:
    """True for a folder holding OpenPose's per-frame ``*_keypoints.json`` files."""
    return path.is_dir() and any(path.glob("*_keypoints.json"))


def _openpose_people(doc: Any, path: Path) -> list[tuple[int, np.ndarray]]:
    """(numbers per person, (n, 3) x, y, c) for each person with a 2D pose in one frame file."""
    if not isinstance(doc, dict) or not isinstance(doc.get("people"), list):
        raise _fail(path, "expected an OpenPose frame: an object with a 'people' list.")
    out = []
    for i, person in enumerate(doc["people"]):
        if not isinstance(person, dict):
            raise _fail(path, f"person {i} is not an object.")
        kp = _floats(person.get("pose_keypoints_2d", []), path, f"'pose_keypoints_2d' of person {i}")
        if kp.size == 0:
            continue
        if kp.size not in _OPENPOSE_SCHEMAS:
            raise _fail(path, f"person {i} has {kp.size} pose numbers; expected 75 (BODY_25) "
                        "or 54 (COCO-18).", "Run OpenPose with --model_pose BODY_25 or COCO.")
        out.append((kp.size, kp.reshape(-1, 3)))
    return out


def _openpose_frames(path: Path) -> list[tuple[Any, Path, Any]]:
    """(frame key, file, parsed document) for a folder or a single file."""
    if path.is_dir():
        files = sorted(path.glob("*_keypoints.json"))
        if not files:
            raise _fail(path, "holds no OpenPose *_keypoints.json files.",
                        "Point at OpenPose's --write_json folder.")
        return [(f.name, f, _json(f)) for f in files]
    return [(0, path, _json(path))]


@register_loader("openpose", (".json",), sniff=_sniff_openpose)
def load_openpose(path: Path, **options: Any) -> PoseSequence:
    """OpenPose per-frame JSON (a file, or a folder of them) as a PoseSequence."""
    frames = _openpose_frames(path)
    fps, fps_note = _option_fps(options, None, path)
    t, keys, order_note = _times_from_keys([k for k, _, _ in frames], fps)
    by_key = {k: (f, d) for k, f, d in frames}
    xyz = np.full((len(keys), K, 3), np.nan)
    vis = np.zeros((len(keys), K))
    sizes: set[int] = set()
    crowded = empty = 0
    for f, key in enumerate(keys):
        file, doc = by_key[key]
        people = _openpose_people(doc, file)
        sizes.update(n for n, _ in people)
        if not people:
            empty += 1
            continue
        crowded += len(people) > 1
        n, pts = max(people, key=lambda p: _area(p[1]))
        pairs = _OPENPOSE_SCHEMAS[n][1]
        src, dst = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
        missing = ~(pts[src, 2] > 0)
        xyz[f, dst, :2] = np.where(missing[:, None], np.nan, pts[src, :2])
        vis[f, dst] = np.where(missing, 0.0, np.clip(pts[src, 2], 0.0, 1.0))
    if len(sizes) > 1:
        raise _fail(path, "mixes BODY_25 and COCO-18 poses.", "Export all frames with one OpenPose model.")
    schema = _OPENPOSE_SCHEMAS[sizes.pop()][0] if sizes else "unknown"
    size, size_note = (_option_size(options, path), None)
    if size is None:
        size, size_note = _extent_size(xyz, path)
    meta = {"format": "openpose", "keypoint_schema": schema, "frames_with_several_people": crowded,
            "person_choice": "largest" if crowded else "one person per frame",
            "frames_without_person": empty}
    history = [f"loaded OpenPose {schema} from {len(frames)} file(s), mapped to BlazePose-33",
               fps_note, order_note, size_note]
    return _sequence(path, xyz=xyz, vis=vis, t=t, fps=fps, size=size, history=history, meta=meta)


# -- TRC (Sports2D / Pose2Sim / OpenSim markers) ----------------------------------------------

def _trc_aliases() -> dict[str, str]:
    """Normalised marker name -> BlazePose name.

    Accepted: BlazePose names themselves (``right_hip``), Pose2Sim/Sports2D names (``RHip``,
    ``RKnee``, ``RAnkle``, ``RHeel``, ``RShoulder``, ``RElbow``, ``RWrist``, ``REye``, ``REar``,
    ``Nose``) and the big toe as the foot index (``RBigToe``, ``RToe``). Markers BlazePose lacks
    (``Hip``/``CHip``, ``Neck``, ``Head``, ``RSmallToe``) are left out and listed in ``meta``.
    """
    out: dict[str, str] = {}
    for name in BLAZEPOSE33:
        out[name.replace("_", "")] = name
        for side, letter in (("left_", "l"), ("right_", "r")):
            if name.startswith(side):
                out[letter + name[len(side):].replace("_", "")] = name
    for letter, side in (("l", "left"), ("r", "right")):
        for toe in ("bigtoe", "toe"):
            out[letter + toe] = f"{side}_foot_index"
    return out


_TRC_ALIASES = _trc_aliases()
_TRC_UNITS = {"m": 1.0, "mm": 0.001, "cm": 0.01}


def _trc_header(lines: list[str], path: Path) -> tuple[dict[str, str], list[str]]:
    """The DataRate/Units table (lines 2-3) and the marker names (line 4)."""
    if len(lines) < 5 or not lines[0].startswith("PathFileType"):
        raise _fail(path, "is not a TRC file (it should start with a 'PathFileType' line and "
                    "have 5 header lines).", "Export the markers again from Sports2D/Pose2Sim/OpenSim.")
    keys = [c.strip() for c in lines[1].split("\t")]
    values = [c.strip() for c in lines[2].split("\t")]
    table = dict(zip(keys, values, strict=False))
    names_row = lines[3].split("\t")
    if len(names_row) < 3 or names_row[0].strip() != "Frame#":
        raise _fail(path, "line 4 should be 'Frame#<tab>Time<tab>marker names...'.")
    markers = [c.strip() for c in names_row[2::3]]
    if not markers or not all(markers):
        raise _fail(path, "marker names on line 4 are missing or not 3 columns apart.")
    return table, markers


def _trc_body(lines: list[str], n_markers: int, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Times (T,) and marker coordinates (T, M, 3) from the data lines (empty cells are NaN)."""
    rows = [ln for ln in lines[5:] if ln.strip()]
    width = 2 + 3 * n_markers
    table = np.full((len(rows), width), np.nan)
    for r, line in enumerate(rows):
        cells = line.rstrip("\r\n").split("\t")
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            raise _fail(path, f"data line {r + 1} has more values than its {n_markers} markers.")
        for c, cell in enumerate(cells[:width]):
            cell = cell.strip()
            if not cell:
                continue
            try:
                table[r, c] = float(cell)
            except ValueError:
                raise _fail(path, f"data line {r + 1} has {cell[:20]!r}, not a number.") from None
    if np.isinf(table).any():
        raise _fail(path, "holds an infinite value.")
    return table[:, 1], table[:, 2:].reshape(len(rows), n_markers, 3)


def _trc_rate(table: dict[str, str], path: Path) -> tuple[float | None, float]:
    """(file frame rate or None, metres per unit)."""
    rate: float | None = None
    if table.get("DataRate"):
        try:
            rate = float(table["DataRate"])
        except ValueError:
            raise _fail(path, f"DataRate {table['DataRate'][:20]!r} is not a number.") from None
    unit = table.get("Units", "m")
    if unit not in _TRC_UNITS:
        raise _fail(path, f"unknown Units {unit[:20]!r}.", "Use a TRC in m, cm or mm.")
    return rate, _TRC_UNITS[unit]


def _sagittal_axes(world: np.ndarray) -> tuple[np.ndarray, np.ndarray, str | None]:
    """(forward, right) unit vectors in the horizontal plane (Y up) of the person.

    Right is the median left->right hip (else shoulder) direction; forward = up x right. With
    neither, OpenSim's axes are assumed (X forward, Z right).
    """
    for left, right in (("left_hip", "right_hip"), ("left_shoulder", "right_shoulder")):
        lr = world[:, INDEX[right]] - world[:, INDEX[left]]
        lr = lr[np.isfinite(lr).all(axis=1)][:, [0, 2]]
        if len(lr):
            vec = np.median(lr / np.maximum(np.linalg.norm(lr, axis=1, keepdims=True), 1e-12), axis=0)
            if np.linalg.norm(vec) > 1e-6:
                r = np.array([vec[0], 0.0, vec[1]]) / np.linalg.norm(vec)
                return np.cross([0.0, 1.0, 0.0], r), r, None
    return np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0]), \
        "no hip or shoulder pair: assumed OpenSim axes (X forward, Z right)"


def _trc_project(world: np.ndarray, facing: str, px_per_m: float
                 ) -> tuple[np.ndarray, np.ndarray, tuple[int, int], str | None]:
    """Image xyz (pixels, a side view), camera-aligned world (metres, hip-centred), image size."""
    fwd, right, note = _sagittal_axes(world)
    sign = 1.0 if facing == "right" else -1.0
    # Camera on the person's right (facing right) or left (facing left), looking across them.
    along = sign * (world @ fwd)
    down = -world[..., 1]
    toward = -sign * (world @ right)  # negative towards the camera, as BlazePose's z
    cam = np.stack([along, down, toward], axis=-1)
    lo = np.nanmin(cam[..., :2].reshape(-1, 2), axis=0)
    hi = np.nanmax(cam[..., :2].reshape(-1, 2), axis=0)
    xyz = (cam - np.array([lo[0], lo[1], np.nanmean(cam[..., 2])])) * px_per_m
    xyz[..., :2] += TRC_MARGIN_PX
    size = (int(math.ceil((hi[0] - lo[0]) * px_per_m + 2 * TRC_MARGIN_PX)),
            int(math.ceil((hi[1] - lo[1]) * px_per_m + 2 * TRC_MARGIN_PX)))
    hips = cam[:, [INDEX["left_hip"], INDEX["right_hip"]]]
    if np.isfinite(hips).any():
        with warnings.catch_warnings():  # frames without hips give NaN centres, by design
            warnings.simplefilter("ignore", RuntimeWarning)
            centre = np.nanmean(np.where(np.isfinite(hips), hips, np.nan), axis=1, keepdims=True)
    else:
        centre, note = np.zeros((1, 1, 3)), note or "no hip markers: world landmarks not hip-centred"
    return xyz, cam - centre, size, note


@register_loader("trc", (".trc",))
def load_trc(path: Path, **options: Any) -> PoseSequence:
    """Sports2D/Pose2Sim/OpenSim .trc markers as a side view.

    TRC is 3D (metres, Y up). The person's sagittal plane is found from the hips (the
    left->right hip direction is the camera's line of sight), and the markers are projected on
    it at ``px_per_m`` (default 1000) pixels per metre, y down, with a 100 px border, the person
    facing image right (``facing="left"`` mirrors). ``world_xyz`` holds the same camera-aligned
    axes in metres, centred on the hip midpoint each frame (as BlazePose's world landmarks).
    """
    lines = _read_text(path).splitlines()
    table, markers = _trc_header(lines, path)
    rate, metres = _trc_rate(table, path)
    t, raw = _trc_body(lines, len(markers), path)
    if len(t) == 0:
        raise _fail(path, "has no data lines.", "Export the markers again.")
    if not np.isfinite(t).all():
        raise _fail(path, "a Time cell is empty.", "Every data line needs its time in column 2.")
    facing = options.get("facing", "right")
    px_per_m = options.get("px_per_m", TRC_PX_PER_M)
    if facing not in ("left", "right") or not (_is_number(px_per_m) and 0 < px_per_m < 1e6):
        raise _fail(path, f"options facing={facing!r}, px_per_m={px_per_m!r} are not usable.",
                    "Use facing='left' or 'right' and a positive px_per_m.")
    world = np.full((len(t), K, 3), np.nan)
    used, unused = [], []
    for m, name in enumerate(markers):
        target = _TRC_ALIASES.get(re.sub(r"[^a-z0-9]", "", name.lower()))
        if target is None or target in used:
            unused.append(name)
            continue
        used.append(target)
        world[:, INDEX[target]] = raw[:, m] * metres
    if not np.isfinite(world).all(axis=-1).any():
        raise _fail(path, f"none of the markers {markers[:6]} maps to a body point with data.",
                    "Use Pose2Sim/Sports2D marker names (RHip, RKnee, RAnkle, RShoulder, ...).")
    span_m = np.nanmax(world, axis=(0, 1)) - np.nanmin(world, axis=(0, 1))
    if not np.all(span_m[np.isfinite(span_m)] < 100.0):
        raise _fail(path, f"the markers span {np.nanmax(span_m):.3g} m, more than a person can.",
                    "Check the Units line (m or mm) and re-export the markers.")
    xyz, cam, size, axis_note = _trc_project(world, facing, float(px_per_m))
    xyz[~np.isfinite(xyz).all(axis=-1)] = np.nan
    vis = np.isfinite(xyz).all(axis=-1).astype(np.float64)
    fps, fps_note = _option_fps(options, rate, path)
    meta = {"format": "trc", "markers_used": used, "markers_unused": unused,
            "px_per_m": float(px_per_m)}
    history = [f"loaded TRC ({len(used)} markers), projected on the sagittal plane at "
               f"{float(px_per_m):g} px/m facing {facing}", fps_note, axis_note]
    return _sequence(path, xyz=xyz, vis=vis, t=t, fps=fps, size=size, history=history,
                     meta=meta, world=cam, view="side", facing=facing)


# -- MediaPipe-style CSV / JSON from other tools -----------------------------------------------

_AXES = {"x": 0, "y": 1, "z": 2, "v": 3, "vis": 3, "visibility": 3}
_COL_PATTERNS = (
    re.compile(r"^(?P<axis>x|y|z|v|vis|visibility)_?(?P<idx>\d{1,3})$"),
    re.compile(r"^(?:landmark_?|lm_?)?(?P<idx>\d{1,3})_(?P<axis>x|y|z|v|vis|visibility)$"),
    re.compile(r"^(?P<name>[a-z_]+?)_(?P<axis>x|y|z|v|vis|visibility)$"),
)
#: Time columns: name -> seconds per unit (None: a frame number, divided by fps).
_TIME_COLUMNS = {"t_s": 1.0, "time_s": 1.0, "time": 1.0, "timestamp": 1.0, "timestamp_s": 1.0,
                 "timestamp_ms": 0.001, "time_ms": 0.001, "frame": None, "frame_index": None,
                 "frame_idx": None, "frame_id": None}


def _landmark_column(name: str) -> tuple[int, int] | None:
    """(landmark index, axis 0..3) for a column like x12, 12_x or left_knee_x."""
    col = name.strip().lower()
    for pattern in _COL_PATTERNS:
        m = pattern.match(col)
        if not m:
            continue
        groups = m.groupdict()
        if groups.get("idx") is not None:
            return int(groups["idx"]), _AXES[groups["axis"]]
        if groups.get("name") in INDEX:
            return INDEX[groups["name"]], _AXES[groups["axis"]]
    return None


def _csv_rows(path: Path) -> list[list[str]]:
    text = _read_text(path)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    try:
        return list(csv.reader(io.StringIO("\n".join(lines))))
    except csv.Error as exc:
        raise _fail(path, f"is not a readable CSV table ({exc}).") from None


def _sniff_mediapipe_csv(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(65536).decode("utf-8-sig", errors="replace")
    except OSError:
        return False
    if '"hingecoach-keypoints"' in head:  # our own CSV has nose_x.. columns too, in pixels
        return False
    for line in head.splitlines():
        if line.strip() and not line.startswith("#"):
            cols = [_landmark_column(c) for c in line.split(",")]
            axes = {c[1] for c in cols if c is not None}
            return {0, 1} <= axes
    return False


def _normalised_block(block: np.ndarray, options: dict[str, Any], path: Path
                      ) -> tuple[np.ndarray, np.ndarray, tuple[int, int], list[str | None]]:
    """(xyz px, visibility, image size, notes) from (T, 33, 4) x, y, z, v in 0..1 units."""
    notes: list[str | None] = []
    size = _option_size(options, path)
    xy = block[..., :2][np.isfinite(block[..., :2])]
    normalised = xy.size == 0 or bool(np.all((xy > -1.0) & (xy < 2.0)))
    if size is None:
        if normalised:
            size = DEFAULT_NORMALISED_SIZE
            notes.append(f"image size unknown: normalised coordinates scaled to "
                         f"{size[0]}x{size[1]} px (pass image_size= to set it)")
        else:
            size, note = _extent_size(block[..., :3], path)
            notes.append(note)
    scale = np.array([size[0], size[1], size[0]], dtype=np.float64) if normalised else np.ones(3)
    if not normalised:
        notes.append("coordinates beyond 0..1: read as pixels")
    with np.errstate(over="ignore"):  # absurd values become inf and are rejected by PoseSequence
        xyz = block[..., :3] * scale
    vis_raw = block[..., 3]
    vis = np.where(np.isnan(vis_raw), 1.0, vis_raw)  # no visibility column: a given point is seen
    return xyz, vis, size, notes


def _times(t_col: np.ndarray | None, per_unit: float | None, n: int, fps: float, path: Path) -> np.ndarray:
    if t_col is None:
        return np.arange(n, dtype=np.float64) / fps
    if not np.isfinite(t_col).all():
        raise _fail(path, "a time or frame cell is empty or not finite.", "Fill every frame's time.")
    return (t_col - t_col[0]) / fps if per_unit is None else t_col * per_unit


@register_loader("mediapipe-csv", (".csv",), sniff=_sniff_mediapipe_csv)
def load_mediapipe_csv(path: Path, **options: Any) -> PoseSequence:
    """A CSV with one row per frame and 33 landmarks as x0,y0,z0,v0.. or nose_x,nose_y,.. columns."""
    rows = _csv_rows(path)
    if not rows:
        raise _fail(path, "has no column header.")
    header, body = rows[0], rows[1:]
    where = {i: lc for i, c in enumerate(header) if (lc := _landmark_column(c)) is not None}
    bad = sorted({idx for idx, _ in where.values() if idx >= K})
    if bad:
        raise _fail(path, f"has landmark numbers {bad[:3]} beyond BlazePose's 0..32.",
                    "Export the 33 BlazePose landmarks (MediaPipe Pose).")
    time_cols = [(i, _TIME_COLUMNS[c.strip().lower()]) for i, c in enumerate(header)
                 if c.strip().lower() in _TIME_COLUMNS]
    block = np.full((len(body), K, 4), np.nan)
    t_col = np.full(len(body), np.nan) if time_cols else None
    for r, row in enumerate(body):
        if len(row) != len(header):
            raise _fail(path, f"row {r + 2} has {len(row)} cells but the header has {len(header)}.")
        for i, (idx, axis) in where.items():
            block[r, idx, axis] = _cell_number(row[i], r, path)
        if t_col is not None:
            t_col[r] = _cell_number(row[time_cols[0][0]], r, path)
    return _mediapipe_sequence(path, block, t_col, time_cols[0][1] if time_cols else None,
                               options, "mediapipe-csv")


def _cell_number(cell: str, r: int, path: Path) -> float:
    cell = cell.strip()
    if not cell:
        return np.nan
    try:
        value = float(cell)
    except ValueError:
        raise _fail(path, f"row {r + 2} has {cell[:20]!r}, not a number.") from None
    if math.isinf(value):
        raise _fail(path, f"row {r + 2} has an infinite value.")
    return value


def _mediapipe_sequence(path: Path, block: np.ndarray, t_col: np.ndarray | None,
                        per_unit: float | None, options: dict[str, Any], fmt: str,
                        file_fps: Any = None) -> PoseSequence:
    if len(block) == 0:
        raise _fail(path, "holds no frames.", "Export the landmarks again.")
    fps, fps_note = _option_fps(options, file_fps, path)
    xyz, vis, size, notes = _normalised_block(block, options, path)
    t = _times(t_col, per_unit, len(block), fps, path)
    history = [f"loaded {fmt} (33 landmarks, BlazePose order)", fps_note, *notes]
    return _sequence(path, xyz=xyz, vis=vis, t=t, fps=fps, size=size, history=history,
                     meta={"format": fmt})


_LANDMARK_KEYS = ("landmarks", "pose_landmarks")  # not "keypoints": that is COCO's
_FRAME_TIME_KEYS = tuple(_TIME_COLUMNS)


def _mp_frames(doc: Any) -> list[Any] | None:
    """The list of frames of a MediaPipe-style JSON document, or None if it is not one."""
    frames = doc.get("frames") if isinstance(doc, dict) else doc
    if isinstance(doc, dict) and frames is None and any(k in doc for k in _LANDMARK_KEYS):
        frames = [doc]
    if not isinstance(frames, list) or not frames:
        return None
    first = frames[0]
    if isinstance(first, dict) and any(isinstance(first.get(k), list) for k in _LANDMARK_KEYS):
        return frames
    if isinstance(first, list) and (not first or isinstance(first[0], (dict, list))):
        return frames
    return None


def _sniff_mediapipe_json(path: Path) -> bool:
    return _mp_frames(_json_or_none(path)) is not None


def _mp_landmarks(frame: Any, f: int, path: Path) -> tuple[np.ndarray, Any]:
    """((33, 4) x, y, z, v; the frame's time entry) from one frame."""
    lms, stamp = frame, None
    if isinstance(frame, dict):
        lms = next((frame[k] for k in _LANDMARK_KEYS if isinstance(frame.get(k), list)), None)
        stamp = next(((k, frame[k]) for k in _FRAME_TIME_KEYS if k in frame), None)
    if not isinstance(lms, list):
        raise _fail(path, f"frame {f} has no 'landmarks' list.")
    if lms and isinstance(lms[0], list) and lms[0] and isinstance(lms[0][0], (dict, list)):
        lms = lms[0]  # one list per detected person: the first (MediaPipe's most confident)
    out = np.full((K, 4), np.nan)
    if not lms:
        return out, stamp
    if len(lms) != K:
        raise _fail(path, f"frame {f} has {len(lms)} landmarks, expected {K} (BlazePose).",
                    "Export MediaPipe Pose's 33 landmarks per frame.")
    for j, lm in enumerate(lms):
        if isinstance(lm, dict):
            vals = [lm.get("x"), lm.get("y"), lm.get("z"), lm.get("visibility", lm.get("v"))]
        elif isinstance(lm, list) and 2 <= len(lm) <= 4:
            vals = list(lm) + [None] * (4 - len(lm))
        else:
            raise _fail(path, f"landmark {j} of frame {f} is neither {{x, y, z, visibility}} nor [x, y, z, v].")
        out[j] = _floats(vals, path, f"landmark {j} of frame {f}")
    return out, stamp


@register_loader("mediapipe-json", (".json",), sniff=_sniff_mediapipe_json)
def load_mediapipe_json(path: Path, **options: Any) -> PoseSequence:
    """MediaPipe-style JSON: frames with 33 landmarks each ({x, y, z, visibility} or lists)."""
    doc = _json(path)
    frames = _mp_frames(doc)
    if frames is None:
        raise _fail(path, "expected a list of frames, each with 33 'landmarks'.")
    parsed = [_mp_landmarks(fr, f, path) for f, fr in enumerate(frames)]
    block = np.stack([p[0] for p in parsed])
    stamps = [p[1] for p in parsed]
    t_col, per_unit = None, None
    if all(s is not None for s in stamps) and len({s[0] for s in stamps}) == 1:
        t_col = _floats([s[1] for s in stamps], path, f"the frames' {stamps[0][0]!r}")
        per_unit = _TIME_COLUMNS[stamps[0][0]]
    file_fps = doc.get("fps") if isinstance(doc, dict) else None
    opts = dict(options)
    if isinstance(doc, dict) and "image_size" not in opts and _is_size(doc.get("image_size")):
        opts["image_size"] = tuple(doc["image_size"])
    return _mediapipe_sequence(path, block, t_col, per_unit, opts, "mediapipe-json", file_fps)


def _is_size(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(_is_number(v) and math.isfinite(v) and v >= 1 for v in value))
