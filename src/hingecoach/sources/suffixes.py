"""The file suffixes read as video (animated GIFs included) and as still images, defined once;
importing this module loads no decoder."""

from __future__ import annotations

from pathlib import Path

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".gif")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def is_video(path: str | Path) -> bool:
    """True when ``path`` names a video (or animated GIF) by its suffix, any case."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def runs_pose(path: str | Path) -> bool:
    """True when reading ``path`` runs the pose model (a video or a photo, by suffix), so the
    analysis rate and the model choice apply to it; a keypoint file's pose is already given."""
    suffix = Path(path).suffix.lower()
    return suffix in VIDEO_SUFFIXES or suffix in IMAGE_SUFFIXES
