"""The phase of the newest frame: where it falls in its rep, by the offline rep's own phases."""

from __future__ import annotations

import math

import numpy as np

from hingecoach.config import section
from hingecoach.kinematics import Kinematics
from hingecoach.reps import flexion_thresholds, segment_reps

_LIVE = section("live")  # thresholds.toml [live], each value with its reason
#: Recent flexion the phase is read from (a slow rep and the standing before it).
PHASE_WINDOW_S: float = _LIVE["phase_window_s"]
#: Flexion changing faster than this (degrees per second, over the last ``rate_span_s``) is moving.
MOVING_DEG_S: float = _LIVE["moving_deg_s"]


def _rate(flex: np.ndarray, t: np.ndarray, fps: float) -> float:
    k = min(len(flex), max(2, int(round(_LIVE["rate_span_s"] * fps))))
    rate = (flex[-1] - flex[-k]) / max(t[-1] - t[-k], 1e-6)
    return float(rate) if math.isfinite(rate) else 0.0


def live_phase(flex: np.ndarray, t: np.ndarray, fps: float) -> str:
    """standing, descent, bottom or ascent for the newest of the frames (flexion ``flex`` at
    times ``t``): :meth:`hingecoach.reps.Rep.phase_of` in the rep :func:`segment_reps` finds
    around it (its lockout shown as standing). Two things only the newest frame has: a rep in
    progress keeps its deepest point at the newest frame while the hips still go down, so that
    is its descent, not its bottom; and a movement above standing that has not yet reached a
    rep's depth is shown by its direction."""
    rate = _rate(flex, t, fps)
    light = Kinematics(t_s=t, fps=fps, facing="unknown", view="unknown", leg_length=math.nan,
                       points={}, series={"hip_angle_deg": 180.0 - flex})
    last = len(flex) - 1
    for rep in reversed(segment_reps(light)):
        if rep.start_frame <= last <= rep.end_frame:
            phase = rep.phase_of(last)
            if phase == "lockout":
                return "standing"
            return "descent" if phase == "bottom" and rep.partial and rate > MOVING_DEG_S else phase
    th = flexion_thresholds(flex, section("reps"))
    if th is None or not flex[-1] > th.stand_deg or abs(rate) <= MOVING_DEG_S:
        return "standing"
    return "descent" if rate > 0 else "ascent"
