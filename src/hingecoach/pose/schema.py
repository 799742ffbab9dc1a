"""Keypoint schemas: BlazePose-33 is native; other schemas are mapped onto it.

A schema is an ordered tuple of keypoint names. Every PoseSequence is in BlazePose-33 order;
sources reading other schemas map their points here and leave the rest missing (NaN,
visibility 0).
"""

from __future__ import annotations

BLAZEPOSE33: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)

INDEX: dict[str, int] = {name: i for i, name in enumerate(BLAZEPOSE33)}

#: COCO-17 keypoint order (as in COCO, OpenPose's BODY_25 minus its extras, YOLO, MMPose).
COCO17: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)

#: OpenPose BODY_25 order; names that BlazePose lacks (neck, mid_hip, small toes) map to None.
OPENPOSE_BODY25: tuple[str | None, ...] = (
    "nose", None, "right_shoulder", "right_elbow", "right_wrist",
    "left_shoulder", "left_elbow", "left_wrist", None,
    "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
    "left_foot_index", None, "left_heel", "right_foot_index", None, "right_heel",
)

#: Left/right pairs used by side-agnostic kinematics (BlazePose swaps hidden-side labels).
PAIRS: dict[str, tuple[str, str]] = {
    "ear": ("left_ear", "right_ear"),
    "shoulder": ("left_shoulder", "right_shoulder"),
    "elbow": ("left_elbow", "right_elbow"),
    "wrist": ("left_wrist", "right_wrist"),
    "hip": ("left_hip", "right_hip"),
    "knee": ("left_knee", "right_knee"),
    "ankle": ("left_ankle", "right_ankle"),
    "heel": ("left_heel", "right_heel"),
    "toe": ("left_foot_index", "right_foot_index"),
}

#: Skeleton edges for drawing, as (name, name).
EDGES: tuple[tuple[str, str], ...] = (
    ("left_ear", "left_shoulder"), ("right_ear", "right_shoulder"),
    ("left_shoulder", "right_shoulder"),
    ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("left_hip", "right_hip"),
    ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"), ("left_heel", "left_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_ankle", "right_heel"), ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
)

SCHEMAS: dict[str, tuple[str | None, ...]] = {
    "blazepose33": BLAZEPOSE33,
    "coco17": COCO17,
    "openpose_body25": OPENPOSE_BODY25,
}


def mapping_to_blazepose(schema: str) -> list[tuple[int, int]]:
    """Pairs (source index, BlazePose index) for every point the schema shares with BlazePose."""
    try:
        names = SCHEMAS[schema]
    except KeyError:
        raise ValueError(
            f"Expected a keypoint schema among {sorted(SCHEMAS)}, but got {schema!r}."
        ) from None
    return [(i, INDEX[n]) for i, n in enumerate(names) if n is not None and n in INDEX]
