"""The coach's eye drawn on a frame (OpenCV): skeleton, joint angles, the dowel line, a vertical
shin guide, the rep counter with the current rep's pattern, and fault flags with the cue.

Everything that does not depend on the pixels is computed once per analysis
(:func:`plan_overlay`), so drawing a frame (:func:`draw_overlay`) is a few dozen primitives:
the annotated video costs little more than decoding and encoding. Points are the filtered,
side-merged joints the angles were measured from, so the drawing agrees with the numbers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from hingecoach.report.overlay_plan import CHAINS, FAULT_JOINT, OverlayPlan

# Colours (BGR). The skeleton colour is a constant so tests can find it in decoded frames.
SKELETON_BGR = (255, 200, 0)
JOINT_BGR = (255, 255, 255)
GOOD_BGR = (90, 200, 40)
MINOR_BGR = (0, 175, 255)
MAJOR_BGR = (60, 60, 235)
GUIDE_BGR = (235, 235, 235)
CUE_BGR = (170, 235, 255)
NEUTRAL_BGR = (200, 200, 200)
PANEL_BGR = (25, 25, 25)
CANVAS_BGR = (48, 44, 40)
PATTERN_BGR = {"hinge": (91, 158, 46), "squat": (43, 130, 217), "stoop": (59, 59, 194)}
SEVERITY_BGR = {"minor": MINOR_BGR, "major": MAJOR_BGR}

#: The skeleton as chains of merged joints (names of Kinematics.points).
@dataclass(frozen=True)
class _Style:
    scale: float  # font scale
    thick: int  # line thickness
    radius: int  # joint radius
    pad: int

    @classmethod
    def for_size(cls, size: tuple[int, int]) -> _Style:
        s = float(np.clip(min(size) / 520.0, 0.55, 1.8))
        return cls(scale=s, thick=max(1, int(round(2.2 * s))), radius=max(2, int(round(4 * s))),
                   pad=max(3, int(round(7 * s))))


_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _text_size(text: str, scale: float, thick: int) -> tuple[int, int]:
    (w, h), base = cv2.getTextSize(text, _FONT, scale, thick)
    return w, h + base


def _panel(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, grey: int = PANEL_BGR[0],
           alpha: float = 0.62) -> None:
    """A translucent grey rectangle (one saturating scale-and-add on the region only)."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    roi[:] = cv2.convertScaleAbs(roi, alpha=1.0 - alpha, beta=alpha * grey)


@functools.lru_cache(maxsize=4096)
def _sprite(text: str, scale: float, colour: tuple, thick: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Outlined text rendered once: (BGR patch premultiplied by its coverage, 256 - coverage
    (h, w, 1), x offset, baseline row), blended with integer maths.
    putText with anti-aliasing costs ~0.5 ms a call; blending a cached patch is ~10x cheaper,
    and a video repeats the same few hundred labels."""
    (tw, th), base = cv2.getTextSize(text, _FONT, scale, thick + 2)
    m = thick + 2
    w, h = tw + 2 * m, th + base + 2 * m
    org = (m, m + th)
    alpha = np.zeros((h, w), np.uint8)
    cv2.putText(alpha, text, org, _FONT, scale, (255,), thick + 2, cv2.LINE_AA)
    patch = np.zeros((h, w, 3), np.uint8)
    cv2.putText(patch, text, org, _FONT, scale, colour, thick, cv2.LINE_AA)
    weight = (alpha.astype(np.uint16) + 1)[..., None]  # 1..256
    premultiplied = patch.astype(np.uint16) * weight
    return premultiplied, 256 - weight, m, m + th


def _put(img: np.ndarray, text: str, org: tuple[int, int], scale: float, colour, thick: int = 1) -> None:
    """Outlined text with its baseline starting at ``org`` (like cv2.putText), clipped."""
    patch, alpha, dx, base = _sprite(text, round(scale, 3), tuple(int(c) for c in colour), thick)
    x0, y0 = org[0] - dx, org[1] - base
    h, w = img.shape[:2]
    ph, pw = patch.shape[:2]
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(w, x0 + pw), min(h, y0 + ph)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    sub = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
    roi = img[cy0:cy1, cx0:cx1]
    roi[:] = ((roi * alpha[sub] + patch[sub]) >> 8).astype(np.uint8)


def _put_deg(img: np.ndarray, value: float, org: tuple[int, int], st: _Style, colour) -> None:
    """'123' plus a small degree ring (Hershey fonts have no degree sign)."""
    text = f"{value:.0f}"
    scale = 0.55 * st.scale
    thick = max(1, st.thick // 2)
    _put(img, text, org, scale, colour, thick)
    w, h = _text_size(text, scale, thick)
    r = max(2, int(round(2.5 * st.scale)))
    cv2.circle(img, (org[0] + w + r + 1, org[1] - h + r + 2), r, colour, max(1, thick), cv2.LINE_AA)


def _wrap(text: str, max_w: int, scale: float, thick: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and _text_size(f"{lines[-1]} {word}", scale, thick)[0] <= max_w:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _dashed_vertical(img: np.ndarray, x: int, y0: int, y1: int, colour, thick: int, dash: int) -> None:
    step = 1 if y1 >= y0 else -1
    for y in range(y0, y1, step * 2 * dash):
        end = y + step * dash
        if (end - y1) * step > 0:
            end = y1
        cv2.line(img, (x, y), (x, end), colour, thick, cv2.LINE_AA)


def _frame_points(plan: OverlayPlan, i: int) -> dict[str, tuple[int, int] | None]:
    return {j: p[i] for j, p in plan.pixels.items() if j != "com"}


def draw_skeleton(img: np.ndarray, plan: OverlayPlan, i: int, st: _Style) -> None:
    """The body's side-merged chain: head-shoulder-hip-knee-ankle-foot and the arm."""
    pts = _frame_points(plan, i)
    for chain in CHAINS:
        for a, b in zip(chain, chain[1:], strict=False):
            pa, pb = pts.get(a), pts.get(b)
            if pa and pb:
                cv2.line(img, pa, pb, SKELETON_BGR, st.thick + 1, cv2.LINE_AA)


def draw_joints(img: np.ndarray, plan: OverlayPlan, i: int, st: _Style) -> None:
    for p in _frame_points(plan, i).values():
        if p:
            cv2.circle(img, p, st.radius, JOINT_BGR, -1, cv2.LINE_AA)
            cv2.circle(img, p, st.radius, SKELETON_BGR, max(1, st.thick // 2), cv2.LINE_AA)


def draw_dowel(img: np.ndarray, plan: OverlayPlan, i: int, st: _Style) -> None:
    """The dowel: head to pelvis, through the upper back; green when the three points line up."""
    ear, sh, hip = (plan.pixels[j][i] for j in ("ear", "shoulder", "hip"))
    if not (ear and hip):
        return
    colour = (NEUTRAL_BGR, GOOD_BGR, MAJOR_BGR)[int(plan.dowel_state[i])]
    cv2.line(img, ear, hip, colour, st.thick + 1, cv2.LINE_AA)
    for p in (ear, sh, hip):
        if p:
            cv2.circle(img, p, st.radius + 2, colour, max(1, st.thick // 2), cv2.LINE_AA)


def draw_shin_guide(img: np.ndarray, plan: OverlayPlan, i: int, st: _Style) -> None:
    """A vertical line up from the ankle (where a hinge keeps the shin) and the shin in its
    state's colour."""
    ankle, knee = plan.pixels["ankle"][i], plan.pixels["knee"][i]
    if not (ankle and knee):
        return
    top = ankle[1] - int(round(np.hypot(knee[0] - ankle[0], knee[1] - ankle[1])))
    _dashed_vertical(img, ankle[0], ankle[1], top, GUIDE_BGR, max(1, st.thick // 2), max(3, 2 * st.pad // 2))
    state = int(plan.shin_state[i])
    if state >= 0:
        cv2.line(img, ankle, knee, (GOOD_BGR, MINOR_BGR, MAJOR_BGR)[state], st.thick + 1, cv2.LINE_AA)


def draw_angles(img: np.ndarray, plan: OverlayPlan, i: int, st: _Style) -> None:
    """Hip and knee angles beside their joints (behind the hip, in front of the knee), the
    shin angle beside the ankle."""
    off = int(round(14 * st.scale))
    places = (("hip", "hip", plan.back_sign), ("knee", "knee", -plan.back_sign), ("shin", "ankle", -plan.back_sign))
    for name, joint, side in places:
        p = plan.pixels[joint][i]
        v = plan.angles[name][i]
        if p is None or not np.isfinite(v):
            continue
        w = _text_size("000", 0.55 * st.scale, 1)[0]
        x = p[0] + off if side > 0 else p[0] - off - w - 6
        state = int(plan.shin_state[i])
        colour = (GOOD_BGR, MINOR_BGR, MAJOR_BGR)[state] if name == "shin" and state >= 0 else JOINT_BGR
        _put_deg(img, v, (x, p[1] + off // 2), st, colour)


def draw_counter(img: np.ndarray, plan: OverlayPlan, i: int, st: _Style) -> None:
    """Top-left: reps completed so far, and the current rep's number, pattern, phase, score."""
    scale, thick = 0.62 * st.scale, max(1, st.thick // 2 + 1)
    lines = [(f"REPS {plan.done_by_frame[i]}/{plan.total_reps}", JOINT_BGR)]
    r = plan.rep_of_frame[i]
    if r >= 0:
        rep = plan.reps[r]
        pattern = plan.patterns[r]
        tag = " (partial)" if rep.partial else ""
        name = f": {pattern.upper()}" if pattern else ""  # an unseen pattern is not named
        lines.append((f"rep {rep.index}{name}{tag}", PATTERN_BGR.get(pattern, JOINT_BGR)))
        score = plan.scores[r]
        graded = f"score {score:.0f}" if score is not None and np.isfinite(score) else "not graded"
        lines.append((f"{rep.phase_of(i)}  {graded}", JOINT_BGR))
    sizes = [_text_size(t, scale, thick) for t, _ in lines]
    line_h = max(h for _, h in sizes) + st.pad // 2
    width = max(w for w, _ in sizes) + 2 * st.pad
    _panel(img, 0, 0, width, line_h * len(lines) + st.pad)
    for k, (text, colour) in enumerate(lines):
        _put(img, text, (st.pad, (k + 1) * line_h), scale, colour, thick)


def draw_flags(img: np.ndarray, plan: OverlayPlan, i: int, st: _Style, max_flags: int = 2) -> None:
    """Bottom: the fault(s) seen now with the cue, each behind a bar of its severity colour;
    the joint where it shows is ringed in that colour."""
    flags = plan.flags[i][:max_flags]
    if not flags:
        return
    h, w = img.shape[:2]
    scale, thick = 0.5 * st.scale, 1
    bar = max(4, st.pad)
    text_w = w - 2 * st.pad - bar
    line_h = _text_size("Ag", scale, thick + 1)[1] + st.pad // 2
    blocks = []
    for f in flags:
        colour = SEVERITY_BGR.get(f.severity, MINOR_BGR)
        rows = [(t, JOINT_BGR, thick + 1) for t in _wrap(f.title, text_w, scale, thick + 1)]
        rows += [(t, CUE_BGR, thick) for t in _wrap(f'Cue: "{f.cue}"', text_w, scale, thick)]
        blocks.append((colour, rows))
        joint = FAULT_JOINT.get(f.code)
        p = plan.pixels[joint][i] if joint in plan.pixels else None
        if p and f.evidence:
            cv2.circle(img, p, st.radius * 3, colour, st.thick, cv2.LINE_AA)
    n_rows = sum(len(rows) for _, rows in blocks)
    top = h - line_h * n_rows - st.pad * (len(blocks) + 1)
    _panel(img, 0, top, w, h, alpha=0.72)
    y = top + st.pad // 2
    for colour, rows in blocks:
        cv2.rectangle(img, (st.pad // 2, y + st.pad // 3), (st.pad // 2 + bar - 2, y + line_h * len(rows)),
                      colour, -1)
        for text, c, t in rows:
            y += line_h
            _put(img, text, (st.pad + bar, y - st.pad // 4), scale, c, t)
        y += st.pad


def draw_overlay(img: np.ndarray, plan: OverlayPlan, i: int) -> np.ndarray:
    """Draw everything for frame ``i`` on ``img`` (BGR, modified in place and returned)."""
    if not 0 <= i < plan.n_frames:
        return img
    st = _Style.for_size((img.shape[1], img.shape[0]))
    if plan.ghost is not None:
        from hingecoach.report.ghost import draw_ghost

        draw_ghost(img, plan.ghost, i)
    draw_skeleton(img, plan, i, st)
    draw_shin_guide(img, plan, i, st)
    draw_dowel(img, plan, i, st)
    draw_joints(img, plan, i, st)
    draw_angles(img, plan, i, st)
    draw_counter(img, plan, i, st)
    draw_flags(img, plan, i, st)
    return img


def blank_canvas(size: tuple[int, int]) -> np.ndarray:
    """A plain frame to draw on when there is no video (keypoint-file input)."""
    w, h = size
    return np.full((h, w, 3), CANVAS_BGR, np.uint8)
