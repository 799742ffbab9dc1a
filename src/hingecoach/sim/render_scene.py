"""Turn named 3D joint centres into the shape primitives the ray-marcher draws.

The body is a union of tapered capsules and ellipsoids, blended smoothly inside a group
(torso, head, each arm, each leg) and hard-unioned between groups, so limbs held against the
body do not web into it. Each primitive carries a material (skin, shirt, trousers, shoe,
sole, hair, eye, lip) that colours the surface nearest to it.

World frame (the simulator's): X = the person's forward direction, Y = up (floor at Y=0),
Z = to the person's left; metres. Points use BlazePose-33 names plus spine points
("pelvis", "lumbar", "thoracic", "neck", "head_centre"); missing spine points are derived.

Shoes are low-cut: the shoe's top edge sits below the ankle joint so the ankle shows as
skin. (A high collar pulled BlazePose's ankle landmark about 5 cm up in an earlier try.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Primitive kinds and table columns (one row per primitive, float64).
CAPSULE, ELLIPSOID = 0, 1
N_COLS = 23  # kind, a(3), b(3), ra, rb, group, material, radii(3), rotation world->local(9)

# Groups: blended inside, hard union between (see module docstring).
G_TORSO, G_HEAD, G_ARM_L, G_ARM_R, G_LEG_L, G_LEG_R = range(6)
N_GROUPS = 6

# Materials (indices into the palette).
SKIN, SHIRT, TROUSERS, SHOE, SOLE, HAIR, EYE, LIP = range(8)


@dataclass(frozen=True)
class Build:
    """Body shape (girths as radii in metres at 1.75 m height) and outfit colours (linear RGB)."""

    name: str = "average"
    torso_r: float = 0.105
    waist_half_w: float = 0.085
    chest_half_w: float = 0.095
    belly_r: float = 0.0
    thigh_r: float = 0.078
    knee_r: float = 0.05
    calf_r: float = 0.052
    ankle_r: float = 0.032
    upper_arm_r: float = 0.043
    forearm_r: float = 0.035
    wrist_r: float = 0.025
    neck_r: float = 0.05
    colours: dict[int, tuple[float, float, float]] = field(
        default_factory=lambda: {
            SKIN: (0.72, 0.48, 0.36),
            SHIRT: (0.10, 0.22, 0.55),
            TROUSERS: (0.06, 0.06, 0.07),
            SHOE: (0.85, 0.85, 0.85),
            SOLE: (0.25, 0.25, 0.25),
            HAIR: (0.12, 0.07, 0.04),
            EYE: (0.03, 0.03, 0.03),
            LIP: (0.55, 0.25, 0.22),
        }
    )


BUILDS: dict[str, Build] = {
    "average": Build(),
    "heavy": Build(
        name="heavy",
        torso_r=0.13,
        waist_half_w=0.10,
        chest_half_w=0.10,
        belly_r=0.13,
        thigh_r=0.092,
        knee_r=0.058,
        calf_r=0.06,
        ankle_r=0.036,
        upper_arm_r=0.052,
        forearm_r=0.042,
        wrist_r=0.029,
        neck_r=0.058,
        colours={
            SKIN: (0.45, 0.28, 0.18),
            SHIRT: (0.55, 0.12, 0.10),
            TROUSERS: (0.25, 0.27, 0.30),
            SHOE: (0.12, 0.12, 0.14),
            SOLE: (0.80, 0.80, 0.80),
            HAIR: (0.03, 0.03, 0.03),
            EYE: (0.02, 0.02, 0.02),
            LIP: (0.35, 0.15, 0.12),
        },
    ),
}


def _norm(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-9 else v


class _Table:
    """Accumulates primitive rows."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []

    def capsule(self, a, b, ra, rb, group, material) -> None:
        row = np.zeros(N_COLS)
        row[0] = CAPSULE
        row[1:4], row[4:7] = a, b
        row[7], row[8], row[9], row[10] = ra, rb, group, material
        self.rows.append(row)

    def ellipsoid(self, centre, radii, axes, group, material) -> None:
        """``axes`` rows are the ellipsoid's local x, y, z directions in world coordinates."""
        row = np.zeros(N_COLS)
        row[0] = ELLIPSOID
        row[1:4] = centre
        row[4:7] = centre
        row[7] = row[8] = float(np.max(radii))
        row[9], row[10] = group, material
        row[11:14] = radii
        row[14:23] = np.asarray(axes, dtype=np.float64).reshape(9)
        self.rows.append(row)

    def array(self) -> np.ndarray:
        return np.array(self.rows, dtype=np.float64)


def complete_points(points: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Fill in spine points the caller did not give, from hips, shoulders and ears."""
    p = {k: np.asarray(v, dtype=np.float64) for k, v in points.items()}
    mid_hip = 0.5 * (p["left_hip"] + p["right_hip"])
    mid_sh = 0.5 * (p["left_shoulder"] + p["right_shoulder"])
    p.setdefault("pelvis", mid_hip)
    p.setdefault("lumbar", p["pelvis"] + 0.35 * (mid_sh - p["pelvis"]))
    p.setdefault("thoracic", p["pelvis"] + 0.70 * (mid_sh - p["pelvis"]))
    mid_ear = 0.5 * (p["left_ear"] + p["right_ear"])
    p.setdefault("neck", mid_sh + 0.35 * (mid_ear - mid_sh))
    p.setdefault("head_centre", mid_ear + 0.01 * _norm(mid_ear - mid_sh))
    return p


def _body_frame(p: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pelvis forward, up (pelvis->lumbar), and left directions."""
    left = _norm(p["left_hip"] - p["right_hip"])
    line = trunk_centreline(p, 1.0)
    up = _norm(line[min(2, len(line) - 1)] - line[0])
    fwd = _norm(np.cross(up, left))
    return fwd, up, left


#: Trunk cross-section (half width, half depth in metres at 1.75 m) by fraction of the way
#: from the hip centre to C7: pelvis, waist, lower chest, chest, shoulder girdle.
_TRUNK_SECTIONS = ((0.0, 0.150, 0.100), (0.30, 0.125, 0.092), (0.60, 0.140, 0.100),
                   (0.82, 0.150, 0.108), (1.0, 0.120, 0.075))

#: How far the trunk's centreline lies in front of each vertebral point (metres at 1.75 m):
#: the simulator's spine runs through the vertebral bodies, which sit behind the middle of
#: the trunk (about 5 cm in the chest, 2-3 cm at the waist).
_ANTERIOR_M = {"pelvis": 0.0, "sacrum": 0.035, "lumbar": 0.025, "thoracolumbar": 0.035,
               "thoracic": 0.05, "neck": 0.035}
SPINE_CHAIN = ("pelvis", "sacrum", "lumbar", "thoracolumbar", "thoracic", "neck")


def _section(frac: float) -> tuple[float, float]:
    fr = [x[0] for x in _TRUNK_SECTIONS]
    return (float(np.interp(frac, fr, [x[1] for x in _TRUNK_SECTIONS])),
            float(np.interp(frac, fr, [x[2] for x in _TRUNK_SECTIONS])))


def trunk_centreline(p: dict[str, np.ndarray], s: float) -> list[np.ndarray]:
    """Spine points moved forward to the middle of the trunk (when they are vertebral)."""
    names = [n for n in SPINE_CHAIN if n in p]
    left = _norm(p["left_hip"] - p["right_hip"])
    vertebral = "sacrum" in p
    out = []
    for i, n in enumerate(names):
        lo, hi = p[names[max(i - 1, 0)]], p[names[min(i + 1, len(names) - 1)]]
        fwd = _norm(np.cross(_norm(hi - lo), left))
        out.append(p[n] + (_ANTERIOR_M[n] * s if vertebral else 0.0) * fwd)
    return out


def _torso(t: _Table, p: dict, b: Build, s: float) -> None:
    fwd, up, left = _body_frame(p)
    g = b.torso_r / 0.105
    line = trunk_centreline(p, s)
    seg = [float(np.linalg.norm(line[i + 1] - line[i])) for i in range(len(line) - 1)]
    total = sum(seg)
    done = 0.0
    for i in range(len(line) - 1):
        a, c = line[i], line[i + 1]
        mid = 0.5 * (a + c)
        frac = (done + 0.5 * seg[i]) / total
        done += seg[i]
        half_w, half_d = _section(frac)
        axis_up = _norm(c - a)
        axis_fwd = _norm(np.cross(axis_up, left))
        axis_left = np.cross(axis_fwd, axis_up)
        radii = np.array([half_d * g * s, 0.5 * seg[i] + 0.045 * s, half_w * g * s])
        mat = TROUSERS if frac < 0.2 else SHIRT
        t.ellipsoid(mid, radii, np.stack([axis_fwd, axis_up, axis_left]), G_TORSO, mat)
    chest_up = _norm(line[-1] - line[-2])
    for sgn, side in ((1.0, "left"), (-1.0, "right")):
        lat = sgn * left
        glute = p[f"{side}_hip"] - 0.035 * s * fwd - 0.01 * s * up - 0.01 * s * lat
        t.ellipsoid(glute, np.array([0.075, 0.09, 0.075]) * s * (b.thigh_r / 0.078), np.stack([fwd, up, left]),
                    G_TORSO, TROUSERS)
        t.capsule(p[f"{side}_shoulder"] - 0.03 * s * chest_up - 0.025 * s * lat, line[-1] - 0.02 * s * chest_up,
                  0.055 * s * g, 0.06 * s * g, G_TORSO, SHIRT)  # shoulder girdle
    if b.belly_r > 0:
        belly = line[min(2, len(line) - 1)] + 0.03 * s * fwd
        t.ellipsoid(belly, np.array([b.belly_r, b.belly_r * 1.1, b.belly_r * 1.15]) * s,
                    np.stack([fwd, up, left]), G_TORSO, SHIRT)


def _head(t: _Table, p: dict, b: Build, s: float) -> None:
    head = p["head_centre"]
    mid_ear = 0.5 * (p["left_ear"] + p["right_ear"])
    left = _norm(p["left_ear"] - p["right_ear"])
    fwd = p["nose"] - mid_ear
    fwd = _norm(fwd - left * np.dot(fwd, left))
    up = _norm(np.cross(left, fwd))
    axes = np.stack([fwd, up, left])
    neck_base = trunk_centreline(p, s)[-1]
    t.capsule(neck_base, head - 0.06 * s * up - 0.01 * s * fwd, b.neck_r * s, b.neck_r * s * 0.95, G_HEAD, SKIN)
    t.ellipsoid(head, np.array([0.095, 0.112, 0.077]) * s, axes, G_HEAD, SKIN)
    t.ellipsoid(head - 0.055 * s * up + 0.035 * s * fwd, np.array([0.06, 0.045, 0.055]) * s, axes,
                G_HEAD, SKIN)  # jaw
    t.ellipsoid(head + 0.03 * s * up - 0.02 * s * fwd, np.array([0.094, 0.102, 0.085]) * s, axes,
                G_HEAD, HAIR)
    t.capsule(p["nose"] - 0.03 * s * fwd + 0.025 * s * up, p["nose"] - 0.004 * s * fwd, 0.008 * s, 0.012 * s,
              G_HEAD, SKIN)
    for side in ("left", "right"):
        t.ellipsoid(p[f"{side}_ear"], np.array([0.018, 0.03, 0.012]) * s, axes, G_HEAD, SKIN)
        eye = p[f"{side}_eye"]
        t.ellipsoid(eye, np.array([0.008, 0.007, 0.012]) * s, axes, G_HEAD, EYE)
        t.capsule(eye + 0.015 * s * up - 0.016 * s * left, eye + 0.017 * s * up + 0.016 * s * left,
                  0.004 * s, 0.004 * s, G_HEAD, HAIR)  # eyebrow
    t.capsule(p["mouth_left"], p["mouth_right"], 0.006 * s, 0.006 * s, G_HEAD, LIP)


def _arm(t: _Table, p: dict, b: Build, s: float, side: str, group: int) -> None:
    sh, el, wr = p[f"{side}_shoulder"], p[f"{side}_elbow"], p[f"{side}_wrist"]
    sleeve = sh + 0.55 * (el - sh)
    t.capsule(sh, sleeve, b.upper_arm_r * s * 1.15, b.upper_arm_r * s * 1.05, group, SHIRT)
    t.capsule(sleeve, el, b.upper_arm_r * s, b.forearm_r * s, group, SKIN)
    t.capsule(el, wr, b.forearm_r * s, b.wrist_r * s, group, SKIN)
    knuckles = 0.5 * (p.get(f"{side}_index", wr) + p.get(f"{side}_pinky", wr))
    if np.linalg.norm(knuckles - wr) < 0.02 * s:
        knuckles = wr + 0.07 * s * _norm(wr - el)
    t.capsule(wr, knuckles, b.wrist_r * s * 1.05, b.wrist_r * s * 0.8, group, SKIN)
    if f"{side}_thumb" in p:
        t.capsule(wr + 0.3 * (knuckles - wr), p[f"{side}_thumb"], 0.011 * s, 0.009 * s, group, SKIN)


def _leg(t: _Table, p: dict, b: Build, s: float, side: str, group: int) -> None:
    hip, knee, ankle = p[f"{side}_hip"], p[f"{side}_knee"], p[f"{side}_ankle"]
    heel, toe = p[f"{side}_heel"], p[f"{side}_foot_index"]
    t.capsule(hip, knee, b.thigh_r * s, b.knee_r * s, group, TROUSERS)
    calf = knee + 0.3 * (ankle - knee)
    t.capsule(knee, calf, b.knee_r * s * 0.95, b.calf_r * s, group, TROUSERS)
    t.capsule(calf, ankle, b.calf_r * s, b.ankle_r * s, group, SKIN)  # 3/4 leggings: the ankle shows
    # Foot: the shoe runs heel -> toe along the sole; its top stays below the ankle joint.
    foot_fwd = toe - heel
    foot_fwd[1] = 0.0
    foot_fwd = _norm(foot_fwd)
    sole_y = 0.5 * (heel[1] + toe[1])
    shoe_r = 0.036 * s
    back = heel + foot_fwd * shoe_r
    back[1] = max(sole_y, 0.0) + shoe_r * 0.9
    front = toe - foot_fwd * shoe_r * 0.8
    front[1] = max(sole_y, 0.0) + shoe_r * 0.75
    t.capsule(back, front, shoe_r, shoe_r * 0.8, group, SHOE)
    t.capsule(ankle, back + 0.4 * (front - back), b.ankle_r * s * 0.9, shoe_r * 0.7, group, SKIN)
    sole_a = back.copy()
    sole_b = front.copy()
    sole_a[1] = sole_b[1] = max(sole_y, 0.0) + 0.012 * s
    t.capsule(sole_a, sole_b, 0.02 * s + 0.012, 0.015 * s + 0.012, group, SOLE)


def body_height_m(p: dict[str, np.ndarray]) -> float:
    """Leg-plus-trunk length as a proxy for standing height (works in any posture)."""
    seg = 0.0
    for a, b in (("left_ankle", "left_knee"), ("left_knee", "left_hip")):
        seg += float(np.linalg.norm(p[b] - p[a]))
    return seg / 0.491  # shank + thigh = 0.491 of stature (Winter fig. 4.1)


def build_primitives(points: dict[str, np.ndarray], build: Build = BUILDS["average"]) -> np.ndarray:
    """Primitive table (n, N_COLS) for one frame of named 3D points."""
    p = complete_points(points)
    s = body_height_m(p) / 1.75
    t = _Table()
    _torso(t, p, build, s)
    _head(t, p, build, s)
    _arm(t, p, build, s, "left", G_ARM_L)
    _arm(t, p, build, s, "right", G_ARM_R)
    _leg(t, p, build, s, "left", G_LEG_L)
    _leg(t, p, build, s, "right", G_LEG_R)
    return t.array()


def palette(build: Build) -> np.ndarray:
    """(n_materials, 3) linear RGB."""
    return np.array([build.colours[i] for i in range(len(build.colours))], dtype=np.float64)
