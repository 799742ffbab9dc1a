"""Helpers every foreign keypoint format shares: errors naming the file, numbers from JSON,
the fps and image-size options, frame order from frame ids, the PoseSequence, and reading a
file once for the sniffs and the loader."""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np

from hingecoach.errors import HingeInputError
from hingecoach.pose import PoseDataError, PoseSequence
from hingecoach.pose.schema import BLAZEPOSE33

K = len(BLAZEPOSE33)
DEFAULT_FPS = 30.0
#: Frame numbers beyond this are ids, not frame counts (COCO image ids can be anything).
MAX_FRAME_NUMBER = 10**9

FIX_SCHEMA = "Export the keypoints again, or check the file against its tool's documented format."


def fail(path: Path, problem: str, fix: str = FIX_SCHEMA) -> HingeInputError:
    return HingeInputError(f"{path.name}: {problem}", fix)


def is_number(v: Any) -> TypeGuard[int | float]:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def floats(values: Any, path: Path, what: str) -> np.ndarray:
    """A flat float64 array from a JSON list of numbers (null becomes NaN)."""
    if not isinstance(values, list) or not all(v is None or is_number(v) for v in values):
        raise fail(path, f"expected {what} to be a list of numbers, but got something else.")
    try:
        arr = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    except OverflowError:
        raise fail(path, f"{what} holds a number too large for a coordinate.") from None
    if np.isinf(arr).any():
        raise fail(path, f"{what} holds an infinite value.")
    return arr


def option_fps(options: dict[str, Any], file_fps: Any, path: Path) -> tuple[float, str | None]:
    """Frame rate from the caller, else the file, else 30 (with a history note)."""
    for value, where in ((options.get("fps"), "the fps option"), (file_fps, "the file's fps")):
        if value is None:
            continue
        if not is_number(value) or not (math.isfinite(value) and value > 0):
            raise fail(path, f"{where} is {value!r}, not a positive number.",
                       "Give the frame rate as a positive number, e.g. fps=30.")
        return float(value), None
    return DEFAULT_FPS, f"frame rate unknown: assumed {DEFAULT_FPS:g} fps (pass fps= to set it)"


def option_size(options: dict[str, Any], path: Path) -> tuple[int, int] | None:
    size = options.get("image_size")
    if size is None:
        return None
    if (not isinstance(size, (tuple, list)) or len(size) != 2
        or not all(is_number(v) and math.isfinite(v) and v >= 1 for v in size)):
        raise fail(path, f"the image_size option is {size!r}.",
                   "Give the image size as (width, height) in pixels, e.g. image_size=(1920, 1080).")
    return int(size[0]), int(size[1])


def extent_size(xyz: np.ndarray, path: Path) -> tuple[tuple[int, int], str]:
    """Image size that holds every point, when the file does not say."""
    xy = xyz[..., :2]
    finite = np.isfinite(xy).all(axis=-1)
    if not finite.any():
        raise fail(path, "no keypoint has coordinates, so there is nothing to analyse.",
                   "Check that the pose tool found a person in the video.")
    w = int(math.ceil(max(float(xy[..., 0][finite].max()), 0.0))) + 1
    h = int(math.ceil(max(float(xy[..., 1][finite].max()), 0.0))) + 1
    return (w, h), f"image size unknown: taken from the keypoints' extent ({w}x{h} px)"


def _frame_number(key: Any) -> int | None:
    """A frame number from an id: an integer, or the last digits in a name like frame_0012.jpg."""
    if is_number(key) and float(key).is_integer() and abs(key) <= MAX_FRAME_NUMBER:
        return int(key)
    if isinstance(key, str):
        digits = re.findall(r"\d+", key)
        if digits and len(digits[-1].lstrip("0")) <= 9:
            return int(digits[-1])
    return None


def times_from_keys(keys: list[Any], fps: float) -> tuple[np.ndarray, list[Any], str | None]:
    """Order frames by number (gaps become gaps in time); fall back to the order given."""
    numbers = [n for n in (_frame_number(k) for k in keys) if n is not None]
    if len(numbers) == len(keys) and len(set(numbers)) == len(numbers):
        order = sorted(range(len(keys)), key=lambda i: numbers[i])
        first = numbers[order[0]] if order else 0
        t = np.array([(numbers[i] - first) / fps for i in order], dtype=np.float64)
        return t, [keys[i] for i in order], None
    t = np.arange(len(keys), dtype=np.float64) / fps
    return t, list(keys), "frame ids are not distinct numbers: frames kept in file order"


def make_sequence(path: Path, *, xyz: np.ndarray, vis: np.ndarray, t: np.ndarray, fps: float,
                  size: tuple[int, int], history: list[str | None], meta: dict[str, Any],
                  world: np.ndarray | None = None, view: str = "unknown",
                  facing: str = "unknown") -> PoseSequence:
    try:
        return PoseSequence(xyz=xyz, visibility=vis, t_s=t, fps=fps, image_size=size,
                            source=str(path), view=view, facing=facing, world_xyz=world,
                            history=tuple(h for h in history if h), meta=meta)
    except PoseDataError as exc:
        raise fail(path, str(exc)) from None


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail(path, "is not UTF-8 text.", "Export the keypoints again as UTF-8 text.") from None
    except OSError as exc:
        raise fail(path, f"cannot be read ({exc.strerror}).", "Check the file's permissions.") from None


@functools.lru_cache(maxsize=4)
def _parse_json_cached(path_str: str, _mtime_ns: int, _size: int) -> Any:
    text = Path(path_str).read_bytes().decode("utf-8-sig")
    return json.loads(text)


def read_json(path: Path) -> Any:
    """The parsed document (cached so the sniffs and the loader parse a file once)."""
    try:
        st = path.stat()
        return _parse_json_cached(str(path), st.st_mtime_ns, st.st_size)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise fail(path, f"is not valid JSON ({str(exc)[:80]}).", "Export the keypoints again.") from None
    except OSError as exc:
        raise fail(path, f"cannot be read ({exc.strerror}).", "Check the file's permissions.") from None


def json_or_none(path: Path) -> Any:
    try:
        return read_json(path)
    except HingeInputError:
        return None


def area(points: np.ndarray, bbox: Any = None) -> float:
    if isinstance(bbox, list) and len(bbox) == 4 and all(is_number(v) for v in bbox):
        area = float(bbox[2]) * float(bbox[3])
        if math.isfinite(area):
            return area
    seen = points[(points[:, 2] > 0) & np.isfinite(points[:, :2]).all(axis=1), :2]
    if len(seen) < 2:
        return 0.0
    span = seen.max(axis=0) - seen.min(axis=0)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(span[0] * span[1])

