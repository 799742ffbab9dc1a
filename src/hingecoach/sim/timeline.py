"""Smooth time courses of the posture channels from a list of segments.

Each segment moves some channels from where they are to a target along a minimum-jerk curve
(Flash & Hogan 1985: the smoothest point-to-point human movement), holds still, or walks.
A channel may *lead* (finish early, ``lead`` > 0) or *lag* (start late, ``lead`` < 0): that
is how a soft knee bend arrives early and stays constant, or how a torso tips before the hips
travel back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hingecoach.sim.chain import CHANNELS


@dataclass
class Segment:
    """One stretch of the script. ``kind``: 'move' (to ``target``), 'hold' or 'walk'
    (``target['root_x_m']`` is where the walk ends). ``tag`` names the phase
    (e.g. 'walk_in', 'descent', 'bottom')."""

    duration_s: float
    kind: str = "move"
    target: dict[str, float] = field(default_factory=dict)
    leads: dict[str, float] = field(default_factory=dict)
    tag: str = ""


def min_jerk(p: np.ndarray) -> np.ndarray:
    """Minimum-jerk profile 10p^3 - 15p^4 + 6p^5 on [0, 1]."""
    p = np.clip(p, 0.0, 1.0)
    return p ** 3 * (10 - 15 * p + 6 * p ** 2)


def warp(p: np.ndarray, lead: float) -> np.ndarray:
    """Progress of a channel that leads (> 0: done by p = 1 - lead) or lags (< 0: starts at
    p = -lead)."""
    if lead > 0:
        return np.clip(p / (1 - lead), 0, 1)
    if lead < 0:
        return np.clip((p + lead) / (1 + lead), 0, 1)
    return p


STRIDE_M = 1.4  # two steps of an adult's comfortable walk


@dataclass
class Rendered:
    """Channels per frame plus the first frame of every segment (and the frame count)."""

    t_s: np.ndarray
    channels: dict[str, np.ndarray]
    starts: list[int]
    tags: list[str]


def render(segments: list[Segment], fps: float, start: dict[str, float] | None = None) -> Rendered:
    """Sample the script at ``fps``. Segment boundaries fall on frames (durations are rounded
    to whole frames, at least one)."""
    state = dict(CHANNELS)
    state.update(start or {})
    frames = [max(1, int(round(s.duration_s * fps))) for s in segments]
    n = int(sum(frames))
    out = {k: np.empty(n) for k in CHANNELS}
    starts, i = [], 0
    for seg, m in zip(segments, frames, strict=False):
        starts.append(i)
        p = (np.arange(m) + 1) / m
        values = _segment_values(seg, state, p)
        for k in CHANNELS:
            out[k][i:i + m] = values.get(k, state[k])
        for k, v in values.items():
            state[k] = float(v[-1])
        i += m
    return Rendered(np.arange(n) / fps, out, starts + [n], [s.tag for s in segments])


def _segment_values(seg: Segment, state: dict[str, float], p: np.ndarray) -> dict[str, np.ndarray]:
    if seg.kind == "hold":
        return {}
    if seg.kind == "walk":
        return _walk(seg, state, p)
    values = {}
    for k, goal in seg.target.items():
        s = min_jerk(warp(p, seg.leads.get(k, 0.0)))
        values[k] = state[k] + (goal - state[k]) * s
    return values


def _walk(seg: Segment, state: dict[str, float], p: np.ndarray) -> dict[str, np.ndarray]:
    """Walk to ``target['root_x_m']``: speed ramps up and down (min-jerk position), the legs
    swing with a phase locked to distance, amplitude fading in and out."""
    x0 = state["root_x_m"]
    x1 = seg.target["root_x_m"]
    x = x0 + (x1 - x0) * (0.5 * min_jerk(p) + 0.5 * p)
    amp = np.sin(np.pi * p) ** 0.5
    phase = state["walk_phase_rad"] + 2 * np.pi * np.abs(x - x0) / STRIDE_M
    values = {"root_x_m": x, "walk_amp": amp, "walk_phase_rad": phase}
    values["walk_amp"][-1] = 0.0
    for k, goal in seg.target.items():
        if k != "root_x_m":
            values[k] = state[k] + (goal - state[k]) * min_jerk(p)
    return values
