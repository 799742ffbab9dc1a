"""Per-rep measures of how the rep moves and what the person holds: the tempo, the load's path
against the mid-foot, the trunk's rise against the hips', and what shows the exercise (where
the hands are, how high they float, kneeling shins)."""

from __future__ import annotations

import functools

import numpy as np

from hingecoach.assess.series import median, running_median, window, window_values
from hingecoach.config import section
from hingecoach.kinematics import Kinematics
from hingecoach.reps import Rep


def trunk_rise_at_half_hip_rise_frac(kin: Kinematics, rep: Rep) -> float:
    """In the ascent, how much of its way back to upright the trunk has made when the hips have
    risen half of theirs (1 = the trunk's share equals the hips', 0 = the trunk has not moved,
    negative = it tipped further forward): hips that shoot up first leave the chest behind."""
    lo, hi = rep.bottom_window[1], min(rep.ascent_end_frame, kin.n_frames - 1)
    height = -kin["hip_down_frac_leg"][lo:hi + 1]
    trunk = -kin["trunk_angle_deg"][lo:hi + 1]
    if height.size < 4:
        return float("nan")
    h0, h1, t0, t1 = height[0], median(height[-3:]), trunk[0], median(trunk[-3:])
    if not np.isfinite([h0, h1, t0, t1]).all() or h1 - h0 < 0.02 or t1 - t0 < 5.0:
        return float("nan")
    half = np.flatnonzero((height - h0) >= 0.5 * (h1 - h0))
    return float((trunk[half[0]] - t0) / (t1 - t0)) if half.size else float("nan")


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
    foot = median(np.linalg.norm(toe[lo:hi] - heel[lo:hi], axis=1))
    if not np.isfinite(foot) or foot <= 0:
        return {"hands_ahead_bottom_frac_foot": float("nan"), "hands_ahead_max_frac_foot": float("nan")}
    ahead = (wrist[:, 0] - mid) / foot
    b0, b1 = rep.bottom_window
    asc_mid = b1 + max(1, (rep.ascent_end_frame - b1) // 2)
    seg = running_median(ahead[lo:hi], 2)
    return {"hands_ahead_bottom_frac_foot": window_values(ahead, b0, asc_mid),
            "hands_ahead_max_frac_foot": float(np.nanmax(seg)) if np.isfinite(seg).any() else float("nan")}


def tempo_measures(kin: Kinematics, rep: Rep) -> dict[str, float]:
    """The rep's tempo: descent, pause at the bottom and ascent in seconds, and the ascent's
    mean speed of the hips (their displacement from the pause to standing over the ascent's
    time, in leg lengths per second: velocity-based training's mean concentric velocity). Phases by the hip flexion: the pause is the time it stays within
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
    # the hips' rise: from where they sat in the pause to where they stand after (medians: a
    # path length would add up the landmarks' jitter, frame by frame)
    hip = np.stack([kin["hip_back_frac_leg"], kin["hip_down_frac_leg"]], axis=-1)
    settle = max(1, int(round(0.3 * kin.fps)))
    rise = float(np.linalg.norm(np.nanmedian(hip[p0:p1 + 1], axis=0)
                                - np.nanmedian(hip[a1:min(a1 + settle, kin.n_frames)], axis=0)))
    # the band cuts the slow ends of each movement: a movement between two rests has a
    # bell-shaped speed (minimum jerk), whose 5-95% span is 62% of its duration and whose
    # first and last 5% each take 19% of it
    inner, edge = _minjerk_span(band_frac)
    descent = float(t[p0] - t[d0]) / inner if not rep.from_bottom else nan
    ascent = float(t[a1] - t[p1]) / inner
    pause = float(t[p1] - t[p0]) - edge * (ascent + (descent if np.isfinite(descent) else ascent))
    out.update(descent_s=descent, bottom_pause_s=max(0.0, pause), ascent_s=ascent)
    if t[a1] > t[p1] and np.isfinite(rise):
        out["ascent_speed_leg_per_s"] = rise / ascent
    return out


@functools.lru_cache(maxsize=8)
def _minjerk_span(band: float) -> tuple[float, float]:
    """(share of a minimum-jerk movement's duration between ``band`` and 1 - ``band`` of its
    way, share taken by each end's ``band``)."""
    tau = np.linspace(0.0, 1.0, 100001)
    x = 10 * tau ** 3 - 15 * tau ** 4 + 6 * tau ** 5
    edge = float(tau[np.searchsorted(x, band)])
    return 1.0 - 2.0 * edge, edge


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
    seg = running_median(seg, max(1, int(round(0.05 * kin.fps))))
    return {
        "hands_height_bottom_frac_leg": window_values(hands_up, *b) / leg,
        "hands_top_max_frac_torso": float(np.nanmax(seg)) if np.isfinite(seg).any() else float("nan"),
        # how far the hands rise against the shoulders from the bottom to their highest after it
        "hands_rise_frac_torso": (float(np.nanmax(seg)) - window(kin, "wrist_height_frac_torso", *b)
                                  if np.isfinite(seg).any() else float("nan")),
        # the shin nearest vertical over the whole rep: kneeling keeps it near horizontal
        "shin_angle_min_deg": _abs_low(kin["shin_angle_deg"][rep.start_frame:rep.end_frame + 1]),
        "hands_height_bottom_frac_torso": window(kin, "wrist_height_frac_torso", *b),
        "rep_duration_s": rep.duration_s,
    }
