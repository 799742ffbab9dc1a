"""Pattern of a rep: hinge (hips back, trunk inclined well ahead of the shins), squat (knees
forward, trunk parallel to the shins, hips down) or stoop (bending at the waist: straight
knees, hips not travelling back). Thresholds and their calibration: [pattern]."""

from __future__ import annotations

import math

from hingecoach.config import section


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def squat_score(m: dict[str, float], cfg: dict[str, float]) -> float:
    """Weighted mean of the squat margins (> 0 means squat), NaN when nothing could be measured:
    the trunk upright, the knees bending with the hips, the trunk near the shins' line (one
    weight each) and the hips dropping rather than going back (``hip_drop_weight``). A squat
    brings the knees forward: shins nearer vertical than ``squat_min_shin_deg`` rule it out
    (-1), however upright the trunk (a shallow good morning keeps the trunk high)."""
    trunk = m.get("trunk_angle_bottom_deg", math.nan)
    shin = m.get("shin_angle_bottom_deg", math.nan)
    if math.isfinite(shin) and shin < cfg["squat_min_shin_deg"]:
        return -1.0
    ratio = m.get("knee_to_hip_flexion_ratio", math.nan)
    drop = m.get("hip_down_bottom_frac_leg", math.nan)
    votes = [
        ((cfg["squat_trunk_max_deg"] - trunk) / cfg["trunk_soft_deg"], 1.0),
        ((ratio - cfg["squat_knee_per_hip"]) / cfg["knee_per_hip_soft"], 1.0),
        ((cfg["hinge_trunk_minus_shin_deg"] - (trunk - shin)) / cfg["trunk_shin_soft_deg"], 1.0),
        ((drop - cfg["squat_hip_drop_frac_leg"]) / cfg["hip_drop_soft_frac"], cfg["hip_drop_weight"]),
    ]
    votes = [(v, w) for v, w in votes if math.isfinite(v) and w > 0]
    return sum(v * w for v, w in votes) / sum(w for _, w in votes) if votes else math.nan


def stoop_score(m: dict[str, float], cfg: dict[str, float]) -> float:
    """> 0 when the trunk tipped with nearly straight knees while the hips stayed over the feet.
    Hips-back travel decides: two margins on it (travel per sin(trunk), and the thigh's backward
    tilt, which a rounded back cannot change), the thigh's counted ``thigh_weight`` times. The
    back's shape (shoulder below the ear-hip line) only tips a borderline rep: its margin is
    capped at +-``shoulder_drop_cap`` (a rounded-back hinge with the hips back is a hinge).
    The mask's back bend can only speak against a stoop: bending at the waist rounds the back,
    so a back that stays straight (bend under ``stoop_back_bend_deg``) is a stiff-legged hinge,
    while a rounded one adds nothing (rounding is its own fault, Mistake 3)."""
    trunk = m.get("trunk_angle_bottom_deg", math.nan)
    back = m.get("hip_back_bottom_frac_leg", math.nan)
    knee = m.get("knee_flexion_bottom_deg", math.nan)
    if not all(math.isfinite(v) for v in (trunk, back, knee)):
        return math.nan
    if trunk < cfg["stoop_min_trunk_deg"] or knee > cfg["stoop_max_knee_flexion_deg"]:
        return -1.0
    back_per_trunk = back / math.sin(math.radians(trunk))
    score = (cfg["stoop_back_per_trunk"] - back_per_trunk) / cfg["travel_soft_frac"]
    thigh = m.get("thigh_back_bottom_deg", math.nan)
    if math.isfinite(thigh):
        score += cfg["thigh_weight"] * (cfg["stoop_thigh_back_deg"] - thigh) / cfg["thigh_soft_deg"]
    drop = m.get("shoulder_drop_bottom_frac_torso", math.nan)
    if math.isfinite(drop):
        cap = cfg["shoulder_drop_cap"]
        score += min(cap, max(-cap, (drop - cfg["stoop_shoulder_drop_frac_torso"])
                              / cfg["shoulder_drop_soft_frac"]))
    bend = m.get("back_bend_bottom_deg", math.nan)
    if math.isfinite(bend):
        score += min(0.0, (bend - cfg["stoop_back_bend_deg"]) / cfg["back_bend_soft_deg"])
    return score


def front_squat_score(m: dict[str, float], cfg: dict[str, float]) -> float:
    """Mean of two squat margins a front camera sees (> 0 means squat), NaN when unmeasured:
    the hips dropping in the image (a fraction of the standing leg) and the thighs foreshortened
    as the knees come forward (a fraction of their standing length)."""
    votes = [
        (m.get("hip_drop_image_bottom_frac_leg", math.nan) - cfg["front_squat_hip_drop_frac_leg"])
        / cfg["front_hip_drop_soft_frac"],
        (cfg["front_squat_thigh_frac"] - m.get("thigh_image_bottom_frac_start", math.nan))
        / cfg["front_thigh_soft_frac"],
    ]
    votes = [v for v in votes if math.isfinite(v)]
    return sum(votes) / len(votes) if votes else math.nan


def classify_front(m: dict[str, float], level: str | None = None) -> tuple[str, float, bool]:
    """(pattern, confidence, seen) from what a front camera shows. It sees a squat (hips down,
    knees forward) but not the hips' travel back, so a hinge and a stoop look alike: any rep
    that is not a squat is a hinge by default, reported as not seen."""
    cfg = section("pattern", level)
    sq = front_squat_score(m, cfg)
    if math.isfinite(sq) and sq > 0:
        return "squat", _logistic(3 * sq), True
    return "hinge", _logistic(-3 * sq) if math.isfinite(sq) else 0.5, False


def classify_pattern(m: dict[str, float], level: str | None = None) -> tuple[str, float]:
    """(pattern, confidence in 0.5..1) from per-rep measures."""
    cfg = section("pattern", level)
    sq = squat_score(m, cfg)
    if math.isfinite(sq) and sq > 0:
        return "squat", _logistic(3 * sq)
    st = stoop_score(m, cfg)
    if math.isfinite(st) and st > 0:
        return "stoop", _logistic(3 * st)
    margins = [-v for v in (sq, st) if math.isfinite(v)]
    return "hinge", _logistic(3 * min(margins)) if margins else 0.5
