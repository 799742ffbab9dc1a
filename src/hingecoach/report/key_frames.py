"""The report's pictures of the reps: the key frames of the best and the worst rep and the
gallery of every rep's bottom, each with the overlay and the ghost."""

from __future__ import annotations

import math
from collections.abc import Iterable
from html import escape
from pathlib import Path

import numpy as np

from hingecoach.analysis import Analysis
from hingecoach.report.html_parts import data_uri, fmt, img
from hingecoach.reps import Rep

#: Key frames are shrunk to at most this many pixels on their long side (phone screens;
#: keeps the file small).
KEY_FRAME_MAX_PX = 720
KEY_FRAME_JPEG_QUALITY = 82
#: Gallery thumbnails (every rep's bottom, cropped to the body): long side and JPEG quality.
GALLERY_MAX_PX = 300
GALLERY_JPEG_QUALITY = 76


def key_reps(analysis: Analysis) -> list[tuple[str, Rep, int]]:
    """[(label, rep, index)] of the best and the worst graded rep (partial reps are not graded)."""
    score = {i: a.score for i, a in enumerate(analysis.assessments)
             if not analysis.reps[i].partial and a.score is not None and math.isfinite(a.score)}
    pool = [(i, analysis.reps[i]) for i in score]
    if not pool:
        return []
    best = max(pool, key=lambda p: (score[p[0]], -p[0]))
    worst = min(pool, key=lambda p: (score[p[0]], p[0]))
    if best[0] == worst[0]:
        return [("Best and worst alike", best[1], best[0])]
    return [("Best rep", best[1], best[0]), ("Worst rep", worst[1], worst[0])]


def _jpeg(picture: np.ndarray, max_px: int, quality: int = KEY_FRAME_JPEG_QUALITY) -> bytes:
    """``picture`` shrunk to at most ``max_px`` on its long side, as JPEG."""
    import cv2

    h, w = picture.shape[:2]
    shrink = max_px / max(h, w)
    if shrink < 1:
        picture = cv2.resize(picture, (max(1, int(w * shrink)), max(1, int(h * shrink))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("OpenCV could not encode a key frame as JPEG")
    return buf.tobytes()


def bottom_frames(analysis: Analysis, plan, video: Path | None, frames: Iterable[int]) -> dict[int, np.ndarray]:
    """Each frame with the overlay (and the ghost, where the plan has it): the video's
    picture, read in one pass, else a blank canvas."""
    from hingecoach.report.overlay import blank_canvas, draw_overlay
    from hingecoach.report.video_out import read_frames
    from hingecoach.sources.frames import source_frame

    wanted = sorted(set(frames))
    source = {f: source_frame(analysis.pose, f) for f in wanted}
    pictures = read_frames(video, list(source.values())) if video is not None else {}
    out = {}
    for f in wanted:
        picture = pictures.get(source[f])
        if picture is None or picture.shape[1::-1] != tuple(analysis.pose.image_size):
            picture = blank_canvas(analysis.pose.image_size)
        out[f] = draw_overlay(picture, plan, f)
    return out


def key_frame_jpeg(analysis: Analysis, plan, frame: int, video: Path | None) -> bytes:
    """The frame with the overlay, shrunk for a phone, as JPEG."""
    return _jpeg(bottom_frames(analysis, plan, video, [frame])[frame], KEY_FRAME_MAX_PX)


def _body_box(analysis: Analysis, plan, frame: int, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The person (and the ghost) at ``frame`` with a margin, as (x0, y0, x1, y1) in the image."""
    pts = [p[frame] for j, p in plan.points.items() if j != "com" and np.isfinite(p[frame]).all()]
    if plan.ghost is not None and plan.ghost.boxes[frame] is not None:
        x0, y0, x1, y1 = plan.ghost.boxes[frame]
        pts += [np.array([x0, y0]), np.array([x1, y1])]
    w, h = size
    if len(pts) < 2:
        return 0, 0, w, h
    arr = np.array(pts)
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    pad = 0.12 * max(hi - lo) + 8
    x0, y0 = int(max(0, lo[0] - pad)), int(max(0, lo[1] - pad))
    x1, y1 = int(min(w, hi[0] + pad)), int(min(h, hi[1] + pad))
    return (x0, y0, x1, y1) if x1 > x0 + 8 and y1 > y0 + 8 else (0, 0, w, h)


def _ghost_words(analysis: Analysis, ghost, i: int) -> str:
    from hingecoach.report.ghost import Ghost, bottom_words

    return bottom_words(analysis, ghost, i) if isinstance(ghost, Ghost) else ""


def gallery_html(analysis: Analysis, plan, ghost, images: dict[int, np.ndarray]) -> str:
    """Every rep's bottom, cropped to the body, in one row (scrolls sideways on a phone)."""
    cards = []
    for i, (rep, a) in enumerate(zip(analysis.reps, analysis.assessments, strict=True)):
        picture = images.get(rep.bottom_frame)
        if picture is None:
            continue
        x0, y0, x1, y1 = _body_box(analysis, plan, rep.bottom_frame, analysis.pose.image_size)
        uri = data_uri(_jpeg(picture[y0:y1, x0:x1], GALLERY_MAX_PX, GALLERY_JPEG_QUALITY), "image/jpeg")
        score = "partial, not graded" if rep.partial else f"score {fmt(a.score)}"
        words = _ghost_words(analysis, ghost, i)
        cards.append(f'<figure class="rep-card" id="gallery-rep-{rep.index}">'
                     f"{img(uri, f'Rep {rep.index} at the bottom', f'thumb-{rep.index}', 'thumb')}"
                     f"<figcaption><b>Rep {rep.index}</b> · {escape(score)}"
                     f"{'<br>' + escape(words) if words else ''}</figcaption></figure>")
    if not cards:
        return ""
    return ('<section id="gallery"><h2>Every rep at the bottom</h2>'
            f'<div class="gallery">{"".join(cards)}</div>'
            '<p class="muted">Each rep at its deepest point, in order (swipe sideways for more).</p></section>')


def key_frames_html(analysis: Analysis, video: Path | None, plan=None, ghost=None,
                    images: dict[int, np.ndarray] | None = None) -> str:
    from hingecoach.report.ghost import ghost_caption
    from hingecoach.report.overlay_plan import plan_overlay

    chosen = key_reps(analysis)
    if not chosen:
        return ""
    plan = plan if plan is not None else plan_overlay(analysis)
    images = images if images is not None else bottom_frames(analysis, plan, video, [r.bottom_frame for _, r, _ in chosen])
    figs = []
    for (label, rep, i), slug in zip(chosen, ("best", "worst"), strict=False):
        a = analysis.assessments[i]
        uri = data_uri(_jpeg(images[rep.bottom_frame], KEY_FRAME_MAX_PX), "image/jpeg")
        words = _ghost_words(analysis, ghost, i)
        figs.append(f"<figure>{img(uri, f'{label}: rep {rep.index} at the bottom', f'key-{slug}', 'keyframe')}"
                    f"<figcaption><b>{escape(label)}</b>: rep {rep.index} at the bottom "
                    f"({rep.bottom_s:.1f} s), {escape(a.pattern)}, score {a.score:.0f}."
                    f"{f' <span class={chr(34)}ghost-words{chr(34)}>{escape(words)}</span>' if words else ''}"
                    "</figcaption></figure>")
    note = "" if video is not None else ('<p class="muted">No video was given (keypoint input): the '
                                         "skeleton is drawn on a blank background.</p>")
    about = f'<p class="muted" id="ghost-caption">{escape(ghost_caption(ghost))}</p>' if ghost is not None else ""
    return ('<section id="key-frames"><h2>At the bottom: best and worst rep</h2>'
            f'<div class="frames">{"".join(figs)}</div>{note}{about}'
            '<p class="muted">Blue: your body as measured. The line from head to hips is the dowel: '
            "green when head, upper back and pelvis line up, red when not. The dashed line is a "
            "vertical shin; where your level grades the shin, it turns yellow or red as the knee drifts "
            "forward.</p></section>")
