"""What the segmentation-mask outline of the back reads on a simulated person.

A video source measures the back's shape from BlazePose's segmentation mask
(:mod:`hingecoach.sources.spine_mask`, whose docstring gives the method): the back
edge is sampled along the hip-to-shoulder chord at fractions 0.10-0.80, a line is fitted to
each half, and the **back bend** is the angle between them (positive = convex, rounded). The
simulator knows the spine itself (``Pose3D`` points ``pelvis`` ... ``neck``), so it reads the
same bend off the spine's curve as the camera sees it, then adds what the mask adds:

* the bend of this person's *neutral* spine is subtracted and replaced by a per-person offset:
  the outline of a neutral back is not the line of the vertebral bodies (glutes, shoulder
  blades, clothing), and good lifters read -7..2 deg (measured on 8 real clips and TBY66);
* per rep, a small offset (a shirt that folds, the arms against the trunk), and on a few reps a
  larger one ("loose shirts can add ~7 deg on one rep");
* per frame, smooth noise: "noise within a bottom window is 1-2 deg (3-7 on small or fast
  subjects)", scaled with the landmark noise level;
* the mask is measured only where the trunk leans (``[video] spine_min_trunk_deg``, as the
  video source does) and only in frames where a person was found.

The curve's geometry (gain 1: the outline bends as the spine bends) is an assumption; the
renderer path checks it (``bench/outline_check.py`` reads BlazePose's real mask of rendered
figures: mask = 1.08 x model - 2.5 deg, r = 0.98).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hingecoach.config import section
from hingecoach.sim.body import Body
from hingecoach.sim.camera import Camera
from hingecoach.sim.chain import CHANNELS, spine_chain_points
from hingecoach.sim.noise import ar1
from hingecoach.sim.pose3d import Pose3D
from hingecoach.sources.spine_mask import BEND_LOWER, BEND_UPPER

#: The chain the back outline follows, hip centre first.
_CURVE = ("pelvis", "sacrum", "lumbar", "thoracolumbar", "thoracic", "neck")
#: Chord fractions sampled per half (the video source samples 40 per unit of chord).
_SAMPLES = 15


@dataclass(frozen=True)
class OutlineNoise:
    person_mean_deg: float  # mean reading of a neutral back
    person_sd_deg: float    # spread between people and clothes
    rep_sd_deg: float       # rep-to-rep offset
    shirt_rate: float       # share of reps with a loose-shirt fold
    shirt_deg: tuple[float, float]
    frame_sd_deg: float     # smooth per-frame noise
    frame_tau_s: float


#: By landmark noise level (sim.noise.LEVELS): 'typical' carries the figures quoted above.
LEVELS: dict[str, OutlineNoise] = {
    "none": OutlineNoise(0.0, 0.0, 0.0, 0.0, (0.0, 0.0), 0.0, 0.1),
    "low": OutlineNoise(-2.5, 2.0, 0.8, 0.02, (3.0, 7.0), 1.0, 0.1),
    "typical": OutlineNoise(-2.5, 2.5, 1.2, 0.05, (3.0, 7.0), 1.5, 0.1),
    "high": OutlineNoise(-2.5, 3.0, 2.0, 0.08, (3.0, 7.0), 3.5, 0.1),
}


def _chord_coords(pix: np.ndarray, hip: np.ndarray, shoulder: np.ndarray, facing: str
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Curve points (frames, k, 2) in chord coordinates: fraction along hip->shoulder and offset
    towards the back (pixels); and the chord length (frames,). Image y points down."""
    chord = shoulder - hip
    length = np.linalg.norm(chord, axis=1)
    u = chord / np.where(length > 0, length, np.nan)[:, None]
    normal = np.stack([-u[:, 1], u[:, 0]], axis=1)  # see spine_mask.back_normal
    if facing == "right":
        normal = -normal
    rel = pix - hip[:, None, :]
    along = np.einsum("fkd,fd->fk", rel, u) / length[:, None]
    offset = np.einsum("fkd,fd->fk", rel, normal)
    return along, offset, length


def _half_slope_deg(along: np.ndarray, offset: np.ndarray, length: np.ndarray,
                    lo: float, hi: float) -> np.ndarray:
    """Direction of the least-squares line through the curve's offsets at fractions lo..hi."""
    frac = np.linspace(lo, hi, _SAMPLES)
    off = np.stack([np.interp(frac, a, o) for a, o in zip(along, offset, strict=True)])
    x = frac - frac.mean()
    slope = (off * x).sum(axis=1) / (x ** 2).sum() / length
    return np.degrees(np.arctan(slope))


def _curve_bend_deg(curve: np.ndarray, shoulder: np.ndarray, facing: str) -> np.ndarray:
    """Bend (frames,) of a curve (frames, k, 2) starting at the hip centre, image coordinates."""
    along, offset, length = _chord_coords(curve, curve[:, 0], shoulder, facing)
    order = np.argsort(along, axis=1)  # a strongly bent curve can fold back on itself
    along = np.take_along_axis(along, order, axis=1)
    offset = np.take_along_axis(offset, order, axis=1)
    return (_half_slope_deg(along, offset, length, *BEND_LOWER)
            - _half_slope_deg(along, offset, length, *BEND_UPPER))


def geometric_bend_deg(pose3d: Pose3D, camera: Camera) -> np.ndarray:
    """Bend of the spine curve as the camera sees it (frames,), before any mask effects."""
    pts = pose3d.points
    world = np.stack([pts[n] for n in _CURVE], axis=1)
    shoulder = (pts["left_shoulder"] + pts["right_shoulder"]) / 2
    pix = camera.project(np.concatenate([world, shoulder[:, None]], axis=1))[..., :2]
    return _curve_bend_deg(pix[:, :-1], pix[:, -1], camera.facing)


def neutral_bend_deg(body: Body) -> float:
    """Bend of this person's spine with no flexion anywhere, seen straight from the side."""
    zero = {k: np.zeros(1) for k in CHANNELS}
    pts = spine_chain_points(body, np.zeros((1, 2)), np.zeros(1), zero)
    flip = np.array([1.0, -1.0])  # world (forward, up) -> image (right, down), facing right
    curve = np.stack([pts[n] for n in _CURVE], axis=1) * flip
    return float(_curve_bend_deg(curve, pts["shoulder"] * flip, "right")[0])


def mask_back_bend_deg(pose3d: Pose3D, body: Body, camera: Camera, trunk_deg: np.ndarray,
                       rep_frames: list[tuple[int, int]], person_found: np.ndarray, noise: str,
                       rng: np.random.Generator) -> np.ndarray:
    """The ``back_bend_deg`` channel a video source would measure (NaN where it would not).

    ``rep_frames``: the [start, end] frames of each rep, for the per-rep offsets."""
    lv = LEVELS[noise]
    n = pose3d.n_frames
    bend = geometric_bend_deg(pose3d, camera) - neutral_bend_deg(body)
    bend += lv.person_mean_deg + lv.person_sd_deg * rng.normal()
    for lo, hi in rep_frames:
        extra = lv.rep_sd_deg * rng.normal()
        if rng.random() < lv.shirt_rate:
            extra += rng.uniform(*lv.shirt_deg)
        bend[lo:hi + 1] += extra
    if lv.frame_sd_deg > 0 and n:
        bend += lv.frame_sd_deg * ar1(rng, (n,), camera.fps, lv.frame_tau_s)
    leaning = np.abs(trunk_deg) >= section("video")["spine_min_trunk_deg"]
    return np.where(leaning & person_found, bend, np.nan)
