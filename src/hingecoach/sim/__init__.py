"""Biomechanical motion simulator: hinges, squats, stoops and kneeling hinges with every
fault, seen by a pinhole camera through a BlazePose-like detector, with exact ground truth.

``simulate(...) -> SimResult(pose, truth, pose3d, body, camera)``; see :mod:`hingecoach.sim.api`.
Modules: body (anthropometry), chain (sagittal kinematics and balance), timeline (smooth
time courses), movements (scripts), faults, pose3d (world points), camera, noise (detector
realism), truth, suite (the seeded accuracy suite).
"""

from hingecoach.sim.api import SimResult, simulate

__all__ = ["SimResult", "simulate"]
