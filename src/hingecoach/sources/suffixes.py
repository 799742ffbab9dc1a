"""The file suffixes read as video (animated GIFs included), defined once; importing this
module loads no decoder."""

from __future__ import annotations

from pathlib import Path

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".gif")


def is_video(path: str | Path) -> bool:
    """True when ``path`` names a video (or animated GIF) by its suffix, any case."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES
