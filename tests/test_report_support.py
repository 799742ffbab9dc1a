"""Inputs for the report tests: synthetic sets with known reps and patterns, and a synthetic
source video for the overlay (so the video path is tested without the real clips)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from figures import stick_pose
from hingecoach.analysis import Analysis, analyze


def mixed_set(hinges: int = 3, squats: int = 2, fps: float = 30.0, rep_s: float = 2.5,
              stand_s: float = 1.0, **kw) -> Analysis:
    """``hinges`` clean hinge reps (trunk 70 deg, soft knees, vertical shins) followed by
    ``squats`` squat reps (trunk 35 deg, knees 100 deg, shins 35 deg forward)."""
    trunk, knee, shin = [], [], []
    n_stand = int(stand_s * fps)
    n_rep = int(rep_s * fps)
    s = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_rep) / n_rep)
    for k in range(hinges + squats):
        squat = k >= hinges
        trunk += [0.0] * n_stand + list((35.0 if squat else 70.0) * s)
        knee += [12.0] * n_stand + list(12.0 + ((100.0 if squat else 25.0) - 12.0) * s)
        shin += [6.0] * n_stand + list(6.0 + ((35.0 if squat else 4.0) - 6.0) * s)
    trunk += [0.0] * n_stand
    knee += [12.0] * n_stand
    shin += [6.0] * n_stand
    return analyze(stick_pose(trunk, knee, shin, fps=fps, **kw))


def write_source_video(path: Path, size: tuple[int, int], n_frames: int, fps: float) -> Path:
    """A plain video to draw on: a smooth grey gradient that changes over time (no skeleton
    colour in it), written with OpenCV's MPEG-4 encoder."""
    import cv2

    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    ramp = np.linspace(60, 160, w, dtype=np.float32)[None, :, None]
    for i in range(n_frames):
        frame = np.broadcast_to(ramp + (i % 20), (h, w, 3)).astype(np.uint8)
        writer.write(np.ascontiguousarray(frame))
    writer.release()
    return path


def colour_near(pixels: np.ndarray, bgr: tuple[int, int, int], tol: int = 60) -> np.ndarray:
    """Boolean mask of pixels within ``tol`` (per channel) of a BGR colour."""
    return (np.abs(pixels.astype(int) - np.array(bgr)) <= tol).all(axis=-1)
