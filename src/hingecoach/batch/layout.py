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
into place (:mod:`hingecoach.atomic`: one step on POSIX file systems, local or NFS), so a crash
leaves at most a ``.*.tmp-*`` file that is never read as a result.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hingecoach import atomic

RESULTS = "results"
KEYPOINTS = "keypoints"
MANIFEST = "manifest.jsonl"


def result_path(out_dir: Path, content_hash: str) -> Path:
    return Path(out_dir) / RESULTS / content_hash[:2] / f"{content_hash}.json"


def keypoints_path(out_dir: Path, content_hash: str) -> Path:
    return Path(out_dir) / KEYPOINTS / content_hash[:2] / f"{content_hash}.json"


def write_json_atomic(final: Path, data: dict[str, Any]) -> Path:
    text = json.dumps(data, indent=1)
    final.parent.mkdir(parents=True, exist_ok=True)
    return atomic.write_text(final, text)


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
