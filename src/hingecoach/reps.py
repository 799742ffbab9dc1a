"""Rep segmentation: hip flexion over time -> reps with phases, depth and tempo.

A rep is an excursion of hip flexion (180 - hip angle) from standing to a bottom deep enough
to count and back to standing. Depth thresholds adapt to the person (a fraction of their own
range) above absolute floors, so walking, fidgeting and arm movement (which barely change the
hip angle) never make reps. A clip that starts at the bottom (a deadlift from the floor) counts
its first ascent; an excursion that does not return to standing before the clip ends (or the
person leaves the frame) is reported as partial and not counted.

Phases: ``descent`` (start -> bottom window), ``bottom`` (flexion within a band of the
deepest point), ``ascent`` (bottom -> standing again), ``lockout`` (standing until the rep's end).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hingecoach.config import section
from hingecoach.kinematics import Kinematics
from hingecoach.kinematics.filters import finite_runs


@dataclass(frozen=True)
class Rep:
    """One repetition; every event is given as a frame index and in seconds."""

    index: int
    start_frame: int
    bottom_frame: int
    end_frame: int  # inclusive
    start_s: float
    bottom_s: float
    end_s: float
    bottom_window: tuple[int, int]  # [first, last] frames of the bottom phase
    ascent_end_frame: int  # first standing frame after the bottom
    depth_hip_angle_deg: float
    depth_flexion_deg: float
    descent_s: float
    ascent_s: float
    partial: bool
    from_bottom: bool  # the clip started at the bottom (no descent seen)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def phase_of(self, frame: int) -> str:
        if frame < self.bottom_window[0]:
            return "descent"
        if frame <= self.bottom_window[1]:
            return "bottom"
        if frame < self.ascent_end_frame:
            return "ascent"
        return "lockout"


def hip_flexion_deg(kin: Kinematics) -> np.ndarray:
    return 180.0 - kin["hip_angle_deg"]


@dataclass(frozen=True)
class Thresholds:
    baseline_deg: float
    stand_deg: float
    deep_deg: float


def flexion_thresholds(flex: np.ndarray, cfg: dict) -> Thresholds | None:
    """Standing and deep thresholds for this person, or None when nothing moves enough."""
    ok = np.isfinite(flex)
    if ok.sum() < 3:
        return None
    baseline = float(np.percentile(flex[ok], cfg["baseline_percentile"]))
    peak = float(np.percentile(flex[ok], cfg["peak_percentile"]))
    span = peak - baseline
    if span < cfg["min_range_deg"]:
        return None
    stand = baseline + max(cfg["stand_min_deg"], cfg["stand_frac"] * span)
    deep = baseline + max(cfg["deep_min_deg"], cfg["deep_frac"] * span)
    return Thresholds(baseline, stand, deep)


def _edge_to_rest(flex: np.ndarray, i: int, step: int, limit: int, level: float,
                  rise_deg: float = 2.0) -> int:
    """Walk from ``i`` in direction ``step`` (at most ``limit`` frames) to where the body comes
    to rest: the lowest flexion reached before it rises again by more than ``rise_deg`` (the
    next movement) or first reaches ``level``. Jitter of a degree does not stop the walk."""
    best = j = i
    while 0 <= j + step < len(flex) and abs(j + step - i) <= limit:
        nxt = flex[j + step]
        if not np.isfinite(nxt) or nxt > flex[best] + rise_deg:
            break
        j += step
        if nxt < flex[best]:
            best = j
        if nxt <= level:
            return j
    return best


def segment_reps(kin: Kinematics) -> list[Rep]:
    """All reps (complete and partial) in time order."""
    cfg = section("reps")
    flex = hip_flexion_deg(kin)
    th = flexion_thresholds(flex, cfg)
    if th is None:
        return []
    t = kin.t_s
    n = len(flex)
    above = np.isfinite(flex) & (flex > th.stand_deg)
    max_walk = int(round(cfg["edge_search_s"] * kin.fps))
    reps: list[Rep] = []
    for lo, hi in finite_runs(above):  # [lo, hi)
        seg = flex[lo:hi]
        if np.nanmax(seg) < th.deep_deg:
            continue
        if t[hi - 1] - t[lo] < cfg["min_rep_s"]:
            continue
        bottom = lo + int(np.nanargmax(seg))
        depth = float(flex[bottom])
        returns = hi < n and np.isfinite(flex[hi])
        from_bottom = lo == 0 or not np.isfinite(flex[lo - 1])
        band = cfg["bottom_band_frac"] * (depth - th.baseline_deg)
        in_band = np.flatnonzero(seg >= depth - band) + lo
        win = (int(in_band[0]), int(in_band[-1]))
        start = lo if from_bottom else _edge_to_rest(flex, lo - 1, -1, max_walk, th.baseline_deg + 2)
        end = hi - 1 if not returns else _edge_to_rest(flex, hi, +1, max_walk, th.baseline_deg + 2)
        reps.append(Rep(
            index=0, start_frame=start, bottom_frame=bottom, end_frame=end,
            start_s=float(t[start]), bottom_s=float(t[bottom]), end_s=float(t[end]),
            bottom_window=win, ascent_end_frame=hi if returns else n,
            depth_hip_angle_deg=180.0 - depth, depth_flexion_deg=depth - th.baseline_deg,
            descent_s=float(t[win[0]] - t[start]) if not from_bottom else float("nan"),
            ascent_s=float(t[min(hi, n - 1)] - t[win[1]]) if returns else float("nan"),
            partial=not returns, from_bottom=from_bottom,
        ))
    return _number_and_separate(reps, t)


def _number_and_separate(reps: list[Rep], t: np.ndarray) -> list[Rep]:
    """Number the reps from 1 and keep each one's span clear of its neighbours: where the
    search for a rest point ran into the next rep, the boundary is the midpoint between the
    previous rep's return to standing and the next rep's departure."""
    out: list[Rep] = []
    for i, rep in enumerate(reps):
        fields = {**rep.__dict__, "index": i + 1}
        if out and rep.start_frame <= out[-1].end_frame:
            prev = out[-1]
            cut = (prev.ascent_end_frame + rep.bottom_window[0]) // 2
            cut = min(max(cut, prev.bottom_window[1] + 1), rep.bottom_window[0] - 1)
            out[-1] = Rep(**{**prev.__dict__, "end_frame": cut, "end_s": float(t[cut])})
            fields.update(start_frame=cut + 1, start_s=float(t[cut + 1]))
            if not rep.from_bottom:
                fields["descent_s"] = float(t[rep.bottom_window[0]] - t[cut + 1])
        out.append(Rep(**fields))
    return out


def completed(reps: list[Rep]) -> list[Rep]:
    return [r for r in reps if not r.partial]
