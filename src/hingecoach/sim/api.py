"""``simulate``: one seeded call from a movement description to landmarks plus ground truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from hingecoach.pose import PoseSequence
from hingecoach.pose.schema import INDEX
from hingecoach.sim.body import Body, random_body
from hingecoach.sim.camera import Camera, random_camera
from hingecoach.sim.chain import posture
from hingecoach.sim.faults import check_faults
from hingecoach.sim.movements import PATTERN, script
from hingecoach.sim.noise import detect
from hingecoach.sim.outline import mask_back_bend_deg
from hingecoach.sim.pose3d import Pose3D, build_pose3d
from hingecoach.sim.timeline import Rendered, render
from hingecoach.sim.truth import RepTruth, Truth, true_angles

#: Seed stream of the mask-outline noise, apart from the four drawn from ``seed`` (adding it
#: changed no landmark of an existing seed).
OUTLINE_STREAM = 7


@dataclass(frozen=True, eq=False)
class SimResult:
    """Detected landmarks (``pose``), ground truth, the 3D points behind them, the body and
    the camera."""

    pose: PoseSequence
    truth: Truth
    pose3d: Pose3D
    body: Body
    camera: Camera


def _reps(rendered: Rendered, reps: list, pattern: str) -> list[RepTruth]:
    out = []
    s, t = rendered.starts, rendered.t_s
    for i, (seg, plan) in enumerate(reps):
        start, bottom0, ascent0, after = s[seg], s[seg + 1], s[seg + 2], s[seg + 3]
        bottom = (bottom0 + ascent0 - 1) // 2
        end = after - 1
        out.append(RepTruth(i, start, bottom, end, float(t[start]), float(t[bottom]),
                            float(t[end]), pattern, dict(plan.faults), float(t[bottom0]), float(t[ascent0]),
                            float(t[min(after, len(t) - 1)])))
    return out


def _phases(rendered: Rendered) -> list[dict[str, Any]]:
    """Consecutive segments with the same tag merged: [{tag, start_frame, end_frame}]."""
    out: list[dict[str, Any]] = []
    for tag, a, b in zip(rendered.tags, rendered.starts[:-1], rendered.starts[1:], strict=False):
        if out and out[-1]["tag"] == tag:
            out[-1]["end_frame"] = b - 1
        else:
            out.append({"tag": tag, "start_frame": a, "end_frame": b - 1})
    return out


def simulate(movement: str = "hinge", reps: int | None = None, faults: dict[str, float] | None = None,
             view: str = "side", seed: int = 0, noise: str = "typical", *, fps: float = 30.0,
             image_size: tuple[int, int] = (1280, 720), body: Body | None = None,
             body_type: str = "any", camera: Camera | None = None, setup: bool = True,
             fatigue: float = 0.0) -> SimResult:
    """Simulate one set.

    ``reps`` None draws 5-12. ``faults`` maps fault codes (sim.faults.FAULT_CODES) to
    severities in [0, 1]. ``view`` side/oblique/front places a random phone camera unless
    ``camera`` is given. ``noise`` none/low/typical/high (sim.noise). ``setup`` adds the
    walk-in, arm stretch and walk-out around the set. ``fatigue`` (0-2) slows the ascents through
    the set, the last one by that fraction. The same arguments give the same result.
    """
    rng = np.random.default_rng(seed)
    body_rng, move_rng, cam_rng, noise_rng = (np.random.default_rng(s) for s in rng.integers(0, 2**63, 4))
    faults = check_faults(dict(faults or {}), movement)
    body = body or random_body(body_rng, body_type)
    n_reps = int(reps if reps is not None else move_rng.integers(5, 13))
    if n_reps < 0:
        raise ValueError(f"Expected a rep count >= 0, but got {n_reps}.")
    if not 0.0 <= fatigue <= 2.0:
        raise ValueError(f"Expected fatigue between 0 and 2, but got {fatigue!r}.")
    segments, plans, start = script(movement, n_reps, faults, body, move_rng, setup, fatigue)
    camera = camera or random_camera(cam_rng, view, body.height_m, image_size, fps)
    rendered = render(segments, camera.fps, start)
    mode = "kneeling" if movement == "kneeling" else "standing"
    post = posture(body, rendered.channels, mode)
    pose3d = build_pose3d(body, post, rendered.t_s)
    rep_truth = _reps(rendered, plans, PATTERN[movement])
    ref = rep_truth[0].start_frame if rep_truth else 0
    series = true_angles(pose3d, ref)
    ch = rendered.channels
    series.update({k: ch[k].copy() for k in ("lumbar_flex_deg", "thoracic_flex_deg",
                                              "neck_flex_deg", "pelvis_rock_deg")})
    series["spine_flex_deg"] = ch["lumbar_flex_deg"] + ch["thoracic_flex_deg"]
    config = {"movement": movement, "reps": n_reps, "faults": faults, "view": camera.view,
              "seed": seed, "noise": noise, "setup": setup, "body_type": body_type,
              "body": body.to_dict(), "camera": camera.to_dict()}
    truth = Truth(movement, PATTERN[movement], rendered.t_s, series, rep_truth,
                  _phases(rendered), config)
    det = detect(pose3d.blazepose_array(), series["trunk_angle_deg"], camera, body.height_m,
                 noise, noise_rng)
    found = np.isfinite(det.xyz[:, INDEX["left_hip"], 0]) | np.isfinite(det.xyz[:, INDEX["right_hip"], 0])
    back_bend = mask_back_bend_deg(pose3d, body, camera, series["trunk_angle_deg"],
                                   [(r.start_frame, r.end_frame) for r in rep_truth], found, noise,
                                   np.random.default_rng([seed, OUTLINE_STREAM]))
    pose = PoseSequence(
        xyz=det.xyz, visibility=det.visibility, t_s=rendered.t_s, fps=camera.fps,
        image_size=camera.image_size, source=f"sim:{movement}:seed={seed}", view=camera.view,
        facing=camera.facing, world_xyz=det.world_xyz, channels={"back_bend_deg": back_bend},
        history=(f"simulated {movement} x{n_reps} noise={noise}",),
        meta={"simulated": True, "seed": seed, "movement": movement, "noise": noise},
    )
    return SimResult(pose=pose, truth=truth, pose3d=pose3d, body=body, camera=camera)
