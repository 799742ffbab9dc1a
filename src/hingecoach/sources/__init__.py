"""Pose sources behind one registry: every loader returns a PoseSequence.

Loaders register themselves with :func:`register_loader` for file suffixes; a loader may also
offer a ``sniff(path) -> bool`` check for formats sharing a suffix (JSON flavours).
:func:`load` (:mod:`~hingecoach.sources.loading`) picks the loader for a path.
"""

from hingecoach.sources.loading import load, save_keypoints
from hingecoach.sources.registry import register_loader

__all__ = ["load", "register_loader", "save_keypoints"]
