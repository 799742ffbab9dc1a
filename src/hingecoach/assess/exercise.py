"""Which exercise a set is: read from what the video shows, so that each is graded by its own
standard (a deadlift from the floor starts low with the knees bent; an RDL keeps them soft).

Per rep, the first rule that holds (limits and their reasons: ``[exercise]`` in the thresholds
file): kneeling; the hands at the shoulders (a squat, else a good morning); the swing's float;
the hands reaching the floor (a deadlift when the set starts with the load on the floor or the
hands reach a barbell's height, a kettlebell deadlift from standing; an RDL when the knees stay
soft); a squat; and by default a Romanian deadlift. The guide's drills (wall tap, dowel, band)
look like a good morning or an RDL to a camera that cannot see the wall, the dowel or the band:
the program level names them (``--level`` implies the exercise).
The set takes the exercise most reps got. Pure functions of the measures and the reps.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hingecoach.config import section
from hingecoach.exercise_names import EXERCISES
from hingecoach.kinematics import Kinematics
from hingecoach.reps import Rep


@dataclass(frozen=True)
class ExerciseCall:
    """The set's exercise, how sure the call is (0..1), where it came from (``recognised`` from
    the video, ``level`` implied by the program level, ``given`` by the person) and each rep's
    own call from the video with its confidence (None for partial reps)."""

    name: str | None
    confidence: float
    source: str
    per_rep: tuple[str | None, ...] = ()
    per_rep_confidence: tuple[float, ...] = ()


def standard_of(exercise: str | None) -> str | None:
    """The thresholds table that grades ``exercise`` (None: the base table)."""
    if exercise is None:
        return None
    return section("exercise")["standard"][exercise] or None


def exercise_of_level(level: str) -> str | None:
    """The exercise a program level trains (the inverse of ``[exercise.standard]``)."""
    return next((ex for ex, table in section("exercise")["standard"].items() if table == level), None)


def check_exercise(name: str) -> str:
    """``name`` when it is an exercise the analysis knows, else a clear ValueError."""
    if name not in EXERCISES:
        raise ValueError(f"Expected an exercise among {', '.join(EXERCISES)}, but got {name!r}.")
    return name


def _sure(margin: float) -> float:
    """Confidence from a margin in units of the limit's soft scale (0.5 at the limit)."""
    return 1.0 / (1.0 + math.exp(-4.0 * max(-50.0, min(50.0, margin)))) if math.isfinite(margin) else 0.5


def starts_from_floor(kin: Kinematics, reps: Sequence[Rep], cfg: dict) -> bool:
    """The set opens with the load on the floor: the first rep rises from the bottom, or the
    clip's first frames hold the hips at least ``floor_start_min_depth_frac`` of the way down."""
    done = [r for r in reps if not r.partial]
    if not done:
        return False
    first = done[0]
    if first.from_bottom:
        return True
    flex = 180.0 - kin["hip_angle_deg"]
    head = flex[:max(1, int(round(0.3 * kin.fps)))]
    head = head[np.isfinite(head)]
    top = 180.0 - float(np.nanmax(kin["hip_angle_deg"][first.start_frame:first.bottom_frame + 1]))
    depth = first.depth_flexion_deg - top
    return bool(head.size and depth > 0 and (float(np.median(head)) - top) / depth >= cfg["floor_start_min_depth_frac"])


def rep_exercise(m: dict[str, float], pattern: str, from_floor: bool, cfg: dict) -> tuple[str, float]:
    """(exercise, confidence) of one rep from its measures ``m`` and base-table ``pattern``."""
    soft = cfg["margin_soft_frac"]
    shin = m.get("shin_angle_min_deg", math.nan)
    if shin > cfg["kneeling_min_shin_deg"]:
        return "kneeling_hinge", _sure((shin - cfg["kneeling_min_shin_deg"]) / (soft * cfg["kneeling_min_shin_deg"]))
    at_shoulders = section("arms")["hands_at_shoulders_frac_torso"]
    hands = m.get("hands_from_shoulders_bottom_frac_torso", math.nan)
    high = m.get("hands_height_bottom_frac_torso", math.nan)
    near = _sure((at_shoulders - hands) / (soft * at_shoulders)) if math.isfinite(hands) else 0.0
    above = _sure((high - cfg["hands_up_min_frac_torso"]) / soft) if math.isfinite(high) else 0.0
    if max(near, above) > 0.5:
        if pattern != "squat":
            return "good_morning", max(near, above)
        # a squat meant as one holds the load at the shoulders; hands merely high at the bottom
        # (arms reaching forward or hanging ahead of a deep squat) may be a hinge gone wrong
        return "squat", near if near > 0.5 else cfg["squat_by_pattern_confidence"]
    float_top = m.get("hands_top_max_frac_torso", math.nan)
    rise = m.get("hands_rise_frac_torso", math.nan)
    floats = max((float_top - cfg["swing_float_min_frac_torso"]) / soft if math.isfinite(float_top) else -math.inf,
                 (rise - cfg["swing_rise_min_frac_torso"]) / soft if math.isfinite(rise) else -math.inf)
    if floats > 0 and m.get("rep_duration_s", math.inf) < cfg["swing_max_rep_s"]:
        return "kettlebell_swing", _sure(floats)
    low = m.get("hands_height_bottom_frac_leg", math.nan)
    floor_limit = cfg["floor_hands_max_frac_leg"]
    if math.isfinite(low) and low < floor_limit:
        reach = _sure((floor_limit - low) / (soft * floor_limit))
        knee = m.get("knee_flexion_bottom_deg", math.nan)
        if from_floor or low < cfg["bar_on_floor_max_frac_leg"]:
            return "deadlift", reach
        if pattern == "squat" or not math.isfinite(knee) or knee >= cfg["floor_min_knee_flexion_deg"]:
            return "kettlebell_deadlift", min(reach, 0.8)  # a barbell from standing looks the same
        return "romanian_deadlift", min(reach, _sure((cfg["floor_min_knee_flexion_deg"] - knee)
                                                     / (soft * cfg["floor_min_knee_flexion_deg"])))
    if pattern == "squat":  # a hinge that became a squat, or a squat: not sure which
        return "squat", cfg["squat_by_pattern_confidence"]
    return "romanian_deadlift", cfg["default_confidence"]


def recognise(kin: Kinematics, reps: Sequence[Rep], measures: Sequence[dict[str, float]],
              patterns: Sequence[str]) -> ExerciseCall:
    """Each rep's exercise from its measures and base-table pattern, and the set's by vote."""
    cfg = section("exercise")
    from_floor = starts_from_floor(kin, reps, cfg)
    calls = [(None, 0.0) if r.partial else rep_exercise(m, p, from_floor, cfg)
             for r, m, p in zip(reps, measures, patterns, strict=True)]
    return vote(tuple(n for n, _ in calls), tuple(c for _, c in calls))


def vote(per_rep: tuple[str | None, ...], confidence: tuple[float, ...]) -> ExerciseCall:
    """The set's exercise: the one most completed reps got; its confidence is their share times
    their mean confidence."""
    done = [(n, c) for n, c in zip(per_rep, confidence, strict=True) if n is not None]
    if not done:
        return ExerciseCall(None, 0.0, "recognised", per_rep, confidence)
    name, count = Counter(n for n, _ in done).most_common(1)[0]
    sure = float(np.mean([c for n, c in done if n == name]))
    return ExerciseCall(name, count / len(done) * sure, "recognised", per_rep, confidence)


def decide(seen: ExerciseCall, *, level: str | None = None, given: str | None = None) -> ExerciseCall:
    """The exercise of the set: the person's (``given``), else the level's, else the one
    ``seen`` in the video. Per-rep calls stay the video's own, so a set that mixes shows it."""
    if given is not None:
        return ExerciseCall(check_exercise(given), 1.0, "given", seen.per_rep, seen.per_rep_confidence)
    if level is not None and (implied := exercise_of_level(level)) is not None:
        return ExerciseCall(implied, 1.0, "level", seen.per_rep, seen.per_rep_confidence)
    return seen


def grading_table(call: ExerciseCall, level: str | None) -> str | None:
    """The thresholds table that grades the set: the level's when one is given, else the
    exercise's standard when the call is sure enough, else the base table."""
    if level is not None:
        return level
    if call.name is None or (call.source == "recognised"
                             and call.confidence < section("exercise")["min_confidence_for_standard"]):
        return None
    return standard_of(call.name)
