"""COCO-17 keypoint JSON (``coco17``): a results list ``[{"image_id"|"frame", "keypoints":
[x, y, v]*17, "score"}, ...]`` or a dataset dict with ``"annotations"`` (+ optional ``"images"``
for the image size and ``"categories"`` whose ``"keypoints"`` names select the mapping). A point
whose ``v`` is 0 is missing (COCO: "not labelled"). Visibility is ``v / 2`` for the dataset's
0/1/2 flags and the score itself (clipped to [0, 1]) for results. Several people in a frame: the
highest score, else the largest box."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from hingecoach.pose import PoseSequence
from hingecoach.pose.schema import COCO17, INDEX, mapping_to_blazepose
from hingecoach.sources.formats.common import (
    MAX_FRAME_NUMBER,
    K,
    area,
    extent_size,
    fail,
    floats,
    is_number,
    json_or_none,
    make_sequence,
    option_fps,
    option_size,
    read_json,
    times_from_keys,
)
from hingecoach.sources.registry import register_loader


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
                raise fail(path, "the category's keypoint names are not all strings.")
            pairs = [(i, INDEX[_norm_name(n)]) for i, n in enumerate(names) if _norm_name(n) in INDEX]
            if not pairs:
                raise fail(path, f"none of the keypoint names {names[:5]}... is a BlazePose point.",
                           "Use COCO keypoint names (nose, left_shoulder, ..., right_ankle).")
            return pairs, len(names), person[0].get("id")
    return mapping_to_blazepose("coco17"), len(COCO17), None


def sniff_coco(path: Path) -> bool:
    doc = json_or_none(path)
    if isinstance(doc, dict):
        return isinstance(doc.get("annotations"), list)
    return (isinstance(doc, list) and len(doc) > 0 and isinstance(doc[0], dict)
            and "keypoints" in doc[0])


def _coco_candidate(ann: Any, i: int, n_points: int, path: Path) -> tuple[Any, float | None, np.ndarray]:
    """(frame key, score, (n_points, 3) x, y, v) from one annotation or result."""
    if not isinstance(ann, dict):
        raise fail(path, f"entry {i} is not an object.")
    key = ann.get("image_id", ann.get("frame"))
    if key is None or not isinstance(key, (str, int, float)) or isinstance(key, bool):
        raise fail(path, f"entry {i} has no 'image_id' or 'frame'.",
                   "Give each detection the frame it belongs to ('image_id' or 'frame').")
    kp = floats(ann.get("keypoints"), path, f"'keypoints' of entry {i}")
    if kp.size != 3 * n_points:
        raise fail(path, f"entry {i} has {kp.size} keypoint numbers, expected {3 * n_points} "
                   f"({n_points} points x (x, y, v)).")
    score = ann.get("score")
    score = float(score) if is_number(score) and math.isfinite(score) else None
    return key, score, kp.reshape(n_points, 3)


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


@register_loader("coco17", (".json",), sniff=sniff_coco)
def load_coco(path: Path, **options: Any) -> PoseSequence:
    """COCO keypoint results or dataset (see module docstring) as a PoseSequence."""
    doc = read_json(path)
    is_dataset = isinstance(doc, dict)
    entries = doc.get("annotations") if is_dataset else doc
    if not isinstance(entries, list):
        raise fail(path, "expected a list of detections or a dict with 'annotations'.")
    pairs, n_points, cat_id = _coco_mapping(doc, path)
    if cat_id is not None:
        entries = [a for a in entries if not isinstance(a, dict) or a.get("category_id", cat_id) == cat_id]
    groups: dict[Any, list[tuple[float | None, float, np.ndarray]]] = {}
    for i, ann in enumerate(entries):
        key, score, pts = _coco_candidate(ann, i, n_points, path)
        groups.setdefault(key, []).append((score, area(pts, ann.get("bbox")), pts))
    images = _coco_images(doc, path) if is_dataset else []
    keys = [im[0] for im in images] or list(groups)
    if not keys:
        raise fail(path, "holds no detections.", "Check that the pose tool found a person.")
    file_fps = doc.get("fps") if is_dataset else None
    fps, fps_note = option_fps(options, file_fps, path)
    if images:  # the dataset's own frame order: frame_id when every image has one, else list order
        t, order_note = np.array([im[3] for im in images], dtype=np.float64) / fps, None
        t -= t[0]
    else:
        t, keys, order_note = times_from_keys(keys, fps)
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
    return make_sequence(path, xyz=xyz, vis=vis, t=t, fps=fps, size=size, history=history, meta=meta)


def _coco_images(doc: dict[str, Any], path: Path) -> list[tuple[Any, Any, Any, float]]:
    """(id, width, height, frame number) per image, ordered by frame_id when every image has one."""
    images = doc.get("images")
    if images is None:
        return []
    if not isinstance(images, list) or not all(
            isinstance(im, dict) and isinstance(im.get("id"), (int, str)) for im in images):
        raise fail(path, "'images' must be a list of objects each with a number or name 'id'.")
    frame_ids = [im.get("frame_id") for im in images]
    if all(is_number(f) and abs(f) <= MAX_FRAME_NUMBER for f in frame_ids) and len(set(frame_ids)) == len(images):
        images = sorted(images, key=lambda im: im["frame_id"])
        return [(im["id"], im.get("width"), im.get("height"), float(im["frame_id"])) for im in images]
    return [(im["id"], im.get("width"), im.get("height"), float(i)) for i, im in enumerate(images)]


def _coco_size(images: list[tuple[Any, Any, Any, float]], options: dict[str, Any], xyz: np.ndarray,
               path: Path) -> tuple[tuple[int, int], str | None]:
    given = option_size(options, path)
    if given:
        return given, None
    sizes = {(w, h) for _, w, h, _ in images
             if is_number(w) and is_number(h) and math.isfinite(w) and math.isfinite(h)
             and 1 <= w <= 1e6 and 1 <= h <= 1e6}
    if len(sizes) == 1:
        w, h = sizes.pop()
        return (int(w), int(h)), None
    if len(sizes) > 1:
        w = max(s[0] for s in sizes)
        h = max(s[1] for s in sizes)
        return (int(w), int(h)), f"images differ in size: used the largest ({int(w)}x{int(h)} px)"
    return extent_size(xyz, path)
