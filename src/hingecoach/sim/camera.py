"""Pinhole camera: world points -> image pixels, BlazePose-style depth and world landmarks.

The camera stands ``distance_m`` from the point between the feet, ``height_m`` above the floor,
aimed at ``target_y_m`` above the floor. ``yaw_deg`` turns it around the person: 0 = a true
side view, 45 = oblique (in front of the person's side), 90 = facing the person. ``side`` says
which side of the person it films ('right': the person's right side, who then faces image
left). No lens distortion (phone main cameras are close to pinhole after their own correction).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import cast

import numpy as np


@dataclass(frozen=True)
class Camera:
    distance_m: float = 3.2
    height_m: float = 1.0
    yaw_deg: float = 0.0
    side: str = "right"
    image_size: tuple[int, int] = (1280, 720)
    fps: float = 30.0
    hfov_deg: float = 66.0
    target_y_m: float = 0.9

    def to_dict(self) -> dict:
        d = asdict(self)
        d["image_size"] = list(self.image_size)
        return d

    @property
    def focal_px(self) -> float:
        return (self.image_size[0] / 2) / np.tan(np.radians(self.hfov_deg) / 2)

    @property
    def position(self) -> np.ndarray:
        yaw = np.radians(self.yaw_deg)
        z_sign = -1.0 if self.side == "right" else 1.0
        return np.array([self.distance_m * np.sin(yaw), self.height_m,
                         z_sign * self.distance_m * np.cos(yaw)])

    @property
    def rotation(self) -> np.ndarray:
        """Rows: camera x (image right), y (image down), z (optical axis) in world axes."""
        fwd = np.array([0.0, self.target_y_m, 0.0]) - self.position
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        return np.stack([right, down, fwd])

    @property
    def view(self) -> str:
        """PoseSequence view label: side below 20 degrees of yaw, front above 70."""
        yaw = abs(self.yaw_deg)
        return "side" if yaw < 20 else ("front" if yaw > 70 else "oblique")

    @property
    def facing(self) -> str:
        """Image direction the person faces ('camera' for a front view)."""
        if self.view == "front":
            return "camera"
        forward = self.rotation @ np.array([1.0, 0.0, 0.0])
        return "right" if forward[0] > 0 else "left"

    def to_camera(self, world: np.ndarray) -> np.ndarray:
        """(..., 3) world -> camera coordinates (x right, y down, z away from the camera)."""
        return (world - self.position) @ self.rotation.T

    def project(self, world: np.ndarray) -> np.ndarray:
        """(..., 3) world -> (..., 3) pixels: u, v and camera depth in metres."""
        c = self.to_camera(world)
        f = self.focal_px
        w, h = self.image_size
        depth = c[..., 2]
        return np.stack([w / 2 + f * c[..., 0] / depth, h / 2 + f * c[..., 1] / depth, depth], -1)


def fit_distance_m(height_m: float, image_size: tuple[int, int], hfov_deg: float,
                   fill: float = 0.75) -> float:
    """Distance at which a standing person fills ``fill`` of the image height."""
    w, h = image_size
    f = (w / 2) / np.tan(np.radians(hfov_deg) / 2)
    return float(f * height_m / (fill * h))


VIEW_YAW_DEG = {"side": (-8.0, 8.0), "oblique": (35.0, 55.0), "front": (80.0, 90.0)}


def random_camera(rng: np.random.Generator, view: str, height_m: float,
                  image_size: tuple[int, int] = (1280, 720), fps: float = 30.0) -> Camera:
    """A plausible phone set-up for ``view``: yaw in VIEW_YAW_DEG, camera 0.7-1.3 m high,
    distance so the person fills 55-80 % of the frame height."""
    if view not in VIEW_YAW_DEG:
        raise ValueError(f"Expected a view among {tuple(VIEW_YAW_DEG)}, but got {view!r}.")
    hfov = float(rng.uniform(60, 72))
    dist = fit_distance_m(height_m, image_size, hfov, fill=float(rng.uniform(0.55, 0.8)))
    return Camera(distance_m=dist, height_m=float(rng.uniform(0.7, 1.3)),
                  yaw_deg=float(rng.uniform(*VIEW_YAW_DEG[view])),
                  side=str(rng.choice(["left", "right"])), image_size=cast(tuple[int, int], tuple(image_size)),
                  fps=fps, hfov_deg=hfov, target_y_m=0.5 * height_m)
