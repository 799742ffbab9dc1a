"""Camera view (side, front, oblique) and facing direction, from the landmarks alone."""

from __future__ import annotations

import numpy as np

from hingecoach.config import section
from hingecoach.pose import PoseSequence
from hingecoach.pose.feet import facing_vote
from hingecoach.pose.schema import INDEX


def _xy(seq: PoseSequence, name: str) -> np.ndarray:
    return seq.xyz[:, INDEX[name], :2]


def _torso_and_widths(seq: PoseSequence) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the torso's length in the image and (shoulder width + hip width) / 2."""
    ls, rs = _xy(seq, "left_shoulder"), _xy(seq, "right_shoulder")
    lh, rh = _xy(seq, "left_hip"), _xy(seq, "right_hip")
    torso = np.linalg.norm((ls + rs) / 2 - (lh + rh) / 2, axis=1)
    return torso, (np.abs(ls[:, 0] - rs[:, 0]) + np.abs(lh[:, 0] - rh[:, 0])) / 2


def width_ratio(seq: PoseSequence) -> float:
    """(shoulder width + hip width) / 2 / torso length, median over the most upright frames
    (the 40% with the longest torso in the image: a front view foreshortens a bent torso)."""
    torso, widths = _torso_and_widths(seq)
    ok = np.isfinite(torso) & np.isfinite(widths) & (torso > 0)
    if not ok.any():
        return float("nan")
    cut = np.percentile(torso[ok], 60)
    sel = ok & (torso >= cut)
    return float(np.median(widths[sel] / torso[sel]))


def detect_view(seq: PoseSequence) -> str:
    """'side', 'oblique', 'front' or 'unknown' (no usable torso)."""
    cfg = section("view")
    r = width_ratio(seq)
    if not np.isfinite(r):
        return "unknown"
    if r <= cfg["side_max_ratio"]:
        return "side"
    if r >= cfg["front_min_ratio"]:
        return "front"
    return "oblique"


def view_segments(seq: PoseSequence) -> list[tuple[int, int]]:
    """Frame ranges [start, stop) filmed from one camera view: an edited clip that shows the
    set from the front and then from the side (a cut, a camera moved) is two. Each upright
    frame (torso at least ``segment_upright_frac`` of the clip's long torso) votes side or not
    side by its width ratio; the clip is cut where the votes change for good, each part at
    least ``min_segment_s`` long and ``segment_agreement`` of its votes one way
    (``[view]`` in the thresholds file). One range when the view holds."""
    cfg = section("view")
    torso, widths = _torso_and_widths(seq)
    ok = np.isfinite(torso) & np.isfinite(widths) & (torso > 0)
    if ok.sum() < 3:
        return [(0, seq.n_frames)]
    upright = ok & (torso >= cfg["segment_upright_frac"] * np.percentile(torso[ok], 90))
    frames = np.flatnonzero(upright)
    side = (widths[frames] / torso[frames]) <= cfg["side_max_ratio"]
    return _split_votes(frames, side, seq.t_s, 0, seq.n_frames, cfg)


def _split_votes(frames: np.ndarray, side: np.ndarray, t_s: np.ndarray, lo: int, hi: int,
                 cfg: dict) -> list[tuple[int, int]]:
    """Cut [lo, hi) at the vote change that best separates side from not side, recursively."""
    inside = (frames >= lo) & (frames < hi)
    f, v = frames[inside], side[inside]
    best, best_agree = None, cfg["segment_agreement"]
    for i in range(1, f.size):
        if v[i] == v[i - 1]:
            continue
        cut = int(f[i])
        if t_s[cut - 1] - t_s[lo] < cfg["min_segment_s"] or t_s[hi - 1] - t_s[cut] < cfg["min_segment_s"]:
            continue
        a, b = v[:i], v[i:]
        agree = min(max(a.mean(), 1 - a.mean()), max(b.mean(), 1 - b.mean()))
        if round(a.mean()) != round(b.mean()) and agree >= best_agree:
            best, best_agree = cut, agree
    if best is None:
        return [(lo, hi)]
    return _split_votes(frames, side, t_s, lo, best, cfg) + _split_votes(frames, side, t_s, best, hi, cfg)


def detect_facing(seq: PoseSequence) -> str:
    """'left' or 'right' (image direction the person faces), by :func:`facing_vote` (toes
    ahead of heels where the shins stand, nose ahead of the ears); 'unknown' when neither can
    be seen."""
    return facing_vote(seq.xyz)


def with_view(seq: PoseSequence) -> PoseSequence:
    """The sequence with ``view`` and ``facing`` filled in where unknown."""
    view = seq.view if seq.view != "unknown" else detect_view(seq)
    facing = seq.facing if seq.facing != "unknown" else detect_facing(seq)
    if view == "front" and seq.facing == "unknown":
        facing = "camera"
    if (view, facing) == (seq.view, seq.facing):
        return seq
    return seq.replace(note=f"view={view} facing={facing} (detected)", view=view, facing=facing)
