"""Movement scripts: a set of reps (hinge, squat, stoop, kneeling hinge) with the set-up,
walk-in and walk-out around it, as timeline segments plus the rep plans.

A good hip hinge pushes the hips back with near-vertical shins (the shin angle is solved so
the centre of mass stays over mid-foot), a soft knee bend of 15-25 degrees that arrives early
in the descent and stays constant, a neutral spine, and a depth of 85-97 % of the hip flexion
the hamstrings allow. A squat bends the knees 85-110 degrees with the shins tipping forward; a
stoop bends at the waist with straight knees (spine flexion 35-65 degrees, little hips-back
travel, the weight drifting forward). The kneeling hinge ("hero squat", Level 1) sits the hips
back towards the heels from upright kneeling with the trunk inclining 20-40 degrees.

Tempo: descent 1.2-1.8 s, bottom pause 0.15-0.5 s, ascent 0.9-1.4 s, top pause 0.4-1.0 s, all
scaled by a per-person tempo factor (0.8-1.25) and varied +-10 % per rep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hingecoach.sim.body import Body, hip_flex_limit_deg
from hingecoach.sim.faults import RepPlan, apply_faults
from hingecoach.sim.timeline import Segment

MOVEMENTS = ("hinge", "squat", "stoop", "kneeling", "good_morning", "swing", "deadlift")
#: Pattern label of each movement's reps (the kneeling hinge and the loaded lifts are hinges).
PATTERN = {"hinge": "hinge", "squat": "squat", "stoop": "stoop", "kneeling": "hinge",
           "good_morning": "hinge", "swing": "hinge", "deadlift": "hinge"}
#: The exercise each movement shows (assess.exercise names). The bodyweight hinge and the stoop
#: hang the arms like an RDL: a camera does not see the wall, the band or the missing bar.
EXERCISE = {"hinge": "romanian_deadlift", "squat": "squat", "stoop": "romanian_deadlift",
            "kneeling": "kneeling_hinge", "good_morning": "good_morning", "swing": "kettlebell_swing",
            "deadlift": "deadlift"}
#: Arms: hands behind the neck (good morning: the upper arm up along the trunk's line, the
#: elbow folded back), the swing's float (arms straight out in front) and its hike (hands
#: back between the thighs).
HANDS_BEHIND_NECK = {"arm_deg": 160.0, "elbow_flex_deg": 150.0, "arm_on_trunk": 1.0}
SWING_FLOAT = {"arm_deg": 95.0, "elbow_flex_deg": 2.0, "arm_on_trunk": 0.0}
SWING_HIKE = {"arm_deg": -20.0, "elbow_flex_deg": 2.0, "arm_on_trunk": 0.0}


#: Lumbar plus thoracic flexion of ``spine_rounded`` at severity 1 (sim.faults).
SPINE_ROUNDED_FULL_DEG = 50.0
#: A fault another cause puts in the body (rounding, weight forward) is not labelled under this
#: severity (the suite's minor faults start at 0.2).
LABEL_FLOOR = 0.2
#: Forward shift of the centre of mass at the bottom (fraction of the foot, beyond the
#: person's own) of ``weight_on_toes`` at severity 1 (sim.faults); labelled from the same floor.
WEIGHT_FORWARD_FULL_FRAC = 0.35


@dataclass(frozen=True)
class Style:
    """How this person moves (drawn once per set)."""

    knee_bend_deg: float
    top_bend_deg: float
    depth_frac: float
    com_frac: float
    tempo: float
    lumbar_deg: float
    thoracic_deg: float
    neck_deg: float


def draw_style(movement: str, rng: np.random.Generator) -> Style:
    """The person's way of doing ``movement``: a good morning keeps the hinge's soft knee, a
    swing bends them a little more and snaps through a shallower hinge, and a deadlift from the
    floor bends them 60-80 deg to reach the bar with the hips at the hamstrings' limit."""
    bend = {"hinge": (15, 25), "squat": (85, 110), "stoop": (0, 5), "kneeling": (130, 145),
            "good_morning": (15, 25), "swing": (25, 40), "deadlift": (60, 80)}
    depth = {"hinge": (0.85, 0.97), "squat": (0.8, 0.92), "stoop": (0.55, 0.7),
             "kneeling": (1.0, 1.0), "good_morning": (0.8, 0.95), "swing": (0.6, 0.75),
             "deadlift": (0.97, 1.0)}
    return Style(
        knee_bend_deg=float(rng.uniform(*bend[movement])),
        top_bend_deg=float(rng.uniform(1.0, 5.0)),
        depth_frac=float(rng.uniform(*depth[movement])),
        com_frac=float(rng.uniform(0.40, 0.50)),
        tempo=float(rng.uniform(0.8, 1.25)),
        lumbar_deg=float(rng.uniform(-3, 5)),
        thoracic_deg=float(rng.uniform(-3, 5)),
        neck_deg=float(rng.uniform(-5, 8)),
    )


def standing_top(style: Style) -> dict[str, float]:
    """Upright standing (the top of every good rep)."""
    return {"knee_deg": 180.0 - style.top_bend_deg, "hip_flex_deg": 0.0, "lumbar_flex_deg": 0.0,
            "thoracic_flex_deg": 0.0, "neck_flex_deg": 0.0, "pelvis_rock_deg": 0.0,
            "com_frac": style.com_frac, "arm_deg": 0.0, "elbow_flex_deg": 8.0}


def kneeling_top(style: Style) -> dict[str, float]:
    return {"knee_deg": 92.0, "kneel_trunk_deg": 2.0, "hip_flex_deg": 0.0,
            "lumbar_flex_deg": 0.0, "thoracic_flex_deg": 0.0, "neck_flex_deg": 0.0,
            "pelvis_rock_deg": 0.0, "arm_deg": 5.0, "elbow_flex_deg": 15.0}


def top_posture(movement: str, style: Style) -> dict[str, float]:
    if movement == "kneeling":
        return kneeling_top(style)
    top = standing_top(style)
    if movement == "good_morning":
        top.update(HANDS_BEHIND_NECK)
    return top


def _jit(rng: np.random.Generator, sd: float) -> float:
    return float(rng.normal(0.0, sd))


def good_plan(movement: str, style: Style, rng: np.random.Generator) -> RepPlan:
    """One fault-free rep of ``movement`` for this person (before faults and limits)."""
    top = top_posture(movement, style)
    bottom = dict(top)
    bottom.update({"lumbar_flex_deg": style.lumbar_deg + _jit(rng, 1.5),
                   "thoracic_flex_deg": style.thoracic_deg + _jit(rng, 1.5),
                   "neck_flex_deg": style.neck_deg + _jit(rng, 2.0)})
    leads: dict[str, float] = {}
    if movement == "kneeling":
        bottom["knee_deg"] = 180.0 - style.knee_bend_deg + _jit(rng, 2.0)
        bottom["kneel_trunk_deg"] = float(rng.uniform(20, 40))
    else:
        bottom["knee_deg"] = 180.0 - style.knee_bend_deg + _jit(rng, 1.5)
        bottom["com_frac"] = style.com_frac + _jit(rng, 0.02)
    if movement in ("hinge", "good_morning"):
        leads["knee_deg"] = 0.6  # the soft knee arrives early and stays
    if movement == "swing":
        bottom.update(SWING_HIKE)
        lockout = dict(top, **SWING_FLOAT)
        t = style.tempo
        return RepPlan(bottom=bottom, lockout=lockout, leads=leads,
                       descent_s=t * rng.uniform(0.45, 0.6), bottom_s=t * rng.uniform(0.02, 0.08),
                       ascent_s=t * rng.uniform(0.45, 0.6), pause_s=t * rng.uniform(0.15, 0.3),
                       depth_frac=style.depth_frac + _jit(rng, 0.02))
    if movement == "deadlift":
        bottom["arm_deg"] = 0.0  # arms hang straight to the bar
        t = style.tempo
        return RepPlan(bottom=bottom, lockout=dict(top), leads=leads,
                       descent_s=t * rng.uniform(1.0, 1.6), bottom_s=t * rng.uniform(0.5, 1.0),
                       ascent_s=t * rng.uniform(1.2, 1.8), pause_s=t * rng.uniform(0.4, 0.9),
                       depth_frac=min(1.0, style.depth_frac + _jit(rng, 0.01)))
    if movement == "squat":
        bottom["arm_deg"] = float(rng.uniform(50, 90))
    elif movement == "stoop":
        bottom["lumbar_flex_deg"] += float(rng.uniform(20, 35))
        bottom["thoracic_flex_deg"] += float(rng.uniform(15, 30))
        bottom["neck_flex_deg"] += float(rng.uniform(5, 15))
        bottom["com_frac"] = float(rng.uniform(0.55, 0.68))
    t = style.tempo
    return RepPlan(bottom=bottom, lockout=dict(top), leads=leads,
                   descent_s=t * rng.uniform(1.2, 1.8), bottom_s=t * rng.uniform(0.15, 0.5),
                   ascent_s=t * rng.uniform(0.9, 1.4), pause_s=t * rng.uniform(0.4, 1.0),
                   depth_frac=style.depth_frac + _jit(rng, 0.02))


#: A barbell on the floor: the bar's centre sits at the plates' radius (0.225 m), the wrists
#: gripping it a few cm above (the real deadlifts' wrists read 0.13-0.28 m above the floor).
BAR_WRIST_HEIGHT_M = 0.30


def _wrist_height_m(plan: RepPlan, body: Body) -> float:
    from hingecoach.sim.chain import CHANNELS, posture

    ch = {k: np.array([float(plan.bottom.get(k, v))]) for k, v in CHANNELS.items()}
    return float(posture(body, ch)["upper"]["wrist"][0, 1])


def _reach_the_bar(plan: RepPlan, body: Body) -> None:
    """A deadlift from the floor bends the knees until the hands reach the bar: from the
    person's own knee bend, 4 deg at a time (the hips at their limit for that bend), up to 110."""
    while plan.bottom["knee_deg"] > 70.0:
        bend = 180.0 - plan.bottom["knee_deg"]
        plan.bottom["hip_flex_deg"] = float(hip_flex_limit_deg(body, bend))
        if _wrist_height_m(plan, body) <= BAR_WRIST_HEIGHT_M:
            return
        plan.bottom["knee_deg"] -= 4.0


def finalise(plan: RepPlan, movement: str, body: Body) -> RepPlan:
    """Joint limits: knees never past straight; hip flexion = depth x the hamstring limit
    (plus any extra a fault asks for) but never beyond the limit; flexion asked beyond it
    spills into the spine (that is the too-deep compensation). A deadlift from the floor
    bends the knees as far as the bar asks (:func:`_reach_the_bar`)."""
    for d in (plan.bottom, plan.lockout):
        d["knee_deg"] = float(min(d["knee_deg"], 180.0))
    if movement == "kneeling":
        return plan
    if movement == "deadlift":
        _reach_the_bar(plan, body)
    bend = 180.0 - plan.bottom["knee_deg"]
    limit = float(hip_flex_limit_deg(body, bend))
    wanted = plan.depth_frac * limit + plan.hip_extra_deg
    plan.bottom["hip_flex_deg"] = min(wanted, limit)
    spill = max(0.0, wanted - limit)
    plan.bottom["lumbar_flex_deg"] += 0.5 * spill
    plan.bottom["thoracic_flex_deg"] += 0.5 * spill
    return plan


def label_spine_flexion(plan: RepPlan, style: Style) -> None:
    """Label the back rounding a rep holds at the bottom whatever caused it: a stoop bends the
    spine by design and a too-deep rep spills flexion into it (:func:`finalise`), and a coach
    sees a rounded back either way. Severity in the fault's own units (``spine_rounded`` at 1
    adds 50 deg of lumbar plus thoracic flexion), from LABEL_FLOOR up, never lowered."""
    flex = (plan.bottom["lumbar_flex_deg"] + plan.bottom["thoracic_flex_deg"]
            - style.lumbar_deg - style.thoracic_deg)
    _label_at_least(plan, "spine_rounded", flex / SPINE_ROUNDED_FULL_DEG)


def label_weight_forward(plan: RepPlan, style: Style) -> None:
    """Label the weight a rep puts towards the toes at the bottom whatever caused it: a stoop
    lets it drift forward by design, a torso-led or too-deep rep pushes it forward, and the
    centre of mass is as far over the toes either way. Severity in the fault's own units
    (``weight_on_toes`` at 1 moves it 0.35 of a foot forward), from LABEL_FLOOR up, never
    lowered. Standing movements only (kneeling has no foot fault)."""
    if "com_frac" in plan.bottom:
        _label_at_least(plan, "weight_on_toes",
                        (plan.bottom["com_frac"] - style.com_frac) / WEIGHT_FORWARD_FULL_FRAC)


def _label_at_least(plan: RepPlan, code: str, severity: float) -> None:
    """Raise the rep's label of ``code`` to ``severity`` (capped at 1) from LABEL_FLOOR up."""
    severity = min(1.0, severity)
    if severity >= LABEL_FLOOR and severity > plan.faults.get(code, 0.0):
        plan.faults[code] = round(severity, 4)


def rep_segments(plan: RepPlan, rng: np.random.Generator) -> list[Segment]:
    """descent, bottom, ascent, top pause (the lockout posture is held, then eased back to
    upright if it was a lean-back, so the next rep starts from standing)."""
    ascent_leads = {k: -v for k, v in plan.leads.items()}
    j = lambda: float(rng.uniform(0.9, 1.1))  # noqa: E731 (tiny local helper)
    segs = [
        Segment(plan.descent_s * j(), "move", plan.bottom, plan.leads, "descent"),
        Segment(plan.bottom_s * j(), "hold", tag="bottom"),
        Segment(plan.ascent_s * j(), "move", plan.lockout, ascent_leads, "ascent"),
    ]
    if plan.lockout.get("hip_flex_deg", 0.0) < 0:
        relaxed = dict(plan.lockout, hip_flex_deg=0.0, lumbar_flex_deg=0.0, thoracic_flex_deg=0.0)
        segs.append(Segment(0.5 * plan.pause_s, "move", relaxed, tag="pause"))
        segs.append(Segment(0.5 * plan.pause_s, "hold", tag="pause"))
    else:
        segs.append(Segment(plan.pause_s * j(), "hold", tag="pause"))
    return segs


def setup_segments(movement: str, style: Style, rng: np.random.Generator, where: str
                   ) -> list[Segment]:
    """Getting into position ('before') or leaving ('after'): walking in/out (standing
    movements), an arm stretch or a look down at the feet; none of it is a rep."""
    top = top_posture(movement, style)
    segs: list[Segment] = []
    standing = movement != "kneeling"
    if where == "before":
        if standing:
            segs.append(Segment(float(rng.uniform(1.2, 2.0)), "walk", {"root_x_m": 0.0}, tag="walk_in"))
        segs.append(Segment(float(rng.uniform(0.4, 1.0)), "hold", tag="setup"))
        if rng.random() < 0.6:
            up = float(rng.uniform(110, 170))
            segs += [Segment(0.9, "move", {"arm_deg": up, "elbow_flex_deg": 5.0}, tag="setup"),
                     Segment(0.3, "hold", tag="setup"),
                     Segment(0.9, "move", {"arm_deg": top["arm_deg"], "elbow_flex_deg": top["elbow_flex_deg"]},
                             tag="setup")]
        if rng.random() < 0.4:
            segs += [Segment(0.6, "move", {"neck_flex_deg": 30.0}, tag="setup"),
                     Segment(0.6, "move", {"neck_flex_deg": 0.0}, tag="setup")]
        segs.append(Segment(float(rng.uniform(0.5, 1.0)), "hold", tag="setup"))
    else:
        segs.append(Segment(float(rng.uniform(0.5, 1.0)), "move", top, tag="finish"))
        if standing:
            dist = float(rng.uniform(0.8, 1.5))
            segs.append(Segment(dist / 0.9, "walk", {"root_x_m": dist}, tag="walk_out"))
        segs.append(Segment(0.4, "hold", tag="finish"))
    return segs


def walk_start_x(rng: np.random.Generator) -> float:
    return -float(rng.uniform(0.9, 1.5))


def script(movement: str, n_reps: int, faults: dict[str, float], body: Body,
           rng: np.random.Generator, setup: bool = True, fatigue: float = 0.0
           ) -> tuple[list[Segment], list[tuple[int, RepPlan]], dict[str, float]]:
    """(segments, [(index of the rep's descent segment, plan)], start channels). ``fatigue``
    slows the ascents through the set: the last rep's takes ``1 + fatigue`` times as long as
    it would (linearly from the first), as a tiring lifter's do."""
    if movement not in MOVEMENTS:
        raise ValueError(f"Expected a movement among {MOVEMENTS}, but got {movement!r}.")
    style = draw_style(movement, rng)
    start = dict(top_posture(movement, style))
    segs: list[Segment] = []
    if setup:
        if movement != "kneeling":
            start["root_x_m"] = walk_start_x(rng)
        segs += setup_segments(movement, style, rng, "before")
    else:
        segs.append(Segment(float(rng.uniform(0.6, 1.0)), "hold", tag="setup"))
    reps = []
    for i in range(n_reps):
        plan = finalise(apply_faults(good_plan(movement, style, rng), faults, movement, rng),
                        movement, body)
        if fatigue and n_reps > 1:
            plan.ascent_s *= 1.0 + fatigue * i / (n_reps - 1)
        label_spine_flexion(plan, style)
        label_weight_forward(plan, style)
        rep_segs = rep_segments(plan, rng)
        if movement == "deadlift" and i == 0:
            # the set starts set up over the bar on the floor: no walk-in, a still second at
            # the bottom, and the first rep is a lift from there
            start.update(plan.bottom, root_x_m=0.0)
            segs = [Segment(float(rng.uniform(0.6, 1.0)), "hold", tag="setup")]
            rep_segs[0] = Segment(0.05, "hold", tag="descent")
        reps.append((len(segs), plan))
        segs += rep_segs
    if movement == "deadlift" and reps:  # the bar goes back down to the floor and stays
        last = reps[-1][1]
        segs += [Segment(last.descent_s, "move", last.bottom, last.leads, "finish"),
                 Segment(0.6, "hold", tag="finish")]
    elif setup:
        segs += setup_segments(movement, style, rng, "after")
    else:
        segs.append(Segment(0.6, "move", top_posture(movement, style), tag="finish"))
    return segs, reps, start
