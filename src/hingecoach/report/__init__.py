"""What a person sees: the annotated video, the HTML report, and the plots both use.

    write_annotated_video(analysis, video_path, out_path)   # H.264 MP4 with the overlay
    write_report(analysis, path)                            # one self-contained HTML file

Imports of OpenCV and matplotlib happen when these are called, not when this package is
imported (the CLI imports it only for --video-out / --report).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hingecoach.analysis import Analysis

__all__ = ["write_annotated_video", "write_report"]


def write_annotated_video(analysis: Analysis, video_path: Path | str | None, out_path: Path | str,
                          **options: Any) -> Path:
    """See :func:`hingecoach.report.video_out.write_annotated_video`."""
    from hingecoach.report.video_out import write_annotated_video as write

    return write(analysis, video_path, out_path, **options)


def write_report(analysis: Analysis, path: Path | str, **options: Any) -> Path:
    """See :func:`hingecoach.report.html.write_report`."""
    from hingecoach.report.html import write_report as write

    return write(analysis, path, **options)
