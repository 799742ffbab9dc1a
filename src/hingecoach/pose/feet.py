"""Which way the feet point, the steadiest clue to the way a person faces.

Standing, the feet lie flat and point the way the person faces, so toes ahead of heels give
the facing. Kneeling (Level 1, the hero squat), the shins lie on the floor and the toes point
back: the feet vote only in frames where the shin stands nearer vertical than horizontal.
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
