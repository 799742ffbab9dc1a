"""Assessment: per rep, the pattern (hinge/squat/stoop), the guide's faults with evidence, and
a 0-100 score. Pure functions of the kinematics and the reps."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

from hingecoach.assess.checks import COMPENSATION_MEASURES, Fault, evaluate_rep
from hingecoach.assess.measures import rep_measures, rep_windows
from hingecoach.assess.pattern import classify_front, classify_pattern
from hingecoach.assess.specs import fault_specs
from hingecoach.config import section
from hingecoach.kinematics import Kinematics
from hingecoach.reps import Rep

__all__ = ["Fault", "RepAssessment", "assess_measured", "assess_rep", "assess_reps", "hinge_asked",
           "rep_measures", "score_rep", "set_measures", "set_medians", "wrong_pattern"]


@dataclass(frozen=True)
class RepAssessment:
    pattern: str
    pattern_confidence: float
    faults: list[Fault]
    score: float
    measures: dict[str, float] = field(default_factory=dict)
    #: False when the camera cannot see the pattern (a front view): ``pattern`` is then only
    #: the classifier's guess, neither coached nor scored.
    pattern_seen: bool = True
    #: the camera view the rep was judged from (a clip whose view changes has several)
    view: str = "unknown"
    #: every check's outcome on this rep: "named", "passed" or "not checked: <why>"
    checks: dict[str, str] = field(default_factory=dict)

    @property
    def seen_pattern(self) -> str | None:
        """The pattern where the camera could see it, None where it could not: what is
        coached, scored, counted for the set and shown."""
        return self.pattern if self.pattern_seen else None

    #: False when the standard does not ask the hinge pattern of the rep (a squat meant as one)
    pattern_graded: bool = True

    @property
    def wrong_pattern(self) -> str | None:
        """The pattern seen when it is not the hinge the standard asks for (None otherwise)."""
        return wrong_pattern(self.seen_pattern, self.pattern_graded)

    @property
    def clean(self) -> bool:
        """No major fault and the right pattern (where the pattern can be seen and is asked)."""
        return self.wrong_pattern is None and not any(f.severity == "major" for f in self.faults)


def hinge_asked(level: str | None) -> bool:
    """Whether the standard ``level`` asks the hinge pattern of each rep (``[scoring]
    grade_pattern``): every hinge's does; a squat meant as one is graded as a squat."""
    return bool(section("scoring", level)["grade_pattern"])


def wrong_pattern(seen_pattern: str | None, asked: bool) -> str | None:
    """``seen_pattern`` when the hinge is asked and the camera saw another pattern, else None."""
    return seen_pattern if asked and seen_pattern not in ("hinge", None) else None


def score_rep(seen_pattern: str | None, faults: list[Fault], level: str | None = None) -> float:
    """100 minus a penalty per fault by severity, and one for the wrong pattern where the
    pattern can be seen (``seen_pattern`` None where it cannot) and the standard asks the hinge
    (``[scoring] grade_pattern``); floor 0."""
    cfg = section("scoring", level)
    penalty = sum(cfg[f"{f.severity}_penalty"] for f in faults)
    if wrong_pattern(seen_pattern, hinge_asked(level)):
        penalty += cfg["wrong_pattern_penalty"]
    return float(max(0.0, 100.0 - penalty))


def assess_rep(kin: Kinematics, rep: Rep, *, level: str | None = None,
               usual_depth_hip_angle_deg: float | None = None,
               first_start_frame: int | None = None,
               set_values: dict[str, float] | None = None) -> RepAssessment:
    """One rep; ``set_values`` are the set's medians of the measures its faults read as set
    evidence (:func:`set_medians`), absent when the rep is judged alone."""
    m = rep_measures(kin, rep, first_start_frame)
    return assess_measured(kin, rep, m, level, usual_depth_hip_angle_deg, set_values)


def set_pattern(kin: Kinematics, measures: list[dict[str, float]], reps: list[Rep],
                level: str | None = None) -> str | None:
    """The pattern most of the set's completed reps show, when at least ``borderline_min_reps``
    of them and two thirds agree (None otherwise): what a borderline rep is taken to be."""
    cfg = section("pattern", level)
    done = [m for m, r in zip(measures, reps, strict=True) if not r.partial]
    if len(done) < cfg["borderline_min_reps"] or kin.view == "front":
        return None
    votes = Counter(classify_pattern(m, level)[0] for m in done)
    pattern, n = votes.most_common(1)[0]
    return pattern if 3 * n >= 2 * len(done) else None


def assess_measured(kin: Kinematics, rep: Rep, m: dict[str, float], level: str | None,
                    usual_depth_hip_angle_deg: float | None, set_values: dict[str, float] | None,
                    majority: str | None = None) -> RepAssessment:
    """Pattern, faults and score of a rep whose measures ``m`` are taken. A rep whose pattern
    is a coin flip (confidence under ``borderline_confidence``) takes the set's ``majority``
    pattern (:func:`set_pattern`): a person does not switch patterns by a hair."""
    if kin.view == "front":
        pattern, confidence, seen = classify_front(m, level)
    else:
        pattern, confidence = classify_pattern(m, level)
        seen = kin.view in section("pattern", level)["views"]
        if majority and pattern != majority and confidence < section("pattern", level)["borderline_confidence"]:
            pattern, confidence = majority, 0.5
    graded = hinge_asked(level)
    if rep.partial:  # not a finished rep (e.g. setting the weight down): measured, not graded
        return RepAssessment(pattern, confidence, [], float("nan"), m, seen, kin.view, pattern_graded=graded)
    faults, checks = evaluate_rep(m, pattern=pattern, view=kin.view, frames=rep_windows(kin, rep), level=level,
                                  usual_depth_hip_angle_deg=usual_depth_hip_angle_deg, set_values=set_values)
    score = score_rep(pattern if seen else None, faults, level)
    return RepAssessment(pattern, confidence, faults, score, m, seen, kin.view, checks, graded)


def set_medians(measures: list[dict[str, float]], reps: list[Rep], level: str | None = None
                ) -> dict[str, float]:
    """Median over the set's completed reps of every measure a fault reads as set evidence
    (``set_evidence`` in the thresholds file), when the set has at least ``min_reps`` of them
    with that measure: a habit shows in most reps, and their median is far steadier than
    any one rep's reading."""
    cfg = section("set_evidence", level)
    wanted = set()
    for spec in fault_specs(level).values():
        if spec.set_evidence:
            wanted.add(spec.set_evidence.signal.measure)
            if spec.set_evidence.compensation_from_set:
                wanted.update(COMPENSATION_MEASURES)
    out = {}
    for name in wanted:
        values = [m[name] for m, r in zip(measures, reps, strict=True)
                  if not r.partial and math.isfinite(m.get(name, math.nan))]
        if len(values) >= cfg["min_reps"]:
            out[name] = float(statistics.median(values))
    return out


def set_measures(kin: Kinematics, reps: list[Rep]) -> list[dict[str, float]]:
    """Every rep's measures, with the set's quiet standing before its first rep as baseline."""
    first = reps[0].start_frame if reps and not reps[0].from_bottom else None
    return [rep_measures(kin, r, first) for r in reps]


def assess_reps(kin: Kinematics, reps: list[Rep], *, level: str | None = None,
                usual_depth_hip_angle_deg: float | None = None,
                measures: list[dict[str, float]] | None = None) -> list[RepAssessment]:
    """Every rep of the set graded by the table of ``level``; ``measures`` when the caller
    already took them (:func:`set_measures`)."""
    if measures is None:
        measures = set_measures(kin, reps)
    set_values = set_medians(measures, reps, level)
    majority = set_pattern(kin, measures, reps, level)
    return [assess_measured(kin, r, m, level, usual_depth_hip_angle_deg, set_values, majority)
            for r, m in zip(reps, measures, strict=True)]
