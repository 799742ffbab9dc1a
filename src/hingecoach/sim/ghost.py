"""The ghost: the simulator's body, built to the person's own segment lengths, doing the hinge
the guide describes for the analysed exercise, timed to each of the person's reps.

* Body (:mod:`hingecoach.sim.ghost_body`): the person's thigh, shank, torso and arms, measured
  on the standing frames of a side view, on the simulator's body; in true metres with the
  person's height known, else at a nominal stature (the proportions are the person's).
* Posture (:func:`plan_bottom`, :func:`plan_for`): the guide's hinge: soft knees (20 deg, the middle of 15-25),
  the shins as the balance puts them with the weight over mid-foot (near vertical), a neutral
  spine, arms hanging; the hips stop at the person's own depth (their usual clean depth from
  the log, else their deepest clean rep, else the simulator's typical depth for the exercise:
  a share of the hamstring-limited flexion). A lift from the floor bends the knees until the
  hands reach the load, where the person's hands took it (the simulator's rule), a good morning holds the hands behind the
  neck, a swing hikes the bell between the thighs, the kneeling hinge sits back.
* Timing (:func:`rep_alphas`): each rep's descent runs from its start to the start of its
  bottom window, holds through the window, and rises to the rep's first standing frame; the
  soft knee arrives early in the descent and leaves late, as the guide's hinge does.

Pure numpy and the simulator's chain: no drawing here (``hingecoach.report.ghost`` draws it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hingecoach.assess import hinge_asked
from hingecoach.kinematics.angles import included_angle_deg
from hingecoach.sim.body import Body, hip_flex_limit_deg
from hingecoach.sim.chain import CHANNELS, posture
from hingecoach.sim.ghost_body import GhostBody, channels_of, fit_body, measure_segments_px
from hingecoach.sim.movements import BAR_WRIST_HEIGHT_M, HANDS_BEHIND_NECK, SWING_FLOAT, SWING_HIKE

if TYPE_CHECKING:
    from hingecoach.analysis import Analysis
    from hingecoach.reps import Rep

#: The simulator's movement that shows each exercise's hinge. The guide's drills (wall tap,
#: dowel, band) are the bodyweight hinge; a squat set is shown the hinge the guide teaches.
MOVEMENT_OF_EXERCISE = {
    "romanian_deadlift": "hinge", "wall_tap": "hinge", "dowel_hinge": "hinge", "band_hinge": "hinge",
    "squat": "hinge", "good_morning": "good_morning", "kettlebell_swing": "swing",
    "deadlift": "deadlift", "kettlebell_deadlift": "deadlift", "kneeling_hinge": "kneeling",
}
#: Knee flexion at the bottom (deg): the guide's soft knee (15-25) for the hinge and the good
#: morning; the swing bends a little more (the simulator's 25-40); a lift from the floor from
#: 40 on (:func:`_reach_the_bar`); a kneeling hinge keeps the knees at about a right angle.
KNEE_BEND_DEG = {"hinge": 20.0, "good_morning": 20.0, "swing": 32.0, "deadlift": 40.0, "kneeling": 88.0}
#: Standing knee bend (the simulator's 1-5 deg at the top).
TOP_KNEE_BEND_DEG = 3.0
#: Share of the hamstring-limited hip flexion a typical clean rep reaches (the middle of the
#: simulator's ranges, sim.movements.draw_style), used when the person has no clean rep.
TYPICAL_DEPTH_FRAC = {"hinge": 0.91, "good_morning": 0.875, "swing": 0.675, "deadlift": 1.0}
#: Typical trunk inclination at the bottom of the kneeling hinge (the simulator's 20-40).
TYPICAL_KNEEL_TRUNK_DEG = 30.0
#: Centre of mass along the foot (0 heel, 1 toe): over mid-foot, as the simulator's clean reps.
COM_FRAC = 0.45
#: The soft knee arrives when the hips are this share of the way down (sim: knee lead 0.6).
KNEE_LEAD = 0.6


def _top_channels(movement: str) -> dict[str, float]:
    if movement == "kneeling":
        return {"knee_deg": 92.0, "kneel_trunk_deg": 2.0, "hip_flex_deg": 0.0, "arm_deg": 5.0,
                "elbow_flex_deg": 15.0}
    top = {"knee_deg": 180.0 - TOP_KNEE_BEND_DEG, "hip_flex_deg": 0.0, "com_frac": COM_FRAC,
           "arm_deg": 0.0, "elbow_flex_deg": 8.0}
    if movement == "good_morning":
        top.update(HANDS_BEHIND_NECK)
    if movement == "swing":
        top.update(SWING_FLOAT)
    return top


# -- the bottom posture ---------------------------------------------------------------------------
@dataclass(frozen=True)
class GhostPlan:
    """Top and bottom channels of the ghost's rep; ``depth_source`` says where its depth came
    from ('your usual depth', 'your deepest clean rep', 'typical', 'reaching the bar')."""

    movement: str
    mode: str
    top: dict[str, float]
    bottom: dict[str, float]
    depth_source: str
    knee_lead: bool


def hip_angle_deg(body: Body, ch: dict[str, np.ndarray], mode: str) -> np.ndarray:
    """Included shoulder-hip-knee angle of the chain's posture (what the analysis measures)."""
    p = posture(body, ch, mode)
    hip, knee, sh = p["left"]["hip"], p["left"]["knee"], p["upper"]["shoulder"]
    return included_angle_deg(sh - hip, knee - hip)


def _depth_for_angle(body: Body, base: dict[str, float], channel: str, grid: np.ndarray, mode: str,
                     target_deg: float) -> float:
    """The value of ``channel`` (hip flexion, or the kneeling trunk) giving the hip angle."""
    ch = channels_of(base, grid.size)
    ch[channel] = grid
    angles = hip_angle_deg(body, ch, mode)
    order = np.argsort(angles)
    return float(np.interp(target_deg, angles[order], grid[order]))


def _wrist_height_m(body: Body, values: dict[str, float]) -> float:
    return float(posture(body, channels_of(values))["upper"]["wrist"][0, 1])


def _reach_the_bar(body: Body, bottom: dict[str, float], bar_m: float = BAR_WRIST_HEIGHT_M) -> None:
    """The simulator's deadlift from the floor (sim.movements): the least knee bend, then the
    least hip flexion, that puts the wrists down at ``bar_m`` above the floor with the hips
    within their hamstrings' limit for that bend. Knee bends from 40 deg (a lift from the floor
    under 35-40 is the from-floor standard's stiff-legged pull; a bell's handle is reached
    sooner than the simulator's barbell at 60-80) to 110. A body that cannot reach it so (the
    limit is the simulator's average, 80 deg straight-legged) bends the hips on to their bony
    limit (125); one that cannot reach it at all takes the lowest reach."""
    knees = 180.0 - np.arange(KNEE_BEND_DEG["deadlift"], 110.5, 2.0)
    hips = np.arange(0.0, 125.5, 1.0)
    kk, hh = (g.ravel() for g in np.meshgrid(knees, hips, indexing="ij"))
    ch = channels_of(bottom, kk.size)
    ch["knee_deg"], ch["hip_flex_deg"] = kk, hh
    wrist = posture(body, ch)["upper"]["wrist"][:, 1]
    limit = np.minimum(np.round(hip_flex_limit_deg(body, 180.0 - kk)), 125.0)
    at_limit, beyond = hh == limit, hh >= limit  # the hips bend to their limit first, never short of it
    reach = wrist <= bar_m
    order = np.lexsort((hh, -kk))  # least knee bend first, then least hip flexion
    pick = next((order[(reach & ok)[order]][0] for ok in (at_limit, beyond) if (reach & ok).any()),
                int(np.flatnonzero(beyond)[np.argmin(wrist[beyond])]))
    bottom["knee_deg"], bottom["hip_flex_deg"] = float(kk[pick]), float(hh[pick])


def plan_bottom(body: Body, exercise: str | None, target_hip_angle_deg: float | None = None,
                depth_source: str = "typical", bar_m: float | None = None) -> GhostPlan:
    """The guide's bottom for ``exercise``, at the hip angle asked (else the typical depth); a
    lift from the floor reaches down to the wrists' height ``bar_m`` (else a barbell's)."""
    movement = MOVEMENT_OF_EXERCISE.get(exercise or "", "hinge")
    mode = "kneeling" if movement == "kneeling" else "standing"
    top = _top_channels(movement)
    bottom = dict(top, knee_deg=180.0 - KNEE_BEND_DEG[movement])
    if movement == "swing":
        bottom.update(SWING_HIKE)
    if movement == "deadlift":
        bottom["arm_deg"] = 0.0
        _reach_the_bar(body, bottom, bar_m if bar_m is not None and np.isfinite(bar_m) else BAR_WRIST_HEIGHT_M)
        return GhostPlan(movement, mode, top, bottom, "reaching the bar", False)
    has_target = target_hip_angle_deg is not None and np.isfinite(target_hip_angle_deg)
    if movement == "kneeling":
        channel, grid = "kneel_trunk_deg", np.arange(0.0, 80.5, 0.5)
        bottom["kneel_trunk_deg"] = TYPICAL_KNEEL_TRUNK_DEG
    else:
        limit = float(hip_flex_limit_deg(body, KNEE_BEND_DEG[movement]))
        channel, grid = "hip_flex_deg", np.arange(0.0, 125.5, 0.5)
        bottom["hip_flex_deg"] = TYPICAL_DEPTH_FRAC[movement] * limit
    if has_target and target_hip_angle_deg is not None:
        bottom[channel] = _depth_for_angle(body, bottom, channel, grid, mode, float(target_hip_angle_deg))
    else:
        depth_source = "typical"
    return GhostPlan(movement, mode, top, bottom, depth_source, movement in ("hinge", "good_morning"))


def clean_depth_deg(analysis: Analysis) -> float | None:
    """The person's deepest clean rep (completed, no fault, seen as a hinge): its bottom hip angle."""
    depths = [r.depth_hip_angle_deg for r, a in analysis.completed
              if not a.faults and a.seen_pattern == "hinge" and np.isfinite(r.depth_hip_angle_deg)]
    return float(min(depths)) if depths else None


def ghost_exercise(analysis: Analysis) -> str | None:
    """The exercise the ghost shows: the analysis's, unless it kneels where the video shows the
    person standing, or the other way round (a level chosen for another day's drill): then the
    exercise most reps showed."""
    name = analysis.exercise.name
    seen = [e for e in analysis.exercise.per_rep if e]
    if not seen:
        return name
    kneeling = sum(e == "kneeling_hinge" for e in seen) > len(seen) / 2
    if (name == "kneeling_hinge") == kneeling:
        return name
    return max(set(seen), key=seen.count)


def load_height_m(analysis: Analysis, body: GhostBody) -> float | None:
    """Where the person's hands took the load from the floor: the wrists' height above the
    floor at the bottom (median over the completed reps), in the ghost's metres; the floor is
    the heel point's height less its own (sim.chain.foot_offsets: 0.015 of stature)."""
    kin = analysis.kinematics
    stature_px = body.px_per_m * body.body.height_m
    seen = [kin.points["wrist"][r.bottom_frame, 1] - kin.points["heel"][r.bottom_frame, 1] + 0.015 * stature_px
            for r, _ in analysis.completed]
    seen = [v for v in seen if np.isfinite(v)]
    return float(np.median(seen)) / body.px_per_m if seen else None


def plan_for(analysis: Analysis, body: GhostBody, usual_depth_hip_angle_deg: float | None = None) -> GhostPlan:
    """The ghost's rep for this analysis: its exercise, at the person's usual clean depth when
    the log gives one, else their deepest clean rep, else the typical depth; a lift from the
    floor reaches where the person's hands took the load."""
    exercise = ghost_exercise(analysis)
    if MOVEMENT_OF_EXERCISE.get(exercise or "") == "deadlift":
        return plan_bottom(body.body, exercise, bar_m=load_height_m(analysis, body))
    sim_body = body.body
    if usual_depth_hip_angle_deg is not None and np.isfinite(usual_depth_hip_angle_deg):
        return plan_bottom(sim_body, exercise, usual_depth_hip_angle_deg, "your usual depth")
    clean = clean_depth_deg(analysis)
    if clean is not None:
        return plan_bottom(sim_body, exercise, clean, "your deepest clean rep")
    return plan_bottom(sim_body, exercise)


# -- timing ---------------------------------------------------------------------------------------
def _ease(u: np.ndarray) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(u, 0.0, 1.0))


def rep_alphas(reps: list[Rep], n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """(alpha, rep index) per frame: alpha 0 standing to 1 at the bottom, NaN outside the reps;
    the rep's index into ``reps`` (-1 outside). Descent from the rep's start to its bottom
    window, held there, ascent to its first standing frame, standing to its end."""
    alpha = np.full(n_frames, np.nan)
    which = np.full(n_frames, -1, int)
    for k, rep in enumerate(reps):
        a, b0 = rep.start_frame, rep.bottom_window[0]
        b1, up, end = rep.bottom_window[1], max(rep.ascent_end_frame, rep.bottom_window[1] + 1), rep.end_frame
        f = np.arange(a, end + 1)
        val = np.zeros(f.size)
        down = f < b0
        val[down] = _ease((f[down] - a) / max(b0 - a, 1))
        val[(f >= b0) & (f <= b1)] = 1.0
        rise = (f > b1) & (f < up)
        val[rise] = 1.0 - _ease((f[rise] - b1) / max(up - b1, 1))
        alpha[a:end + 1] = val
        which[a:end + 1] = k
    return alpha, which


def channels_at(plan: GhostPlan, alpha: np.ndarray) -> dict[str, np.ndarray]:
    """Chain channels for each alpha (0 top, 1 bottom); the soft knee leads (``knee_lead``)."""
    a = np.nan_to_num(np.asarray(alpha, dtype=np.float64), nan=0.0)
    knee_a = np.minimum(1.0, a / KNEE_LEAD) if plan.knee_lead else a
    top, bottom = channels_of(plan.top), channels_of(plan.bottom)
    out = {}
    for k in CHANNELS:
        w = knee_a if k == "knee_deg" else a
        out[k] = top[k][0] + w * (bottom[k][0] - top[k][0])
    return out


def ghost_posture(body: Body, plan: GhostPlan, alpha: np.ndarray) -> dict:
    """The chain's posture (sim.chain.posture) at each alpha."""
    return posture(body, channels_at(plan, alpha), plan.mode)


def sagittal_joints(body: Body, p: dict) -> dict[str, np.ndarray]:
    """(frames, 2) points in the simulator's frame (X forward, Y up, metres), named as
    :data:`hingecoach.kinematics.angles.JOINTS`, plus ``head`` (the head's centre)."""
    from hingecoach.sim.pose3d import _head_points

    leg, up = p["left"], p["upper"]
    ear = _head_points(body, up["head_centre"], up["head_dir"])["left_ear"][:, :2]
    return {"ear": ear, "head": up["head_centre"], "shoulder": up["shoulder"], "elbow": up["elbow"],
            "wrist": up["wrist"], "hip": leg["hip"], "knee": leg["knee"], "ankle": leg["ankle"],
            "heel": leg["heel"], "toe": leg["toe"]}


# -- the ghost of an analysis ---------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Ghost:
    """The ghost over one analysed clip: ``points`` are its joints per frame in the analysis's
    sagittal plane (u forward, v up, the kinematics' units: image pixels from the side), NaN
    outside the reps, each rep anchored at the person's ankle; ``alpha`` 0 standing to 1 at
    the bottom; ``rep_of_frame`` the index into ``analysis.reps`` (-1 outside)."""

    body: GhostBody
    plan: GhostPlan
    alpha: np.ndarray
    rep_of_frame: np.ndarray
    points: dict[str, np.ndarray]

    def at(self, frame: int) -> dict[str, np.ndarray] | None:
        """Joints at ``frame`` (u, v), or None where the ghost is not shown."""
        if not 0 <= frame < self.alpha.shape[0] or self.rep_of_frame[frame] < 0:
            return None
        pts = {j: p[frame] for j, p in self.points.items()}
        return pts if np.isfinite(pts["hip"]).all() else None


@dataclass(frozen=True)
class NoGhost:
    """Why no ghost is drawn (said in the report)."""

    reason: str


def build_ghost(analysis: Analysis, *, height_cm: float | None = None,
                usual_depth_hip_angle_deg: float | None = None) -> Ghost | NoGhost:
    """The ghost of ``analysis``: the person's segments (standing frames), the exercise's
    hinge at their depth, each rep's timing, anchored at the ankle the rep stood on."""
    kin = analysis.kinematics
    if analysis.pose.view != "side" or kin.view not in ("side", "unknown"):
        return NoGhost(f"The ghost is drawn from a side view only (this clip is filmed from the "
                       f"{analysis.pose.view}).")
    if not analysis.reps:
        return NoGhost("No rep to show the ghost on.")
    if not hinge_asked(analysis.standard):
        return NoGhost("No ghost for a squat graded as a squat: the ghost shows the hip hinge.")
    segments = measure_segments_px(analysis.pose, kin, kneeling=ghost_exercise(analysis) == "kneeling_hinge")
    if segments is None:
        return NoGhost("No standing frames to measure your body on (stand tall for a second "
                       "before the first rep).")
    body = fit_body(segments, height_cm)
    plan = plan_for(analysis, body, usual_depth_hip_angle_deg)
    alpha, which = rep_alphas(list(analysis.reps), kin.n_frames)
    shown = which >= 0
    p = ghost_posture(body.body, plan, alpha[shown])
    sim = sagittal_joints(body.body, p)
    ankle = kin.points["ankle"]
    points = {j: np.full((kin.n_frames, 2), np.nan) for j in sim}
    idx = np.flatnonzero(shown)
    for k, rep in enumerate(analysis.reps):
        sel = which[idx] == k
        seen = ankle[rep.start_frame:rep.end_frame + 1]
        if not sel.any() or not np.isfinite(seen).all(axis=1).any():
            continue
        anchor = np.nanmedian(seen, axis=0)
        for j, xy in sim.items():
            points[j][idx[sel]] = anchor + body.px_per_m * (xy[sel] - sim["ankle"][sel])
    return Ghost(body=body, plan=plan, alpha=alpha, rep_of_frame=which, points=points)


def ghost_pose_sequence(body: Body, plan: GhostPlan, alpha: np.ndarray, t_s: np.ndarray, camera,
                        source: str = "ghost"):
    """The ghost's own BlazePose keypoints (standing where alpha is NaN), seen by ``camera``
    through the simulator's detector without noise: what the analysis would read from a video
    of the ghost alone."""
    from hingecoach.pose import PoseSequence
    from hingecoach.sim.noise import detect
    from hingecoach.sim.pose3d import build_pose3d
    from hingecoach.sim.truth import true_angles

    a = np.nan_to_num(alpha, nan=0.0)
    p = ghost_posture(body, plan, a)
    pose3d = build_pose3d(body, p, t_s)
    trunk = true_angles(pose3d)["trunk_angle_deg"]
    det = detect(pose3d.blazepose_array(), trunk, camera, body.height_m, "none", np.random.default_rng(0))
    return PoseSequence(xyz=det.xyz, visibility=det.visibility, t_s=t_s, fps=camera.fps,
                        image_size=camera.image_size, source=source, view=camera.view,
                        facing=camera.facing, world_xyz=det.world_xyz, history=("ghost",))
