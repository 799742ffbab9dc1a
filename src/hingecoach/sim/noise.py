"""Detector realism: what BlazePose does to perfect landmarks.

Published figures: the BlazePose paper (Bazarevsky et al. 2020, arXiv:2006.10204, table 1)
gives PCK@0.2 (share of points within 20 % of the torso size) of 84.1 % (Full model, AR
dataset) and 84.5 % (Yoga dataset), 79.6 / 77.6 % for Lite. For a 2-D Gaussian error that is a
per-axis sigma of about 0.2 x torso / 1.9 = 0.03 of body height; those datasets are hard,
in-the-wild poses, and the errors are heavy-tailed (most points much closer, a few far off).

Facts measured in this project on rendered figures with known joints (``bench.render_suite``):
the labels of the side hidden from the camera swap left/right in about half the frames of a
side view; the ear, ankle and toe points sit about 3 cm from the anatomical points; the trunk
reads a few degrees more inclined at the bottom of a hinge.

Levels (sigmas are fractions of the person's standing height in the image, per axis):

=========  =======  ======  ========  ======  =======  ========  =========
level      white    drift   outliers  bias    swap     dropout   trunk
=========  =======  ======  ========  ======  =======  ========  =========
none       0        0       0         0       0        0         0
low        0.002    0.003   0.1 %     1.5 cm  25 %     0.2 %     1.5 deg
typical    0.004    0.006   0.5 %     3 cm    50 %     1 %       3 deg
high       0.008    0.014   2 %       4.5 cm  50 %     3 %       5 deg
=========  =======  ======  ========  ======  =======  ========  =========

* white: frame-to-frame jitter; drift: AR(1) error with a 0.25 s time constant (the tracker's
  slow wander); together they give a per-axis sigma of 0.007 H for 'typical' (clean side-view
  exercise clip, easier than the paper's yoga set) and 0.016 H plus 2 % outliers of 0.06 H for
  'high' (PCK@0.2 near the paper's 84 %).
* bias: fixed offset of the ear, ankle and toe points (one direction per sequence).
* swap: share of frames (in runs of about 0.2 s) in which the hidden side's leg and arm labels
  swap with the near side's, scaled by how side-on the camera is.
* visibility: about 0.97 for the near side; the hidden side drops to 0.45 in a true side view
  (limb behind the body) rising to 0.95 in a front view; out of the image: x 0.1.
* trunk: the shoulders and head are rotated forward about the hips by this much when the
  trunk is horizontal (in proportion to the trunk angle, up to 60 degrees).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hingecoach.pose.schema import BLAZEPOSE33, INDEX
from hingecoach.sim.camera import Camera


@dataclass(frozen=True)
class NoiseLevel:
    white_frac: float
    drift_frac: float
    outlier_rate: float
    bias_m: float
    swap_share: float
    dropout_rate: float
    trunk_bias_deg: float


LEVELS: dict[str, NoiseLevel] = {
    "none": NoiseLevel(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    "low": NoiseLevel(0.002, 0.003, 0.001, 0.015, 0.25, 0.002, 1.5),
    "typical": NoiseLevel(0.004, 0.006, 0.005, 0.03, 0.5, 0.01, 3.0),
    "high": NoiseLevel(0.008, 0.014, 0.02, 0.045, 0.5, 0.03, 5.0),
}

DRIFT_TAU_S = 0.25
SWAP_RUN_S = 0.2
_SWAP_JOINTS = ("shoulder", "elbow", "wrist", "pinky", "index", "thumb", "hip", "knee", "ankle",
                "heel", "foot_index")
_UPPER = [n for n in BLAZEPOSE33 if not any(j in n for j in ("hip", "knee", "ankle", "heel", "foot"))]


def level(name: str) -> NoiseLevel:
    if name not in LEVELS:
        raise ValueError(f"Expected a noise level among {tuple(LEVELS)}, but got {name!r}.")
    return LEVELS[name]


def apply_bias(world: np.ndarray, trunk_deg: np.ndarray, lv: NoiseLevel,
               rng: np.random.Generator) -> np.ndarray:
    """Systematic errors in world metres: offsets of ears, ankles and toes; trunk reads more
    inclined (shoulders and head rotated forward about the hip centre)."""
    out = world.copy()
    if lv.bias_m > 0:
        for joint in ("ear", "ankle", "foot_index"):
            a = rng.uniform(0, 2 * np.pi)
            off = lv.bias_m * np.array([np.cos(a), np.sin(a), 0.0])
            for side in ("left", "right"):
                out[:, INDEX[f"{side}_{joint}"]] += off
    if lv.trunk_bias_deg > 0:
        hip = (world[:, INDEX["left_hip"]] + world[:, INDEX["right_hip"]]) / 2
        delta = -np.radians(lv.trunk_bias_deg * np.clip(trunk_deg / 60.0, 0.0, 1.0))
        c, s = np.cos(delta)[:, None], np.sin(delta)[:, None]
        idx = [INDEX[n] for n in _UPPER]
        v = out[:, idx, :2] - hip[:, None, :2]
        out[:, idx, 0] = hip[:, None, 0] + c * v[..., 0] - s * v[..., 1]
        out[:, idx, 1] = hip[:, None, 1] + s * v[..., 0] + c * v[..., 1]
    return out


def ar1(rng: np.random.Generator, shape: tuple[int, ...], fps: float, tau_s: float) -> np.ndarray:
    """Unit-variance AR(1) noise along axis 0 with time constant ``tau_s``."""
    rho = float(np.exp(-1.0 / (fps * tau_s)))
    e = rng.normal(size=shape)
    out = np.empty(shape)
    out[0] = e[0]
    k = np.sqrt(1 - rho ** 2)
    for i in range(1, shape[0]):
        out[i] = rho * out[i - 1] + k * e[i]
    return out


def jitter_px(rng: np.random.Generator, n: int, lv: NoiseLevel, scale_px: float, fps: float
              ) -> np.ndarray:
    """(frames, 33, 2) pixel errors: white + drift + outlier bursts."""
    k = len(BLAZEPOSE33)
    err = lv.white_frac * scale_px * rng.normal(size=(n, k, 2))
    if lv.drift_frac > 0 and n > 0:
        err += lv.drift_frac * scale_px * ar1(rng, (n, k, 2), fps, DRIFT_TAU_S)
    if lv.outlier_rate > 0:
        starts = rng.random((n, k)) < lv.outlier_rate / 2.5
        for f, j in zip(*np.nonzero(starts), strict=False):
            length = int(rng.integers(1, 5))
            err[f:f + length, j] += rng.normal(0, 0.06 * scale_px, size=2)
    return err


def swap_mask(rng: np.random.Generator, n: int, share: float, fps: float) -> np.ndarray:
    """(frames,) bool: a two-state Markov chain in the swapped state ``share`` of the time,
    with runs of about SWAP_RUN_S."""
    if share <= 0 or n == 0:
        return np.zeros(n, dtype=bool)
    p_leave = min(1.0, 1.0 / max(1.0, SWAP_RUN_S * fps))
    p_enter = min(1.0, p_leave * share / max(1e-9, 1 - share))
    state = np.zeros(n, dtype=bool)
    u = rng.random(n)
    cur = rng.random() < share
    for i in range(n):
        cur = (u[i] >= p_leave) if cur else (u[i] < p_enter)
        state[i] = cur
    return state


def swap_sides(arr: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Exchange left/right labels of the limb joints in the masked frames."""
    out = arr.copy()
    for j in _SWAP_JOINTS:
        li, ri = INDEX[f"left_{j}"], INDEX[f"right_{j}"]
        out[mask, li], out[mask, ri] = arr[mask, ri], arr[mask, li]
    return out


def visibility(rng: np.random.Generator, n: int, camera: Camera) -> np.ndarray:
    """(frames, 33): near side ~0.97, hidden side lower the more side-on the camera is."""
    side_on = abs(np.cos(np.radians(camera.yaw_deg)))
    far = "left" if camera.side == "right" else "right"
    base = np.full(len(BLAZEPOSE33), 0.97)
    for i, name in enumerate(BLAZEPOSE33):
        if name.startswith(far) or name.endswith(f"_{far}"):
            base[i] = 0.97 - 0.52 * side_on
    vis = base + rng.normal(0, 0.02, size=(n, len(BLAZEPOSE33)))
    return np.clip(vis, 0.0, 1.0)


@dataclass(frozen=True)
class Detected:
    xyz: np.ndarray
    visibility: np.ndarray
    world_xyz: np.ndarray


def detect(world: np.ndarray, trunk_deg: np.ndarray, camera: Camera, height_m: float,
           noise: str, rng: np.random.Generator) -> Detected:
    """Perfect world points (frames, 33, 3) -> what BlazePose would report at ``noise``."""
    lv = level(noise)
    n = world.shape[0]
    biased = apply_bias(world, trunk_deg, lv, rng)
    pix = camera.project(biased)
    hip_mid = (biased[:, INDEX["left_hip"]] + biased[:, INDEX["right_hip"]]) / 2
    hip_depth = camera.to_camera(hip_mid)[:, 2]
    f = camera.focal_px
    scale_px = height_m * f / camera.distance_m
    err = jitter_px(rng, n, lv, scale_px, camera.fps)
    xy = pix[..., :2] + err
    z = (pix[..., 2] - hip_depth[:, None]) * f / hip_depth[:, None]
    xyz = np.concatenate([xy, z[..., None]], axis=-1)
    wcam = camera.to_camera(biased) - camera.to_camera(hip_mid)[:, None, :]
    wcam[..., :2] += err * (hip_depth[:, None, None] / f)
    vis = visibility(rng, n, camera)
    if camera.view != "front":
        mask = swap_mask(rng, n, lv.swap_share * abs(np.cos(np.radians(camera.yaw_deg))), camera.fps)
        xyz, wcam, vis = swap_sides(xyz, mask), swap_sides(wcam, mask), swap_sides(vis, mask)
    return _frame_effects(xyz, vis, wcam, camera, lv, rng)


def _frame_effects(xyz: np.ndarray, vis: np.ndarray, wcam: np.ndarray, camera: Camera,
                   lv: NoiseLevel, rng: np.random.Generator) -> Detected:
    """Out-of-image points lose visibility; no person when the hips leave the image;
    random dropouts become missing points."""
    w, h = camera.image_size
    outside = (xyz[..., 0] < 0) | (xyz[..., 0] >= w) | (xyz[..., 1] < 0) | (xyz[..., 1] >= h)
    vis = np.where(outside, vis * 0.1, vis)
    hips = [INDEX["left_hip"], INDEX["right_hip"]]
    gone = outside[:, hips].all(axis=1)
    drop = rng.random(vis.shape) < lv.dropout_rate
    drop |= gone[:, None]
    xyz = xyz.copy()
    wcam = wcam.copy()
    xyz[drop] = np.nan
    wcam[drop] = np.nan
    vis = np.where(drop, 0.0, vis)
    return Detected(xyz=xyz, visibility=vis, world_xyz=wcam)
