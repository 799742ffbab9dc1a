"""The analysis pipeline: PoseSequence -> kinematics -> reps -> assessment -> coaching.

``analyze`` is a pure function of its inputs (no I/O); ``Analysis.to_dict`` gives the
machine-readable result whose schema the README documents (field names are a contract:
other tools read them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from hingecoach import __version__
from hingecoach.assess import RepAssessment, assess_reps, hinge_asked, set_measures
from hingecoach.assess.exercise import ExerciseCall, decide, grading_table, recognise, vote
from hingecoach.assess.measures import back_hidden
from hingecoach.assess.pattern import classify_pattern
from hingecoach.coaching import SetSummary, summarise_set
from hingecoach.config import section
from hingecoach.kinematics import Kinematics, compute_kinematics
from hingecoach.kinematics.view import view_segments, with_view
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
    exercise: ExerciseCall = ExerciseCall(None, 0.0, "recognised")
    #: the thresholds table the reps were graded by (the level's, else the exercise's standard)
    standard: str | None = None
    #: the person's height, when given: speeds in m/s beside leg lengths per second
    height_cm: float | None = None

    def speed_m_per_s(self, leg_per_s: float | None) -> float | None:
        """A speed in leg lengths per second in m/s, from the person's height (None without it)."""
        if self.height_cm is None or leg_per_s is None or not np.isfinite(leg_per_s):
            return None
        return leg_per_s * section("tempo")["leg_length_frac_height"] * self.height_cm / 100.0

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
                "bottom_pause_s": _r(a.measures.get("bottom_pause_s")),
                "ascent_speed_leg_per_s": _r(a.measures.get("ascent_speed_leg_per_s")),
                "ascent_speed_m_per_s": _r(self.speed_m_per_s(a.measures.get("ascent_speed_leg_per_s"))),
                "pattern": a.pattern,
                "pattern_confidence": _r(a.pattern_confidence),
                "pattern_seen": a.pattern_seen,
                "view": a.view,
                "exercise": self.exercise.per_rep[rep.index - 1] if self.exercise.per_rep else None,
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
            "exercise": self.exercise.name,
            "exercise_confidence": _r(self.exercise.confidence),
            "exercise_source": self.exercise.source,
            "standard": self.standard,
            "height_cm": self.height_cm,
            "score": _r(self.summary.score),
            "pattern": self.summary.pattern,
            "summary": self.summary.to_dict(),
            "warnings": list(self.warnings),
            "reps": reps,
        }


def checked_height_cm(height_cm: float | None) -> float | None:
    """A person's height in cm, checked (50-250), or None."""
    if height_cm is None:
        return None
    if not (isinstance(height_cm, int | float) and 50.0 <= float(height_cm) <= 250.0):
        raise ValueError(f"Expected a height between 50 and 250 cm, but got {height_cm!r}.")
    return float(height_cm)


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


@dataclass(frozen=True, eq=False)
class _Part:
    """The frames of one camera view, measured: ``offset`` is its first frame in the clip."""

    offset: int
    pose: PoseSequence
    kin: Kinematics
    reps: list[Rep]
    measures: list[dict[str, float]]
    seen: ExerciseCall


def _measure(pose: PoseSequence, offset: int) -> _Part:
    kin = compute_kinematics(pose)
    reps = segment_reps(kin)
    measures = set_measures(kin, reps)
    seen = recognise(kin, reps, measures, [classify_pattern(m)[0] for m in measures])
    return _Part(offset, pose, kin, reps, measures, seen)


def _parts(pose: PoseSequence) -> list[_Part]:
    """One part per camera view (:func:`view_segments`), each with its own view and facing,
    where the source did not say the view; else the whole clip."""
    segments = view_segments(pose) if pose.view == "unknown" else [(0, pose.n_frames)]
    if len(segments) == 1:
        return [_measure(with_view(pose), 0)]
    return [_measure(with_view(pose.slice(a, b).replace(facing="unknown")), a) for a, b in segments]


def _joined_kinematics(pose: PoseSequence, parts: list[_Part]) -> Kinematics:
    """The parts' kinematics end to end, as one clip's (the view and scale of the longest part)."""
    if len(parts) == 1:
        return parts[0].kin
    main = max(parts, key=lambda p: p.pose.n_frames).kin
    keys = set.intersection(*(set(p.kin.series) for p in parts))
    return Kinematics(t_s=pose.t_s, fps=main.fps, facing=main.facing, view=pose.view,
                      leg_length=main.leg_length,
                      points={j: np.concatenate([p.kin.points[j] for p in parts]) for j in main.points},
                      series={k: np.concatenate([p.kin.series[k] for p in parts]) for k in sorted(keys)},
                      history=main.history + (f"{len(parts)} camera views analysed apart",))


def _shifted(rep: Rep, offset: int, index: int) -> Rep:
    """``rep`` of a part, in the whole clip's frames (its times are the clip's already)."""
    if not offset:
        return replace(rep, index=index)
    return replace(rep, index=index, start_frame=rep.start_frame + offset,
                   bottom_frame=rep.bottom_frame + offset, end_frame=rep.end_frame + offset,
                   bottom_window=(rep.bottom_window[0] + offset, rep.bottom_window[1] + offset),
                   ascent_end_frame=rep.ascent_end_frame + offset)


def exercise_warnings(call: ExerciseCall, seen: ExerciseCall) -> list[str]:
    """Say so when the exercise given (or the level's) is not what the video shows: graded by
    the standard asked for, but a standing lift graded as a kneeling drill is worth a word.
    Exercises a camera cannot tell apart (``[exercise.looks_like]``) are not a mismatch, and a
    sure call is needed, except between kneeling and standing, which the shins always tell."""
    if call.source == "recognised" or seen.name is None or seen.name == call.name:
        return []
    cfg = section("exercise")
    kneeling_apart = (call.name == "kneeling_hinge") != (seen.name == "kneeling_hinge")  # the shins tell it
    if not kneeling_apart and (seen.confidence < cfg["mismatch_min_confidence"]
                               or seen.name in cfg["looks_like"].get(call.name, [])):
        return []
    asked = "the level's exercise" if call.source == "level" else "the exercise given"
    return [f"The video looks like a {seen.name.replace('_', ' ')} ({seen.confidence:.0%} sure), not "
            f"{asked} ({str(call.name).replace('_', ' ')}). It was graded by the {str(call.name).replace('_', ' ')} "
            "standard as asked: choose the level or exercise that matches what you filmed."]


def squat_note(standard: str | None) -> list[str]:
    """Say what a squat graded as a squat was, and was not, checked for."""
    if hinge_asked(standard):
        return []
    return ["This set is a squat (the load or the hands at the shoulders or chest), graded as a squat: "
            "the back where the camera sees it, the heels, the lockout and the stance. The hip hinge's own "
            "checks (hips back not down, the knee bend, the depth) are not asked of it. To practise the "
            "hinge, film one of the guide's drills or a Romanian deadlift."]


def part_warnings(parts: list[_Part]) -> list[str]:
    """Say where the camera changed and which reps each view saw."""
    if len(parts) < 2:
        return []
    said, first = [], 1
    for p in parts:
        n = len(p.reps)
        reps = f"reps {first}-{first + n - 1}" if n > 1 else (f"rep {first}" if n else "no rep")
        said.append(f"{p.pose.t_s[0]:.1f}-{p.pose.t_s[-1]:.1f} s from the {p.pose.view} ({reps})")
        first += n
    return ["The camera view changes during the clip: " + "; ".join(said)
            + ". Each part is read from its own view."]


def analyze(pose: PoseSequence, *, level: str | None = None, exercise: str | None = None,
            usual_depth_hip_angle_deg: float | None = None, height_cm: float | None = None) -> Analysis:
    """Run every stage on ``pose``. The set is graded by the standard of its exercise: the
    ``level``'s thresholds when given, else those of ``exercise`` (given, or recognised from
    the video: :mod:`hingecoach.assess.exercise`); the person's usual bottom hip angle (from
    their history) makes the ``too_deep`` check personal. A clip whose camera view changes is
    read part by part, each from its own view, and its reps joined."""
    height_cm = checked_height_cm(height_cm)  # a bad value fails before the work, not after
    parts = _parts(pose)
    pose = with_view(pose)
    seen = vote(sum((p.seen.per_rep for p in parts), ()), sum((p.seen.per_rep_confidence for p in parts), ()))
    call = decide(seen, level=level, given=exercise)
    standard = grading_table(call, level)
    reps: list[Rep] = []
    assessments: list[RepAssessment] = []
    warnings = source_warnings(pose) + view_warnings(pose)
    for part in parts:
        graded = assess_reps(part.kin, part.reps, level=standard, measures=part.measures,
                             usual_depth_hip_angle_deg=usual_depth_hip_angle_deg)
        warnings += back_warnings(part.pose.view, part.reps, graded) if part.reps else []
        reps += [_shifted(r, part.offset, len(reps) + i + 1) for i, r in enumerate(part.reps)]
        assessments += graded
    warnings += part_warnings(parts) + exercise_warnings(call, seen) + squat_note(standard)
    kin = _joined_kinematics(pose, parts)
    summary = summarise_set(reps, assessments, view=pose.view, level=standard)
    if not reps:
        warnings.append("No repetition found: make sure the whole body is in frame and hinge "
                        "until you feel your hamstrings, then stand tall.")
    return Analysis(pose=pose, kinematics=kin, reps=reps, assessments=assessments,
                    summary=summary, warnings=warnings, level=level, exercise=call, standard=standard,
                    height_cm=height_cm)
