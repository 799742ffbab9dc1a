"""The ghost drawn over the person, and what it shows in words.

:func:`ghost_of` builds the ghost of an analysis once (:func:`hingecoach.sim.ghost.build_ghost`:
the simulator's body at the person's proportions doing the exercise's hinge at their depth,
timed to each rep, anchored at their feet). :func:`plan_ghost` turns it into drawing-ready
image pixels; :func:`draw_ghost` lays it on a frame as a translucent figure (one blend of the
figure's bounding box, under the skeleton). :func:`bottom_words` compares the person with the
ghost at the bottom of a rep in words a beginner reads: centimetres when the person's height
is known, else shares of their leg length.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from hingecoach.kinematics.angles import forward_sign, included_angle_deg
from hingecoach.sim.ghost import Ghost, NoGhost, build_ghost

if TYPE_CHECKING:
    from hingecoach.analysis import Analysis

#: The ghost's colour (BGR, a violet apart from the blue skeleton and the fault colours) and opacity.
GHOST_BGR = (235, 130, 215)
GHOST_ALPHA = 0.5
#: Limbs as (joint, joint, thickness as a share of stature), drawn with round ends.
LIMBS = (("hip", "shoulder", 0.085), ("shoulder", "ear", 0.045), ("hip", "knee", 0.065),
         ("knee", "ankle", 0.045), ("heel", "toe", 0.03), ("shoulder", "elbow", 0.04),
         ("elbow", "wrist", 0.034))
HEAD_RADIUS_FRAC = 0.058
#: A difference is said from these sizes on (smaller ones are within what the camera reads).
SAY_FROM = {"hips_back_cm": 4.0, "hips_back_frac_leg": 0.05, "knee_deg": 10.0, "hip_deg": 10.0,
            "shin_deg": 8.0, "trunk_deg": 10.0}
#: At most this many differences are said per rep, the largest first.
MAX_WORDS = 3

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def ghost_of(analysis: Analysis, height_cm: float | None = None,
             usual_depth_hip_angle_deg: float | None = None) -> Ghost | NoGhost:
    """The analysis's ghost, built once per analysis and options (video and report share it)."""
    key = (height_cm, usual_depth_hip_angle_deg)
    per = _CACHE.setdefault(analysis, {})
    if key not in per:
        per[key] = build_ghost(analysis, height_cm=height_cm, usual_depth_hip_angle_deg=usual_depth_hip_angle_deg)
    return per[key]


@dataclass(frozen=True, eq=False)
class GhostDrawing:
    """Per frame: the ghost's joints as int pixels (None where not shown) and the padded box."""

    joints: list[dict[str, tuple[int, int]] | None]
    boxes: list[tuple[int, int, int, int] | None]
    widths: dict[tuple[str, str], int]
    head: int

    @property
    def n_frames(self) -> int:
        return len(self.joints)


def image_joints(analysis: Analysis, ghost: Ghost) -> dict[str, np.ndarray]:
    """The ghost's sagittal joints (u forward, v up) back to image pixels (x right, y down)."""
    sign = forward_sign(analysis.pose)
    return {j: np.stack([sign * p[:, 0], -p[:, 1]], axis=-1) for j, p in ghost.points.items()}


def plan_ghost(analysis: Analysis, ghost: Ghost) -> GhostDrawing:
    """Drawing-ready pixels of the ghost for every frame of the analysis."""
    pts = image_joints(analysis, ghost)
    stature = ghost.body.px_per_m * ghost.body.body.height_m
    widths = {(a, b): max(2, int(round(f * stature))) for a, b, f in LIMBS}
    head = max(3, int(round(HEAD_RADIUS_FRAC * stature)))
    pad = max(max(widths.values()), head) + 2
    names = sorted({j for a, b, _ in LIMBS for j in (a, b)} | {"head"})
    stack = np.stack([pts[j] for j in names], axis=1)  # (frames, joints, 2)
    ok = np.isfinite(stack).all(axis=(1, 2))
    rounded = np.round(np.clip(np.nan_to_num(stack), -1e5, 1e5)).astype(int)
    joints: list[dict[str, tuple[int, int]] | None] = []
    boxes: list[tuple[int, int, int, int] | None] = []
    for i in range(stack.shape[0]):
        if not ok[i]:
            joints.append(None)
            boxes.append(None)
            continue
        r = rounded[i]
        joints.append({j: (int(r[k, 0]), int(r[k, 1])) for k, j in enumerate(names)})
        boxes.append((int(r[:, 0].min()) - pad, int(r[:, 1].min()) - pad,
                      int(r[:, 0].max()) + pad, int(r[:, 1].max()) + pad))
    return GhostDrawing(joints=joints, boxes=boxes, widths=widths, head=head)


def draw_ghost(img: np.ndarray, drawing: GhostDrawing, i: int) -> None:
    """The translucent ghost on frame ``i`` (in place): the limbs drawn on a copy of the box
    around the figure, then blended in."""
    if not 0 <= i < drawing.n_frames:
        return
    joints, box = drawing.joints[i], drawing.boxes[i]
    if joints is None or box is None:
        return
    h, w = img.shape[:2]
    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    layer = roi.copy()
    j = {k: (p[0] - x0, p[1] - y0) for k, p in joints.items()}
    for (a, b), width in drawing.widths.items():
        cv2.line(layer, j[a], j[b], GHOST_BGR, width, cv2.LINE_AA)
    cv2.circle(layer, j["head"], drawing.head, GHOST_BGR, -1, cv2.LINE_AA)
    cv2.addWeighted(layer, GHOST_ALPHA, roi, 1.0 - GHOST_ALPHA, 0.0, dst=roi)


# -- the difference at the bottom ------------------------------------------------------------------
def _angles(p: dict[str, np.ndarray]) -> dict[str, float]:
    """Hip and knee flexion, shin and trunk from vertical, hips behind the ankle (units of p)."""
    one = {k: np.asarray(v, dtype=np.float64).reshape(1, 2) for k, v in p.items()}
    hip, knee, ankle, sh = one["hip"], one["knee"], one["ankle"], one["shoulder"]
    return {
        "hip_angle": float(included_angle_deg(sh - hip, knee - hip)[0]),
        "knee_flex": float(180.0 - included_angle_deg(hip - knee, ankle - knee)[0]),
        "shin": float(np.degrees(np.arctan2(*(knee - ankle)[0]))),
        "trunk": float(np.degrees(np.arctan2(*(sh - hip)[0]))),
        "hips_back": float((ankle - hip)[0, 0]),
    }


def bottom_difference(analysis: Analysis, ghost: Ghost, rep_index: int) -> dict[str, float] | None:
    """Person minus ghost at the rep's bottom frame: hip, knee, shin and trunk degrees, and how
    much further back the ghost's hips went (cm with the height known, and leg lengths)."""
    rep = analysis.reps[rep_index]
    b = rep.bottom_frame
    g = ghost.at(b)
    kin = analysis.kinematics
    person = {j: kin.points[j][b] for j in ("hip", "knee", "ankle", "shoulder")}
    if g is None or not all(np.isfinite(v).all() for v in person.values()):
        return None
    me, it = _angles(person), _angles(g)
    seg = ghost.body.segments_px
    back_px = it["hips_back"] - me["hips_back"]
    out = {"hip_deg": me["hip_angle"] - it["hip_angle"], "knee_deg": me["knee_flex"] - it["knee_flex"],
           "shin_deg": me["shin"] - it["shin"], "trunk_deg": me["trunk"] - it["trunk"],
           "hips_back_frac_leg": back_px / (seg["thigh"] + seg["shank"]),
           "ghost_hip_angle_deg": it["hip_angle"], "ghost_knee_flexion_deg": it["knee_flex"]}
    if ghost.body.height_known:
        out["hips_back_cm"] = 100.0 * back_px / ghost.body.px_per_m
    return out


def _phrases(d: dict[str, float]) -> list[tuple[float, str]]:
    """(size in units of its threshold, words) for each difference worth saying."""
    said: list[tuple[float, str]] = []
    if "hips_back_cm" in d:
        v, limit, amount = d["hips_back_cm"], SAY_FROM["hips_back_cm"], f"{abs(d['hips_back_cm']):.0f} cm"
    else:
        v, limit = d["hips_back_frac_leg"], SAY_FROM["hips_back_frac_leg"]
        amount = f"{abs(v) * 100:.0f}% of your leg length"
    if abs(v) >= limit:
        said.append((abs(v) / limit, f"your hips went back {amount} less than they could" if v > 0
                     else f"your hips went back {amount} further than the ghost's"))
    words = {
        "knee_deg": ("your knees bent {:.0f}° more", "your knees bent {:.0f}° less"),
        "hip_deg": ("you bent {:.0f}° less at the hips", "you bent {:.0f}° further at the hips"),
        "shin_deg": ("your shins tipped {:.0f}° further forward", "your shins stayed {:.0f}° more upright"),
        "trunk_deg": ("your chest went {:.0f}° lower", "your chest stayed {:.0f}° higher"),
    }
    for key, (more, less) in words.items():
        v = d[key]
        if abs(v) >= SAY_FROM[key]:
            said.append((abs(v) / SAY_FROM[key], (more if v > 0 else less).format(abs(v))))
    return sorted(said, key=lambda s: -s[0])


def bottom_words(analysis: Analysis, ghost: Ghost, rep_index: int) -> str:
    """One sentence: how this rep's bottom differed from the ghost's, the largest first."""
    d = bottom_difference(analysis, ghost, rep_index)
    if d is None:
        return "The ghost could not be placed at this rep's bottom (the feet or hips were not seen)."
    said = [w for _, w in _phrases(d)[:MAX_WORDS]]
    if not said:
        close = "4 cm" if "hips_back_cm" in d else "a twentieth of your leg length"
        return f"At the bottom you matched the ghost (within {close} and 10°)."
    text = "; ".join(said)
    return f"Compared with the ghost: {text}."


def ghost_caption(ghost: Ghost | NoGhost) -> str:
    """What the ghost is, in a sentence (or why there is none)."""
    if isinstance(ghost, NoGhost):
        return ghost.reason
    movement = {"hinge": "the guide's hinge", "good_morning": "the guide's good morning",
                "swing": "a clean swing", "deadlift": "a clean deadlift from the floor",
                "kneeling": "the kneeling hinge"}[ghost.plan.movement]
    depth = {"reaching the bar": "bending the knees until the hands reach the bar",
             "your usual depth": "down to your usual clean depth (from your log)",
             "your deepest clean rep": "down to the depth of your deepest clean rep",
             "typical": "down to a typical depth for this exercise (no clean rep to take yours from)"}
    units = "" if ghost.body.height_known else " Distances are in shares of your leg length (give your height for centimetres)."
    return (f"The ghost (the violet figure) is your own body's proportions doing {movement}: hips back, "
            f"shins near vertical, soft knees, neutral spine, {depth[ghost.plan.depth_source]}, timed to "
            f"each of your reps and standing on your feet.{units}")


def ghost_summary(analysis: Analysis, ghost: Ghost | NoGhost) -> dict[str, Any]:
    """The ghost for JSON (the web result page): what it is and each rep's words."""
    if isinstance(ghost, NoGhost):
        return {"shown": False, "caption": ghost.reason, "reps": []}
    reps = []
    for k, rep in enumerate(analysis.reps):
        d = bottom_difference(analysis, ghost, k)
        reps.append({"index": rep.index, "words": bottom_words(analysis, ghost, k),
                     "difference": None if d is None else
                     {key: round(v, 2) if np.isfinite(v) else None for key, v in d.items()}})
    return {"shown": True, "caption": ghost_caption(ghost), "movement": ghost.plan.movement,
            "depth_source": ghost.plan.depth_source, "height_known": ghost.body.height_known,
            "reps": reps}


def overlay_with_ghost(analysis: Analysis, ghost: bool = True, height_cm: float | None = None,
                       usual_depth_hip_angle_deg: float | None = None):
    """(OverlayPlan with the ghost drawn in when asked and available, the ghost or NoGhost or None)."""
    from hingecoach.report.overlay_plan import plan_overlay

    if not ghost:
        return plan_overlay(analysis), None
    if height_cm is None:
        height_cm = getattr(analysis, "height_cm", None)  # given to the analysis (hinge analyze --height-cm)
    g = ghost_of(analysis, height_cm, usual_depth_hip_angle_deg)
    drawing = plan_ghost(analysis, g) if isinstance(g, Ghost) else None
    return plan_overlay(analysis, ghost=drawing), g
