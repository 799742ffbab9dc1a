"""Assessment: per rep, the pattern (hinge/squat/stoop), the guide's faults with evidence, and
a 0-100 score. Pure functions of the kinematics and the reps."""

from __future__ import annotations

from dataclasses import dataclass, field

from hingecoach.assess.checks import Fault, check_rep
from hingecoach.assess.measures import rep_measures, rep_windows
from hingecoach.assess.pattern import classify_pattern
from hingecoach.config import section
from hingecoach.kinematics import Kinematics
from hingecoach.reps import Rep

__all__ = ["Fault", "RepAssessment", "assess_rep", "assess_reps", "score_rep"]


@dataclass(frozen=True)
class RepAssessment:
    pattern: str
    pattern_confidence: float
    faults: list[Fault]
    score: float
    measures: dict[str, float] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        """No major fault and the right pattern."""
        return self.pattern == "hinge" and not any(f.severity == "major" for f in self.faults)


def score_rep(pattern: str, faults: list[Fault], level: str | None = None) -> float:
    """100 minus a penalty per fault by severity, and one for the wrong pattern (floor 0)."""
    cfg = section("scoring", level)
    penalty = sum(cfg[f"{f.severity}_penalty"] for f in faults)
    if pattern != "hinge":
        penalty += cfg["wrong_pattern_penalty"]
    return float(max(0.0, 100.0 - penalty))


def assess_rep(kin: Kinematics, rep: Rep, *, level: str | None = None,
               usual_depth_hip_angle_deg: float | None = None,
               first_start_frame: int | None = None) -> RepAssessment:
    m = rep_measures(kin, rep, first_start_frame)
    pattern, confidence = classify_pattern(m, level)
    if rep.partial:  # not a finished rep (e.g. setting the weight down): measured, not graded
        return RepAssessment(pattern, confidence, [], float("nan"), m)
    faults = check_rep(m, pattern=pattern, view=kin.view, frames=rep_windows(kin, rep), level=level,
                       usual_depth_hip_angle_deg=usual_depth_hip_angle_deg)
    return RepAssessment(pattern, confidence, faults, score_rep(pattern, faults, level), m)


def assess_reps(kin: Kinematics, reps: list[Rep], *, level: str | None = None,
                usual_depth_hip_angle_deg: float | None = None) -> list[RepAssessment]:
    first = reps[0].start_frame if reps and not reps[0].from_bottom else None
    return [assess_rep(kin, r, level=level, usual_depth_hip_angle_deg=usual_depth_hip_angle_deg,
                       first_start_frame=first) for r in reps]
