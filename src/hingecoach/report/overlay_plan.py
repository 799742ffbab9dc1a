"""What the annotated frame shows, computed once per analysis (no pixels): the joints in image
pixels, the dowel line's state, the shin guide's state, each frame's rep and pattern, and the
fault flags with their cues. :mod:`hingecoach.report.overlay` draws it frame by frame."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hingecoach.analysis import Analysis
from hingecoach.assess.specs import fault_specs
from hingecoach.coaching import advice
from hingecoach.kinematics.angles import forward_sign

if TYPE_CHECKING:
    from hingecoach.report.ghost import GhostDrawing

CHAINS = (("ear", "shoulder", "hip", "knee", "ankle", "heel", "toe", "ankle"),
          ("shoulder", "elbow", "wrist"))
#: Where a fault shows on the body (the joint circled in the fault's colour).
FAULT_JOINT = {
    "torso_leads": "shoulder", "knees_too_bent": "knee", "knees_locked": "knee",
    "knees_soft_at_start": "knee", "too_deep": "hip", "weight_on_toes": "toe",
    "pelvis_rock": "hip", "incomplete_lockout": "hip", "lockout_lean_back": "shoulder",
    "spine_rounded": "shoulder", "spine_overarched": "hip",
}
#: Per-frame series behind the spine faults' per-rep measures (for the dowel line's colour).
_SPINE_SERIES = {"back_bend_bottom_deg": "back_bend_deg",
                 "shoulder_drop_bottom_frac_torso": "shoulder_drop_frac_torso"}
#: The dowel line is judged only with the trunk inclined past this (degrees from vertical):
#: the spine checks grade the bent-over position, and standing with the head bowed would
#: otherwise read as a broken line. Below it the line is drawn neutral.
DOWEL_MIN_TRUNK_DEG = 20.0
#: A flag stays up this long after its frames, so it can be read at normal speed.
FLAG_HOLD_S = 1.2


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str
    title: str
    cue: str
    evidence: bool = True  # False while only held on screen after its frames


@dataclass(frozen=True, eq=False)
class OverlayPlan:
    """Everything to draw, per frame, computed once from an analysis."""

    size: tuple[int, int]  # (w, h) of the upright image
    points: dict[str, np.ndarray]  # joint -> (frames, 2) image pixels, NaN where unknown
    pixels: dict[str, list]  # joint -> per frame (x, y) ints or None (drawing-ready)
    angles: dict[str, np.ndarray]  # hip/knee/shin -> (frames,) degrees
    shin_state: np.ndarray  # (frames,) 0 ok, 1 minor, 2 major, -1 not graded
    dowel_state: np.ndarray  # (frames,) 0 not judged, 1 aligned, 2 broken
    rep_of_frame: np.ndarray  # (frames,) index into reps, -1 outside reps
    done_by_frame: np.ndarray  # (frames,) completed reps finished at or before the frame
    flags: list[list[Flag]]  # per frame, most important first
    reps: list  # list[Rep]
    patterns: list[str | None]  # None where the camera could not see the pattern
    scores: list[float]
    total_reps: int
    back_sign: float  # image x direction of "behind the person"
    ghost: GhostDrawing | None = None  # drawn under the skeleton

    @property
    def n_frames(self) -> int:
        return int(self.rep_of_frame.shape[0])


def image_points(analysis: Analysis) -> dict[str, np.ndarray]:
    """Kinematics' sagittal joints (u forward, v up) back to image pixels (x right, y down)."""
    sign = forward_sign(analysis.pose)
    return {j: np.stack([sign * p[:, 0], -p[:, 1]], axis=-1) for j, p in analysis.kinematics.points.items()}


def dowel_state(analysis: Analysis) -> np.ndarray:
    """0 where not judged (trunk near upright outside a rep's bottom, or unknown), 1 aligned,
    2 broken. The bottom of every rep is judged: that is where the spine checks grade it."""
    trunk = analysis.kinematics["trunk_angle_deg"]
    with np.errstate(invalid="ignore"):
        judged = trunk > DOWEL_MIN_TRUNK_DEG
    for rep in analysis.reps:
        judged[rep.bottom_window[0]:rep.bottom_window[1] + 1] = True
    return np.where(judged, np.where(dowel_aligned(analysis), 1, 2), 0).astype(np.int8)


def pixel_lists(points: dict[str, np.ndarray]) -> dict[str, list]:
    """Per joint, per frame: integer pixel (x, y) or None, so drawing does no float checks."""
    out = {}
    for joint, p in points.items():
        ok = np.isfinite(p).all(axis=1)
        # clipped: a wild landmark far off-screen must not overflow OpenCV's int coordinates
        rounded = np.where(ok[:, None], np.round(np.clip(p, -1e5, 1e5)), 0).astype(int).tolist()
        out[joint] = [tuple(xy) if good else None for xy, good in zip(rounded, ok.tolist(), strict=True)]
    return out


def dowel_aligned(analysis: Analysis) -> np.ndarray:
    """Per frame, True unless a spine measure passes its fault's minor limit (the same limits
    that grade the rep, applied frame by frame)."""
    kin = analysis.kinematics
    ok = np.ones(kin.n_frames, bool)
    specs = fault_specs(analysis.standard)
    for code in ("spine_rounded", "spine_overarched"):
        for sig in specs[code].signals if code in specs else ():
            name = _SPINE_SERIES.get(sig.measure)
            if name is None or name not in kin.series:
                continue
            with np.errstate(invalid="ignore"):
                ok &= ~sig.passes(kin[name], sig.minor)
    return ok


def shin_state(shin_deg: np.ndarray, level: str | None) -> np.ndarray:
    """0 / 1 / 2 = shin within / past the minor / past the major shin limit of the grading
    level (:func:`hingecoach.report.plots.shin_limits`); -1 where the level sets none."""
    from hingecoach.report.plots import shin_limits

    minor, major = shin_limits(level)
    if not np.isfinite(minor):
        return np.full(shin_deg.shape, -1, np.int8)
    with np.errstate(invalid="ignore"):
        return (shin_deg > minor).astype(np.int8) + (shin_deg > major).astype(np.int8)


def _rep_frames(analysis: Analysis, n: int) -> tuple[np.ndarray, np.ndarray]:
    rep_of = np.full(n, -1, int)
    done = np.zeros(n, int)
    for i, rep in enumerate(analysis.reps):
        rep_of[rep.start_frame:rep.end_frame + 1] = i
        if not rep.partial:
            done[rep.end_frame:] += 1
    return rep_of, done


def _advice_or_empty(code: str) -> dict[str, str]:
    """The coaching entry of a fault code; a code without one still gets a flag (its name)."""
    try:
        return advice(code)
    except KeyError:
        return {"title": code.replace("_", " ")}


def _flags(analysis: Analysis, n: int) -> list[list[Flag]]:
    """Per frame, the faults whose evidence frames are on screen (held ``FLAG_HOLD_S``)."""
    hold = int(round(FLAG_HOLD_S * analysis.pose.fps))
    flags: list[list[Flag]] = [[] for _ in range(n)]
    for a in analysis.assessments:
        for f in a.faults:
            adv = _advice_or_empty(f.code)
            flag = Flag(f.code, f.severity, adv.get("title", f.code), adv.get("cue", ""))
            held = dataclasses.replace(flag, evidence=False)
            lo, hi = max(0, f.frames[0]), min(n - 1, f.frames[1] + hold)
            for i in range(lo, hi + 1):
                flags[i].append(flag if i <= f.frames[1] else held)
    return flags


def plan_overlay(analysis: Analysis, ghost: GhostDrawing | None = None) -> OverlayPlan:
    """Precompute what every frame shows; ``ghost`` (a :class:`hingecoach.report.ghost.
    GhostDrawing`) is drawn under the skeleton where given."""
    kin = analysis.kinematics
    n = kin.n_frames
    rep_of, done = _rep_frames(analysis, n)
    points = image_points(analysis)
    angles = {"hip": kin["hip_angle_deg"], "knee": kin["knee_angle_deg"], "shin": kin["shin_angle_deg"]}
    return OverlayPlan(
        size=analysis.pose.image_size, points=points, pixels=pixel_lists(points), angles=angles,
        shin_state=shin_state(kin["shin_angle_deg"], analysis.standard),
        dowel_state=dowel_state(analysis), rep_of_frame=rep_of, done_by_frame=done,
        flags=_flags(analysis, n), reps=list(analysis.reps),
        patterns=[a.seen_pattern for a in analysis.assessments],
        scores=[a.score for a in analysis.assessments], total_reps=analysis.rep_count,
        back_sign=-forward_sign(analysis.pose), ghost=ghost,
    )


# -- drawing ------------------------------------------------------------------------------
