"""Fixed-budget fuzz of the analysis stages: any finite PoseSequence in, physical results out.

Cases are simulated sets (any movement, view, noise level and faults, from hingecoach.sim)
damaged at random (frames and keypoints lost, runs of frames lost, jitter, a random slice,
variable or odd frame rates, huge or tiny coordinates), plus pure noise. Each goes through
``hingecoach.analysis.analyze`` and ``Analysis.to_dict``; a case fails when anything raises or
a result is physically impossible (angle outside [0, 180], score outside [0, 100], a rep outside
the clip, more reps than frames allow, JSON that is not valid JSON). Prints the cases run, how
many found reps, and every failure with the seed that reproduces it.

    .venv/bin/python -m bench.fuzz_analysis --seconds 60
"""

from __future__ import annotations

import json
import time
import traceback
from collections import Counter

import numpy as np

from bench import fuzz_common
from hingecoach.analysis import Analysis, analyze
from hingecoach.pose import PoseSequence
from hingecoach.sim.api import simulate
from hingecoach.sim.faults import FAULT_CODES

K = 33


def _timestamps(rng: np.random.Generator, n: int, fps: float) -> np.ndarray:
    jitter = rng.choice([0.0, 0.2, 0.9])
    steps = (1.0 / fps) * (1.0 + jitter * rng.uniform(-1.0, 1.0, n))
    return np.concatenate([[0.0], np.cumsum(steps[1:])]) if n else np.zeros(0)


def _damage(rng: np.random.Generator, xyz: np.ndarray, vis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = xyz.shape[0]
    frac = rng.choice([0.0, 0.05, 0.3, 0.8])
    lost = rng.random((n, K)) < frac
    lost |= (rng.random(n) < frac)[:, None]
    if n > 4 and rng.random() < 0.5:
        a = int(rng.integers(0, n - 1))
        lost[a:a + int(rng.integers(1, n // 2 + 2))] = True
    xyz = xyz + rng.normal(0.0, rng.choice([0.0, 5.0, 60.0]), xyz.shape)
    xyz[lost] = np.nan
    vis = vis.copy()
    vis[lost] = 0.0
    return xyz, vis


def simulated_case(rng: np.random.Generator) -> PoseSequence:
    """A simulated set, sliced, damaged and re-timed."""
    movement = str(rng.choice(["hinge", "squat", "stoop", "kneeling"]))
    faults = {str(c): float(rng.uniform(0, 1)) for c in rng.choice(FAULT_CODES, int(rng.integers(0, 3)), False)}
    if movement != "hinge":
        faults = {}
    sim = simulate(movement, reps=int(rng.integers(0, 4)), faults=faults,
                   view=str(rng.choice(["side", "oblique", "front"])), seed=int(rng.integers(0, 2**31)),
                   noise=str(rng.choice(["none", "typical", "high"])), setup=bool(rng.random() < 0.3))
    pose = sim.pose
    start = int(rng.integers(0, pose.n_frames + 1))
    stop = int(rng.integers(start, pose.n_frames + 1))
    xyz, vis = _damage(rng, pose.xyz[start:stop], pose.visibility[start:stop])
    fps = float(rng.choice([1.0, 7.5, 30.0, 60.0, 240.0]))
    world = None if pose.world_xyz is None or rng.random() < 0.5 else pose.world_xyz[start:stop]
    return PoseSequence(xyz=xyz, visibility=vis, t_s=_timestamps(rng, stop - start, fps), fps=fps,
                        image_size=pose.image_size, world_xyz=world, source="fuzz-sim")


def noise_case(rng: np.random.Generator) -> PoseSequence:
    """Landmarks anywhere at any scale, any visibility, any length including 0 to 2 frames."""
    n = int(rng.choice([0, 1, 2, 3, int(rng.integers(4, 200))]))
    scale = float(rng.choice([1.0, 300.0, 1e5, 1e9]))
    xyz, vis = _damage(rng, rng.normal(0.0, scale, (n, K, 3)), rng.uniform(-1.0, 2.0, (n, K)))
    fps = float(rng.uniform(0.2, 500.0))
    size = (int(rng.integers(1, 9000)), int(rng.integers(1, 9000)))
    return PoseSequence(xyz=xyz, visibility=vis, t_s=_timestamps(rng, n, fps), fps=fps, image_size=size,
                        source="fuzz-noise")


def violations(seq: PoseSequence, result: Analysis) -> list[str]:
    """Every physically impossible number in ``result`` (empty when all is well)."""
    bad = []
    kin = result.kinematics
    for name in ("hip_angle_deg", "knee_angle_deg"):
        v = kin[name][np.isfinite(kin[name])]
        if np.any((v < 0) | (v > 180 + 1e-9)):
            bad.append(f"{name} outside [0, 180]: {v.min():.1f}..{v.max():.1f}")
    t0, t1 = (seq.t_s[0], seq.t_s[-1]) if seq.n_frames else (0.0, 0.0)
    if result.rep_count > seq.n_frames // 3:
        bad.append(f"{result.rep_count} reps in {seq.n_frames} frames")
    for rep, a in zip(result.reps, result.assessments, strict=True):
        if not 0 <= rep.start_frame <= rep.bottom_frame <= rep.end_frame < seq.n_frames:
            bad.append(f"rep {rep.index} frames {rep.start_frame}/{rep.bottom_frame}/{rep.end_frame}")
        if not t0 - 1e-9 <= rep.start_s <= rep.end_s <= t1 + 1e-9:
            bad.append(f"rep {rep.index} times {rep.start_s}..{rep.end_s} outside {t0}..{t1}")
        if not rep.partial and not 0.0 <= a.score <= 100.0:
            bad.append(f"rep {rep.index} score {a.score}")
    if result.summary.score is not None and not 0.0 <= result.summary.score <= 100.0:
        bad.append(f"set score {result.summary.score}")
    json.dumps(result.to_dict(), allow_nan=False)  # raises on NaN/inf in the JSON result
    return bad


def run(seconds: float, seed: int) -> int:
    rng = np.random.default_rng(seed)
    counts: Counter[str] = Counter()
    failures: list[str] = []
    n = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        case_seed = int(rng.integers(0, 2**63))
        case_rng = np.random.default_rng(case_seed)
        kind = "simulated" if case_rng.random() < 0.7 else "noise"
        n += 1
        try:
            seq = simulated_case(case_rng) if kind == "simulated" else noise_case(case_rng)
            result = analyze(seq)
            problems = violations(seq, result)
        except Exception as exc:  # noqa: BLE001 - a fuzzer reports whatever escapes
            problems = [f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_exc().splitlines(True)[-4:])]
        else:
            counts["with reps" if result.reps else "no reps"] += 1
        counts[kind] += 1
        if problems:
            counts["FAILED"] += 1
            if len(failures) < 10:
                failures.append(f"{kind} case seed {case_seed}: " + "; ".join(problems))
    return fuzz_common.report(f"fuzz_analysis: {n} cases in {seconds:g} s (seed {seed})", counts, ("simulated", "noise", "with reps", "no reps", "FAILED"), failures)


def main() -> None:
    fuzz_common.main(run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
