"""Sagittal-plane kinematics of a hinge, from a PoseSequence. Pure numpy (+ scipy filters).

Frame of reference
------------------
Points are projected into the person's sagittal plane: ``u`` points the way the person faces
(forward), ``v`` points up; both in image pixels for a side view (the image plane is the
sagittal plane) or metres for world landmarks. Left and right landmarks are merged into one
visibility-weighted midpoint per joint, which makes every quantity side-agnostic: BlazePose
swaps the labels of the hidden side in about half the frames of a side view.

Conventions (all angles in degrees)
-----------------------------------
* ``hip_angle_deg``: included angle shoulder-hip-knee; 180 = standing tall, smaller = more
  hip flexion.
* ``knee_angle_deg``: included angle hip-knee-ankle; 180 = straight (locked) knee.
* ``shin_angle_deg``: ankle->knee from vertical; 0 = vertical shin, positive = knee ahead of
  the ankle.
* ``trunk_angle_deg``: hip->shoulder from vertical; 0 = upright, positive = leaning forward,
  negative = leaning back.
* ``neck_angle_deg``: turn from the hip->shoulder line to the shoulder->ear line; 0 = head in
  line with the trunk (the dowel's three points), positive = head dropped towards the chest.
* ``shoulder_drop_frac_torso``: distance of the shoulder below the ear-hip line, as a fraction
  of torso length; positive = upper back rounded out of the line.
* ``wrist_height_frac_torso``: height of the wrists above the shoulders, as a fraction of
  torso length: about -1 with the arms hanging, 0 at the shoulders, positive overhead.
* ``hip_back_frac_leg`` / ``hip_down_frac_leg``: hip displacement from its standing position,
  relative to the ankle, as a fraction of leg length; positive = backwards / downwards.
* ``com_foot_frac`` / ``hip_foot_frac``: forward position of the body's centre of mass (or the
  hip) along the foot: 0 = over the heel, 1 = over the toe.
* ``back_bend_deg``: back-outline bend from the segmentation mask (positive = convex, rounded),
  when the source measured it; NaN otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hingecoach.config import section
from hingecoach.kinematics.filters import interpolate_gaps, lowpass_zero_phase
from hingecoach.pose import PoseSequence
from hingecoach.pose.feet import forward_votes
from hingecoach.pose.schema import INDEX, PAIRS

JOINTS = ("ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "toe")

#: Segment mass fractions and centre-of-mass positions along the segment (Dempster, via
#: Winter, *Biomechanics and Motor Control of Human Movement*, 4th ed., table 4.1). Head+neck
#: centre placed at the ear; trunk centre 50% from hip to shoulder; arms with hands.
_COM_SEGMENTS = (
    # (proximal, distal, mass fraction, centre fraction from proximal)
    ("ear", "ear", 0.081, 0.0),
    ("hip", "shoulder", 0.497, 0.50),
    ("shoulder", "elbow", 0.056, 0.436),
    ("elbow", "wrist", 0.044, 0.682),
    ("hip", "knee", 0.200, 0.433),
    ("knee", "ankle", 0.093, 0.433),
    ("heel", "toe", 0.029, 0.50),
)


@dataclass(frozen=True, eq=False)
class Kinematics:
    """Per-frame sagittal measures of one sequence (see module docstring for conventions)."""

    t_s: np.ndarray
    fps: float
    facing: str
    view: str
    leg_length: float
    points: dict[str, np.ndarray]
    series: dict[str, np.ndarray] = field(default_factory=dict)
    history: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> np.ndarray:
        return self.series[name]

    @property
    def n_frames(self) -> int:
        return int(self.t_s.shape[0])

    @property
    def valid(self) -> np.ndarray:
        """Frames where the hip and knee angles could be measured."""
        return np.isfinite(self.series["hip_angle_deg"]) & np.isfinite(self.series["knee_angle_deg"])


_LEFT = np.array([INDEX[PAIRS[j][0]] for j in JOINTS])
_RIGHT = np.array([INDEX[PAIRS[j][1]] for j in JOINTS])
_BOTH = np.concatenate([_LEFT, _RIGHT])


def merged_joints(seq: PoseSequence, min_visibility: float, dims: int = 3) -> dict[str, np.ndarray]:
    """Visibility-weighted left/right midpoints, (frames, dims) per joint; NaN where neither
    side is visible enough."""
    mean = merged_array(seq, min_visibility, dims)
    return {joint: mean[:, i] for i, joint in enumerate(JOINTS)}


def merged_array(seq: PoseSequence, min_visibility: float, dims: int = 3) -> np.ndarray:
    """:func:`merged_joints` as one (frames, joints, dims) array in ``JOINTS`` order (the hot
    path of the kinematics: all joints at once)."""
    return merge_sides(seq.xyz, seq.visibility, min_visibility, dims)


def merge_sides(xyz: np.ndarray, visibility: np.ndarray, min_visibility: float, dims: int = 3) -> np.ndarray:
    """Visibility-weighted left/right midpoints, (frames, joints, dims) in ``JOINTS`` order, of
    (frames, 33, 3) landmarks and (frames, 33) visibility: the one side merge, for a whole
    sequence (:func:`merged_array`) or the live coach's frame at a time."""
    k = len(JOINTS)
    both = xyz[:, _BOTH, :dims]  # one gather: left joints then right joints
    w = visibility[:, _BOTH]
    # PoseSequence zeroes the visibility of points with NaN x/y; other coordinates (world
    # landmarks, z) may still be NaN, so those are checked here.
    missing = np.isnan(both[..., 0]) | np.isnan(both[..., 1])
    if dims > 2:
        missing |= np.isnan(both[..., 2])
    w = np.where((w >= min_visibility) & ~missing, w, 0.0)
    weighted = np.where(w[..., None] > 0, both, 0.0) * w[..., None]
    total = w[:, :k] + w[:, k:]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (weighted[:, :k] + weighted[:, k:]) / total[..., None]
    mean[total == 0] = np.nan
    return mean


def forward_sign(seq: PoseSequence) -> float:
    """+1 when the person faces image right, -1 when facing image left."""
    if seq.facing == "left":
        return -1.0
    if seq.facing == "right":
        return 1.0
    from hingecoach.kinematics.view import detect_facing

    return -1.0 if detect_facing(seq) == "left" else 1.0


def included_angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unsigned angle in degrees between 2-D vectors, row by row (the hip and knee angles)."""
    dot = np.einsum("ij,ij->i", a, b)
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return np.degrees(np.abs(np.arctan2(cross, dot)))


def _signed_turn(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signed angle (deg) turning from a to b; positive = clockwise in (u forward, v up), which
    for a segment pointing up means tipping forward."""
    dot = np.einsum("ij,ij->i", a, b)
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return -np.degrees(np.arctan2(cross, dot))


def _from_vertical(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Angle (deg) of lower->upper from vertical, positive when ``upper`` is forward."""
    d = upper - lower
    return np.degrees(np.arctan2(d[:, 0], d[:, 1]))


def _foot_frac(u: np.ndarray, heel_u: np.ndarray, toe_u: np.ndarray) -> np.ndarray:
    length = toe_u - heel_u
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = (u - heel_u) / length
    frac[~(np.abs(length) > 1e-9)] = np.nan
    return frac


def centre_of_mass(p: dict[str, np.ndarray]) -> np.ndarray:
    """Whole-body centre of mass (frames, 2) from the segment table; segments with missing
    points are left out and the rest renormalised."""
    total = np.zeros(p["hip"].shape)
    mass = np.zeros(p["hip"].shape[0])
    for prox, dist, m, c in _COM_SEGMENTS:
        centre = p[prox] + c * (p[dist] - p[prox])
        ok = ~np.isnan(centre).any(axis=1)
        total += np.where(ok[:, None], centre, 0.0) * m
        mass += ok * m
    with np.errstate(invalid="ignore", divide="ignore"):
        com = total / mass[:, None]
    com[mass < section("kinematics")["com_min_mass_frac"]] = np.nan
    return com


def standing_reference(hip_angle_deg: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Median of ``values`` over the most upright frames (hip angle within
    ``standing_tolerance_deg`` of its ``standing_percentile``, thresholds.toml [kinematics])."""
    cfg = section("kinematics")
    ok = np.isfinite(hip_angle_deg) & np.isfinite(values).all(axis=-1 if values.ndim > 1 else None)
    if not ok.any():
        return np.full(values.shape[1:], np.nan)
    top = np.percentile(hip_angle_deg[ok], cfg["standing_percentile"])
    sel = ok & (hip_angle_deg >= top - cfg["standing_tolerance_deg"])
    return np.median(values[sel], axis=0)


def implausible_frames(p: dict[str, np.ndarray], trunk_angle_deg: np.ndarray) -> np.ndarray:
    """Frames no standing or hinging body can make (a misdetection: shoulders far below the
    hips, or ankles above the hips); their measures are dropped, not trusted."""
    cfg = section("kinematics")
    with np.errstate(invalid="ignore"):
        upside_down = np.abs(trunk_angle_deg) > cfg["max_trunk_from_vertical_deg"]
        feet_up = p["ankle"][:, 1] > p["hip"][:, 1]
    return upside_down | feet_up


def sagittal_axes_world(seq: PoseSequence) -> tuple[np.ndarray, np.ndarray] | None:
    """(forward, up) unit vectors of the person's sagittal plane in BlazePose world axes
    (x right, y down, z away from the camera), or None when the hips cannot be seen.

    The lateral axis is the median right->left hip direction in the floor plane; forward is
    lateral x up, flipped if the facing votes say the other way (the toes where the shins
    stand and the nose, :func:`hingecoach.pose.feet.forward_votes`)."""
    w = seq.world_xyz
    if w is None:  # no world landmarks: no world axes either
        return None
    lhip, rhip = w[:, INDEX["left_hip"]], w[:, INDEX["right_hip"]]
    up = np.array([0.0, -1.0, 0.0])
    axes = floor_axes(np.nanmedian(rhip - lhip, axis=0), up)
    if axes is None:
        return None
    forward = axes[0]
    if forward_votes(w, forward) < 0:
        forward = -forward
    return forward, up


def floor_axes(right: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(forward, right) unit vectors of a person's sagittal plane from their left->right
    direction ``right`` (any length; its component along the vertical axis, y, is dropped) and
    the ``up`` unit vector (y, either sign): forward = up x right. None when ``right`` has no
    horizontal length. The one rule for world landmarks and 3D marker files (TRC)."""
    right = np.array(right, dtype=np.float64)
    right[1] = 0.0
    norm = np.linalg.norm(right)
    if not np.isfinite(norm) or norm < 1e-6:
        return None
    right /= norm
    return np.cross(up, right), right


@dataclass(frozen=True)
class SagittalPlane:
    """How merged joints map into the sagittal plane (u forward, v up): ``image`` (a side view:
    x times ``sign``, y flipped) or ``world`` (3D world landmarks onto ``forward`` and ``up``)."""

    kind: str
    sign: float = 1.0
    forward: np.ndarray | None = None
    up: np.ndarray | None = None

    def project(self, merged: np.ndarray) -> np.ndarray:
        """(..., 2) sagittal points of (..., dims) merged joints (image xy, or world xyz)."""
        if self.kind == "world":
            return np.stack([merged @ self.forward, merged @ self.up], axis=-1)
        return merged * np.array([self.sign, -1.0])


def sagittal_plane(seq: PoseSequence) -> SagittalPlane:
    """The image for a side view, the 3D world landmarks rotated into the body's plane for
    oblique and front views (the image plane is not the sagittal plane there)."""
    axes = None
    if seq.view in ("oblique", "front") and seq.world_xyz is not None:
        axes = sagittal_axes_world(seq)
    if axes is None:
        return SagittalPlane("image", sign=forward_sign(seq))
    return SagittalPlane("world", forward=axes[0], up=axes[1])


def sagittal_points(seq: PoseSequence, min_visibility: float) -> tuple[np.ndarray, str]:
    """Merged joints in the sagittal plane (u forward, v up), (frames, joints, 2) in ``JOINTS``
    order, and the plane used (:func:`sagittal_plane`)."""
    plane = sagittal_plane(seq)
    if plane.kind == "world":
        return plane.project(merged_array(seq.replace(xyz=seq.world_xyz), min_visibility)), "world"
    return plane.project(merged_array(seq, min_visibility, dims=2)), "image"


def compute_kinematics(seq: PoseSequence, *, filtered: bool = True) -> Kinematics:
    """All sagittal measures of ``seq``: merge sides, fill short gaps, low-pass, then measure."""
    cfg = section("kinematics")
    stacked, plane = sagittal_points(seq, cfg["min_visibility"])  # (T, J, 2)
    history = list(seq.history) + [f"sagittal plane from {plane} landmarks"]
    stacked = interpolate_gaps(stacked, seq.t_s, cfg["max_gap_s"])
    if filtered:
        stacked = lowpass_zero_phase(stacked, seq.fps, cfg["lowpass_hz"])
        history.append(f"butterworth-2 zero-phase low-pass {cfg['lowpass_hz']} Hz")
    p = {j: stacked[:, i] for i, j in enumerate(JOINTS)}
    back_bend = seq.channels.get("back_bend_deg")
    kin = measure(p, seq.t_s, seq.fps, seq.facing, seq.view, back_bend, tuple(history))
    kin.series.update(image_series(seq))
    return kin


def image_series(seq: PoseSequence) -> dict[str, np.ndarray]:
    """Per-frame lengths in the image plane, for what a front camera can see (the sagittal
    angles lie along its axis there). Left and right are averaged: both sides face the camera.

    * ``stance_width_ratio``: ankle spacing over shoulder width;
    * ``torso_image_px``: mid-hip to mid-shoulder; the trunk leaning towards the camera shortens
      it (to cos(lean) of its standing length, seen from far enough);
    * ``thigh_image_px``: hip to knee; the knees travelling forward in a squat shorten it;
    * ``leg_image_px``: hip to knee to ankle, the scale for hip travel;
    * ``hip_image_y_px``: the mid-hip's height in the image (down is positive): the hips going
      down, not back;
    * ``hands_from_shoulders_frac_torso``: the farther wrist's distance from the mid-shoulder,
      over the hip-shoulder length: near 0 when both hands are at the shoulders (a bar on the
      back, a bell held at the chest, hands behind the head), about 1 with the arms hanging."""
    def mid(name: str) -> np.ndarray:
        return (seq.point(f"left_{name}")[:, :2] + seq.point(f"right_{name}")[:, :2]) / 2

    def length(a: str, b: str) -> np.ndarray:
        return np.mean([np.linalg.norm(seq.point(f"{side}_{a}")[:, :2] - seq.point(f"{side}_{b}")[:, :2], axis=1)
                        for side in ("left", "right")], axis=0)

    thigh = length("hip", "knee")
    shoulder = mid("shoulder")
    torso = np.linalg.norm(shoulder - mid("hip"), axis=1)
    wrist_from_shoulder = np.fmax(*(np.linalg.norm(seq.point(f"{side}_wrist")[:, :2] - shoulder, axis=1)
                                    for side in ("left", "right")))
    with np.errstate(invalid="ignore", divide="ignore"):
        hands = wrist_from_shoulder / torso
    return {
        "stance_width_ratio": stance_width_ratio(seq),
        "torso_image_px": torso,
        "thigh_image_px": thigh,
        "leg_image_px": thigh + length("knee", "ankle"),
        "hip_image_y_px": mid("hip")[:, 1],
        "hands_from_shoulders_frac_torso": np.where(torso > 0, hands, np.nan),
    }


def stance_width_ratio(seq: PoseSequence) -> np.ndarray:
    """Ankle spacing over shoulder width in the image (meaningful in a front view only)."""
    ankles = np.abs(seq.point("left_ankle")[:, 0] - seq.point("right_ankle")[:, 0])
    shoulders = np.abs(seq.point("left_shoulder")[:, 0] - seq.point("right_shoulder")[:, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = ankles / shoulders
    ratio[~(shoulders > 1e-6)] = np.nan
    return ratio


def measure(p: dict[str, np.ndarray], t_s: np.ndarray, fps: float, facing: str = "unknown",
            view: str = "unknown", back_bend_deg: np.ndarray | None = None,
            history: tuple[str, ...] = ()) -> Kinematics:
    """Measures from sagittal joint positions ``p`` (frames, 2 per joint)."""
    n = t_s.shape[0]
    hip, knee, ankle, sh, ear = p["hip"], p["knee"], p["ankle"], p["shoulder"], p["ear"]
    hip_angle = included_angle_deg(sh - hip, knee - hip)
    knee_angle = included_angle_deg(hip - knee, ankle - knee)
    shin = _from_vertical(ankle, knee)
    trunk = _from_vertical(hip, sh)
    thigh = _from_vertical(knee, hip)
    neck = _signed_turn(sh - hip, ear - sh)
    torso_len = np.linalg.norm(sh - hip, axis=1)
    eh = ear - hip
    with np.errstate(invalid="ignore", divide="ignore"):
        # signed distance of the shoulder from the ear-hip line; positive = behind/above the
        # line on the back side (rounded upper back bulges away from the front)
        cross = eh[:, 0] * (sh - hip)[:, 1] - eh[:, 1] * (sh - hip)[:, 0]
        shoulder_drop = cross / np.linalg.norm(eh, axis=1) / torso_len
        wrist_height = (p["wrist"][:, 1] - sh[:, 1]) / torso_len
    thigh_len = np.linalg.norm(hip - knee, axis=1)
    shank_len = np.linalg.norm(knee - ankle, axis=1)
    leg_samples = thigh_len + shank_len
    leg_length = float(np.nanmedian(leg_samples)) if np.isfinite(leg_samples).any() else float("nan")
    rel = hip - ankle
    ref = standing_reference(hip_angle, rel)
    with np.errstate(invalid="ignore"):
        hip_back = -(rel[:, 0] - ref[0]) / leg_length
        hip_down = (ref[1] - rel[:, 1]) / leg_length
    com = centre_of_mass(p)
    series = {
        "hip_angle_deg": hip_angle,
        "knee_angle_deg": knee_angle,
        "shin_angle_deg": shin,
        "trunk_angle_deg": trunk,
        "thigh_angle_deg": thigh,
        "neck_angle_deg": neck,
        "shoulder_drop_frac_torso": shoulder_drop,
        "wrist_height_frac_torso": wrist_height,
        "hip_back_frac_leg": hip_back,
        "hip_down_frac_leg": hip_down,
        "com_foot_frac": _foot_frac(com[:, 0], p["heel"][:, 0], p["toe"][:, 0]),
        "hip_foot_frac": _foot_frac(hip[:, 0], p["heel"][:, 0], p["toe"][:, 0]),
        "back_bend_deg": (np.full(n, np.nan) if back_bend_deg is None
                          else np.asarray(back_bend_deg, dtype=np.float64)),
    }
    implausible = implausible_frames(p, trunk)
    for values in series.values():
        values[implausible] = np.nan
    points = dict(p)
    points["com"] = com
    return Kinematics(t_s=t_s, fps=fps, facing=facing, view=view, leg_length=leg_length,
                      points=points, series=series, history=history)
