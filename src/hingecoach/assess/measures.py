"""Per-rep measures: the numbers the pattern classifier and the fault checks read.

Each measure is taken over a named window of the rep (standing start, bottom window, lockout)
with a median, so a single bad frame never decides anything.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from hingecoach.assess.motion import (
    exercise_measures,
    load_path_measures,
    tempo_measures,
    trunk_rise_at_half_hip_rise_frac,
)
from hingecoach.assess.series import mean_finite, median, running_median, window, window_values
from hingecoach.config import section
from hingecoach.kinematics import Kinematics
from hingecoach.kinematics.angles import standing_reference
from hingecoach.reps import Rep

#: How the measures are read (thresholds.toml [measures], each value with its reason).
_M = section("measures")


def rep_windows(kin: Kinematics, rep: Rep) -> dict[str, tuple[int, int]]:
    """Frame windows [first, last] of the rep's start, bottom and lockout."""
    settle = max(1, int(round(_M["window_min_s"] * kin.fps)))
    b0, b1 = rep.bottom_window
    if b1 - b0 < settle:  # at least window_min_s around the deepest point
        b0, b1 = rep.bottom_frame - settle // 2, rep.bottom_frame + settle // 2
    start = (rep.start_frame, rep.start_frame + settle)
    lock_lo = min(rep.ascent_end_frame, rep.end_frame)
    lockout = (lock_lo, max(lock_lo, rep.end_frame))
    last = kin.n_frames - 1

    def inside(lo: int, hi: int) -> tuple[int, int]:  # a rep at the clip's edge keeps its frames
        return min(max(lo, 0), last), min(max(hi, 0), last)

    return {"start": inside(*start), "bottom": inside(b0, b1), "lockout": inside(*lockout),
            "descent": inside(rep.start_frame, rep.bottom_window[0]),
            "ascent": inside(rep.bottom_window[1], rep.ascent_end_frame)}


def _early_descent_lag(kin: Kinematics, rep: Rep) -> float:
    """How far the hips have travelled back (fraction of their bottom travel) when the trunk
    has made half of its inclination: ~0.5+ when the hips lead, low when the torso leads."""
    if rep.from_bottom:
        return float("nan")
    lo, hi = rep.start_frame, rep.bottom_frame
    trunk = kin["trunk_angle_deg"][lo:hi + 1]
    back = kin["hip_back_frac_leg"][lo:hi + 1]
    if trunk.size < 3 or not np.isfinite(trunk).any() or not np.isfinite(back).any():
        return float("nan")
    t0, t1 = trunk[0], median(trunk[-3:])
    b0, b1 = back[0], median(back[-3:])
    if not np.isfinite([t0, t1, b0, b1]).all() or t1 - t0 < _M["lag_min_trunk_deg"] or b1 - b0 < _M["lag_min_hip_back_frac_leg"]:
        return float("nan")
    half = np.flatnonzero(trunk >= t0 + 0.5 * (t1 - t0))
    if half.size == 0:
        return float("nan")
    return float((back[half[0]] - b0) / (b1 - b0))


def heel_lift_frac_foot(kin: Kinematics, w: dict[str, tuple[int, int]]) -> float:
    """Rise of the heel relative to the toe from the start to the bottom, as a fraction of
    foot length (0 = heel stays down)."""
    heel, toe = kin.points["heel"], kin.points["toe"]
    s0, s1 = w["start"]
    b0, b1 = w["bottom"]
    lo, hi = max(min(s0, b0), 0), max(s1, b1) + 1  # only the rep's own frames
    foot = np.linalg.norm(toe[lo:hi] - heel[lo:hi], axis=1)
    rise = heel[:, 1] - toe[:, 1]
    with np.errstate(invalid="ignore"):
        return (median(rise[b0:b1 + 1]) - median(rise[s0:s1 + 1])) / median(foot)


@functools.lru_cache(maxsize=8)
def standing_trunk_deg(kin: Kinematics) -> float:
    """The person's own standing trunk angle: median over the clip's most upright frames
    (BlazePose and posture put a standing trunk anywhere in about -5..10 deg). Cached per
    sequence: every rep asks, and it reads the whole clip."""
    return float(standing_reference(kin["hip_angle_deg"], kin["trunk_angle_deg"]))


@functools.lru_cache(maxsize=8)
def _standing_torso(kin: Kinematics) -> tuple[np.ndarray, float]:
    """Hip-shoulder distance per frame and its standing value (cached per sequence)."""
    torso = np.linalg.norm(kin.points["shoulder"] - kin.points["hip"], axis=1)
    return torso, float(standing_reference(kin["hip_angle_deg"], torso))


#: How long after the rep's end the lean-back is still watched (the trunk settling upright).
LEAN_BACK_SETTLE_S: float = _M["lean_back_settle_s"]


def lean_back_deg(kin: Kinematics, rep: Rep, start: tuple[int, int]) -> float:
    """How far the trunk goes behind the person's own upright trunk line between the end of
    the bottom and the end of the rep (plus a short settle): the return's lean-back. Upright =
    the more backward of the clip's standing trunk and the rep's start (a kneeling set has no
    standing frames; back-to-back reps start with the trunk already tipping)."""
    settle = int(round(LEAN_BACK_SETTLE_S * kin.fps))
    lo, hi = rep.bottom_window[1], min(kin.n_frames - 1, rep.end_frame + settle)
    trunk = kin["trunk_angle_deg"]
    stand = np.nanmin([standing_trunk_deg(kin), window(kin, "trunk_angle_deg", *start)])
    seg = running_median(trunk[lo:hi + 1], max(1, int(round(_M["lean_back_smooth_s"] * kin.fps))))
    # arms going overhead (a press, a stretch) pull the shoulders back: not the hinge's top
    hands = kin["wrist_height_frac_torso"]
    overhead = section("arms")["hands_raised_frac_torso"]
    raised = (hands[lo:hi + 1] > overhead) & (hands[lo:hi + 1] - median(hands[start[0]:start[1] + 1]) > overhead)
    seg[raised] = np.nan
    if not np.isfinite(seg).any() or not np.isfinite(stand):
        return float("nan")
    return float(stand - np.nanmin(seg))


def hold_frac_rep(kin: Kinematics, rep: Rep, band_frac: float = _M["hold_band_frac"]) -> float:
    """Share of the rep (start to end) spent with the hip within ``band_frac`` of its bottom
    flexion. Mistake 1: when the torso leads, the hip flexion is done early in the descent
    (and undone late in the ascent) while the rest of the body is still moving, so the hip
    angle sits at its bottom for much of the rep (clean reps: the bottom pause plus the
    tails of a smooth movement, about a third)."""
    if rep.from_bottom or rep.end_frame - rep.start_frame < 4:
        return float("nan")
    flex = 180.0 - kin["hip_angle_deg"][rep.start_frame:rep.end_frame + 1]
    if not np.isfinite(flex).any():
        return float("nan")
    top, bottom = np.nanmin(flex), np.nanmax(flex)
    near = flex >= bottom - band_frac * (bottom - top)
    return float(near.sum() / flex.size)


def torso_length_change_frac(kin: Kinematics, b: tuple[int, int]) -> float:
    """Hip-shoulder distance at the bottom over the person's standing one, minus 1: a pelvis
    tucking under at the bottom pulls the shoulders back towards the hips."""
    torso, stand = _standing_torso(kin)
    return window_values(torso, *b) / stand - 1.0 if stand > 0 else float("nan")


def front_measures(kin: Kinematics, b: tuple[int, int], s: tuple[int, int]) -> dict[str, float]:
    """What a front camera sees of the pattern, against the rep's own standing (window ``s``):
    the trunk's and the thighs' image lengths at the bottom over their standing ones (leaning
    towards the camera foreshortens the trunk, knees going forward the thighs), and the hips'
    drop in the image as a fraction of the standing leg (hips down, not back)."""
    def ratio(name: str) -> float:
        stand = window(kin, name, *s)
        return window(kin, name, *b) / stand if stand > 0 else float("nan")

    if "torso_image_px" not in kin.series:
        return {}
    leg = window(kin, "leg_image_px", *s)
    drop = window(kin, "hip_image_y_px", *b) - window(kin, "hip_image_y_px", *s)
    return {"torso_image_bottom_frac_start": ratio("torso_image_px"),
            "thigh_image_bottom_frac_start": ratio("thigh_image_px"),
            "hip_drop_image_bottom_frac_leg": drop / leg if leg > 0 else float("nan")}


def _knee_measures(kin: Kinematics, rep: Rep, b: tuple[int, int], s: tuple[int, int]) -> dict[str, float]:
    m = {"knee_angle_start_deg": window(kin, "knee_angle_deg", *s),
         "knee_angle_bottom_deg": window(kin, "knee_angle_deg", *b)}
    m["knee_flexion_bottom_deg"] = 180.0 - m["knee_angle_bottom_deg"]
    m["knee_flexion_start_deg"] = 180.0 - m["knee_angle_start_deg"]
    m["knee_flexion_gain_deg"] = m["knee_flexion_bottom_deg"] - m["knee_flexion_start_deg"]
    knee = kin["knee_angle_deg"][rep.start_frame:rep.end_frame + 1]
    m["knee_flexion_max_deg"] = 180.0 - float(np.nanmin(knee)) if np.isfinite(knee).any() else float("nan")
    # the soft knee over the whole rep (start, bottom, deepest): a locked knee stays straight
    # throughout, a soft one bends somewhere, and three readings average out a noisy one
    m["knee_soft_bend_deg"] = mean_finite([m["knee_flexion_start_deg"], m["knee_flexion_bottom_deg"],
                                           m["knee_flexion_max_deg"]])
    return m


def _hip_measures(kin: Kinematics, rep: Rep, b: tuple[int, int], s: tuple[int, int],
                  knee_gain_deg: float) -> dict[str, float]:
    """The hip angle, the trunk and the hips' travel at the bottom against the rep's start."""
    m = {"depth_hip_angle_deg": rep.depth_hip_angle_deg, "hip_angle_bottom_deg": window(kin, "hip_angle_deg", *b),
         "shin_angle_bottom_deg": window(kin, "shin_angle_deg", *b),
         "trunk_angle_bottom_deg": window(kin, "trunk_angle_deg", *b),
         # hips behind the knees: the thigh's backward tilt, blind to the trunk's shape
         "thigh_back_bottom_deg": -window(kin, "thigh_angle_deg", *b)}
    m["hip_flexion_bottom_deg"] = 180.0 - m["hip_angle_bottom_deg"]
    m["knee_to_hip_flexion_ratio"] = knee_gain_deg / max(m["hip_flexion_bottom_deg"], 1.0)
    m["hip_back_bottom_frac_leg"] = window(kin, "hip_back_frac_leg", *b) - window(kin, "hip_back_frac_leg", *s)
    m["hip_down_bottom_frac_leg"] = window(kin, "hip_down_frac_leg", *b) - window(kin, "hip_down_frac_leg", *s)
    m["hips_back_early_frac"] = _early_descent_lag(kin, rep)
    back = kin["hip_back_frac_leg"][rep.start_frame:rep.bottom_window[1] + 1]
    m["hip_forward_shift_bottom_frac_leg"] = (
        float(np.nanmax(back) - window(kin, "hip_back_frac_leg", *b)) if np.isfinite(back).any() else float("nan"))
    m["hip_back_per_trunk"] = m["hip_back_bottom_frac_leg"] / max(
        np.sin(np.radians(m["trunk_angle_bottom_deg"])), _M["hip_back_per_trunk_min_sin"]) if np.isfinite(m["trunk_angle_bottom_deg"]) \
        else float("nan")
    m["hip_hold_frac_rep"] = hold_frac_rep(kin, rep)
    return m


def _back_measures(kin: Kinematics, b: tuple[int, int], s: tuple[int, int]) -> dict[str, float]:
    """The head, the upper back and the back's outline at the bottom."""
    m = {"neck_angle_bottom_deg": window(kin, "neck_angle_deg", *b),
         "neck_angle_start_deg": window(kin, "neck_angle_deg", *s),
         "shoulder_drop_bottom_frac_torso": window(kin, "shoulder_drop_frac_torso", *b),
         "back_bend_bottom_deg": window(kin, "back_bend_deg", *b),
         "torso_length_change_bottom_frac": torso_length_change_frac(kin, b)}
    m["neck_change_bottom_deg"] = m["neck_angle_bottom_deg"] - m["neck_angle_start_deg"]
    # a flexing spine bows the upper back out of the ear-hip line and shortens the hip-shoulder
    # chord: both symptoms, in fractions of the torso (half weight on the chord, noisier)
    m["spine_flex_bottom_frac_torso"] = (m["shoulder_drop_bottom_frac_torso"]
                                         - _M["spine_flex_chord_weight"] * m["torso_length_change_bottom_frac"])
    return m


def _top_measures(kin: Kinematics, rep: Rep, s: tuple[int, int], lk: tuple[int, int]) -> dict[str, float]:
    """Standing at the start and at the top after the rep."""
    hip = kin["hip_angle_deg"][lk[0]:lk[1] + 1]
    m = {"lockout_hip_angle_deg": float(np.nanmax(hip)) if lk[1] >= lk[0] and np.isfinite(hip).any()
         else float("nan"),
         "lockout_trunk_angle_deg": window(kin, "trunk_angle_deg", *lk),
         "lean_back_lockout_deg": lean_back_deg(kin, rep, s) if not rep.from_bottom else float("nan"),
         "trunk_angle_start_deg": window(kin, "trunk_angle_deg", *s),
         "stance_width_ratio": window(kin, "stance_width_ratio", *s)}
    # the other side of the same reading: a trunk that never gets back to the upright line
    m["upright_shortfall_deg"] = -m["lean_back_lockout_deg"]
    return m


def rep_measures(kin: Kinematics, rep: Rep, first_start_frame: int | None = None,
                 baseline: dict[str, float] | None = None) -> dict[str, float]:
    """All per-rep measures, named with their units. ``first_start_frame`` (the first rep's
    start) marks the end of the person's own quiet standing before the set: a baseline that
    removes body type, camera and landmark bias from position measures. A caller that no
    longer holds those frames (the live coach) passes the :func:`setup_baseline` it kept."""
    w = rep_windows(kin, rep)
    b, lk = w["bottom"], w["lockout"]
    s = w["start"] if not rep.from_bottom else lk
    m = _knee_measures(kin, rep, b, s)
    m.update(_hip_measures(kin, rep, b, s, m["knee_flexion_gain_deg"]))
    m.update(_back_measures(kin, b, s))
    m.update(_top_measures(kin, rep, s, lk))
    m["com_foot_bottom_frac"] = window(kin, "com_foot_frac", *b)
    m["com_foot_shift_bottom_frac"] = m["com_foot_bottom_frac"] - window(kin, "com_foot_frac", *s)
    m["heel_lift_frac_foot"] = heel_lift_frac_foot(kin, w)
    m.update(front_measures(kin, b, s))
    m["trunk_rise_at_half_hip_rise_frac"] = (trunk_rise_at_half_hip_rise_frac(kin, rep) if not rep.partial
                                             else float("nan"))
    for name, (lo, hi) in (("bottom", b), ("lockout", lk)):
        m[f"hands_from_shoulders_{name}_frac_torso"] = (
            window(kin, "hands_from_shoulders_frac_torso", lo, hi) if "hands_from_shoulders_frac_torso" in kin.series
            else float("nan"))
    m.update(exercise_measures(kin, rep, w))
    m.update(load_path_measures(kin, rep))
    m.update(tempo_measures(kin, rep))
    if back_hidden(m):
        m.update(dict.fromkeys(BACK_SHAPE_MEASURES, float("nan")))
    if baseline is None and first_start_frame is not None:
        baseline = setup_baseline(kin, first_start_frame)
    m.update(_baseline_shifts(kin, w, baseline, m["lockout_hip_angle_deg"]))
    if hands_at_shoulders(m, "lockout"):  # read against the person's own set-up instead
        m["lockout_hip_angle_deg"] = float("nan")
    return m


#: The readings of the back's shape, set aside when :func:`back_hidden` says so.
BACK_SHAPE_MEASURES = ("back_bend_bottom_deg", "shoulder_drop_bottom_frac_torso", "spine_flex_bottom_frac_torso")


def hands_at_shoulders(m: dict[str, float], window: str) -> bool:
    """The hands were at the shoulders in the rep's ``window`` (``bottom`` or ``lockout``): a bar
    on the back, a bell at the chest, the hands behind the head (``[arms]`` in the thresholds
    file). The arms and the load then move the shoulder landmarks and shape the upper back."""
    hands = m.get(f"hands_from_shoulders_{window}_frac_torso", float("nan"))
    return math.isfinite(hands) and hands < section("arms")["hands_at_shoulders_frac_torso"]


def back_hidden(m: dict[str, float]) -> bool:
    """The hands were at the shoulders at the bottom, so the back's shape is not read."""
    return hands_at_shoulders(m, "bottom")


def setup_baseline(kin: Kinematics, first_start: int) -> dict[str, float] | None:
    """The person's quiet standing in the second before the set's first rep starts: the
    centre of mass along the foot and the hip angle (None when the set starts at the video's
    first frames)."""
    if first_start < 3:
        return None
    lo = max(0, first_start - int(round(_M["setup_baseline_s"] * kin.fps)))
    return {"com_foot_frac": window(kin, "com_foot_frac", lo, first_start),
            "hip_angle_deg": window(kin, "hip_angle_deg", lo, first_start)}


def _baseline_shifts(kin: Kinematics, w: dict[str, tuple[int, int]], baseline: dict[str, float] | None,
                     lockout_hip_angle_deg: float) -> dict[str, float]:
    """Centre of mass over the foot at the bottom and standing after the rep (0.4 s from its
    end), and how far the hip angle at lockout (its tallest, ``lockout_hip_angle_deg``) stays
    short of the person's own standing, all against the :func:`setup_baseline` (NaN without
    one)."""
    out = {"com_foot_bottom_vs_setup_frac": float("nan"), "com_foot_lockout_vs_setup_frac": float("nan"),
           "lockout_hip_short_of_setup_deg": float("nan")}
    if baseline is None:
        return out
    base = baseline["com_foot_frac"]
    out["com_foot_bottom_vs_setup_frac"] = window(kin, "com_foot_frac", *w["bottom"]) - base
    top = (w["lockout"][1], w["lockout"][1] + int(round(_M["after_lockout_s"] * kin.fps)))
    out["com_foot_lockout_vs_setup_frac"] = window(kin, "com_foot_frac", *top) - base
    out["lockout_hip_short_of_setup_deg"] = baseline["hip_angle_deg"] - lockout_hip_angle_deg
    return out
