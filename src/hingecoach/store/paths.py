"""Where the store lives: the user's data directory, or the URL in ``HINGECOACH_DB``.

The default is a SQLite file so that a first run needs no set-up; the environment variable
lets a person (or a test, or a server deployment) point at another file or at PostgreSQL.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "HINGECOACH_DB"
DB_FILENAME = "hingecoach.db"


def user_data_dir() -> Path:
    """The per-user data directory the platform expects (not created here)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "hingecoach"


def default_db_url() -> str:
    """``HINGECOACH_DB`` when set, else a SQLite file in :func:`user_data_dir`."""
    url = os.environ.get(ENV_VAR, "").strip()
    if url:
        return url
    return f"sqlite:///{user_data_dir() / DB_FILENAME}"
