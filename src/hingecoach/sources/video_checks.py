"""Checks on a decoded video before analysis (thresholds [video]): frames at all, long enough,
a person seen, hips, knees and ankles inside the picture, with the darkness named where it
explains a miss. Each failure is a HingeInputError a person can act on."""

from __future__ import annotations

import numpy as np

from hingecoach.config import section
from hingecoach.errors import NoPersonError, NotAVideoError, OutOfFrameError, TooShortError
from hingecoach.pose.schema import INDEX

KEY_JOINTS = ("hip", "knee", "ankle")


def key_joints_in_view(xyz: np.ndarray, vis: np.ndarray, size: tuple[int, int], min_vis: float) -> np.ndarray:
    """(frames,) True where hips, knees and ankles (either side) are seen inside the image."""
    w, h = size
    ok = np.ones(xyz.shape[0], bool)
    for joint in KEY_JOINTS:
        seen = np.zeros(xyz.shape[0], bool)
        for side in ("left", "right"):
            i = INDEX[f"{side}_{joint}"]
            x, y = xyz[:, i, 0], xyz[:, i, 1]
            with np.errstate(invalid="ignore"):
                inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
            seen |= inside & (vis[:, i] >= min_vis)
        ok &= seen
    return ok


def _dark_note(luma: float, cfg: dict) -> str:
    return f" The video is also very dark (mean brightness {luma:.0f}/255)." if luma < cfg["dark_mean_luma"] else ""


def check_sequence(name: str, t_s: np.ndarray, fps: float, xyz: np.ndarray, vis: np.ndarray,
                   size: tuple[int, int], luma: float) -> None:
    """Raise HingeInputError when the decoded video cannot be analysed (see thresholds [video])."""
    cfg = section("video")
    n = len(t_s)
    if n == 0:
        raise NotAVideoError(f"{name} contains no video frames.", "Record or export the video again.")
    duration_s = float(t_s[-1] + 1.0 / fps)
    if duration_s < cfg["min_duration_s"]:
        raise TooShortError(
            f"{name} is too short: {duration_s:.2f} s ({n} frame{'s' if n != 1 else ''}); at least {cfg['min_duration_s']:g} s is needed.",
            "Record the whole movement, at least one full repetition from standing to standing.")
    person = ~np.isnan(xyz[:, :, :2]).all(axis=(1, 2))
    dark = luma < cfg["dark_mean_luma"]
    if not person.any():
        if dark:
            raise NoPersonError(f"No person found in {name}: the video is too dark (mean brightness {luma:.0f}/255).",
                                "Film in brighter light, with the whole body in view from the side.")
        raise NoPersonError(f"No person found in any frame of {name}.",
                            "Film the whole body from the side, head to feet in view, one person in the picture.")
    person_frac = float(person.mean())
    if person_frac < cfg["min_person_frac"]:
        raise OutOfFrameError(
            f"Body out of frame: a person is seen in only {person_frac:.0%} of {name}.{_dark_note(luma, cfg)}",
            "Step back so head to feet are visible for the whole set, and keep the camera still.")
    joints = key_joints_in_view(xyz[person], vis[person], size, cfg["key_joint_min_visibility"])
    joints_frac = float(joints.mean())
    if joints_frac < cfg["min_key_joints_frac"]:
        raise OutOfFrameError(
            f"Body out of frame: hips, knees and ankles are all visible in only {joints_frac:.0%} of "
            f"the frames with a person in {name}.{_dark_note(luma, cfg)}",
            "Step back so head to feet are visible, with the camera at hip height, side on.")
