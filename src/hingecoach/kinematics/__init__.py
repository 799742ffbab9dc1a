"""Kinematics: pure functions from a PoseSequence to per-frame sagittal measures."""

from hingecoach.kinematics.angles import Kinematics, compute_kinematics

__all__ = ["Kinematics", "compute_kinematics"]
