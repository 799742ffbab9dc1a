"""The pose data model (no I/O, no OpenCV/MediaPipe)."""

from hingecoach.pose.sequence import PoseDataError, PoseSequence

__all__ = ["PoseDataError", "PoseSequence"]
