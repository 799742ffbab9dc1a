"""OpenPose JSON (``openpose``): one ``*_keypoints.json`` file per frame
(``{"people": [{"pose_keypoints_2d": [...]}]}``) in BODY_25 (75 numbers) or COCO-18 (54
numbers); a single file or a folder of them. A point with confidence 0 is missing. Several
people in a frame: the largest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from hingecoach.pose import PoseSequence
from hingecoach.pose.schema import INDEX, mapping_to_blazepose
from hingecoach.sources.formats.common import (
    K,
    area,
    extent_size,
    fail,
    floats,
    json_or_none,
    make_sequence,
    option_fps,
    option_size,
    read_json,
    times_from_keys,
)
from hingecoach.sources.registry import register_loader

#: OpenPose's COCO-18 order (the "COCO" model): neck is extra, no feet.
OPENPOSE_COCO18: tuple[str | None, ...] = (
    "nose", None, "right_shoulder", "right_elbow", "right_wrist",
    "left_shoulder", "left_elbow", "left_wrist", "right_hip", "right_knee", "right_ankle",
    "left_hip", "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear",
)


_OPENPOSE_SCHEMAS = {75: ("body25", mapping_to_blazepose("openpose_body25")),
                     54: ("coco18", [(i, INDEX[n]) for i, n in enumerate(OPENPOSE_COCO18) if n])}


def sniff_openpose(path: Path) -> bool:
    doc = json_or_none(path)
    return isinstance(doc, dict) and isinstance(doc.get("people"), list)


def is_openpose_folder(path: Path) -> bool:
    """True for a folder holding OpenPose's per-frame ``*_keypoints.json`` files."""
    return path.is_dir() and any(path.glob("*_keypoints.json"))


def _openpose_people(doc: Any, path: Path) -> list[tuple[int, np.ndarray]]:
    """(numbers per person, (n, 3) x, y, c) for each person with a 2D pose in one frame file."""
    if not isinstance(doc, dict) or not isinstance(doc.get("people"), list):
        raise fail(path, "expected an OpenPose frame: an object with a 'people' list.")
    out = []
    for i, person in enumerate(doc["people"]):
        if not isinstance(person, dict):
            raise fail(path, f"person {i} is not an object.")
        kp = floats(person.get("pose_keypoints_2d", []), path, f"'pose_keypoints_2d' of person {i}")
        if kp.size == 0:
            continue
        if kp.size not in _OPENPOSE_SCHEMAS:
            raise fail(path, f"person {i} has {kp.size} pose numbers; expected 75 (BODY_25) "
                       "or 54 (COCO-18).", "Run OpenPose with --model_pose BODY_25 or COCO.")
        out.append((kp.size, kp.reshape(-1, 3)))
    return out


def _openpose_frames(path: Path) -> list[tuple[Any, Path, Any]]:
    """(frame key, file, parsed document) for a folder or a single file."""
    if path.is_dir():
        files = sorted(path.glob("*_keypoints.json"))
        if not files:
            raise fail(path, "holds no OpenPose *_keypoints.json files.",
                       "Point at OpenPose's --write_json folder.")
        return [(f.name, f, read_json(f)) for f in files]
    return [(0, path, read_json(path))]


@register_loader("openpose", (".json",), sniff=sniff_openpose)
def load_openpose(path: Path, **options: Any) -> PoseSequence:
    """OpenPose per-frame JSON (a file, or a folder of them) as a PoseSequence."""
    frames = _openpose_frames(path)
    fps, fps_note = option_fps(options, None, path)
    t, keys, order_note = times_from_keys([k for k, _, _ in frames], fps)
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
        n, pts = max(people, key=lambda p: area(p[1]))
        pairs = _OPENPOSE_SCHEMAS[n][1]
        src, dst = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
        missing = ~(pts[src, 2] > 0)
        xyz[f, dst, :2] = np.where(missing[:, None], np.nan, pts[src, :2])
        vis[f, dst] = np.where(missing, 0.0, np.clip(pts[src, 2], 0.0, 1.0))
    if len(sizes) > 1:
        raise fail(path, "mixes BODY_25 and COCO-18 poses.", "Export all frames with one OpenPose model.")
    schema = _OPENPOSE_SCHEMAS[sizes.pop()][0] if sizes else "unknown"
    size, size_note = (option_size(options, path), None)
    if size is None:
        size, size_note = extent_size(xyz, path)
    meta = {"format": "openpose", "keypoint_schema": schema, "frames_with_several_people": crowded,
            "person_choice": "largest" if crowded else "one person per frame",
            "frames_without_person": empty}
    history = [f"loaded OpenPose {schema} from {len(frames)} file(s), mapped to BlazePose-33",
               fps_note, order_note, size_note]
    return make_sequence(path, xyz=xyz, vis=vis, t=t, fps=fps, size=size, history=history, meta=meta)
