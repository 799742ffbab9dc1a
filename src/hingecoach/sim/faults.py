"""Faults of the hip hinge, each with a severity in [0, 1], applied to one repetition's plan.

Codes (other tools read them from the labels; the product's fault table, with each threshold's
reason, is ``src/hingecoach/data/thresholds.toml``):

===================  ======================================================================
code                 what severity 1 does to the rep (severity s scales it linearly)
===================  ======================================================================
torso_leads          trunk flexion arrives early (lead 0.5 s) and the centre of mass goes
                     0.22 s of a foot forward, so the hips travel back less (Mistake 1)
knees_locked         the knees straighten to at most 12 (1 - s) degrees of bend, at the bottom
                     and at lockout (a soft knee bends 15-25; Mistake 2)
knees_too_bent       knee bend +50 s degrees, bending through the descent; hips go down
                     (Mistake 2, turns into a squat)
spine_rounded        lumbar +25 s, thoracic +25 s, neck +15 s degrees of flexion at the
                     bottom (Mistake 3)
spine_overarched     lumbar -20 s, thoracic -8 s, neck -15 s degrees (extension) at the
                     bottom (Mistake 3)
too_deep             asks 30 s degrees of hip flexion beyond the hamstrings; the hip stops at
                     its limit and the rest comes from spine flexion, +15 s degrees of knee
                     bend and the weight moving 0.15 s forward (Mistake 4)
weight_on_toes       centre of mass 0.35 s of a foot further forward at the bottom, 0.15 s
                     at the top (FAQ)
pelvis_rock          the pelvis tucks under by 20 s degrees near the bottom (FAQ)
incomplete_lockout   the rep ends 25 s degrees short of full hip extension, knees 10 s
                     degrees bent (Return)
lockout_lean_back    the rep ends with 10 s degrees of hip hyperextension and 15 s of lumbar
                     extension: trunk behind vertical (Return)
load_far_from_body   (loaded lifts only) the arms swing 10 + 30 s degrees forward of hanging at
                     the bottom and hold it into the ascent: the weight drifts off the legs
===================  ======================================================================

A rep's ``spine_rounded`` label also covers rounding another cause puts in the back (a stoop
bends the spine by design; too_deep spills flexion into it): see
:func:`hingecoach.sim.movements.label_spine_flexion`. Likewise ``weight_on_toes`` covers the
weight another cause puts forward at the bottom (a stoop, a torso-led or too-deep rep):
:func:`hingecoach.sim.movements.label_weight_forward`.

A rep's label gives each fault's severity and a class: ``minor`` below ``MAJOR_CUT`` (0.5),
``major`` from it up. Severities vary by +-10 % from rep to rep (a person is not a machine), so
a set asked at 0.5 may hold both classes; the label of each rep is what was simulated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

FAULT_CODES: tuple[str, ...] = (
    "torso_leads", "knees_locked", "knees_too_bent", "spine_rounded", "spine_overarched",
    "too_deep", "weight_on_toes", "pelvis_rock", "incomplete_lockout", "lockout_lean_back",
)

#: Faults of the loaded lifts, kept apart from FAULT_CODES so that the seeded accuracy suite
#: (which draws among FAULT_CODES) stays the suite it was; the exercise suite draws them.
LOADED_FAULT_CODES: tuple[str, ...] = ("load_far_from_body",)
#: Movements that hold a load in the hands (or could: the bodyweight hinge hangs its arms as an
#: RDL would).
LOADED_MOVEMENTS = ("hinge", "deadlift")

#: Severity from which a fault counts as major (below it: minor). Half the range: a minor
#: fault is visible to a coach but changes the measure by less than half the major amount.
MAJOR_CUT = 0.5

#: Faults that mean nothing in the kneeling hinge (knees on the floor, weight on the shins).
NOT_KNEELING = ("knees_locked", "knees_too_bent", "too_deep", "weight_on_toes")


def severity_label(severity: float) -> str:
    """'none', 'minor' or 'major' for a severity in [0, 1]."""
    if severity <= 0:
        return "none"
    return "major" if severity >= MAJOR_CUT else "minor"


@dataclass
class RepPlan:
    """Targets of one repetition: the bottom posture, the lockout posture it ends in, leads
    (see timeline.warp) for the descent (mirrored on the ascent), phase durations, and the
    faults simulated (code -> severity)."""

    bottom: dict[str, float]
    lockout: dict[str, float]
    descent_s: float
    bottom_s: float
    ascent_s: float
    pause_s: float
    depth_frac: float = 0.9
    hip_extra_deg: float = 0.0
    leads: dict[str, float] = field(default_factory=dict)
    faults: dict[str, float] = field(default_factory=dict)


def check_faults(faults: dict[str, float], movement: str) -> dict[str, float]:
    """Validated {code: severity}; raises ValueError with the allowed values."""
    out = {}
    for code, sev in faults.items():
        if code not in FAULT_CODES + LOADED_FAULT_CODES:
            raise ValueError(f"Expected a fault code among {FAULT_CODES + LOADED_FAULT_CODES}, but got {code!r}.")
        if code in LOADED_FAULT_CODES and movement not in LOADED_MOVEMENTS:
            raise ValueError(f"The fault {code} needs a load in the hands: movements {LOADED_MOVEMENTS}.")
        if not 0.0 <= float(sev) <= 1.0:
            raise ValueError(f"Expected a severity in [0, 1] for {code}, but got {sev!r}.")
        if movement == "kneeling" and code in NOT_KNEELING:
            raise ValueError(f"The fault {code} does not exist in the kneeling hinge "
                             f"(knees on the floor); leave out {NOT_KNEELING}.")
        if float(sev) > 0:
            out[code] = float(sev)
    return out


def _add(d: dict[str, float], key: str, value: float) -> None:
    d[key] = d.get(key, 0.0) + value


def apply_faults(plan: RepPlan, faults: dict[str, float], movement: str,
                 rng: np.random.Generator) -> RepPlan:
    """Apply each fault at this rep's severity (the set severity +-10 %)."""
    for code in FAULT_CODES + LOADED_FAULT_CODES:
        if code not in faults:
            continue
        sev = float(np.clip(faults[code] * rng.uniform(0.9, 1.1), 0.02, 1.0))
        plan.faults[code] = round(sev, 4)
        (_KNEELING if movement == "kneeling" else _STANDING)[code](plan, sev)
    return plan


# -- standing movements ---------------------------------------------------------------------
def _torso_leads(p: RepPlan, s: float) -> None:
    p.leads["hip_flex_deg"] = 0.5 * s
    p.leads["com_frac"] = 0.0
    _add(p.bottom, "com_frac", 0.22 * s)


#: Knee bend (degrees) from which a knee counts as locked at severity 0: below the guide's
#: "slight bend" (the simulated soft knee bends 15-25). The fault is a state of the knee, so
#: its severity is absolute: a major locked knee bends at most 6 degrees, whatever the person's
#: own soft bend (scaling that bend instead left "major" knees bent 14 degrees, like clean ones).
LOCKED_FROM_DEG = 12.0


def _knees_locked(p: RepPlan, s: float) -> None:
    most = LOCKED_FROM_DEG * (1 - s)
    for d in (p.bottom, p.lockout):
        d["knee_deg"] = max(d["knee_deg"], 180.0 - most)


def _knees_too_bent(p: RepPlan, s: float) -> None:
    _add(p.bottom, "knee_deg", -50.0 * s)
    p.leads["knee_deg"] = p.leads.get("knee_deg", 0.0) * (1 - s)
    p.hip_extra_deg += 12.0 * s


def _spine_rounded(p: RepPlan, s: float) -> None:
    _add(p.bottom, "lumbar_flex_deg", 25.0 * s)
    _add(p.bottom, "thoracic_flex_deg", 25.0 * s)
    _add(p.bottom, "neck_flex_deg", 15.0 * s)


def _spine_overarched(p: RepPlan, s: float) -> None:
    _add(p.bottom, "lumbar_flex_deg", -20.0 * s)
    _add(p.bottom, "thoracic_flex_deg", -8.0 * s)
    _add(p.bottom, "neck_flex_deg", -15.0 * s)


def _too_deep(p: RepPlan, s: float) -> None:
    p.depth_frac = 1.0
    p.hip_extra_deg += 30.0 * s  # asked for; the hip stops at its limit (movements.finalise)
    _add(p.bottom, "knee_deg", -15.0 * s)
    _add(p.bottom, "com_frac", 0.15 * s)
    p.leads["lumbar_flex_deg"] = -0.4
    p.leads["thoracic_flex_deg"] = -0.4


def _weight_on_toes(p: RepPlan, s: float) -> None:
    _add(p.bottom, "com_frac", 0.35 * s)
    _add(p.lockout, "com_frac", 0.15 * s)


def _pelvis_rock(p: RepPlan, s: float) -> None:
    _add(p.bottom, "pelvis_rock_deg", 20.0 * s)
    p.leads["pelvis_rock_deg"] = -0.5


def _incomplete_lockout(p: RepPlan, s: float) -> None:
    _add(p.lockout, "hip_flex_deg", 25.0 * s)
    _add(p.lockout, "knee_deg", -10.0 * s)


def _lockout_lean_back(p: RepPlan, s: float) -> None:
    _add(p.lockout, "hip_flex_deg", -10.0 * s)
    _add(p.lockout, "lumbar_flex_deg", -15.0 * s)
    _add(p.lockout, "thoracic_flex_deg", -5.0 * s)


def _load_far_from_body(p: RepPlan, s: float) -> None:
    _add(p.bottom, "arm_deg", 10.0 + 30.0 * s)
    p.leads["arm_deg"] = 0.3  # the arms drift out early in the descent and come back late


_STANDING = {
    "torso_leads": _torso_leads, "knees_locked": _knees_locked,
    "knees_too_bent": _knees_too_bent, "spine_rounded": _spine_rounded,
    "spine_overarched": _spine_overarched, "too_deep": _too_deep,
    "weight_on_toes": _weight_on_toes, "pelvis_rock": _pelvis_rock,
    "incomplete_lockout": _incomplete_lockout, "lockout_lean_back": _lockout_lean_back,
    "load_far_from_body": _load_far_from_body,
}


# -- kneeling hinge -------------------------------------------------------------------------
def _k_torso_leads(p: RepPlan, s: float) -> None:
    p.leads["kneel_trunk_deg"] = 0.5 * s
    _add(p.bottom, "kneel_trunk_deg", 15.0 * s)
    _add(p.bottom, "knee_deg", 20.0 * s)  # hips travel back less


def _k_incomplete_lockout(p: RepPlan, s: float) -> None:
    _add(p.lockout, "knee_deg", -25.0 * s)
    _add(p.lockout, "kneel_trunk_deg", 10.0 * s)


_KNEELING = {
    "torso_leads": _k_torso_leads, "spine_rounded": _spine_rounded,
    "spine_overarched": _spine_overarched, "pelvis_rock": _pelvis_rock,
    "incomplete_lockout": _k_incomplete_lockout, "lockout_lean_back": _lockout_lean_back,
}
