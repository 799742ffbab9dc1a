"""The web server's settings: where its data lives, the token, the store, and the limits on
uploads and disk (each with a default from the environment)."""

from __future__ import annotations

import logging
import os
import tempfile
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from hingecoach.web import jobs, protocol

log = logging.getLogger("hingecoach.web")


def _env_number(name: str, default: float, scale: float = 1.0) -> float:
    """A positive number from the environment (in the unit the name says), else ``default``."""
    text = os.environ.get(name, "").strip()
    try:
        value = float(text) * scale if text else default
    except ValueError:
        log.warning("%s=%r is not a number; using the default", name, text)
        return default
    return value if value > 0 else default


@dataclass
class Settings:
    """Server settings. The disk limits default from the environment:
    ``HINGECOACH_WEB_MAX_UPLOAD_MB`` (300), ``HINGECOACH_WEB_KEEP_DAYS`` (7),
    ``HINGECOACH_WEB_JOBS_MAX_MB`` (5120) and ``HINGECOACH_WEB_MIN_FREE_MB`` (512)."""

    token: str | None = None
    data_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "hingecoach-web")
    db_url: str | None = None
    person: str = "me"
    max_upload_bytes: int = field(default_factory=lambda: int(_env_number(
        "HINGECOACH_WEB_MAX_UPLOAD_MB", jobs.MAX_UPLOAD_BYTES, 1024 ** 2)))
    max_frames_per_s: float = protocol.MAX_FRAMES_PER_S
    executor: Executor | None = None
    #: upload job folders are removed this long after their last change (saved sets keep their result)
    job_max_age_s: float = field(default_factory=lambda: _env_number(
        "HINGECOACH_WEB_KEEP_DAYS", jobs.JOB_MAX_AGE_S, 24 * 3600.0))
    #: all upload job folders together stay under this (oldest removed first)
    jobs_max_bytes: int = field(default_factory=lambda: int(_env_number(
        "HINGECOACH_WEB_JOBS_MAX_MB", jobs.JOBS_MAX_BYTES, 1024 ** 2)))
    #: an upload is refused when it would leave less free disk than this
    min_free_bytes: int = field(default_factory=lambda: int(_env_number(
        "HINGECOACH_WEB_MIN_FREE_MB", jobs.MIN_FREE_BYTES, 1024 ** 2)))
