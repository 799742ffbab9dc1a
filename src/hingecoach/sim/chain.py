"""Forward kinematics of the body model in the sagittal plane, plus balance.

Coordinates: X forward (the way the person faces), Y up, metres, floor at Y = 0. A direction
angle is measured from vertical, positive tipping forward: unit vector (sin a, cos a).

Posture channels (each a (frames,) array, see ``CHANNELS``) drive the chain:

* ``knee_deg``: included knee angle (180 = straight), both legs;
* ``hip_flex_deg``: pelvis-on-thigh flexion (0 = standing tall; negative = hip extension);
* ``lumbar_flex_deg``, ``thoracic_flex_deg``, ``neck_flex_deg``: spine bends on top of the
  neutral curves (positive = flexion/rounding, negative = extension/arching);
* ``pelvis_rock_deg``: posterior pelvic tilt against the lumbar spine (the pelvis tucks, L5/S1
  flexes by the same amount, the trunk above is unchanged);
* ``com_frac``: where the whole-body centre of mass must sit along the foot (0 = heel
  landmark, 1 = toe landmark): the shin angle is solved so that it does (standing only);
* ``arm_deg`` (upper arm from hanging vertically, world frame, positive forward; measured
  from the upper trunk's direction instead as ``arm_on_trunk`` goes to 1: hands held behind
  the neck follow the trunk as it tips), ``elbow_flex_deg``;
* ``root_x_m``: the ankles' X (standing) or the knees' X (kneeling);
* ``walk_amp`` (0-1) and ``walk_phase_rad``: leg swing while walking in or out;
* ``kneel_trunk_deg``: trunk inclination commanded in the kneeling hinge (the hip flexion is
  derived from it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hingecoach.sim.body import MASS_FRACTIONS, SPINE, Body

CHANNELS: dict[str, float] = {
    "root_x_m": 0.0, "walk_amp": 0.0, "walk_phase_rad": 0.0, "knee_deg": 177.0,
    "hip_flex_deg": 0.0, "lumbar_flex_deg": 0.0, "thoracic_flex_deg": 0.0,
    "neck_flex_deg": 0.0, "pelvis_rock_deg": 0.0, "com_frac": 0.45, "arm_deg": 0.0,
    "elbow_flex_deg": 8.0, "kneel_trunk_deg": 0.0, "arm_on_trunk": 0.0,
}

SHIN_RANGE_DEG = (-20.0, 45.0)  # ankle plantar/dorsiflexion limits for a flat foot


def unit(angle_deg: np.ndarray) -> np.ndarray:
    """(frames, 2) unit vectors for direction angles from vertical (positive forward)."""
    a = np.radians(angle_deg)
    return np.stack([np.sin(a), np.cos(a)], axis=-1)


def normal(angle_deg: np.ndarray) -> np.ndarray:
    """Forward-pointing normal of a segment whose direction is ``angle_deg``."""
    a = np.radians(angle_deg)
    return np.stack([np.cos(a), -np.sin(a)], axis=-1)


def _rotate(vec: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotate 2-D vector(s) counter-clockwise (x forward, y up) by ``angle_deg``."""
    a = np.radians(angle_deg)
    c, s = np.cos(a), np.sin(a)
    return np.stack([c * vec[..., 0] - s * vec[..., 1], s * vec[..., 0] + c * vec[..., 1]], -1)


# -- feet ---------------------------------------------------------------------------------
def foot_offsets(body: Body) -> dict[str, np.ndarray]:
    """Heel and toe landmarks relative to the ankle centre for a flat foot (the ankle sits
    about a quarter of the foot length in front of the heel)."""
    h, L = body.height_m, body.foot_length_m
    return {
        "heel": np.array([-0.22 * L, 0.015 * h - body.ankle_height_m]),
        "toe": np.array([0.74 * L, 0.012 * h - body.ankle_height_m]),
    }


KNEEL_FOOT_ROTATION_DEG = -160.0  # plantarflexed foot, dorsum on the floor, toes behind


def kneel_foot_offsets(body: Body) -> dict[str, np.ndarray]:
    return {k: _rotate(v, KNEEL_FOOT_ROTATION_DEG) for k, v in foot_offsets(body).items()}


# -- legs ---------------------------------------------------------------------------------
def thigh_dir_deg(knee_deg: np.ndarray, shin_deg: np.ndarray) -> np.ndarray:
    """Knee->hip direction from the shin direction and the included knee angle."""
    return knee_deg - 180.0 + shin_deg


def standing_leg(body: Body, root_x: np.ndarray, shin_deg: np.ndarray, knee_deg: np.ndarray
                 ) -> dict[str, np.ndarray]:
    """Leg built upwards from a flat foot with the ankle at ``root_x``."""
    n = root_x.shape[0]
    ankle = np.stack([root_x, np.full(n, body.ankle_height_m)], axis=-1)
    knee = ankle + body.shank_m * unit(shin_deg)
    phi = thigh_dir_deg(knee_deg, shin_deg)
    hip = knee + body.thigh_m * unit(phi)
    off = foot_offsets(body)
    return {"ankle": ankle, "knee": knee, "hip": hip, "heel": ankle + off["heel"],
            "toe": ankle + off["toe"], "thigh_dir": phi, "shin_dir": shin_deg}


def kneeling_leg(body: Body, root_x: np.ndarray, knee_deg: np.ndarray) -> dict[str, np.ndarray]:
    """Leg on the floor: knee at ``root_x`` resting on the floor, shin back along the floor,
    foot plantarflexed; the thigh turns about the knee. The hip cannot sink below the heels
    plus the buttock (the heels are the seat)."""
    h = body.height_m
    off = kneel_foot_offsets(body)
    toe_floor_y = 0.012 * h
    ankle_y = toe_floor_y - off["toe"][1]
    knee_y = 0.03 * h
    dx = np.sqrt(body.shank_m ** 2 - (knee_y - ankle_y) ** 2)
    n = root_x.shape[0]
    knee = np.stack([root_x, np.full(n, knee_y)], axis=-1)
    ankle = np.stack([root_x - dx, np.full(n, ankle_y)], axis=-1)
    shin = np.degrees(np.arctan2(knee[:, 0] - ankle[:, 0], knee[:, 1] - ankle[:, 1]))
    phi = thigh_dir_deg(knee_deg, shin)
    seat_y = ankle_y + off["heel"][1] + 0.06 * h
    cos_min = np.clip((seat_y - knee_y) / body.thigh_m, -1.0, 1.0)
    phi = np.maximum(phi, -np.degrees(np.arccos(cos_min)))
    hip = knee + body.thigh_m * unit(phi)
    return {"ankle": ankle, "knee": knee, "hip": hip, "heel": ankle + off["heel"],
            "toe": ankle + off["toe"], "thigh_dir": phi, "shin_dir": shin}


def walking_legs(body: Body, hip: np.ndarray, phi: np.ndarray, knee_deg: np.ndarray,
                 amp: np.ndarray, phase: np.ndarray) -> tuple[dict, dict, np.ndarray]:
    """Left and right legs hung from the hip with a pendulum swing (hip +-22 degrees, knee
    flexing up to 55 degrees in swing); returns (left, right, lift) where ``lift`` (frames,)
    must be added to every Y so that the lower foot stands on the floor."""
    legs = []
    for offset in (0.0, np.pi):
        ph = phase + offset
        swing = 22.0 * amp * np.sin(ph)
        bend = 55.0 * amp * np.clip(np.cos(ph), 0.0, None) ** 1.5
        phi_s = phi - swing
        k_s = knee_deg - bend
        knee = hip - body.thigh_m * unit(phi_s)
        shin = phi_s + 180.0 - k_s
        ankle = knee - body.shank_m * unit(shin)
        off = foot_offsets(body)
        legs.append({"ankle": ankle, "knee": knee, "hip": hip.copy(), "heel": ankle + off["heel"],
                     "toe": ankle + off["toe"], "thigh_dir": phi_s, "shin_dir": shin})
    lowest = np.minimum(legs[0]["ankle"][:, 1], legs[1]["ankle"][:, 1])
    lift = body.ankle_height_m - lowest
    return legs[0], legs[1], lift


# -- upper body ---------------------------------------------------------------------------
def _spine_dirs(body: Body, r: np.ndarray, ch: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Absolute direction of each spine segment (see body.SPINE) for pelvis rotation ``r``."""
    fl, ft, fn = ch["lumbar_flex_deg"], ch["thoracic_flex_deg"], ch["neck_flex_deg"]
    bends = [-ch["pelvis_rock_deg"], fl / 2, fl, fl + ft / 2, fl + ft, fl + ft + fn]
    return [base + r + b for (_, _, base), b in zip(SPINE, bends, strict=False)]


def _shoulder_offset(body: Body, c7: np.ndarray, thor_dir: np.ndarray) -> np.ndarray:
    """Glenohumeral centre: about 2 cm in front of and 2.5 cm below C7 in the thorax frame."""
    h = body.height_m * body.torso_scale
    return c7 + 0.020 * h * normal(thor_dir) - 0.025 * h * unit(thor_dir)


def spine_chain_points(body: Body, hip: np.ndarray, r: np.ndarray, ch: dict[str, np.ndarray]
                  ) -> dict[str, np.ndarray]:
    dirs = _spine_dirs(body, r, ch)
    pts = {"pelvis": hip}
    prev = hip
    for (name, _, _), length, d in zip(SPINE, body.spine_m, dirs, strict=False):
        prev = prev + length * unit(d)
        pts[name] = prev
    pts["shoulder"] = _shoulder_offset(body, pts["neck"], dirs[4])
    pts["_dirs"] = np.stack(dirs, axis=-1)
    return pts


def neutral_offset_deg(body: Body) -> float:
    """Direction of hip->shoulder with the pelvis unrotated and a neutral spine; subtracted
    so that hip flexion 0 with a neutral spine puts the shoulder straight above the knee line
    (hip angle exactly 180)."""
    zero = {k: np.zeros(1) for k in CHANNELS}
    pts = spine_chain_points(body, np.zeros((1, 2)), np.zeros(1), zero)
    d = pts["shoulder"][0] - pts["pelvis"][0]
    return float(np.degrees(np.arctan2(d[0], d[1])))


def upper_body(body: Body, hip: np.ndarray, phi: np.ndarray, ch: dict[str, np.ndarray]
               ) -> dict[str, np.ndarray]:
    """Spine, head and arm points from the hip centre and the thigh direction ``phi``."""
    r = phi + ch["hip_flex_deg"] - neutral_offset_deg(body)
    pts = spine_chain_points(body, hip, r, ch)
    dirs = pts.pop("_dirs")
    head_dir = dirs[:, 5] + 0.5 * ch["neck_flex_deg"]
    pts["head_dir"] = head_dir
    pts["trunk_dirs"] = dirs
    arm = _arm_clear_of_floor(body, pts["shoulder"][:, 1], ch["arm_deg"] + ch["arm_on_trunk"] * dirs[:, 4])
    up_arm = np.stack([np.sin(np.radians(arm)), -np.cos(np.radians(arm))], axis=-1)
    fore = arm + ch["elbow_flex_deg"]
    fore_v = np.stack([np.sin(np.radians(fore)), -np.cos(np.radians(fore))], axis=-1)
    pts["elbow"] = pts["shoulder"] + body.upper_arm_m * up_arm
    pts["wrist"] = pts["elbow"] + body.forearm_m * fore_v
    pts["hand_dir"] = fore_v
    return pts


def _arm_clear_of_floor(body: Body, shoulder_y: np.ndarray, arm_deg: np.ndarray) -> np.ndarray:
    """Swing a hanging arm forward just enough that the fingers stay 3 cm above the floor
    (a person sitting back on the heels rests the hands forward, not through the floor)."""
    reach = body.upper_arm_m + body.forearm_m + 0.5 * body.hand_m
    cos_max = np.clip((shoulder_y - 0.03) / reach, -1.0, 1.0)
    return np.maximum(arm_deg, np.degrees(np.arccos(cos_max)))


# -- centre of mass -----------------------------------------------------------------------
def centre_of_mass(body: Body, legs: tuple[dict, dict], up: dict[str, np.ndarray]) -> np.ndarray:
    """Whole-body centre of mass (frames, 2) from Dempster's segment table. Trunk masses sit
    4 cm (0.023 H) in front of the vertebral bodies: the spine is at the back of the trunk."""
    m = MASS_FRACTIONS
    h = body.height_m
    total = np.zeros_like(up["pelvis"])
    for leg in legs:
        total += m["foot"] * (leg["heel"] + leg["toe"]) / 2
        total += m["shank"] * (leg["knee"] + 0.433 * (leg["ankle"] - leg["knee"]))
        total += m["thigh"] * (leg["hip"] + 0.433 * (leg["knee"] - leg["hip"]))
    dirs = up["trunk_dirs"]
    total += m["pelvis"] * (up["pelvis"] + 0.4 * (up["sacrum"] - up["pelvis"]))
    total += m["abdomen"] * (up["lumbar"] + 0.023 * h * normal(dirs[:, 1]))
    total += m["thorax"] * (up["thoracic"] + 0.023 * h * normal(dirs[:, 3]))
    total += m["head_neck"] * up["head_centre"]
    hand_c = up["wrist"] + 0.506 * body.hand_m * up["hand_dir"]
    arm = (m["upper_arm"] * (up["shoulder"] + 0.436 * (up["elbow"] - up["shoulder"]))
           + m["forearm"] * (up["elbow"] + 0.43 * (up["wrist"] - up["elbow"]))
           + m["hand"] * hand_c)
    return total + 2 * arm


def com_foot_frac(com_x: np.ndarray, heel_x: np.ndarray, toe_x: np.ndarray) -> np.ndarray:
    return (com_x - heel_x) / (toe_x - heel_x)


# -- whole posture ------------------------------------------------------------------------
def standing_posture(body: Body, ch: dict[str, np.ndarray], shin_deg: np.ndarray) -> dict:
    leg = standing_leg(body, ch["root_x_m"], shin_deg, ch["knee_deg"])
    up = upper_body(body, leg["hip"], leg["thigh_dir"], ch)
    return {"left": leg, "right": leg, "upper": up}


def solve_shin_deg(body: Body, ch: dict[str, np.ndarray], iterations: int = 40) -> np.ndarray:
    """Shin angle per frame that puts the centre of mass at ``com_frac`` along the foot
    (bisection; the CoM moves forward monotonically as the shin tips forward). Clipped to
    the ankle's range of motion, where the CoM then lands wherever it must."""
    n = ch["knee_deg"].shape[0]
    lo = np.full(n, SHIN_RANGE_DEG[0])
    hi = np.full(n, SHIN_RANGE_DEG[1])
    for _ in range(iterations):
        mid = (lo + hi) / 2
        p = standing_posture(body, ch, mid)
        com = centre_of_mass(body, (p["left"], p["right"]), p["upper"])
        frac = com_foot_frac(com[:, 0], p["left"]["heel"][:, 0], p["left"]["toe"][:, 0])
        ahead = frac > ch["com_frac"]
        hi = np.where(ahead, mid, hi)
        lo = np.where(ahead, lo, mid)
    return (lo + hi) / 2


def posture(body: Body, ch: dict[str, np.ndarray], mode: str = "standing") -> dict:
    """Sagittal posture for every frame: {'left': leg, 'right': leg, 'upper': points,
    'com': (frames, 2)}. ``mode`` is 'standing' or 'kneeling'."""
    if mode == "kneeling":
        leg = kneeling_leg(body, ch["root_x_m"], ch["knee_deg"])
        ch = dict(ch)
        ch["hip_flex_deg"] = ch["kneel_trunk_deg"] - leg["thigh_dir"] + ch["hip_flex_deg"]
        up = upper_body(body, leg["hip"], leg["thigh_dir"], ch)
        p: dict[str, Any] = {"left": leg, "right": leg, "upper": up}
    else:
        shin = solve_shin_deg(body, ch)
        p = standing_posture(body, ch, shin)
        if np.any(ch["walk_amp"] > 0):
            p = _with_walking(body, ch, p)
    p["com"] = centre_of_mass(body, (p["left"], p["right"]), p["upper"])
    return p


def _with_walking(body: Body, ch: dict[str, np.ndarray], p: dict) -> dict:
    """Replace the legs of walking frames by swinging legs hung from the same hip."""
    stand = p["left"]
    left, right, lift = walking_legs(body, stand["hip"], stand["thigh_dir"], ch["knee_deg"],
                                     ch["walk_amp"], ch["walk_phase_rad"])
    walking = ch["walk_amp"] > 0
    out = {}
    for side, leg in (("left", left), ("right", right)):
        out[side] = {k: np.where(walking[:, None] if v.ndim == 2 else walking, v, stand[k])
                     for k, v in leg.items()}
    lift = np.where(walking, lift, 0.0)
    for side in ("left", "right"):
        for k in ("ankle", "knee", "hip", "heel", "toe"):
            out[side][k] = out[side][k] + np.stack([np.zeros_like(lift), lift], axis=-1)
    up = upper_body(body, out["left"]["hip"], stand["thigh_dir"], ch)
    return {"left": out["left"], "right": out["right"], "upper": up}
