"""Still images → a one-frame PoseSequence (BlazePose in static-image mode).

A photo of the bottom position is enough for a back-shape or setup check; fps is 1.0 by
convention (one frame, one second), and the segmentation mask gives ``back_bend_deg``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from hingecoach.errors import NoPersonError, NotAVideoError
from hingecoach.pose import PoseSequence
from hingecoach.sources import pose_models
from hingecoach.sources.registry import register_loader
from hingecoach.sources.suffixes import IMAGE_SUFFIXES
from hingecoach.sources.video import (
    K,
    landmarks_from_result,
    make_pose,
    spine_channels,
    spine_readings,
)


def read_image(path: Path) -> np.ndarray:
    """BGR pixels, upright (OpenCV applies the EXIF orientation of phone photos)."""
    import cv2

    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None or bgr.size == 0:
        raise NotAVideoError(f"{path.name} is not a readable image (damaged, or not an image at all).",
                             "Give a .jpg, .png, .bmp or .webp photo, or export it again.")
    return bgr


@register_loader("image", IMAGE_SUFFIXES)
def load_image(path: Path, *, model: str = pose_models.DEFAULT_MODEL, **_: Any) -> PoseSequence:
    """Pose of the person in one photo, by the landmark model ``model`` (lite, full or heavy)."""
    import cv2

    path = Path(path)
    pose_models.check_model(model)
    bgr = read_image(path)
    h, w = bgr.shape[:2]
    with make_pose(static_image_mode=True, model=model) as pose:
        result = pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    xyz, vis, world = landmarks_from_result(result, w, h)
    if result.pose_landmarks is None:
        raise NoPersonError(f"No person found in {path.name}.",
                            "Photograph the whole body from the side, head to feet in view.")
    readings = spine_readings(result.segmentation_mask, xyz, min_trunk_deg=0.0)
    channels, spine_facing = spine_channels({k: np.array([v]) for k, v in readings.items()}, xyz[None])
    meta = {"frames_decoded": 1, "frames_with_person": 1, "rotation_deg": 0, "pose_model": pose_models.label(model),
            "spine_facing": spine_facing}
    return PoseSequence(xyz=xyz.reshape(1, K, 3), visibility=vis[None], t_s=np.zeros(1), fps=1.0,
                        image_size=(w, h), source=str(path), world_xyz=world.reshape(1, K, 3),
                        channels=channels, history=(f"pose: {pose_models.label(model)} (still image)",), meta=meta)
