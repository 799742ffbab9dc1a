"""The loader registry: one entry point, :func:`load`, picks the loader for a path."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hingecoach.errors import HingeInputError, NoPersonError
from hingecoach.pose import PoseSequence

Loader = Callable[..., PoseSequence]
Sniffer = Callable[[Path], bool]


@dataclass(frozen=True)
class _Entry:
    name: str
    suffixes: tuple[str, ...]
    loader: Loader
    sniff: Sniffer | None
    priority: int


_REGISTRY: list[_Entry] = []

#: Modules that register loaders; imported lazily on first use (no side effects at import).
_LOADER_MODULES = (
    "hingecoach.sources.keypoints_file",
    "hingecoach.sources.foreign",
    "hingecoach.sources.video",
    "hingecoach.sources.image",
)


def register_loader(name: str, suffixes: tuple[str, ...], sniff: Sniffer | None = None,
                    priority: int = 0):
    """Decorator: register ``func(path, **options) -> PoseSequence`` for file suffixes. Where
    several loaders share a suffix, higher ``priority`` sniffs first (our own format before
    lookalikes), whatever order the modules were imported in."""

    def wrap(func: Loader) -> Loader:
        _REGISTRY.append(_Entry(name, tuple(s.lower() for s in suffixes), func, sniff, priority))
        _REGISTRY.sort(key=lambda e: -e.priority)  # stable: equal priorities keep their order
        return func

    return wrap


def _ensure_loaded() -> None:
    for mod in _LOADER_MODULES:
        importlib.import_module(mod)


def loader_names() -> list[str]:
    _ensure_loaded()
    return [e.name for e in _REGISTRY]


def find_loader(path: Path) -> _Entry:
    _ensure_loaded()
    suffix = path.suffix.lower()
    candidates = [e for e in _REGISTRY if suffix in e.suffixes]
    for entry in candidates:
        if entry.sniff is None or entry.sniff(path):
            return entry
    known = sorted({s for e in _REGISTRY for s in e.suffixes})
    if candidates:
        raise HingeInputError(
            f"{path.name}: the file's content matches none of the known {suffix} formats.",
            "Use a video, an image, or a keypoint file as documented in the README.",
        )
    raise HingeInputError(
        f"{path.name}: unknown input type {suffix or '(no extension)'}.",
        f"Give a video, an image or a keypoint file ({', '.join(known)}).",
    )


def load(path: str | Path, **options) -> PoseSequence:
    """Read any supported input (video, image, keypoint file) as a PoseSequence."""
    path = Path(path)
    if not path.exists():
        raise HingeInputError(f"{path}: no such file.", "Check the path and try again.")
    if path.is_dir():
        from hingecoach.sources import foreign  # OpenPose writes one JSON file per frame

        if foreign.is_openpose_folder(path):
            return foreign.load_openpose(path, **options)
        raise HingeInputError(f"{path} is a folder.", "Give one file, or use `hinge batch` for a folder.")
    if path.stat().st_size == 0:
        raise HingeInputError(f"{path.name} is empty (0 bytes).", "Record or export the file again.")
    entry = find_loader(path)
    return check_usable(entry.loader(path, **options), path.name)


def check_usable(seq: PoseSequence, name: str) -> PoseSequence:
    """Refuse a sequence no stage can use (the video source checks more on its own): no frames
    at all, or no keypoint in any frame (a keypoint file of a clip where nobody was found)."""
    if seq.n_frames == 0:
        raise HingeInputError(f"{name} holds no frames.",
                              "Export the keypoints again from a clip of at least one full repetition.")
    if not np.isfinite(seq.xyz[..., :2]).any():
        raise NoPersonError(f"No person in {name}: every keypoint of every frame is missing.",
                            "Export the keypoints again from a clip where the whole body is in view.")
    return seq


def save_keypoints(seq: PoseSequence, path: str | Path) -> Path:
    """Write a sequence in our keypoint format (.json or .csv, chosen by suffix)."""
    from hingecoach.sources import keypoints_file

    return keypoints_file.save(seq, Path(path))
