"""Angle RMSE of compute_kinematics against the simulator's truth over the accuracy suite.

Run: ``.venv/bin/python -m bench.sim_accuracy [N]`` (default N = 500 sets). Prints hip, knee
and trunk angle RMSE (degrees) per view over the frames inside the set (first rep start to last
rep end), where both measure and truth exist.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict

import numpy as np

from hingecoach.kinematics import compute_kinematics
from hingecoach.sim import simulate
from hingecoach.sim.suite import accuracy_suite

ANGLES = ("hip_angle_deg", "knee_angle_deg", "trunk_angle_deg")


def set_errors(config: dict) -> dict[str, np.ndarray]:
    """Per-frame measured - true angle inside the set, for one suite config."""
    result = simulate(**config)
    truth = result.truth
    if not truth.reps:
        return {a: np.empty(0) for a in ANGLES}
    a, b = truth.reps[0].start_frame, truth.reps[-1].end_frame + 1
    kin = compute_kinematics(result.pose)
    out = {}
    for name in ANGLES:
        d = (kin[name] - truth[name])[a:b]
        out[name] = d[np.isfinite(d)]
    return out


def main(n: int = 500) -> None:
    t0 = time.perf_counter()
    errors: dict[tuple[str, str], list[np.ndarray]] = defaultdict(list)
    for config in accuracy_suite(n=n):
        for name, d in set_errors(config).items():
            errors[(config["view"], name)].append(d)
            errors[(config["view"] + "/" + config["noise"], name)].append(d)
    print(f"sim_accuracy: {n} simulated sets in {time.perf_counter() - t0:.0f} s")
    print(f"{'view':<18}" + "".join(f"{a.replace('_angle_deg', '') + ' RMSE':>13}" for a in ANGLES)
          + f"{'frames':>9}")
    for key in sorted({k[0] for k in errors}, key=lambda k: ("/" in k, k)):
        cells, frames = [], 0
        for name in ANGLES:
            d = np.concatenate(errors[(key, name)])
            cells.append(f"{np.sqrt(np.mean(d ** 2)):>12.2f}°")
            frames = d.size
        print(f"{key:<18}" + "".join(cells) + f"{frames:>9}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
