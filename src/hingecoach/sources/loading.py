"""One entry point, :func:`load`: any supported input (video, image, keypoint file) as a
PoseSequence, by the loader the registry finds for it.

The loader modules are imported here, on first use (importing :mod:`hingecoach.sources` loads
no decoder); each registers itself with :mod:`hingecoach.sources.registry`, which imports none
of them.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np

from hingecoach.errors import HingeInputError, NoPersonError
from hingecoach.pose import PoseSequence
from hingecoach.sources import registry

#: Modules that register loaders, in registration order (our own format first).
LOADER_MODULES = (
    "hingecoach.sources.keypoints_file",
    "hingecoach.sources.formats",
    "hingecoach.sources.video",
    "hingecoach.sources.image",
)


def registered() -> list[registry.LoaderEntry]:
    """Every loader, in the order their sniffs run (imports the loader modules first)."""
    for module in LOADER_MODULES:
        importlib.import_module(module)
    return registry.entries()


def loader_names() -> list[str]:
    return [e.name for e in registered()]


def load(path: str | Path, **options) -> PoseSequence:
    """Read any supported input (video, image, keypoint file) as a PoseSequence."""
    path = Path(path)
    if not path.exists():
        raise HingeInputError(f"{path}: no such file.", "Check the path and try again.")
    if path.is_dir():
        from hingecoach.sources.formats import openpose  # OpenPose writes one JSON file per frame

        if openpose.is_openpose_folder(path):
            return openpose.load_openpose(path, **options)
        raise HingeInputError(f"{path} is a folder.", "Give one file, or use `hinge batch` for a folder.")
    if path.stat().st_size == 0:
        raise HingeInputError(f"{path.name} is empty (0 bytes).", "Record or export the file again.")
    registered()
    entry = registry.find_loader(path)
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
