"""MOT (``.mot``): OpenSim's table of coordinates over time, as Sports2D writes its joint
angles and OpenSim's inverse kinematics its results. Written only (the analysis has no use
for reading one): the sagittal angles of :class:`~hingecoach.kinematics.Kinematics`, in degrees."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from hingecoach import atomic
from hingecoach.kinematics import Kinematics


def angle_columns(kin: Kinematics) -> list[str]:
    """The kinematics' angle series (names ending in ``_deg``), in the order they were made."""
    return [name for name in kin.series if name.endswith("_deg")]


def write_mot(kin: Kinematics, path: Path) -> Path:
    """Write the per-frame angles (degrees; a frame where one was not measured says NaN) with
    OpenSim's storage header (``inDegrees=yes``), tab separated, one row per frame. Written
    atomically."""
    names = angle_columns(kin)
    table = np.column_stack([kin.t_s] + [np.asarray(kin.series[c], dtype=np.float64) for c in names])
    lines = [Path(path).stem, "version=1", f"nRows={table.shape[0]}", f"nColumns={table.shape[1]}",
             "inDegrees=yes", "endheader", "\t".join(["time", *names])]
    for row in table:
        lines.append("\t".join(f"{v:.6f}" if math.isfinite(v) else "NaN" for v in row))
    return atomic.write_text(Path(path), "\n".join(lines) + "\n")
