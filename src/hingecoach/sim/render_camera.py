"""A pinhole camera for the renderer, placed the way the simulator places its camera.

Distance is measured horizontally from the look-at point, height is the lens height above the
floor, and yaw turns the camera around the vertical axis: 0 = true side view from the
person's left (+Z; the person faces image right), 45 = oblique, 90 = front (+X, the person
faces the camera). The camera looks at ``target`` (default: mid-body height over the feet).
Coordinates follow the simulator's world frame (X forward, Y up, Z left; metres).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RenderCamera:
    """Pinhole camera; ``vfov_deg`` is the vertical field of view."""

    distance_m: float = 3.2
    height_m: float = 1.0
    yaw_deg: float = 0.0
    vfov_deg: float = 42.0
    target: tuple[float, float, float] = (0.0, 0.9, 0.0)

    @property
    def position(self) -> np.ndarray:
        yaw = np.radians(self.yaw_deg)
        tx, _, tz = self.target
        return np.array([tx + self.distance_m * np.sin(yaw), self.height_m, tz + self.distance_m * np.cos(yaw)])

    def basis(self) -> np.ndarray:
        """Rows: right, up, forward (unit vectors in world coordinates)."""
        fwd = np.asarray(self.target, dtype=np.float64) - self.position
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, fwd)
        return np.stack([right, up, fwd])

    def focal_px(self, size: tuple[int, int]) -> float:
        return 0.5 * size[1] / np.tan(np.radians(self.vfov_deg) / 2.0)

    def project(self, xyz: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        """World points (..., 3) -> image pixels (..., 2), x right and y down, plus depth (..., 1)."""
        rel = np.asarray(xyz, dtype=np.float64) - self.position
        cam = rel @ self.basis().T
        f = self.focal_px(size)
        w, h = size
        u = 0.5 * w + f * cam[..., 0] / cam[..., 2]
        v = 0.5 * h - f * cam[..., 1] / cam[..., 2]
        return np.stack([u, v, cam[..., 2]], axis=-1)

    def as_array(self, size: tuple[int, int]) -> np.ndarray:
        """Packed for the kernel: position(3), right(3), up(3), forward(3), focal, cx, cy."""
        b = self.basis()
        w, h = size
        return np.concatenate([self.position, b[0], b[1], b[2], [self.focal_px(size), 0.5 * w, 0.5 * h]])
