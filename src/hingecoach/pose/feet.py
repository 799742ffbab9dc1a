"""Which way the feet point, the steadiest clue to the way a person faces.

Standing, the feet lie flat and point the way the person faces, so toes ahead of heels give
the facing. Kneeling (Level 1, the hero squat), the shins lie on the floor and the toes point
back: the feet vote only in frames where the shin stands nearer vertical than horizontal.
The nose ahead of the ears votes too, so a kneeling video with no standing frame still has a
facing. :func:`forward_votes` is the one facing rule: the analysis (``kinematics.view``), the
video source (which side of the body outline is the back) and the world-landmark plane of
oblique and front views (``kinematics.angles.sagittal_axes_world``) all count it.
"""

from __future__ import annotations

import numpy as np

from hingecoach.pose.schema import INDEX


def toe_ahead_of_heel(points: np.ndarray, forward: np.ndarray, up_axis: int = 1) -> np.ndarray:
    """(frames, 2) toe minus heel along ``forward`` for the left and right foot, NaN where that
    leg's shin does not stand (nearer horizontal than vertical, e.g. kneeling) or is unseen.

    ``points``: (frames, 33, dims) landmarks (image pixels or world metres); ``forward``: a
    (dims,) direction; ``up_axis``: the coordinate that is vertical (y, up or down)."""
    out = []
    for side in ("left", "right"):
        shin = points[:, INDEX[f"{side}_knee"]] - points[:, INDEX[f"{side}_ankle"]]
        vertical = np.abs(shin[:, up_axis])
        horizontal = np.linalg.norm(np.delete(shin, up_axis, axis=1), axis=1)
        foot = (points[:, INDEX[f"{side}_foot_index"]] - points[:, INDEX[f"{side}_heel"]]) @ forward
        with np.errstate(invalid="ignore"):
            out.append(np.where(vertical > horizontal, foot, np.nan))
    return np.stack(out, axis=1)


def forward_votes(points: np.ndarray, forward: np.ndarray, up_axis: int = 1) -> float:
    """Votes that the person faces along ``forward`` (positive) or against it (negative): each
    frame's toes ahead of heels where the shins stand (:func:`toe_ahead_of_heel`) and the nose
    ahead of the ears cast one vote each; 0 when nothing votes or the votes tie. ``points``:
    (frames, 33, dims) landmarks, image pixels or world metres."""
    feet = toe_ahead_of_heel(points, forward, up_axis)
    ears = (points[:, INDEX["left_ear"]] + points[:, INDEX["right_ear"]]) / 2
    nose = (points[:, INDEX["nose"]] - ears) @ forward
    votes = np.concatenate([feet[:, 0], feet[:, 1], nose])
    return float(np.sign(votes[np.isfinite(votes)]).sum())


def facing_vote(xy: np.ndarray) -> str:
    """'left' or 'right' (the image direction the person faces) from (frames, 33, 2+) image
    landmarks, x right and y down, by :func:`forward_votes`; 'unknown' when they tie."""
    total = forward_votes(np.asarray(xy, float)[..., :2], np.array([1.0, 0.0]))
    if total == 0:
        return "unknown"
    return "right" if total > 0 else "left"
