"""Body model: segment lengths, masses and shapes of one simulated adult.

Proportions are fractions of stature from Drillis & Contini as tabulated by Winter,
*Biomechanics and Motor Control of Human Movement* (4th ed., fig. 4.1): thigh (greater
trochanter to knee) 0.245 H, shank (knee to ankle) 0.246 H, ankle height 0.039 H, hip to
shoulder 0.288 H, upper arm 0.186 H, forearm 0.146 H, hand 0.108 H, foot length 0.152 H,
foot width 0.055 H, shoulder width 0.259 H, hip width 0.191 H. Segment masses and centre
positions are Dempster's, from Winter's table 4.1 (hand 0.006, forearm 0.016, upper arm 0.028,
foot 0.0145, shank 0.0465, thigh 0.100, head+neck 0.081, thorax 0.216, abdomen 0.139,
pelvis 0.142 of body mass; they sum to 1).

Per-person variation (long femurs, short torso...) multiplies the femur, tibia, torso and arm
lengths by seeded scale factors; ``girth`` scales the widths and radii (a build factor for the
renderer; it does not change the skeleton).

The spine is a chain through the vertebral bodies: hip centre -> sacrum (L5/S1) -> L3 ->
T12/L1 -> T7 -> C7 -> head centre, with neutral directions that give a lumbar lordosis and a
thoracic kyphosis (see ``SPINE``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

#: Spine chain: (name of the segment's upper end, length as a fraction of H, neutral direction
#: in degrees from vertical, positive = tipping forward). The lower end of the first segment is
#: the hip centre. Directions give L5/S1 about 4.5 cm behind and 9.5 cm above the hip joints,
#: a lordotic lumbar and kyphotic thoracic curve, and C7 at about 0.835 H when standing.
SPINE: tuple[tuple[str, float, float], ...] = (
    ("sacrum", 0.060, -25.0),
    ("lumbar", 0.050, 12.0),
    ("thoracolumbar", 0.050, -5.0),
    ("thoracic", 0.080, -8.0),
    ("neck", 0.075, 12.0),
    ("head_centre", 0.085, 15.0),
)

#: Dempster segment mass fractions (Winter table 4.1).
MASS_FRACTIONS: dict[str, float] = {
    "hand": 0.006, "forearm": 0.016, "upper_arm": 0.028, "foot": 0.0145, "shank": 0.0465,
    "thigh": 0.100, "head_neck": 0.081, "thorax": 0.216, "abdomen": 0.139, "pelvis": 0.142,
}


@dataclass(frozen=True)
class Body:
    """One person's skeleton (metres) and shape; build with :func:`make_body`."""

    height_m: float
    mass_kg: float
    femur_scale: float
    tibia_scale: float
    torso_scale: float
    arm_scale: float
    girth: float
    hamstring_limit_deg: float
    thigh_m: float
    shank_m: float
    ankle_height_m: float
    foot_length_m: float
    foot_width_m: float
    hip_separation_m: float
    shoulder_separation_m: float
    stance_width_m: float
    upper_arm_m: float
    forearm_m: float
    hand_m: float
    spine_m: tuple[float, ...]
    dims_m: dict[str, float] = field(default_factory=dict)

    @property
    def leg_m(self) -> float:
        """Thigh + shank: the normaliser of 'frac_leg' measures."""
        return self.thigh_m + self.shank_m

    def to_dict(self) -> dict:
        out = asdict(self)
        out["spine_m"] = list(self.spine_m)
        return out


def _dims(h: float, g: float) -> dict[str, float]:
    """Segment radii and widths for a renderer (metres). Rough adult values as fractions of
    stature (a 1.75 m adult: head radius 9 cm, thigh 8 cm at the top, chest 31 x 22 cm)."""
    return {
        "head_radius": 0.052 * h,
        "neck_radius": 0.032 * h * g,
        "chest_width": 0.175 * h * g,
        "chest_depth": 0.125 * h * g,
        "waist_width": 0.150 * h * g,
        "waist_depth": 0.110 * h * g,
        "pelvis_width": 0.191 * h * g,
        "pelvis_depth": 0.120 * h * g,
        "upper_arm_radius": 0.024 * h * g,
        "forearm_radius": 0.019 * h * g,
        "hand_radius": 0.012 * h,
        "thigh_radius_top": 0.045 * h * g,
        "knee_radius": 0.029 * h * g,
        "calf_radius": 0.030 * h * g,
        "ankle_radius": 0.015 * h,
        "foot_height": 0.040 * h,
    }


def make_body(height_m: float = 1.75, *, femur_scale: float = 1.0, tibia_scale: float = 1.0,
              torso_scale: float = 1.0, arm_scale: float = 1.0, girth: float = 1.0,
              hamstring_limit_deg: float = 80.0, mass_kg: float | None = None) -> Body:
    """A body of stature ``height_m`` with the given proportions.

    ``hamstring_limit_deg`` is the hip flexion (pelvis on thigh) the hamstrings allow with a
    straight knee (a straight-leg-raise value; 60-90 degrees in healthy adults); bent knees add
    to it (see :func:`hip_flex_limit_deg`).
    """
    h = float(height_m)
    spine = tuple(frac * h * torso_scale for _, frac, _ in SPINE)
    return Body(
        height_m=h,
        mass_kg=float(mass_kg if mass_kg is not None else 23.0 * girth ** 2 * h ** 2),
        femur_scale=femur_scale, tibia_scale=tibia_scale, torso_scale=torso_scale,
        arm_scale=arm_scale, girth=girth, hamstring_limit_deg=hamstring_limit_deg,
        thigh_m=0.245 * h * femur_scale,
        shank_m=0.246 * h * tibia_scale,
        ankle_height_m=0.039 * h,
        foot_length_m=0.152 * h,
        foot_width_m=0.055 * h,
        hip_separation_m=0.10 * h * girth ** 0.5,
        shoulder_separation_m=0.20 * h * girth ** 0.5,
        stance_width_m=0.19 * h,
        upper_arm_m=0.186 * h * arm_scale,
        forearm_m=0.146 * h * arm_scale,
        hand_m=0.108 * h * arm_scale,
        spine_m=spine,
        dims_m=_dims(h, girth),
    )


def random_body(rng: np.random.Generator, body_type: str = "any") -> Body:
    """A seeded random adult. ``body_type``: 'any', 'long_femur', 'short_torso', 'tall',
    'short', 'heavy', 'average' (the named types push one proportion to its plausible edge)."""
    height = float(np.clip(rng.normal(1.73, 0.09), 1.52, 1.98))
    scales = {k: float(np.clip(rng.normal(1.0, 0.035), 0.92, 1.08))
              for k in ("femur_scale", "tibia_scale", "torso_scale", "arm_scale")}
    girth = float(np.clip(rng.normal(1.0, 0.08), 0.85, 1.3))
    hamstring = float(rng.uniform(62.0, 90.0))
    if body_type == "long_femur":
        scales["femur_scale"] = float(rng.uniform(1.07, 1.12))
    elif body_type == "short_torso":
        scales["torso_scale"] = float(rng.uniform(0.88, 0.93))
    elif body_type == "tall":
        height = float(rng.uniform(1.88, 2.0))
    elif body_type == "short":
        height = float(rng.uniform(1.50, 1.60))
    elif body_type == "heavy":
        girth = float(rng.uniform(1.2, 1.35))
    elif body_type == "average":
        scales = dict.fromkeys(scales, 1.0)
        girth = 1.0
    elif body_type != "any":
        raise ValueError(f"Expected a body type among {BODY_TYPES}, but got {body_type!r}.")
    return make_body(height, girth=girth, hamstring_limit_deg=hamstring, **scales)


BODY_TYPES = ("any", "average", "long_femur", "short_torso", "tall", "short", "heavy")


def hip_flex_limit_deg(body: Body, knee_bend_deg: np.ndarray | float) -> np.ndarray:
    """Most hip flexion the hamstrings allow: the straight-knee limit plus 0.6 degree per
    degree of knee bend (bent knees slacken the hamstrings), capped at 125 (bony limit)."""
    bend = np.asarray(knee_bend_deg, dtype=np.float64)
    return np.minimum(body.hamstring_limit_deg + 0.6 * bend, 125.0)
