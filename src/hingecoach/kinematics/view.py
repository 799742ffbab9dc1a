"""Camera view (side, front, oblique) and facing direction, from the landmarks alone."""

from __future__ import annotations

import numpy as np

from hingecoach.config import section
from hingecoach.pose import PoseSequence
from hingecoach.pose.feet import facing_vote
from hingecoach.pose.schema import INDEX


def _xy(seq: PoseSequence, name: str) -> np.ndarray:
    return seq.xyz[:, INDEX[name], :2]


def width_ratio(seq: PoseSequence) -> float:
    """(shoulder width + hip width) / 2 / torso length, median over the most upright frames
    (the 40% with the longest torso in the image: a front view foreshortens a bent torso)."""
    ls, rs = _xy(seq, "left_shoulder"), _xy(seq, "right_shoulder")
    lh, rh = _xy(seq, "left_hip"), _xy(seq, "right_hip")
    torso = np.linalg.norm((ls + rs) / 2 - (lh + rh) / 2, axis=1)
    widths = (np.abs(ls[:, 0] - rs[:, 0]) + np.abs(lh[:, 0] - rh[:, 0])) / 2
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
