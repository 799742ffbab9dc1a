"""Ground truth of a simulated set: true angles per frame, rep boundaries, pattern and faults.

Angles follow the conventions of :mod:`hingecoach.kinematics.angles` exactly, computed from the
anatomical joint centres (midpoints of left and right) in the sagittal plane (world X forward,
Y up):

* ``hip_angle_deg``: included shoulder-hip-knee (180 standing tall);
* ``knee_angle_deg``: included hip-knee-ankle (180 straight);
* ``shin_angle_deg``: ankle->knee from vertical, positive = knee ahead of the ankle;
* ``trunk_angle_deg``: hip->shoulder from vertical, positive = leaning forward;
* ``thigh_angle_deg``: knee->hip from vertical;
* ``hip_back_frac_leg`` / ``hip_down_frac_leg``: hip displacement relative to the ankle from
  the standing frame before the first rep, over thigh + shank length;
* ``com_foot_frac``: centre of mass along heel->toe landmarks (0 heel, 1 toe).

Extra truths the landmarks cannot give directly: ``lumbar_flex_deg``, ``thoracic_flex_deg``,
``spine_flex_deg`` (their sum), ``neck_flex_deg``, ``pelvis_rock_deg`` (the commanded bends).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hingecoach.sim.faults import severity_label
from hingecoach.sim.pose3d import Pose3D


def _mid(points: dict[str, np.ndarray], joint: str) -> np.ndarray:
    """Sagittal (X, Y) midpoint of a left/right pair."""
    return (points[f"left_{joint}"][:, :2] + points[f"right_{joint}"][:, :2]) / 2


def _included(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    dot = np.einsum("ij,ij->i", a, b)
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return np.degrees(np.abs(np.arctan2(cross, dot)))


def _from_vertical(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    d = upper - lower
    return np.degrees(np.arctan2(d[:, 0], d[:, 1]))


def true_angles(pose: Pose3D, ref_frame: int = 0) -> dict[str, np.ndarray]:
    """Angle and position series from the world points (see module docstring)."""
    p = pose.points
    sh, hip, knee = _mid(p, "shoulder"), _mid(p, "hip"), _mid(p, "knee")
    ankle, heel, toe = _mid(p, "ankle"), _mid(p, "heel"), _mid(p, "foot_index")
    leg = float(np.median(np.linalg.norm(hip - knee, axis=1) + np.linalg.norm(knee - ankle, axis=1)))
    rel = hip - ankle
    ref = rel[ref_frame]
    com = p["com"][:, :2]
    return {
        "hip_angle_deg": _included(sh - hip, knee - hip),
        "knee_angle_deg": _included(hip - knee, ankle - knee),
        "shin_angle_deg": _from_vertical(ankle, knee),
        "trunk_angle_deg": _from_vertical(hip, sh),
        "thigh_angle_deg": _from_vertical(knee, hip),
        "hip_back_frac_leg": -(rel[:, 0] - ref[0]) / leg,
        "hip_down_frac_leg": (ref[1] - rel[:, 1]) / leg,
        "com_foot_frac": (com[:, 0] - heel[:, 0]) / (toe[:, 0] - heel[:, 0]),
    }


@dataclass
class RepTruth:
    """One repetition: frames and seconds of its start (descent begins), bottom (middle of
    the bottom pause) and end (ascent done), its pattern, and its faults."""

    index: int
    start_frame: int
    bottom_frame: int
    end_frame: int
    start_s: float
    bottom_s: float
    end_s: float
    pattern: str
    faults: dict[str, float] = field(default_factory=dict)
    #: when the bottom pause starts, the ascent starts, and the ascent ends (the tempo's truth)
    bottom_start_s: float = float("nan")
    ascent_start_s: float = float("nan")
    ascent_end_s: float = float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index, "start_frame": self.start_frame,
            "bottom_frame": self.bottom_frame, "end_frame": self.end_frame,
            "start_s": round(self.start_s, 4), "bottom_s": round(self.bottom_s, 4),
            "end_s": round(self.end_s, 4), "pattern": self.pattern,
            "faults": {c: {"severity": s, "class": severity_label(s)} for c, s in self.faults.items()},
        }


@dataclass
class Truth:
    """Everything known about a simulated set."""

    movement: str
    pattern: str
    t_s: np.ndarray
    series: dict[str, np.ndarray]
    reps: list[RepTruth]
    phases: list[dict[str, Any]]
    config: dict[str, Any]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.series[name]

    @property
    def n_reps(self) -> int:
        return len(self.reps)

    @property
    def exercise(self) -> str:
        """The exercise the movement shows (what the analysis should recognise)."""
        from hingecoach.sim.movements import EXERCISE

        return EXERCISE[self.movement]

    def to_dict(self, include_series: bool = True) -> dict[str, Any]:
        """JSON-ready labels (the ``.labels.json`` file)."""
        doc: dict[str, Any] = {
            "format": "hingecoach-sim-labels", "version": 1,
            "movement": self.movement, "exercise": self.exercise, "pattern": self.pattern,
            "n_reps": self.n_reps, "reps": [r.to_dict() for r in self.reps], "phases": self.phases,
            "config": self.config,
        }
        if include_series:
            doc["t_s"] = [round(float(v), 6) for v in self.t_s]
            doc["series"] = {k: [None if not np.isfinite(v) else round(float(v), 4) for v in arr]
                             for k, arr in self.series.items()}
        return doc
