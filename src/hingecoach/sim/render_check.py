"""Check rendered frames against BlazePose: detection, landmark pixel error, angle error.

Used by the renderer's test and by ``bench.render_suite``; it imports MediaPipe lazily, so
importing this module costs nothing. Angles are compared side-agnostically (left/right
midpoints) because BlazePose swaps the hidden side's labels in a side view; landmark error is
taken per joint as the smaller of the same-label and swapped-label distance, for the same
reason, and reported as a fraction of image height.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from hingecoach.pose.schema import INDEX

CHECK_JOINTS = ("shoulder", "hip", "knee", "ankle")


@dataclass
class Detections:
    """BlazePose output over frames: image pixels (T, 33, 2), relative depth in pixel scale
    (T, 33), world metres (T, 33, 3), visibility (T, 33); NaN where nobody was found."""

    xy_px: np.ndarray
    z_px: np.ndarray
    world_m: np.ndarray
    visibility: np.ndarray

    @property
    def detected(self) -> np.ndarray:
        return np.isfinite(self.xy_px[:, 0, 0])

    def to_arrays(self) -> dict[str, np.ndarray]:
        """For np.savez (``Detections(**np.load(path))`` reads it back)."""
        return {"xy_px": self.xy_px, "z_px": self.z_px, "world_m": self.world_m, "visibility": self.visibility}

    def to_pose(self, t_s: np.ndarray, fps: float, image_size: tuple[int, int], source: str):
        """A PoseSequence as the video source would give it (view and facing left to detect)."""
        from hingecoach.pose import PoseSequence

        xyz = np.concatenate([self.xy_px, self.z_px[..., None]], axis=-1)
        return PoseSequence(xyz=xyz, visibility=self.visibility, t_s=t_s, fps=fps, image_size=image_size,
                            source=source, world_xyz=self.world_m)


class BlazePose:
    """MediaPipe BlazePose (model_complexity=1) over a stream of RGB frames, as video."""

    def __init__(self, static: bool = False, model_complexity: int = 1) -> None:
        import mediapipe as mp

        self._pose = mp.solutions.pose.Pose(
            static_image_mode=static, model_complexity=model_complexity, enable_segmentation=False,
            min_detection_confidence=0.5, min_tracking_confidence=0.5,
        )

    def __enter__(self) -> BlazePose:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pose.close()

    def run(self, frames_rgb: Iterable[np.ndarray]) -> Detections:
        xy, z, world, vis = [], [], [], []
        for frame in frames_rgb:
            h, w = frame.shape[:2]
            res = self._pose.process(np.ascontiguousarray(frame))
            if res.pose_landmarks is None:
                xy.append(np.full((33, 2), np.nan))
                z.append(np.full(33, np.nan))
                world.append(np.full((33, 3), np.nan))
                vis.append(np.zeros(33))
                continue
            lm = res.pose_landmarks.landmark
            xy.append(np.array([[p.x * w, p.y * h] for p in lm]))
            z.append(np.array([p.z * w for p in lm]))
            vis.append(np.array([p.visibility for p in lm]))
            wl = res.pose_world_landmarks.landmark
            world.append(np.array([[p.x, p.y, p.z] for p in wl]))
        return Detections(np.array(xy).reshape(-1, 33, 2), np.array(z).reshape(-1, 33),
                          np.array(world).reshape(-1, 33, 3), np.array(vis).reshape(-1, 33))


def _pair(arr: np.ndarray, joint: str) -> tuple[np.ndarray, np.ndarray]:
    return arr[:, INDEX[f"left_{joint}"]], arr[:, INDEX[f"right_{joint}"]]


def landmark_error_frac(det: Detections, truth_px: Mapping[str, np.ndarray], image_h: int) -> dict[str, np.ndarray]:
    """Per joint, (T,) pixel error / image height, swap-tolerant (see module docstring); NaN if undetected."""
    out = {}
    for j in CHECK_JOINTS:
        dl, dr = _pair(det.xy_px, j)
        tl, tr = truth_px[f"left_{j}"], truth_px[f"right_{j}"]
        same = np.linalg.norm(dl - tl, axis=-1) + np.linalg.norm(dr - tr, axis=-1)
        swap = np.linalg.norm(dl - tr, axis=-1) + np.linalg.norm(dr - tl, axis=-1)
        out[j] = 0.5 * np.minimum(same, swap) / image_h
    return out


def _angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Included angle at b, degrees, for (T, d) points."""
    u, v = a - b, c - b
    cos = np.sum(u * v, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def mid_angles(points: Mapping[str, np.ndarray], down_is_positive_y: bool) -> dict[str, np.ndarray]:
    """Hip, knee and trunk angles (deg) from left/right midpoints of (T, 2 or 3) points.

    hip = shoulder-hip-knee, knee = hip-knee-ankle (180 = straight), trunk = hip->shoulder
    from vertical (0 = upright). ``down_is_positive_y`` is True for image pixels and for
    BlazePose world landmarks, False for the simulator's world (Y up).
    """
    mid = {j: 0.5 * (points[f"left_{j}"] + points[f"right_{j}"]) for j in CHECK_JOINTS}
    up = mid["shoulder"] - mid["hip"]
    vertical = -up[:, 1] if down_is_positive_y else up[:, 1]
    trunk = np.degrees(np.arctan2(np.linalg.norm(np.delete(up, 1, axis=-1), axis=-1), vertical))
    return {
        "hip": _angle_deg(mid["shoulder"], mid["hip"], mid["knee"]),
        "knee": _angle_deg(mid["hip"], mid["knee"], mid["ankle"]),
        "trunk": trunk,
    }


def named(arr: np.ndarray) -> dict[str, np.ndarray]:
    """(T, 33, d) BlazePose-order array -> name -> (T, d)."""
    return {name: arr[:, i] for name, i in INDEX.items()}
