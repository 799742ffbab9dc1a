"""MediaPipe-style CSV/JSON from other tools (``mediapipe-csv``, ``mediapipe-json``): 33
landmarks per frame with x, y, z, visibility, normalised to 0..1 (scaled by the ``image_size``
option, else by :data:`DEFAULT_NORMALISED_SIZE`)."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from hingecoach.pose import PoseSequence
from hingecoach.pose.schema import INDEX
from hingecoach.sources.formats.common import (
    K,
    extent_size,
    fail,
    floats,
    is_number,
    json_or_none,
    make_sequence,
    option_fps,
    option_size,
    read_json,
    read_text,
)
from hingecoach.sources.registry import register_loader

#: Size assumed for normalised (0..1) coordinates when neither the file nor the caller gives one.
DEFAULT_NORMALISED_SIZE = (1000, 1000)

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
    text = read_text(path)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    try:
        return list(csv.reader(io.StringIO("\n".join(lines))))
    except csv.Error as exc:
        raise fail(path, f"is not a readable CSV table ({exc}).") from None


def sniff_mediapipe_csv(path: Path) -> bool:
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
    size = option_size(options, path)
    xy = block[..., :2][np.isfinite(block[..., :2])]
    normalised = xy.size == 0 or bool(np.all((xy > -1.0) & (xy < 2.0)))
    if size is None:
        if normalised:
            size = DEFAULT_NORMALISED_SIZE
            notes.append(f"image size unknown: normalised coordinates scaled to "
                         f"{size[0]}x{size[1]} px (pass image_size= to set it)")
        else:
            size, note = extent_size(block[..., :3], path)
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
        raise fail(path, "a time or frame cell is empty or not finite.", "Fill every frame's time.")
    return (t_col - t_col[0]) / fps if per_unit is None else t_col * per_unit


@register_loader("mediapipe-csv", (".csv",), sniff=sniff_mediapipe_csv)
def load_mediapipe_csv(path: Path, **options: Any) -> PoseSequence:
    """A CSV with one row per frame and 33 landmarks as x0,y0,z0,v0.. or nose_x,nose_y,.. columns."""
    rows = _csv_rows(path)
    if not rows:
        raise fail(path, "has no column header.")
    header, body = rows[0], rows[1:]
    where = {i: lc for i, c in enumerate(header) if (lc := _landmark_column(c)) is not None}
    bad = sorted({idx for idx, _ in where.values() if idx >= K})
    if bad:
        raise fail(path, f"has landmark numbers {bad[:3]} beyond BlazePose's 0..32.",
                   "Export the 33 BlazePose landmarks (MediaPipe Pose).")
    time_cols = [(i, _TIME_COLUMNS[c.strip().lower()]) for i, c in enumerate(header)
                 if c.strip().lower() in _TIME_COLUMNS]
    block = np.full((len(body), K, 4), np.nan)
    t_col = np.full(len(body), np.nan) if time_cols else None
    for r, row in enumerate(body):
        if len(row) != len(header):
            raise fail(path, f"row {r + 2} has {len(row)} cells but the header has {len(header)}.")
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
        raise fail(path, f"row {r + 2} has {cell[:20]!r}, not a number.") from None
    if math.isinf(value):
        raise fail(path, f"row {r + 2} has an infinite value.")
    return value


def _mediapipe_sequence(path: Path, block: np.ndarray, t_col: np.ndarray | None,
                        per_unit: float | None, options: dict[str, Any], fmt: str,
                        file_fps: Any = None) -> PoseSequence:
    if len(block) == 0:
        raise fail(path, "holds no frames.", "Export the landmarks again.")
    fps, fps_note = option_fps(options, file_fps, path)
    xyz, vis, size, notes = _normalised_block(block, options, path)
    t = _times(t_col, per_unit, len(block), fps, path)
    history = [f"loaded {fmt} (33 landmarks, BlazePose order)", fps_note, *notes]
    return make_sequence(path, xyz=xyz, vis=vis, t=t, fps=fps, size=size, history=history,
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


def sniff_mediapipe_json(path: Path) -> bool:
    return _mp_frames(json_or_none(path)) is not None


def _mp_landmarks(frame: Any, f: int, path: Path) -> tuple[np.ndarray, Any]:
    """((33, 4) x, y, z, v; the frame's time entry) from one frame."""
    lms, stamp = frame, None
    if isinstance(frame, dict):
        lms = next((frame[k] for k in _LANDMARK_KEYS if isinstance(frame.get(k), list)), None)
        stamp = next(((k, frame[k]) for k in _FRAME_TIME_KEYS if k in frame), None)
    if not isinstance(lms, list):
        raise fail(path, f"frame {f} has no 'landmarks' list.")
    if lms and isinstance(lms[0], list) and lms[0] and isinstance(lms[0][0], (dict, list)):
        lms = lms[0]  # one list per detected person: the first (MediaPipe's most confident)
    out = np.full((K, 4), np.nan)
    if not lms:
        return out, stamp
    if len(lms) != K:
        raise fail(path, f"frame {f} has {len(lms)} landmarks, expected {K} (BlazePose).",
                   "Export MediaPipe Pose's 33 landmarks per frame.")
    for j, lm in enumerate(lms):
        if isinstance(lm, dict):
            vals = [lm.get("x"), lm.get("y"), lm.get("z"), lm.get("visibility", lm.get("v"))]
        elif isinstance(lm, list) and 2 <= len(lm) <= 4:
            vals = list(lm) + [None] * (4 - len(lm))
        else:
            raise fail(path, f"landmark {j} of frame {f} is neither {{x, y, z, visibility}} nor [x, y, z, v].")
        out[j] = floats(vals, path, f"landmark {j} of frame {f}")
    return out, stamp


@register_loader("mediapipe-json", (".json",), sniff=sniff_mediapipe_json)
def load_mediapipe_json(path: Path, **options: Any) -> PoseSequence:
    """MediaPipe-style JSON: frames with 33 landmarks each ({x, y, z, visibility} or lists)."""
    doc = read_json(path)
    frames = _mp_frames(doc)
    if frames is None:
        raise fail(path, "expected a list of frames, each with 33 'landmarks'.")
    parsed = [_mp_landmarks(fr, f, path) for f, fr in enumerate(frames)]
    block = np.stack([p[0] for p in parsed])
    stamps = [p[1] for p in parsed]
    t_col, per_unit = None, None
    if all(s is not None for s in stamps) and len({s[0] for s in stamps}) == 1:
        t_col = floats([s[1] for s in stamps], path, f"the frames' {stamps[0][0]!r}")
        per_unit = _TIME_COLUMNS[stamps[0][0]]
    file_fps = doc.get("fps") if isinstance(doc, dict) else None
    opts = dict(options)
    if isinstance(doc, dict) and "image_size" not in opts and _is_size(doc.get("image_size")):
        opts["image_size"] = tuple(doc["image_size"])
    return _mediapipe_sequence(path, block, t_col, per_unit, opts, "mediapipe-json", file_fps)


def _is_size(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(is_number(v) and math.isfinite(v) and v >= 1 for v in value))
