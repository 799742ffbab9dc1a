"""Back shape from the person's segmentation mask (BlazePose has no spine landmarks).

Method: binarise the mask, keep the largest blob, walk the chord from mid-hip to mid-shoulder
and, from each point, march along the chord's normal towards the back (the side away from the
toes) to the mask edge. Lines fitted to the lower and upper halves of those edge points give
the **back bend** (positive = convex, the rounded back the guide warns about). The **neck turn**
compares the lumbar line with the outline between the upper back and the neck, which catches
the head and upper back dropping.

Everything here is pure numpy/scipy on arrays so it can be tested on synthetic masks.
Coordinates are image pixels, x right, y down. ``facing`` is the image direction the person
faces ("left" or "right").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Chord fractions (0 = mid-hip, 1 = mid-shoulder) for the two halves of the back bend.
#: The window stops at 0.80: hoods and collars make a step in the outline above ~0.85.
BEND_LOWER = (0.10, 0.45)
BEND_UPPER = (0.45, 0.80)
#: Lumbar and neck windows for the neck turn (beyond the shoulder the chord reaches the neck).
NECK_LUMBAR = (0.10, 0.35)
NECK_UPPER = (0.80, 1.10)
#: Points sampled per unit of chord fraction.
SAMPLES_PER_UNIT = 40
#: A half-window needs at least this share of its rays to hit an edge to be fitted.
MIN_HIT_FRAC = 0.6
#: Chords shorter than this (pixels) are too small to read a curve from.
MIN_CHORD_PX = 25.0


@dataclass(frozen=True)
class BackOutline:
    """Edge offsets along the chord: ``frac`` (chord fraction) and ``offset_px`` (distance of
    the back edge from the chord along the back-pointing normal; NaN where no edge was found)."""

    frac: np.ndarray
    offset_px: np.ndarray
    chord_px: float


#: A pixel belongs to the person where the segmentation mask's probability is over this.
MASK_THRESHOLD = 0.5


def binarise(mask: np.ndarray, threshold: float = MASK_THRESHOLD) -> np.ndarray:
    """``mask > threshold`` as booleans; a boolean mask is already binarised and kept as it is."""
    mask = np.asarray(mask)
    return mask if mask.dtype == bool else mask > threshold


def largest_blob(mask: np.ndarray, threshold: float = MASK_THRESHOLD) -> np.ndarray:
    """Boolean mask of the largest connected region of ``mask > threshold`` (a boolean
    ``mask``: of its True pixels)."""
    from scipy import ndimage  # here, not at the top: 0.13 s of start-up before a video's first frame

    binary = binarise(mask, threshold)
    labels, n = ndimage.label(binary)
    if n <= 1:
        return binary
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    return labels == int(np.argmax(sizes))


def back_normal(hip_xy: np.ndarray, shoulder_xy: np.ndarray, facing: str) -> np.ndarray:
    """Unit normal of the hip→shoulder chord pointing to the back.

    Facing left, the chord points up (standing) or left (bent over) and the back lies to its
    right or top: that is the chord turned by +90° in image coordinates, (ux, uy) → (−uy, ux).
    Facing right mirrors it."""
    u = np.asarray(shoulder_xy, float) - np.asarray(hip_xy, float)
    u = u / np.linalg.norm(u)
    n = np.array([-u[1], u[0]])
    if facing == "left":
        return n
    if facing == "right":
        return -n
    raise ValueError(f"Expected facing 'left' or 'right', but got {facing!r}.")


def _inside(blob: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Mask value at pixel positions (nearest pixel; outside the image counts as outside)."""
    h, w = blob.shape
    col = np.rint(xy[..., 0]).astype(int)
    row = np.rint(xy[..., 1]).astype(int)
    ok = (col >= 0) & (col < w) & (row >= 0) & (row < h)
    out = np.zeros(col.shape, bool)
    out[ok] = blob[row[ok], col[ok]]
    return out


def _edge_offset(inside_ray: np.ndarray, steps: np.ndarray) -> float:
    """Offset of the back edge on one ray sampled at ``steps`` (pixels, ascending, 0 included).

    From the chord point: if it is inside the body, walk outwards to the last inside sample;
    if outside (an arched back passes inside the chord), walk inwards to the first inside one."""
    zero = int(np.searchsorted(steps, 0.0))
    if inside_ray[zero]:
        out = np.nonzero(~inside_ray[zero:])[0]
        return float(steps[zero + out[0] - 1]) if out.size else math.nan
    back = np.nonzero(inside_ray[:zero][::-1])[0]
    return float(steps[zero - 1 - back[0]]) if back.size else math.nan


def back_outline(blob: np.ndarray, hip_xy, shoulder_xy, facing: str,
                 frac_range: tuple[float, float] = (0.10, 1.10)) -> BackOutline:
    """March from chord points along the back normal to the mask edge (see module docstring)."""
    hip = np.asarray(hip_xy, float)
    shoulder = np.asarray(shoulder_xy, float)
    chord = float(np.linalg.norm(shoulder - hip))
    n_samples = int(round((frac_range[1] - frac_range[0]) * SAMPLES_PER_UNIT)) + 1
    frac = np.linspace(frac_range[0], frac_range[1], n_samples)
    if not (np.isfinite(chord) and chord >= MIN_CHORD_PX):
        return BackOutline(frac, np.full(n_samples, math.nan), chord)
    normal = back_normal(hip, shoulder, facing)
    steps = np.arange(-0.5 * chord, 0.6 * chord + 1.0, 1.0)
    steps = np.union1d(steps, [0.0])
    base = hip[None, :] + frac[:, None] * (shoulder - hip)[None, :]
    rays = base[:, None, :] + steps[None, :, None] * normal[None, None, :]
    inside = _inside(blob, rays)
    offsets = np.array([_edge_offset(row, steps) for row in inside])
    return BackOutline(frac, offsets, chord)


def _slope_deg(outline: BackOutline, lo: float, hi: float) -> float:
    """Direction (degrees) of the line fitted to edge offsets against chord distance."""
    sel = (outline.frac >= lo - 1e-9) & (outline.frac <= hi + 1e-9)
    ok = sel & np.isfinite(outline.offset_px)
    if sel.sum() == 0 or ok.sum() < max(3, MIN_HIT_FRAC * sel.sum()):
        return math.nan
    along_px = outline.frac[ok] * outline.chord_px
    slope = np.polyfit(along_px, outline.offset_px[ok], 1)[0]
    return math.degrees(math.atan(slope))


def bend_deg(outline: BackOutline, lower=BEND_LOWER, upper=BEND_UPPER) -> float:
    """Angle between the lower and upper edge lines; positive when the back bulges outwards."""
    return _slope_deg(outline, *lower) - _slope_deg(outline, *upper)


def back_bend_deg(mask: np.ndarray, hip_xy, shoulder_xy, facing: str) -> float:
    """Back bend (degrees, positive = rounded) of one frame; NaN when not measurable."""
    if facing not in ("left", "right") or not np.all(np.isfinite([*hip_xy, *shoulder_xy])):
        return math.nan
    outline = back_outline(largest_blob(mask), hip_xy, shoulder_xy, facing)
    return bend_deg(outline)


def spine_angles(mask: np.ndarray, hip_xy, shoulder_xy) -> dict[str, float]:
    """Back bend and neck turn for both possible facings, from one mask.

    A video source does not know the facing until it has seen every frame, so it keeps both
    readings per frame and picks one at the end (see :func:`pick_facing`)."""
    out: dict[str, float] = {}
    usable = np.all(np.isfinite([*hip_xy, *shoulder_xy]))
    blob = largest_blob(mask) if usable else None
    for facing in ("left", "right"):
        if blob is None:
            out[f"back_bend_deg:{facing}"] = math.nan
            out[f"neck_turn_mask_deg:{facing}"] = math.nan
            continue
        outline = back_outline(blob, hip_xy, shoulder_xy, facing)
        out[f"back_bend_deg:{facing}"] = bend_deg(outline)
        out[f"neck_turn_mask_deg:{facing}"] = bend_deg(outline, NECK_LUMBAR, NECK_UPPER)
    return out


def pick_facing(readings: dict[str, np.ndarray], facing: str) -> dict[str, np.ndarray]:
    """Channels for the chosen facing from :func:`spine_angles` readings stacked over frames;
    all NaN when the facing is unknown."""
    names = {key.split(":")[0] for key in readings}
    if facing not in ("left", "right"):
        n = len(next(iter(readings.values()))) if readings else 0
        return {name: np.full(n, math.nan) for name in sorted(names)}
    return {name: np.asarray(readings[f"{name}:{facing}"], float) for name in sorted(names)}
