"""Keypoint cache: pose extraction is slow (~30 frames/s on a laptop CPU), so each video's
PoseSequence is kept on disk keyed by the file's content and the pose settings.

The key is sha256(file bytes) + sha256(settings as sorted JSON), so renaming or moving a
video still hits, and changing the model or the spine measurement misses. Files live in
``$HINGECOACH_CACHE`` or ``~/.cache/hingecoach/keypoints`` as our keypoint JSON format.
Writes are atomic (unique temporary file, then rename), so concurrent runs never see half a
file; an unreadable entry is treated as a miss and overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from hingecoach.errors import HingeInputError
from hingecoach.pose import PoseSequence
from hingecoach.sources import keypoints_file

_CHUNK_BYTES = 1 << 20


def cache_dir() -> Path:
    """Where cached keypoints live (not created here)."""
    env = os.environ.get("HINGECOACH_CACHE")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "hingecoach" / "keypoints"


def file_sha256(path: Path) -> str:
    """Hex sha256 of the file's bytes (read in chunks: videos can be large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cache_key(path: Path, settings: dict[str, Any]) -> str:
    """Key from the file content and the settings that change the output."""
    settings_hash = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    return f"{file_sha256(path)[:32]}-{settings_hash[:16]}"


def entry_path(key: str) -> Path:
    return cache_dir() / f"{key}.json"


def get(key: str, source: str) -> PoseSequence | None:
    """The cached sequence for ``key`` with ``source`` set to the caller's path, or None."""
    path = entry_path(key)
    if not path.is_file():
        return None
    try:
        seq = keypoints_file.load_json(path)
    except HingeInputError:
        return None
    return seq.replace(source=source)


def put(key: str, seq: PoseSequence) -> Path:
    """Store ``seq`` under ``key`` atomically; returns the entry's path."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return keypoints_file.save(seq, entry_path(key))  # atomic: a unique temporary name, then a rename
