"""The analysis pipeline: PoseSequence -> kinematics -> reps -> assessment -> coaching.

``analyze`` is a pure function of its inputs (no I/O); ``Analysis.to_dict`` gives the
machine-readable result whose schema the README documents (field names are a contract:
other tools read them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hingecoach import __version__
from hingecoach.assess import RepAssessment, assess_reps
from hingecoach.assess.measures import back_hidden
from hingecoach.coaching import SetSummary, summarise_set
from hingecoach.kinematics import Kinematics, compute_kinematics
from hingecoach.kinematics.view import with_view
from hingecoach.pose import PoseSequence
from hingecoach.reps import Rep, segment_reps


@dataclass(frozen=True, eq=False)
class Analysis:
    pose: PoseSequence
    kinematics: Kinematics
    reps: list[Rep]
    assessments: list[RepAssessment]
    summary: SetSummary
    warnings: list[str] = field(default_factory=list)
    level: str | None = None

    @property
    def completed(self) -> list[tuple[Rep, RepAssessment]]:
        return [(r, a) for r, a in zip(self.reps, self.assessments, strict=True) if not r.partial]

    @property
    def rep_count(self) -> int:
        return len(self.completed)

    def to_dict(self) -> dict[str, Any]:
        """The JSON result (schema in the README)."""
        reps = []
        for rep, a in zip(self.reps, self.assessments, strict=True):
            reps.append({
                "index": rep.index,
                "partial": rep.partial,
                "start_s": _r(rep.start_s), "bottom_s": _r(rep.bottom_s), "end_s": _r(rep.end_s),
                "start_frame": rep.start_frame, "bottom_frame": rep.bottom_frame,
                "end_frame": rep.end_frame,
                "depth_hip_angle_deg": _r(rep.depth_hip_angle_deg),
                "descent_s": _r(rep.descent_s), "ascent_s": _r(rep.ascent_s),
                "pattern": a.pattern,
                "pattern_confidence": _r(a.pattern_confidence),
                "pattern_seen": a.pattern_seen,
                "faults": [f.to_dict() for f in a.faults],
                "score": _r(a.score),
                "measures": {k: _r(v) for k, v in a.measures.items()},
            })
        return {
            "hingecoach_version": __version__,
            "source": self.pose.source,
            "rep_count": self.rep_count,
            "partial_reps": sum(r.partial for r in self.reps),
            "view": self.pose.view,
            "facing": self.pose.facing,
            "fps": _r(self.pose.fps),
            "duration_s": _r(self.pose.duration_s),
            "frames": self.pose.n_frames,
            "level": self.level,
            "score": _r(self.summary.score),
            "pattern": self.summary.pattern,
            "summary": self.summary.to_dict(),
            "warnings": list(self.warnings),
            "reps": reps,
        }


def _r(v: float | None, nd: int = 2) -> float | None:
    if v is None or not np.isfinite(v):
        return None
    return round(float(v), nd)


def view_warnings(pose: PoseSequence) -> list[str]:
    if pose.view == "side":
        return []
    if pose.view == "oblique":
        return ["Camera view looks oblique (about 45 degrees): angles are approximate and the "
                "spine check is not assessable. For the best coaching, film from the side."]
    if pose.view == "front":
        return ["Camera view is from the front: a squat shows, but hip travel, shin angle and spine "
                "shape cannot be seen, so a hinge cannot be told from a stoop. Film from the side "
                "(camera at hip height, 2-3 m away, whole body in frame)."]
    return ["Camera view could not be determined."]


def source_warnings(pose: PoseSequence) -> list[str]:
    """Warnings the source recorded in ``pose.meta["warnings"]`` (e.g. two people in view),
    so they reach the result whatever read the pose (video now, keypoint file later)."""
    found = pose.meta.get("warnings", [])
    return [w for w in found if isinstance(w, str)] if isinstance(found, list) else []


def back_warnings(view: str, reps: list[Rep], assessments: list[RepAssessment]) -> list[str]:
    """Reps whose back shape was set aside (:func:`hingecoach.assess.measures.back_hidden`),
    named from the side view, the one view whose spine check they would otherwise have."""
    hidden = [r.index for r, a in zip(reps, assessments, strict=True)
              if not r.partial and back_hidden(a.measures)]
    if view != "side" or not hidden:
        return []
    which = "every rep" if len(hidden) == sum(not r.partial for r in reps) else \
        "rep" + ("s " if len(hidden) > 1 else " ") + ", ".join(map(str, hidden))
    return [f"Back shape not checked on {which}: the hands were at the shoulders (a bar on the back, "
            "a bell held at the chest or the hands behind the head), and the arms and the load then "
            "hide the back's outline. To have the back checked, film a set with the weight held low "
            "in the hands, arms hanging."]


def analyze(pose: PoseSequence, *, level: str | None = None,
            usual_depth_hip_angle_deg: float | None = None) -> Analysis:
    """Run every stage on ``pose``. ``level`` selects per-level thresholds; the person's usual
    bottom hip angle (from their history) makes the ``too_deep`` check personal."""
    pose = with_view(pose)
    kin = compute_kinematics(pose)
    reps = segment_reps(kin)
    assessments = assess_reps(kin, reps, level=level,
                              usual_depth_hip_angle_deg=usual_depth_hip_angle_deg)
    summary = summarise_set(reps, assessments, view=pose.view, level=level)
    warnings = source_warnings(pose) + view_warnings(pose) + back_warnings(pose.view, reps, assessments)
    if not reps:
        warnings.append("No repetition found: make sure the whole body is in frame and hinge "
                        "until you feel your hamstrings, then stand tall.")
    return Analysis(pose=pose, kinematics=kin, reps=reps, assessments=assessments,
                    summary=summary, warnings=warnings, level=level)
