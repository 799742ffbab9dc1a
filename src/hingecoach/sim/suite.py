"""The fixed, seeded accuracy suite: varied simulated sets for the benchmarks.

Seeds start at ``seed_base`` (100000 by default), far from the seeds tests use (< 1000), so
the benchmark numbers are not tuned to. Each config is a dict of :func:`hingecoach.sim.simulate`
keyword arguments; the mix covers movements, body types, views, noise levels and every fault
alone at minor and major severity plus some combinations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from hingecoach.sim.body import BODY_TYPES
from hingecoach.sim.faults import FAULT_CODES, LOADED_FAULT_CODES, LOADED_MOVEMENTS, NOT_KNEELING

VIEWS = ("side", "side", "side", "oblique", "oblique", "front")  # side views dominate real use
NOISES = ("low", "typical", "typical", "high")
MOVEMENT_MIX = ("hinge", "hinge", "hinge", "hinge", "squat", "stoop", "kneeling")


#: Pairs of faults that undo each other in the same channels: a spine cannot both round and
#: over-arch, a knee cannot be both locked straight and bent into a squat, and the hips cannot
#: both stop short of full extension at the top and lean back past it (the two cancel in the
#: lockout's hip flexion, leaving labels the body does not show).
CONTRADICTORY = (("spine_rounded", "spine_overarched"), ("knees_locked", "knees_too_bent"),
                 ("incomplete_lockout", "lockout_lean_back"))


def applicable_faults(movement: str) -> list[str]:
    """The faults a set of ``movement`` can be given (in FAULT_CODES order): the knee and depth
    faults are hinge faults (a squat or a stoop is scored by its pattern), a kneeling person
    has no knee, depth or foot faults, and a stoop is Mistake 1 with a rounded back by design,
    so it can be neither torso-led nor over-arched on top."""
    allowed = [c for c in FAULT_CODES if movement != "kneeling" or c not in NOT_KNEELING]
    if movement in ("squat", "stoop"):
        allowed = [c for c in allowed if c not in ("knees_too_bent", "knees_locked", "too_deep")]
    if movement == "stoop":
        allowed = [c for c in allowed if c not in ("spine_overarched", "torso_leads")]
    return allowed


def _faults(rng: np.random.Generator, movement: str) -> dict[str, float]:
    """None (40 %), one fault (45 %) at minor (0.2-0.45) or major (0.55-1.0), or two (15 %)."""
    allowed = applicable_faults(movement)
    u = rng.random()
    n = 0 if u < 0.4 else (1 if u < 0.85 else 2)
    codes: np.ndarray | list[str] = rng.choice(allowed, size=n, replace=False) if n else []
    if any(set(pair) <= set(codes) for pair in CONTRADICTORY):
        codes = codes[:1]
    out = {}
    for code in codes:
        major = rng.random() < 0.5
        out[str(code)] = round(float(rng.uniform(0.55, 1.0) if major else rng.uniform(0.2, 0.45)), 3)
    return out


def accuracy_suite(seed_base: int = 100000, n: int = 500) -> Iterator[dict[str, Any]]:
    """``n`` configs, each with its own seed ``seed_base + i``."""
    for i in range(n):
        seed = seed_base + i
        rng = np.random.default_rng(seed)
        movement = str(rng.choice(MOVEMENT_MIX))
        yield {
            "movement": movement,
            "reps": int(rng.integers(3, 11)),
            "faults": _faults(rng, movement),
            "view": str(rng.choice(VIEWS)),
            "noise": str(rng.choice(NOISES)),
            "body_type": str(rng.choice(BODY_TYPES)),
            "setup": bool(rng.random() < 0.7),
            "seed": seed,
        }


#: Every movement the simulator makes, once each in turn (the exercise benchmark's mix).
EXERCISE_MIX = ("hinge", "squat", "stoop", "kneeling", "good_morning", "swing", "deadlift")


def exercise_suite(seed_base: int = 500000, n: int = 700) -> Iterator[dict[str, Any]]:
    """``n`` configs cycling through every simulated movement (the loaded lifts included),
    drawn like :func:`accuracy_suite` otherwise; seeds ``seed_base + i``. A set that holds a
    load is given the loaded faults too (a quarter of them, at minor or major severity)."""
    for i in range(n):
        seed = seed_base + i
        rng = np.random.default_rng(seed)
        movement = EXERCISE_MIX[i % len(EXERCISE_MIX)]
        faults = _faults(rng, movement)
        if movement in LOADED_MOVEMENTS and rng.random() < 0.25:
            for code in LOADED_FAULT_CODES:
                faults[code] = round(float(rng.uniform(0.55, 1.0) if rng.random() < 0.5 else rng.uniform(0.2, 0.45)), 3)
        yield {
            "movement": movement,
            "reps": int(rng.integers(3, 11)),
            "faults": faults,
            "view": str(rng.choice(VIEWS)),
            "noise": str(rng.choice(NOISES)),
            "body_type": str(rng.choice(BODY_TYPES)),
            "setup": bool(rng.random() < 0.7),
            "seed": seed,
        }
