"""The live set in the shape of :meth:`hingecoach.analysis.Analysis.to_dict`, by that method:
one schema and one rounding for an uploaded and a live set."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from hingecoach.analysis import Analysis, back_warnings, view_warnings
from hingecoach.assess import RepAssessment
from hingecoach.assess.exercise import ExerciseCall
from hingecoach.coaching import SetSummary
from hingecoach.live.frames import K
from hingecoach.live.grading import RepRecord
from hingecoach.pose import PoseSequence

_NO_SUMMARY = SetSummary(0, 0, None, None, 0, None)


@dataclass(frozen=True)
class SessionFacts:
    """What the result says of the session itself (the offline result reads these off the clip)."""

    view: str
    facing: str
    fps: float
    image_size: tuple[int, int]
    duration_s: float
    frames: int
    rep_count: int
    level: str | None
    standard: str | None


def _with_rep_calls(call: ExerciseCall, records: list[RepRecord]) -> ExerciseCall:
    """``call`` with each kept rep's own exercise at its number (older reps no longer kept: None)."""
    n = max((r.rep.index for r in records), default=0)
    names: list[str | None] = [None] * n
    sure = [0.0] * n
    for r in records:
        names[r.rep.index - 1], sure[r.rep.index - 1] = r.exercise, r.exercise_confidence
    return dataclasses.replace(call, per_rep=tuple(names), per_rep_confidence=tuple(sure))


def _no_frames(facts: SessionFacts) -> PoseSequence:
    """The session's pose facts without its frames (the live window is not the set)."""
    return PoseSequence(xyz=np.empty((0, K, 3)), visibility=np.empty((0, K)), t_s=np.empty(0),
                        fps=facts.fps, image_size=facts.image_size, source="live",
                        view=facts.view, facing=facts.facing)


def _analysis(records: list[RepRecord], assessments: list[RepAssessment], call: ExerciseCall,
              facts: SessionFacts, summary: SetSummary, warnings: list[str]) -> Analysis:
    """An Analysis of the live set for its ``to_dict`` (which reads no frames nor kinematics)."""
    return Analysis(pose=_no_frames(facts), kinematics=None, reps=[r.rep for r in records], assessments=assessments,  # type: ignore[arg-type]
                    summary=summary, warnings=warnings, level=facts.level,
                    exercise=_with_rep_calls(call, records), standard=facts.standard)


def rep_dict(record: RepRecord, assessment: RepAssessment, call: ExerciseCall, facts: SessionFacts) -> dict[str, Any]:
    """One rep as the set result lists it."""
    return _analysis([record], [assessment], call, facts, _NO_SUMMARY, []).to_dict()["reps"][0]


def set_dict(records: list[RepRecord], assessments: list[RepAssessment], call: ExerciseCall,
             facts: SessionFacts, summary: SetSummary) -> dict[str, Any]:
    """The set: ``Analysis.to_dict``'s fields, with the session's own count, length and frames,
    and the warnings offline gives (the camera view; per view part, a back not checked)."""
    warnings = [] if facts.view == "unknown" and not records else view_warnings(_no_frames(facts))
    for part in sorted({r.part for r in records}):
        mine = [(r, a) for r, a in zip(records, assessments, strict=True) if r.part == part]
        warnings += back_warnings(mine[0][0].view, [r.rep for r, _ in mine], [a for _, a in mine])
    out = _analysis(records, assessments, call, facts, summary, warnings).to_dict()
    out.update(rep_count=facts.rep_count, duration_s=round(facts.duration_s, 2), frames=facts.frames)
    return out

