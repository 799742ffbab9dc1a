"""Pose sources behind one registry: every loader returns a PoseSequence.

Loaders register themselves with :func:`register_loader` for file suffixes; a loader may also
offer a ``sniff(path) -> bool`` check for formats sharing a suffix (JSON flavours).
"""

from hingecoach.sources.registry import load, register_loader, save_keypoints

__all__ = ["load", "register_loader", "save_keypoints"]
