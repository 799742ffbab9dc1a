"""Pattern of a rep: hinge (hips back, shins near vertical), squat (hips down, knees forward)
or stoop (bending at the waist, hips do not travel back). Thresholds in [pattern]."""

from __future__ import annotations

import math

from hingecoach.config import section


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def classify_pattern(m: dict[str, float], level: str | None = None) -> tuple[str, float]:
    """(pattern, confidence in 0.5..1) from per-rep measures.

    Squat evidence: knee flexion at the bottom, a forward-tilted shin, hips going down more
    than back. Stoop evidence: little hips-back travel for a strongly inclined trunk with
    nearly straight knees. Each score is a margin over its threshold, scaled by a soft width,
    so confidence grows with the distance from the boundary.
    """
    cfg = section("pattern", level)
    knee = m.get("knee_flexion_bottom_deg", float("nan"))
    shin = m.get("shin_angle_bottom_deg", float("nan"))
    back = m.get("hip_back_bottom_frac_leg", float("nan"))
    down = m.get("hip_down_bottom_frac_leg", float("nan"))
    trunk = m.get("trunk_angle_bottom_deg", float("nan"))
    squat_votes = []
    if math.isfinite(knee):
        squat_votes.append((knee - cfg["squat_knee_flexion_deg"]) / cfg["knee_soft_deg"])
    if math.isfinite(shin):
        squat_votes.append((shin - cfg["squat_shin_deg"]) / cfg["shin_soft_deg"])
    if math.isfinite(back) and math.isfinite(down):
        squat_votes.append((down - back * cfg["squat_down_per_back"]) / cfg["travel_soft_frac"])
    if math.isfinite(trunk):
        squat_votes.append((cfg["squat_trunk_max_deg"] - trunk) / cfg["trunk_soft_deg"])
    squat_score = sum(squat_votes) / len(squat_votes) if squat_votes else -1.0
    if squat_score > 0:
        return "squat", _logistic(3 * squat_score)
    if (math.isfinite(back) and math.isfinite(trunk) and trunk > cfg["stoop_min_trunk_deg"]):
        needed = cfg["stoop_back_per_trunk"] * math.sin(math.radians(trunk))
        stoop_score = (needed - back) / cfg["travel_soft_frac"]
        if stoop_score > 0:
            return "stoop", _logistic(3 * stoop_score)
        return "hinge", _logistic(3 * min(-squat_score, -stoop_score))
    return "hinge", _logistic(3 * -squat_score)
