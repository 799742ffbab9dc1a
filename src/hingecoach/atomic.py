"""Atomic file writes: write to a temporary sibling, then rename it into place.

The rename is one step on POSIX file systems (local or NFS), so a reader sees either the old
complete file or the new complete file, never a half-written one, and a crash or a full disk
leaves the old file as it was. Every writer in the package goes through here, so there is one
temporary-name scheme: ``.<stem>.tmp-<random><suffix>`` in the same folder. It is hidden, it
keeps the suffix (writers that pick the format by suffix still work), it is unique (concurrent
writers never share it), and it carries ``.tmp-`` so the batch discovery and resume never take
a leftover for an input or a result.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def temporary_name(final: Path) -> Path:
    """A unique hidden temporary sibling of ``final`` that keeps its suffix."""
    return final.with_name(f".{final.stem}.tmp-{uuid.uuid4().hex}{final.suffix}")


@contextmanager
def replacing(final: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on a normal exit it is renamed to ``final``. On any
    error (or if nothing was renamed) the temporary file is removed and ``final`` is untouched."""
    tmp = temporary_name(Path(final))
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(final: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` and rename ``tmp`` to ``final``; returns ``final``."""
    with replacing(final) as tmp:
        write(tmp)
    return final


def write_text(final: Path, text: str, encoding: str | None = "utf-8") -> Path:
    return write_atomic(final, lambda tmp: tmp.write_text(text, encoding=encoding))


def write_bytes(final: Path, data: bytes) -> Path:
    return write_atomic(final, lambda tmp: tmp.write_bytes(data))


@contextmanager
def open_atomic(final: Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """``open()`` a stream whose file appears as ``final`` only once the block ends without
    an error, e.g. ``with open_atomic(path, "w", newline="", encoding="utf-8") as fh:``."""
    with replacing(final) as tmp, tmp.open(mode, **kwargs) as fh:
        yield fh
