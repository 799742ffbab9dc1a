"""Per-rep measures: the numbers the pattern classifier and the fault checks read.

Each measure is taken over a named window of the rep (standing start, bottom window, lockout)
with a median, so a single bad frame never decides anything.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np

from hingecoach.config import section
from hingecoach.kinematics import Kinematics
from hingecoach.kinematics.angles import standing_reference
from hingecoach.reps import Rep


def _median(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def _mean_finite(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def _window(kin: Kinematics, name: str, lo: int, hi: int) -> float:
    """Median of series ``name`` over frames [lo, hi] (inclusive, clipped)."""
    lo, hi = max(lo, 0), min(hi, kin.n_frames - 1)
    if hi < lo:
        return float("nan")
    return _median(kin[name][lo:hi + 1])


def rep_windows(kin: Kinematics, rep: Rep) -> dict[str, tuple[int, int]]:
    """Frame windows [first, last] of the rep's start, bottom and lockout."""
    settle = max(1, int(round(0.25 * kin.fps)))
    b0, b1 = rep.bottom_window
    if b1 - b0 < settle:  # at least ~0.25 s around the deepest point
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
    t0, t1 = trunk[0], _median(trunk[-3:])
    b0, b1 = back[0], _median(back[-3:])
    if not np.isfinite([t0, t1, b0, b1]).all() or t1 - t0 < 10 or b1 - b0 < 0.02:
        return float("nan")
    half = np.flatnonzero(trunk >= t0 + 0.5 * (t1 - t0))
    if half.size == 0:
        return float("nan")
    return float((back[half[0]] - b0) / (b1 - b0))


def trunk_rise_at_half_hip_rise_frac(kin: Kinematics, rep: Rep) -> float:
    """In the ascent, how much of its way back to upright the trunk has made when the hips have
    risen half of theirs (1 = the trunk's share equals the hips', 0 = the trunk has not moved,
    negative = it tipped further forward): hips that shoot up first leave the chest behind."""
    lo, hi = rep.bottom_window[1], min(rep.ascent_end_frame, kin.n_frames - 1)
    height = -kin["hip_down_frac_leg"][lo:hi + 1]
    trunk = -kin["trunk_angle_deg"][lo:hi + 1]
    if height.size < 4:
        return float("nan")
    h0, h1, t0, t1 = height[0], _median(height[-3:]), trunk[0], _median(trunk[-3:])
    if not np.isfinite([h0, h1, t0, t1]).all() or h1 - h0 < 0.02 or t1 - t0 < 5.0:
        return float("nan")
    half = np.flatnonzero((height - h0) >= 0.5 * (h1 - h0))
    return float((trunk[half[0]] - t0) / (t1 - t0)) if half.size else float("nan")


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
        return (_median(rise[b0:b1 + 1]) - _median(rise[s0:s1 + 1])) / _median(foot)


def _running_median(x: np.ndarray, half: int) -> np.ndarray:
    """Median over +-``half`` frames (NaN-aware), so one wild frame cannot make an extreme."""
    if x.size == 0:
        return np.full(x.shape, np.nan)
    padded = np.pad(np.asarray(x, float), half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows stay NaN
        return np.nanmedian(windows, axis=1)


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
LEAN_BACK_SETTLE_S = 0.5


def lean_back_deg(kin: Kinematics, rep: Rep, start: tuple[int, int]) -> float:
    """How far the trunk goes behind the person's own upright trunk line between the end of
    the bottom and the end of the rep (plus a short settle): the return's lean-back. Upright =
    the more backward of the clip's standing trunk and the rep's start (a kneeling set has no
    standing frames; back-to-back reps start with the trunk already tipping)."""
    settle = int(round(LEAN_BACK_SETTLE_S * kin.fps))
    lo, hi = rep.bottom_window[1], min(kin.n_frames - 1, rep.end_frame + settle)
    trunk = kin["trunk_angle_deg"]
    stand = np.nanmin([standing_trunk_deg(kin), _window(kin, "trunk_angle_deg", *start)])
    seg = _running_median(trunk[lo:hi + 1], max(1, int(round(0.10 * kin.fps))))
    # arms going overhead (a press, a stretch) pull the shoulders back: not the hinge's top
    hands = kin["wrist_height_frac_torso"]
    overhead = section("arms")["hands_raised_frac_torso"]
    raised = (hands[lo:hi + 1] > overhead) & (hands[lo:hi + 1] - _median(hands[start[0]:start[1] + 1]) > overhead)
    seg[raised] = np.nan
    if not np.isfinite(seg).any() or not np.isfinite(stand):
        return float("nan")
    return float(stand - np.nanmin(seg))


def hold_frac_rep(kin: Kinematics, rep: Rep, band_frac: float = 0.15) -> float:
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
    return _window_values(torso, *b) / stand - 1.0 if stand > 0 else float("nan")


def front_measures(kin: Kinematics, b: tuple[int, int], s: tuple[int, int]) -> dict[str, float]:
    """What a front camera sees of the pattern, against the rep's own standing (window ``s``):
    the trunk's and the thighs' image lengths at the bottom over their standing ones (leaning
    towards the camera foreshortens the trunk, knees going forward the thighs), and the hips'
    drop in the image as a fraction of the standing leg (hips down, not back)."""
    def ratio(name: str) -> float:
        stand = _window(kin, name, *s)
        return _window(kin, name, *b) / stand if stand > 0 else float("nan")

    if "torso_image_px" not in kin.series:
        return {}
    leg = _window(kin, "leg_image_px", *s)
    drop = _window(kin, "hip_image_y_px", *b) - _window(kin, "hip_image_y_px", *s)
    return {"torso_image_bottom_frac_start": ratio("torso_image_px"),
            "thigh_image_bottom_frac_start": ratio("thigh_image_px"),
            "hip_drop_image_bottom_frac_leg": drop / leg if leg > 0 else float("nan")}


def _window_values(x: np.ndarray, lo: int, hi: int) -> float:
    lo, hi = max(lo, 0), min(hi, x.size - 1)
    return _median(x[lo:hi + 1]) if hi >= lo else float("nan")


def rep_measures(kin: Kinematics, rep: Rep, first_start_frame: int | None = None,
                 baseline: dict[str, float] | None = None) -> dict[str, float]:
    """All per-rep measures, named with their units. ``first_start_frame`` (the first rep's
    start) marks the end of the person's own quiet standing before the set: a baseline that
    removes body type, camera and landmark bias from position measures. A caller that no
    longer holds those frames (the live coach) passes the :func:`setup_baseline` it kept."""
    w = rep_windows(kin, rep)
    b = w["bottom"]
    s = w["start"] if not rep.from_bottom else w["lockout"]
    lk = w["lockout"]
    m: dict[str, float] = {}
    m["depth_hip_angle_deg"] = rep.depth_hip_angle_deg
    m["hip_angle_bottom_deg"] = _window(kin, "hip_angle_deg", *b)
    m["knee_angle_start_deg"] = _window(kin, "knee_angle_deg", *s)
    m["knee_angle_bottom_deg"] = _window(kin, "knee_angle_deg", *b)
    m["knee_flexion_bottom_deg"] = 180.0 - m["knee_angle_bottom_deg"]
    m["knee_flexion_start_deg"] = 180.0 - m["knee_angle_start_deg"]
    m["knee_flexion_gain_deg"] = m["knee_flexion_bottom_deg"] - m["knee_flexion_start_deg"]
    lo, hi = rep.start_frame, rep.end_frame
    knee = kin["knee_angle_deg"][lo:hi + 1]
    m["knee_flexion_max_deg"] = 180.0 - float(np.nanmin(knee)) if np.isfinite(knee).any() else float("nan")
    # the soft knee over the whole rep (start, bottom, deepest): a locked knee stays straight
    # throughout, a soft one bends somewhere, and three readings average out a noisy one
    m["knee_soft_bend_deg"] = _mean_finite([m["knee_flexion_start_deg"], m["knee_flexion_bottom_deg"],
                                            m["knee_flexion_max_deg"]])
    m["shin_angle_bottom_deg"] = _window(kin, "shin_angle_deg", *b)
    m["trunk_angle_bottom_deg"] = _window(kin, "trunk_angle_deg", *b)
    # hips behind the knees: the thigh's backward tilt, blind to the trunk's shape
    m["thigh_back_bottom_deg"] = -_window(kin, "thigh_angle_deg", *b)
    m["hip_flexion_bottom_deg"] = 180.0 - m["hip_angle_bottom_deg"]
    m["knee_to_hip_flexion_ratio"] = (m["knee_flexion_bottom_deg"] - m["knee_flexion_start_deg"]) / max(
        m["hip_flexion_bottom_deg"], 1.0)
    back0 = _window(kin, "hip_back_frac_leg", *s)
    down0 = _window(kin, "hip_down_frac_leg", *s)
    m["hip_back_bottom_frac_leg"] = _window(kin, "hip_back_frac_leg", *b) - back0
    m["hip_down_bottom_frac_leg"] = _window(kin, "hip_down_frac_leg", *b) - down0
    m["hips_back_early_frac"] = _early_descent_lag(kin, rep)
    m["com_foot_bottom_frac"] = _window(kin, "com_foot_frac", *b)
    m["heel_lift_frac_foot"] = heel_lift_frac_foot(kin, w)
    m["neck_angle_bottom_deg"] = _window(kin, "neck_angle_deg", *b)
    m["neck_angle_start_deg"] = _window(kin, "neck_angle_deg", *s)
    m["shoulder_drop_bottom_frac_torso"] = _window(kin, "shoulder_drop_frac_torso", *b)
    m["back_bend_bottom_deg"] = _window(kin, "back_bend_deg", *b)
    m["lockout_hip_angle_deg"] = float(np.nanmax(kin["hip_angle_deg"][lk[0]:lk[1] + 1])) if lk[1] >= lk[0] \
        and np.isfinite(kin["hip_angle_deg"][lk[0]:lk[1] + 1]).any() else float("nan")
    m["stance_width_ratio"] = _window(kin, "stance_width_ratio", *s)
    m.update(front_measures(kin, b, s))
    m["lockout_trunk_angle_deg"] = _window(kin, "trunk_angle_deg", *lk)
    back = kin["hip_back_frac_leg"][rep.start_frame:rep.bottom_window[1] + 1]
    m["hip_forward_shift_bottom_frac_leg"] = (
        float(np.nanmax(back) - _window(kin, "hip_back_frac_leg", *b)) if np.isfinite(back).any() else float("nan"))
    m["hip_back_per_trunk"] = m["hip_back_bottom_frac_leg"] / max(
        np.sin(np.radians(m["trunk_angle_bottom_deg"])), 0.2) if np.isfinite(m["trunk_angle_bottom_deg"]) \
        else float("nan")
    m["com_foot_shift_bottom_frac"] = m["com_foot_bottom_frac"] - _window(kin, "com_foot_frac", *s)
    m["lean_back_lockout_deg"] = lean_back_deg(kin, rep, s) if not rep.from_bottom else float("nan")
    # the other side of the same reading: a trunk that never gets back to the upright line
    m["upright_shortfall_deg"] = -m["lean_back_lockout_deg"]
    m["trunk_angle_start_deg"] = _window(kin, "trunk_angle_deg", *s)
    m["hip_hold_frac_rep"] = hold_frac_rep(kin, rep)
    m["trunk_rise_at_half_hip_rise_frac"] = (trunk_rise_at_half_hip_rise_frac(kin, rep) if not rep.partial
                                             else float("nan"))
    m["torso_length_change_bottom_frac"] = torso_length_change_frac(kin, b)
    m["neck_change_bottom_deg"] = m["neck_angle_bottom_deg"] - m["neck_angle_start_deg"]
    # a flexing spine bows the upper back out of the ear-hip line and shortens the hip-shoulder
    # chord: both symptoms, in fractions of the torso (half weight on the chord, noisier)
    m["spine_flex_bottom_frac_torso"] = (m["shoulder_drop_bottom_frac_torso"]
                                         - 0.5 * m["torso_length_change_bottom_frac"])
    for name, (lo, hi) in (("bottom", b), ("lockout", lk)):
        m[f"hands_from_shoulders_{name}_frac_torso"] = (
            _window(kin, "hands_from_shoulders_frac_torso", lo, hi) if "hands_from_shoulders_frac_torso" in kin.series
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


def _abs_low(x: np.ndarray) -> float:
    """The 10th percentile of |x| (NaN-aware): the near-lowest, robust to a wild frame."""
    x = np.abs(x[np.isfinite(x)])
    return float(np.percentile(x, 10)) if x.size else float("nan")


def load_path_measures(kin: Kinematics, rep: Rep) -> dict[str, float]:
    """Where the hands (and the load in them) travel against the mid-foot: how far ahead of it
    they sit from the bottom through the first half of the ascent (median), and at their
    furthest in the whole rep (5-frame running median), in foot lengths (0 = over the mid-foot,
    positive = ahead of it). A bar or bell kept close rides over the mid-foot."""
    heel, toe, wrist = kin.points["heel"], kin.points["toe"], kin.points["wrist"]
    mid = (heel[:, 0] + toe[:, 0]) / 2
    lo, hi = rep.start_frame, rep.end_frame + 1
    foot = _median(np.linalg.norm(toe[lo:hi] - heel[lo:hi], axis=1))
    if not np.isfinite(foot) or foot <= 0:
        return {"hands_ahead_bottom_frac_foot": float("nan"), "hands_ahead_max_frac_foot": float("nan")}
    ahead = (wrist[:, 0] - mid) / foot
    b0, b1 = rep.bottom_window
    asc_mid = b1 + max(1, (rep.ascent_end_frame - b1) // 2)
    seg = _running_median(ahead[lo:hi], 2)
    return {"hands_ahead_bottom_frac_foot": _window_values(ahead, b0, asc_mid),
            "hands_ahead_max_frac_foot": float(np.nanmax(seg)) if np.isfinite(seg).any() else float("nan")}


def tempo_measures(kin: Kinematics, rep: Rep) -> dict[str, float]:
    """The rep's tempo: descent, pause at the bottom and ascent in seconds, and the ascent's
    mean speed of the hips (their path length from the end of the pause to standing, in leg
    lengths per second). Phases by the hip flexion: the pause is the time it stays within
    ``[tempo] phase_band_frac`` of the rep's excursion from its deepest reading; the ascent ends
    when it is back within that band of the standing that follows (the rep's own phases, with a
    wider band, find the bottom's frames for the checks, not its tempo)."""
    band_frac = section("tempo")["phase_band_frac"]
    t = kin.t_s
    flex = 180.0 - kin["hip_angle_deg"]
    lo, hi = rep.start_frame, min(rep.end_frame, kin.n_frames - 1)
    nan = float("nan")
    out = {"descent_s": nan, "bottom_pause_s": nan, "ascent_s": nan, "ascent_speed_leg_per_s": nan}
    seg = flex[lo:hi + 1]
    if rep.partial or seg.size < 4 or not np.isfinite(seg).any():
        return out
    b = lo + int(np.nanargmax(seg))
    start_top, end_top = np.nanmin(flex[lo:b + 1]), np.nanmin(flex[b:hi + 1])
    # a rep that rises from the floor has no standing before it: its excursion is the ascent's
    band = band_frac * (flex[b] - (end_top if rep.from_bottom else max(start_top, end_top)))
    near = np.flatnonzero(flex[lo:hi + 1] >= flex[b] - band) + lo
    p0, p1 = int(near[0]), int(near[-1])
    up = np.flatnonzero(flex[p1:hi + 1] <= end_top + band)
    a1 = p1 + int(up[0]) if up.size else hi
    down = np.flatnonzero(flex[lo:p0 + 1] <= start_top + band)
    d0 = lo + int(down[-1]) if down.size and not rep.from_bottom else lo
    path = np.stack([kin["hip_back_frac_leg"][p1:a1 + 1], kin["hip_down_frac_leg"][p1:a1 + 1]], axis=-1)
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    # the band cuts the slow ends of each movement: a movement between two rests has a
    # bell-shaped speed (minimum jerk), whose 5-95% span is 62% of its duration and whose
    # first and last 5% each take 19% of it
    inner, edge = _MINJERK_SPAN[band_frac]
    descent = float(t[p0] - t[d0]) / inner if not rep.from_bottom else nan
    ascent = float(t[a1] - t[p1]) / inner
    pause = float(t[p1] - t[p0]) - edge * (ascent + (descent if np.isfinite(descent) else ascent))
    out.update(descent_s=descent, bottom_pause_s=max(0.0, pause), ascent_s=ascent)
    if t[a1] > t[p1] and np.isfinite(steps).any():
        out["ascent_speed_leg_per_s"] = float(np.nansum(steps)) / ascent
    return out


def _minjerk_span(band: float) -> tuple[float, float]:
    """(share of a minimum-jerk movement's duration between ``band`` and 1 - ``band`` of its
    way, share taken by each end's ``band``)."""
    tau = np.linspace(0.0, 1.0, 100001)
    x = 10 * tau ** 3 - 15 * tau ** 4 + 6 * tau ** 5
    edge = float(tau[np.searchsorted(x, band)])
    return 1.0 - 2.0 * edge, edge


class _Spans(dict):
    def __missing__(self, band: float) -> tuple[float, float]:
        self[band] = _minjerk_span(band)
        return self[band]


_MINJERK_SPAN: dict[float, tuple[float, float]] = _Spans()


def exercise_measures(kin: Kinematics, rep: Rep, w: dict[str, tuple[int, int]]) -> dict[str, float]:
    """What the video shows of the exercise (read by :mod:`hingecoach.assess.exercise`): where
    the hands are at the bottom (their height above the ankle in leg lengths: a bar or bell on
    the floor about 0.1-0.35, the knee about 0.5), how high they rise after the bottom (a
    kettlebell swing's float brings them to the shoulders), their height against the shoulders
    at the bottom (hands behind the head stay above them however the trunk tips), the shin
    nearest vertical in the rep (kneeling lays it on the floor) and how long the rep took."""
    b = w["bottom"]
    hands_up = kin.points["wrist"][:, 1] - kin.points["ankle"][:, 1]
    leg = kin.leg_length if kin.leg_length > 0 else float("nan")
    seg = kin["wrist_height_frac_torso"][rep.bottom_window[1]:rep.end_frame + 1]
    seg = _running_median(seg, max(1, int(round(0.05 * kin.fps))))
    return {
        "hands_height_bottom_frac_leg": _window_values(hands_up, *b) / leg,
        "hands_top_max_frac_torso": float(np.nanmax(seg)) if np.isfinite(seg).any() else float("nan"),
        # the shin nearest vertical over the whole rep: kneeling keeps it near horizontal
        "shin_angle_min_deg": _abs_low(kin["shin_angle_deg"][rep.start_frame:rep.end_frame + 1]),
        "hands_height_bottom_frac_torso": _window(kin, "wrist_height_frac_torso", *b),
        "rep_duration_s": rep.duration_s,
    }


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
    lo = max(0, first_start - int(round(1.0 * kin.fps)))
    return {"com_foot_frac": _window(kin, "com_foot_frac", lo, first_start),
            "hip_angle_deg": _window(kin, "hip_angle_deg", lo, first_start)}


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
    out["com_foot_bottom_vs_setup_frac"] = _window(kin, "com_foot_frac", *w["bottom"]) - base
    top = (w["lockout"][1], w["lockout"][1] + int(round(0.4 * kin.fps)))
    out["com_foot_lockout_vs_setup_frac"] = _window(kin, "com_foot_frac", *top) - base
    out["lockout_hip_short_of_setup_deg"] = baseline["hip_angle_deg"] - lockout_hip_angle_deg
    return out
