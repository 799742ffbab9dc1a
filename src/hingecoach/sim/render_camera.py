"""The simulator's pinhole camera (:class:`hingecoach.sim.camera.Camera`), adapted for rendering.

The renderer draws exactly what ``Camera.project`` maps points to: same position, rotation
and horizontal field of view; only the image size may change (keep the camera's aspect ratio,
e.g. 1280x720 -> 640x360, or the vertical coverage changes with it).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from hingecoach.sim.camera import Camera


def at_size(camera: Camera, size: tuple[int, int] | None) -> Camera:
    """The same camera rendering ``size`` pixels (width, height); ``None`` keeps its own size."""
    if size is None:
        return camera
    w, h = (int(v) for v in size)
    return dataclasses.replace(camera, image_size=(w, h))


def kernel_array(camera: Camera) -> np.ndarray:
    """Packed for the kernel: position(3), right(3), up(3), forward(3), focal px, cx, cy."""
    rot = camera.rotation  # rows: image right, image down, optical axis
    w, h = camera.image_size
    return np.concatenate([camera.position, rot[0], -rot[1], rot[2], [camera.focal_px, 0.5 * w, 0.5 * h]])


def lighting(camera: Camera, wall_behind_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Key light direction (towards the light) and wall plane (nx, ny, nz, offset).

    The key light comes from above, in front of the person on the camera's side and a little
    to the camera's left, so the visible side is lit and the shadow falls behind and below.
    The wall faces the camera ``wall_behind_m`` behind the person.
    """
    rot = camera.rotation
    to_cam = -np.array([rot[2, 0], 0.0, rot[2, 2]])
    to_cam /= np.linalg.norm(to_cam)
    light = 0.5 * to_cam - 0.35 * rot[0] + np.array([0.0, 1.0, 0.0])
    light /= np.linalg.norm(light)
    wall_point = np.array([0.0, camera.target_y_m, 0.0]) - to_cam * wall_behind_m
    wall = np.array([to_cam[0], 0.0, to_cam[2], float(np.dot(to_cam, wall_point))])
    return light, wall


def project(camera: Camera, points: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Name -> (..., 2) image pixels (x right, y down) of world points."""
    return {k: camera.project(np.asarray(v, dtype=np.float64))[..., :2] for k, v in points.items()}
