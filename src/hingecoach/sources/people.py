"""How many people a video shows, and where the tracked one stands among them.

MediaPipe's pose solution tracks exactly one person; with two in the picture it silently
follows one of them. To say so, a few sampled frames are checked again after the tracked
person is painted out: BlazePose's own detector (static-image mode, the model already in the
wheel, no download) is run on what remains, and every further body it finds is painted out
in turn. Why not OpenCV's HOG people detector: it is trained on upright pedestrians and
misses a person bent forward at the bottom of a hinge, which is exactly what we film.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hingecoach.sources.native_logs import QuietStderr

#: Shoulders and hips: a found body must show its trunk clearly to count as a person.
TRUNK = (11, 12, 23, 24)
#: BlazePose visibility each trunk point needs: 0.5 is where BlazePose itself calls a point
#: "visible"; a half-body at the picture's edge or a poster fragment reads lower.
MIN_TRUNK_VISIBILITY = 0.5
#: Landmarks sit inside the outline (head top, hands, loose clothes lie outside them); grown by
#: 20% of the box per side, painting a body out leaves no limb for the detector to find again.
PAINT_MARGIN_FRAC = 0.20
#: A further body must be at least this tall relative to the tracked one (or to the picture when
#: nobody is tracked). Measured on a real clip set beside a 75% copy of itself: BlazePose's
#: detector also "finds" 65x85 px bodies in gym clutter (a rope on the floor, trunk visibility
#: 1.0) next to a 420 px person; such a small figure is no second lifter either way.
MIN_HEIGHT_FRAC_OF_MAIN = 0.4
MIN_HEIGHT_FRAC_OF_IMAGE = 0.2
MAX_PEOPLE = 4  # stop painting out after this many: enough to say "more than one"


@dataclass(frozen=True)
class PeopleCount:
    """``people_seen``: most people in any sampled frame (0 when nothing was sampled);
    ``main_position``: where the tracked person stands among them ("left", "right",
    "middle", or "" when alone)."""

    people_seen: int
    main_position: str = ""


def sample_indices(total_frames: int, n_samples: int = 3) -> set[int]:
    """Frame indices to check, spread over the clip (every 30th frame when the count is unknown)."""
    if total_frames <= 0:
        return {0, 30, 60}
    stride = max(1, total_frames // n_samples)
    return {min(total_frames - 1, stride // 2 + k * stride) for k in range(n_samples)}


def body_box(xy: np.ndarray, margin_frac: float) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) around finite landmarks (pixels), grown by ``margin_frac`` of its size
    on every side (landmarks sit inside the body's outline: head top, hands, clothes)."""
    pts = xy[np.isfinite(xy).all(axis=1)]
    if len(pts) < 2:
        return None
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    mx, my = margin_frac * (x1 - x0), margin_frac * (y1 - y0)
    return int(x0 - mx), int(y0 - my), int(np.ceil(x1 + mx)), int(np.ceil(y1 + my))


def paint_out(rgb: np.ndarray, box: tuple[int, int, int, int]) -> None:
    """Fill ``box`` (clipped to the image) with mid grey, in place."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = max(box[0], 0), max(box[1], 0), min(box[2], w), min(box[3], h)
    if x1 > x0 and y1 > y0:
        rgb[y0:y1, x0:x1] = 128


def _found_xy(result, w: int, h: int, min_vis: float) -> np.ndarray | None:
    """(33, 2) pixels of a detected body whose trunk is clearly seen, else None."""
    if result.pose_landmarks is None:
        return None
    lms = result.pose_landmarks.landmark
    vis = np.array([lm.visibility for lm in lms])
    if vis[list(TRUNK)].min() < min_vis:
        return None
    return np.array([(lm.x * w, lm.y * h) for lm in lms])


def position(main_x: float, others_x: list[float]) -> str:
    """'left', 'right' or 'middle': where the tracked person's centre is among everyone's."""
    if not others_x:
        return ""
    if main_x < min(others_x):
        return "left"
    if main_x > max(others_x):
        return "right"
    return "middle"


def height_px(xy: np.ndarray) -> float:
    """Vertical extent of the finite landmarks (0 when there are none)."""
    y = xy[:, 1][np.isfinite(xy[:, 1])]
    return float(y.max() - y.min()) if y.size else 0.0


def others_in_frame(pose, rgb: np.ndarray, tracked_xy: np.ndarray) -> list[float]:
    """Centre x (pixels) of every body found besides the tracked one in one RGB frame."""
    h, w = rgb.shape[:2]
    work = rgb.copy()
    box = body_box(tracked_xy, PAINT_MARGIN_FRAC)
    if box is not None:
        paint_out(work, box)
    main_h = height_px(tracked_xy)
    min_h = MIN_HEIGHT_FRAC_OF_MAIN * main_h if main_h > 0 else MIN_HEIGHT_FRAC_OF_IMAGE * h
    centres: list[float] = []
    for _ in range(MAX_PEOPLE):
        xy = _found_xy(pose.process(work), w, h, MIN_TRUNK_VISIBILITY)
        found = None if xy is None else body_box(xy, PAINT_MARGIN_FRAC)
        if xy is None or found is None:
            break
        if height_px(xy) >= min_h:
            centres.append(float(np.nanmean(xy[:, 0])))
        paint_out(work, found)
    return centres


def count_people(samples: list[tuple[np.ndarray, np.ndarray]]) -> PeopleCount:
    """Count people in sampled frames. ``samples``: (RGB frame, tracked landmarks (33, 3) in
    pixels, NaN where the tracker found nobody)."""
    if not samples:
        return PeopleCount(0)
    import mediapipe as mp  # heavy import, deferred on purpose

    best = PeopleCount(0)
    with QuietStderr() as quiet, mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1) as pose:
        for rgb, tracked in samples:
            tracked_xy = tracked[:, :2]
            main_seen = bool(np.isfinite(tracked_xy).any())
            others = others_in_frame(pose, rgb, tracked_xy)
            quiet.release()
            n = int(main_seen) + len(others)
            if n > best.people_seen:
                where = position(float(np.nanmean(tracked_xy[:, 0])), others) if main_seen else ""
                best = PeopleCount(n, where)
    return best


def people_warning(count: PeopleCount) -> str | None:
    """The warning for the result, or None when at most one person was seen."""
    if count.people_seen < 2:
        return None
    where = f" (the person on the {count.main_position})" if count.main_position in ("left", "right") else ""
    if count.main_position == "middle":
        where = " (the person in the middle)"
    return (f"{count.people_seen} people are in view: the analysis follows the main person the pose "
            f"model tracked{where}. Film one person at a time for a reliable read.")
