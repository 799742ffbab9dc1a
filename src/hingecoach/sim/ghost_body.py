"""The ghost's body: the person's segment lengths, read off a side view, on the simulator's body.

Thigh, shank, torso (hip joint to shoulder), upper arm and forearm are measured in the image
plane on the standing frames (hips and knees near straight: the leg and trunk segments stand
vertical in the image plane, where neither a few degrees of camera yaw nor the leg's splay
shortens them), as medians over those frames. Three things BlazePose does are undone:

* **Perspective of the near side.** The side facing the camera is closer to it than the body's
  midline (by half the shoulder, hip or stance width: 9-17 cm at 3 m, 3-5% bigger in the
  image), the far side as much farther. The kinematics' side merge weights the near side
  (visibility 0.97 against the hidden side's 0.45), so its segments read 1-2% long and the
  arms up to 5%; here each segment is measured on each side on its own (both ends on that
  side: BlazePose may see the hidden heel and not the hidden knee) and the two sides' lengths
  averaged, which sits at the midline's scale to second order (a left/right label swap of the
  whole limb leaves it unchanged).
* **The ankle point.** BlazePose places the ankle a few centimetres off the joint centre (about
  3 cm in a random direction in our rendered figures: sim.noise), 7% of a shank; its heel point
  is placed at the back of the heel reliably. The ankle joint centre is placed from the heel by
  the average adult's foot (a quarter of the foot's length forward of the heel and the ankle's
  height up: Winter's proportions, sim.chain.foot_offsets), scaled by the stature read off the
  image; the shank is knee to that point. A kneeling person's foot lies plantarflexed on its
  back (the simulator's kneeling foot), so the offset is turned with it.
* **The elbow point** sits centimetres above the joint: the arm is measured whole and split by
  the average proportion (:data:`UPPER_ARM_SHARE`).

* **BlazePose's own offsets** (:mod:`hingecoach.sim.landmark_bias`, measured on rendered
  figures by ``python -m bench.ghost_bias``), on BlazePose's landmarks only: its shoulder
  point sits 1.8% of stature (3 cm) above the joint (the torso 6-12% long), undone; its hip
  point sits below the joint on a slim pelvis and above it on a heavy one (the thigh 5% off
  either way), but on the joint once the hips flex, so the thigh is read on the frames with
  the hips flexed 20-70 deg (``[ghost_body]``). The arm is read where it hangs straight: a
  good morning's hands behind the neck fold it, and BlazePose's elbow point off the joint
  reads a folded arm 7-21% short (rendered figures), so the average proportion then; landmarks
  with the elbow on the joint (the simulator's) add the two segments on every standing frame.

Not undone: a camera above hip height looking down sees the shank farther away than the hips
(about -10% a metre of camera height above its aim point). Its pitch is not read off the
image: a side view's landmarks hold it only at second order (a vertical segment's scale falls
as the square of its depth), and the one horizontal reference, the foot's length against the
shank's, moves 5% at the suite's steepest pitch against 4% or more of people's own variation.

The image scale comes from the standing ear's height above the heel, a steady fraction of
stature (:data:`EAR_ABOVE_HEEL_FRAC`), averaged with the leg and torso over theirs. With the
person's height known the ghost is in true metres, else at a nominal stature (its proportions
are the person's either way).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hingecoach.config import section
from hingecoach.kinematics.angles import JOINTS, included_angle_deg, sagittal_plane
from hingecoach.kinematics.filters import interpolate_gaps, lowpass_zero_phase
from hingecoach.pose.schema import INDEX, PAIRS
from hingecoach.sim.body import Body, make_body
from hingecoach.sim.chain import CHANNELS, kneel_foot_offsets, standing_posture
from hingecoach.sim.landmark_bias import carries_blazepose_bias, undo_up, up_frac

if TYPE_CHECKING:
    from hingecoach.kinematics import Kinematics
    from hingecoach.pose import PoseSequence

#: Stature assumed when the person's height is not known (only the absolute constants of the
#: simulator, such as the bar's height, read it; proportions come from the person).
NOMINAL_HEIGHT_M = 1.70
#: Fewest standing frames the segment lengths are measured on.
MIN_STANDING_FRAMES = 5
#: The segments measured, each as its two end joints.
#: The upper arm's share of the arm (shoulder to wrist), Winter's 0.186 of stature against the
#: forearm's 0.146. The arm is measured whole and split so: BlazePose puts its elbow point
#: several centimetres above the joint (rendered figures, bench.ghost_sim --rendered: 5-9 cm,
#: upper arms read 6-18% short and forearms 4-25% long; on the real side-view clips the upper
#: arm reads 0.17-0.18 of stature and the forearm 0.16-0.17, their sum 0.33-0.34 as Winter's).
UPPER_ARM_SHARE = 0.186 / (0.186 + 0.146)
#: The BlazePose index of each sagittal joint, on the left and on the right side.
SIDE_INDEX = tuple(np.array([INDEX[PAIRS[j][k]] for j in JOINTS]) for k in (0, 1))
SEGMENT_JOINTS = {"thigh": ("hip", "knee"), "shank": ("knee", "ankle"), "torso": ("hip", "shoulder"),
                  "upper_arm": ("shoulder", "elbow"), "forearm": ("elbow", "wrist")}


def channels_of(values: dict[str, float], n: int = 1) -> dict[str, np.ndarray]:
    """Every chain channel as an (n,) array: ``values`` over the defaults (the defaults stand
    tall with soft knees, the arms hanging)."""
    return {k: np.full(n, float(values.get(k, v))) for k, v in CHANNELS.items()}


def _standing_points(body: Body) -> dict[str, np.ndarray]:
    """(2,) points of ``body`` standing tall (soft knees, arms hanging; X forward, Y up from
    the floor): the ear, the head's top, the hip joint, the shoulder, the heel point, the ankle."""
    from hingecoach.sim.pose3d import _head_points

    p = standing_posture(body, channels_of({}), np.zeros(1))
    up, leg = p["upper"], p["left"]
    head = _head_points(body, up["head_centre"], up["head_dir"])
    return {"ear": head["left_ear"][0, :2], "head_top": head["head_top"][0, :2], "hip": leg["hip"][0],
            "shoulder": up["shoulder"][0], "heel": leg["heel"][0], "ankle": leg["ankle"][0], "knee": leg["knee"][0]}


def standing_height_m(body: Body) -> float:
    """The body's stature as a tape measures it: the head's top above the floor, standing tall.
    The simulator's ``height_m`` is a nominal stature its proportions are fractions of; a body
    with long femurs stands taller than it (0.99 of it with the average proportions)."""
    return float(_standing_points(body)["head_top"][1])


def _standard_fractions() -> tuple[float, float, float, np.ndarray, np.ndarray]:
    """(ear above the heel point, hip joint to shoulder, stature, heel point to ankle (forward,
    up) standing, the same kneeling) as fractions of the nominal stature of the simulator's
    average adult."""
    body = make_body(1.0)
    p = _standing_points(body)
    return (float(p["ear"][1] - p["heel"][1]), float(np.linalg.norm(p["shoulder"] - p["hip"])),
            standing_height_m(body), p["ankle"] - p["heel"], -kneel_foot_offsets(body)["heel"])


EAR_ABOVE_HEEL_FRAC, TORSO_FRAC, STATURE_FRAC, HEEL_TO_ANKLE_FRAC, KNEEL_HEEL_TO_ANKLE_FRAC = _standard_fractions()


def standing_frames(kin: Kinematics, kneeling: bool = False) -> np.ndarray:
    """Frames standing tall: hip angle within 10 deg of its 95th percentile, knees within 15 deg
    of straight (not asked ``kneeling``: upright kneeling), trunk within 15 deg of upright."""
    hip, knee, trunk = kin["hip_angle_deg"], kin["knee_angle_deg"], kin["trunk_angle_deg"]
    ok = np.isfinite(hip) & np.isfinite(knee) & np.isfinite(trunk)
    if not ok.any():
        return ok
    top = np.percentile(hip[ok], 95)
    with np.errstate(invalid="ignore"):
        return ok & (hip >= top - 10.0) & ((knee >= 165.0) | kneeling) & (np.abs(trunk) <= 15.0)


def side_points(seq: PoseSequence, kin: Kinematics) -> list[dict[str, np.ndarray]]:
    """Each side's joints in the sagittal plane (the kinematics' units and filtering), NaN
    where that side's point is not seen: [left, right]. Views other than a side view read the
    kinematics' own merged points once (world landmarks, no perspective)."""
    plane = sagittal_plane(seq)
    if plane.kind != "image":
        return [dict(kin.points)]
    cfg = section("kinematics")
    out = []
    for idx in SIDE_INDEX:
        xy = np.where((seq.visibility[:, idx] >= cfg["min_visibility"])[..., None], seq.xyz[:, idx, :2], np.nan)
        p = plane.project(xy)
        p = lowpass_zero_phase(interpolate_gaps(p, seq.t_s, cfg["max_gap_s"]), seq.fps, cfg["lowpass_hz"])
        out.append({j: p[:, i] for i, j in enumerate(JOINTS)})
    return out


def _median_length(a: np.ndarray, b: np.ndarray) -> float:
    d = np.linalg.norm(a - b, axis=1)
    return float(np.nanmedian(d)) if np.isfinite(d).sum() >= MIN_STANDING_FRAMES else float("nan")


def _median_rise(a: np.ndarray, b: np.ndarray) -> float:
    up = b[:, 1] - a[:, 1]
    return float(np.nanmedian(up)) if np.isfinite(up).sum() >= MIN_STANDING_FRAMES else float("nan")


def _both_sides(values: list[float]) -> float:
    """The plain mean of the sides' readings that exist (the near side's scale is 3-5% over the
    midline's, the far side's as much under: the mean sits at the midline's)."""
    seen = [v for v in values if np.isfinite(v)]
    return float(np.mean(seen)) if seen else float("nan")


def _straight_arm_length(p: dict[str, np.ndarray]) -> float:
    """Shoulder to elbow to wrist, median over the frames with the elbow near straight
    (``[ghost_body] arm_straight_min_deg``: hands behind the neck or at the chest fold it)."""
    lo = section("ghost_body")["arm_straight_min_deg"]
    upper, fore = p["elbow"] - p["shoulder"], p["wrist"] - p["elbow"]
    with np.errstate(invalid="ignore"):
        straight = included_angle_deg(-upper, fore) >= lo
    arm = np.linalg.norm(upper[straight], axis=1) + np.linalg.norm(fore[straight], axis=1)
    return float(np.nanmedian(arm)) if np.isfinite(arm).sum() >= MIN_STANDING_FRAMES else float("nan")


def _read_lengths(sides: list[dict[str, np.ndarray]], kneeling: bool) -> dict[str, float]:
    """Each leg and trunk segment's length, the straight arm and the ear over the heel from the standing frames' points of each side (medians, then the mean of the
    sides)."""
    out = {name: _both_sides([_median_length(p[a], p[b]) for p in sides]) for name, (a, b) in SEGMENT_JOINTS.items()}
    out["arm"] = _both_sides([_straight_arm_length(p) for p in sides])
    out["ear_above_heel"] = float("nan") if kneeling else _both_sides([_median_rise(p["heel"], p["ear"]) for p in sides])
    return out


def _flexed(all_sides: list[dict[str, np.ndarray]], kin: Kinematics, a: str, b: str) -> float:
    """Joint ``a`` to joint ``b`` (medians, then the mean of the sides) on the frames with the hips flexed within
    ``[ghost_body] thigh_read_flexion_deg``, where BlazePose's hip point sits on the joint
    whatever the build (module doc); NaN with too few such frames."""
    lo, hi = section("ghost_body")["thigh_read_flexion_deg"]
    with np.errstate(invalid="ignore"):
        flexion = 180.0 - kin["hip_angle_deg"]
        flexed = (flexion >= lo) & (flexion <= hi)
    return _both_sides([_median_length(p[a][flexed], p[b][flexed]) for p in all_sides])


def _undo_blazepose(sides: list[dict[str, np.ndarray]], raw: dict[str, float], all_sides: list[dict[str, np.ndarray]],
                    kin: Kinematics, kneeling: bool) -> tuple[dict[str, float], list[dict[str, np.ndarray]]]:
    """The lengths with BlazePose's offsets undone (:mod:`hingecoach.sim.landmark_bias`): each
    point moved to its joint's height at the stature the raw lengths give (not the arm's: its
    shoulder and wrist points sit alike, see ``[landmark_bias]``), and the thigh read
    where the hips flex (unless kneeling, or too few such frames), where the hip point's
    build-dependent height is gone; and the standing points so moved."""
    stature = stature_px_of(raw)
    undone = [undo_up(p, stature, up_frac()) for p in sides]
    out = _read_lengths(undone, kneeling)
    out["arm"] = raw["arm"]
    thigh = float("nan") if kneeling else _flexed(all_sides, kin, "hip", "knee")
    if np.isfinite(thigh) and thigh > 0:
        out["thigh"] = thigh
    return out, undone


def measure_segments_px(seq: PoseSequence, kin: Kinematics, kneeling: bool = False) -> dict[str, float] | None:
    """The person's segments in the sagittal plane's units (image pixels for a side view): on
    each side, the median over the standing frames, then the mean of the two sides (upright
    kneeling ``kneeling``: the shank lies on the floor, in the image plane still, and the ear's
    height is not read); BlazePose's landmark offsets undone on its landmarks; the shank to the
    ankle placed from the heel (module doc). None with too few standing frames or a leg or
    torso segment unseen."""
    stand = standing_frames(kin, kneeling)
    if stand.sum() < MIN_STANDING_FRAMES:
        return None
    all_sides = side_points(seq, kin)
    sides = [{j: v[stand] for j, v in side.items()} for side in all_sides]
    out = _read_lengths(sides, kneeling)
    if not all(np.isfinite(out[k]) and out[k] > 0 for k in ("thigh", "shank", "torso")):
        return None
    if carries_blazepose_bias(seq.meta):
        out, sides = _undo_blazepose(sides, out, all_sides, kin, kneeling)
        arm = out.pop("arm")  # the elbow point slides along a straight arm: the sum holds
    else:  # an elbow point on the joint: the two segments add up however the arm folds
        arm = out["upper_arm"] + out["forearm"]
        out.pop("arm")
    out["upper_arm"], out["forearm"] = UPPER_ARM_SHARE * arm, (1.0 - UPPER_ARM_SHARE) * arm
    heel_to_ankle = (KNEEL_HEEL_TO_ANKLE_FRAC if kneeling else HEEL_TO_ANKLE_FRAC) * stature_px_of(out)
    from_heel = _both_sides([_median_length(p["knee"], p["heel"] + heel_to_ankle) for p in sides])
    if np.isfinite(from_heel) and from_heel > 0:
        out["shank"] = from_heel
    return out


@dataclass(frozen=True)
class GhostBody:
    """The simulator's body at the person's proportions; ``px_per_m`` maps its metres to the
    sagittal plane's units; ``height_known``: its metres are true (the person's height given)."""

    body: Body
    px_per_m: float
    height_known: bool
    segments_px: dict[str, float]

    def segments_m(self) -> dict[str, float]:
        """The ghost's own segment lengths (metres), the same five as measured."""
        b = self.body
        return {"thigh": b.thigh_m, "shank": b.shank_m, "torso": torso_m(b), "upper_arm": b.upper_arm_m,
                "forearm": b.forearm_m}


def torso_m(body: Body) -> float:
    """Hip joint to shoulder, standing with a neutral spine (the chain's geometry)."""
    p = standing_posture(body, channels_of({}), np.zeros(1))
    return float(np.linalg.norm(p["upper"]["shoulder"][0] - p["left"]["hip"][0]))


def stature_px_of(segments_px: dict[str, float]) -> float:
    """Stature in the image: the mean of two readings, the standing ear over the heel and the
    leg plus torso, each over its share of the average adult's stature (either alone is off by
    the ear point's few centimetres or the person's proportions)."""
    by_segments = (segments_px["thigh"] + segments_px["shank"] + segments_px["torso"]) / (0.491 + TORSO_FRAC)
    ear = segments_px.get("ear_above_heel", float("nan"))
    return by_segments if not np.isfinite(ear) else 0.5 * (ear / EAR_ABOVE_HEEL_FRAC + by_segments)


def fit_body(segments_px: dict[str, float], height_cm: float | None = None) -> GhostBody:
    """A simulator body with the measured segments: stature from the ear's height (the scale),
    each segment's own length set from its measure (arms at the average proportion when unseen).
    ``height_cm`` is the person's stature (head top above the floor), the simulator's nominal
    stature times :data:`STATURE_FRAC`."""
    height_m = height_cm / 100.0 / STATURE_FRAC if height_cm else NOMINAL_HEIGHT_M
    stature_px = stature_px_of(segments_px)
    s = stature_px / height_m
    m = {k: v / s for k, v in segments_px.items()}
    h = height_m
    body = make_body(h, femur_scale=m["thigh"] / (0.245 * h), tibia_scale=m["shank"] / (0.246 * h),
                     torso_scale=m["torso"] / (TORSO_FRAC * h))
    upper = m.get("upper_arm", float("nan"))
    fore = m.get("forearm", float("nan"))
    upper = upper if np.isfinite(upper) and upper > 0 else 0.186 * h
    fore = fore if np.isfinite(fore) and fore > 0 else 0.146 * h
    body = dataclasses.replace(body, upper_arm_m=upper, forearm_m=fore,
                               hand_m=0.108 * h * (upper + fore) / (0.332 * h))
    return GhostBody(body=body, px_per_m=s, height_known=bool(height_cm), segments_px=dict(segments_px))
