"""The output folder of a batch, and atomic writes into it.

::

    OUT_DIR/
      results/ab/<sha256>.json     one per distinct input content: the analysis (``hinge
                                   analyze --json``) plus a "batch" block, or a failure record
      keypoints/ab/<sha256>.json   the pose keypoints of each video (our keypoint format)
      manifest.jsonl               one line per input per run: path, hash, status, reason
      reps.parquet, reps.csv       the results table, one row per repetition
      videos.csv                   one row per input: status, reason, rep count, score

Results are keyed by the input's content hash, so a renamed or copied file is not analysed
again, and sharded by the hash's first two hex digits so no folder grows past a few thousand
entries. Every file is written to a unique temporary name in the same folder and renamed
into place (an atomic step on POSIX file systems, local or NFS), so a crash leaves at most a
``*.tmp-*`` file that is never read as a result.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

RESULTS = "results"
KEYPOINTS = "keypoints"
MANIFEST = "manifest.jsonl"


def result_path(out_dir: Path, content_hash: str) -> Path:
    return Path(out_dir) / RESULTS / content_hash[:2] / f"{content_hash}.json"


def keypoints_path(out_dir: Path, content_hash: str) -> Path:
    return Path(out_dir) / KEYPOINTS / content_hash[:2] / f"{content_hash}.json"


def temporary_name(final: Path) -> Path:
    """A unique temporary sibling of ``final`` that keeps its suffix (writers pick the format
    by suffix) and carries ``.tmp-`` so discovery and resume never mistake it for a result."""
    return final.with_name(f"{final.stem}.tmp-{uuid.uuid4().hex}{final.suffix}")


def write_atomic(final: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp_path)`` then rename the temporary file to ``final``; on any error the
    temporary file is removed and ``final`` is left as it was."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(final)
    try:
        write(tmp)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return final


def write_json_atomic(final: Path, data: dict[str, Any]) -> Path:
    text = json.dumps(data, indent=1)
    return write_atomic(final, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def read_result(out_dir: Path, content_hash: str) -> dict[str, Any] | None:
    """The stored record for a content hash, or None when absent or unreadable (an unreadable
    file can only come from outside interference; it is redone)."""
    path = result_path(out_dir, content_hash)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("batch"), dict):
        return None
    return data


def append_manifest(out_dir: Path, entry: dict[str, Any]) -> None:
    """Append one line; a line cut short by a crash is skipped by :func:`read_manifest`."""
    with (Path(out_dir) / MANIFEST).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")


def read_manifest(out_dir: Path) -> Iterator[dict[str, Any]]:
    """The manifest's entries, streamed line by line (it grows with every run)."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                yield json.loads(line)
            except ValueError:
                continue
