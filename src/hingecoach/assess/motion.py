"""Per-rep measures of how the rep moves and what the person holds: the tempo, the load's path
against the mid-foot, the trunk's rise against the hips', and what shows the exercise (where
the hands are, how high they float, kneeling shins)."""

from __future__ import annotations

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
    time, in leg lengths per second: velocity-based training's mean concentric velocity).

    The phases are read from the hip flexion. A band (``[tempo] phase_band_frac`` of the rep's
    excursion) finds them: the pause is where it stays within the band of its deepest reading,
    the descent and the ascent run to and from the band of the standing around it. Their start
    and end are then the minimum-jerk movement that fits each best (every frame of it, not the
    band's crossing, which noise moves and which cuts the movement's slow ends). A rep that
    rises from the floor has no descent and no pause seen (the set-up on the floor is not one).
    The rep's own phases, with a wider band, find the bottom's frames for the checks."""
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
    # the band only finds the phases: each movement's start and end come from fitting the
    # smoothest point-to-point movement (minimum jerk) to the hip flexion around it, which
    # reads every frame of it rather than where a noisy curve first crosses a line
    margin = max(2, int(round(0.4 * kin.fps)))
    mid = (p0 + p1) // 2
    if rep.from_bottom:   # the video or the set began on the floor: no descent, no pause seen
        descent, down_end = nan, nan
    else:
        w0 = max(0, d0 - margin)
        w0 += _lowest(flex[w0:d0 + 1])
        down_start, down_end = _fit_min_jerk(t[w0:mid + 1], flex[w0:mid + 1])
        descent = down_end - down_start
    w1 = min(kin.n_frames - 1, a1 + margin)
    w1 = a1 + _lowest(flex[a1:w1 + 1])
    up_start, up_end = _fit_min_jerk(t[mid:w1 + 1], flex[mid:w1 + 1])
    ascent = up_end - up_start
    pause = up_start - down_end
    out.update(descent_s=descent, bottom_pause_s=max(0.0, pause) if np.isfinite(pause) else nan,
               ascent_s=ascent)
    if ascent > 0 and np.isfinite(rise):
        out["ascent_speed_leg_per_s"] = rise / ascent
    return out


def _lowest(x: np.ndarray) -> int:
    """Index of the lowest finite reading (0 when none is: a window of lost frames)."""
    return int(np.argmin(np.where(np.isfinite(x), x, np.inf)))


def _fit_min_jerk(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(start, end) in seconds of the minimum-jerk movement between two rests that best fits
    ``y`` over ``t`` (least squares; its two levels solved for each start and duration). The
    movement may have begun before the window's first frame (a knee that leads can lift the
    hip flexion a little before it falls), so starts reach back half the window. The grid is
    searched at most ``_GRID_SAMPLES`` wide, then refined frame by frame around the best."""
    ok = np.isfinite(y)
    t, y = t[ok], y[ok]
    if t.size < 4:
        return float("nan"), float("nan")
    dt = float(np.median(np.diff(t)))
    step = max(1, -(-t.size // _GRID_SAMPLES))
    back = t.size // 2
    starts = t[0] + np.arange(-back, t.size - 1, step) * dt
    durs = np.arange(2, t.size + back + 1, step) * dt
    start, dur = _best_min_jerk(t[::step], y[::step], starts, durs)
    if step > 1:
        fine = np.arange(-step, step + 1) * dt
        start, dur = _best_min_jerk(t, y, start + fine, np.maximum(dur + fine, 2 * dt))
    return start, start + dur


_GRID_SAMPLES = 48


def _best_min_jerk(t: np.ndarray, y: np.ndarray, starts: np.ndarray, durs: np.ndarray
                   ) -> tuple[float, float]:
    """The (start, duration) of the grid whose minimum-jerk curve y = a + d m(t) fits best."""
    tau = np.clip((t[None, None, :] - starts[:, None, None]) / durs[None, :, None], 0.0, 1.0)
    m = tau ** 3 * (10 - 15 * tau + 6 * tau ** 2)                 # starts x durations x frames
    n, sm, smm = t.size, m.sum(-1), (m * m).sum(-1)
    sy, smy = y.sum(), (m * y).sum(-1)
    det = n * smm - sm * sm
    with np.errstate(invalid="ignore", divide="ignore"):
        d = (n * smy - sm * sy) / det
        a = (sy - d * sm) / n
        sse = ((y - a[..., None] - d[..., None] * m) ** 2).sum(-1)
    sse[~np.isfinite(sse) | (np.abs(det) < 1e-9)] = np.inf
    i, j = np.unravel_index(int(np.argmin(sse)), sse.shape)
    return float(starts[i]), float(durs[j])


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
