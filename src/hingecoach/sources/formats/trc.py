"""TRC (``trc``): OpenSim marker files from Sports2D/Pose2Sim, 3D, Y up, metres, cm or mm.
See :func:`load_trc` for the projection onto a side view."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from hingecoach.pose import PoseSequence
from hingecoach.pose.schema import BLAZEPOSE33, INDEX
from hingecoach.sources.formats.common import (
    K,
    fail,
    is_number,
    make_sequence,
    option_fps,
    read_text,
)
from hingecoach.sources.registry import register_loader

#: TRC projection scale: 1000 px per metre keeps millimetre detail in whole pixels.
TRC_PX_PER_M = 1000.0
#: Border around the projected TRC skeleton, pixels.
TRC_MARGIN_PX = 100.0
_UP = np.array([0.0, 1.0, 0.0])  # TRC (OpenSim) is Y up


def _trc_aliases() -> dict[str, str]:
    """Normalised marker name -> BlazePose name.

    Accepted: BlazePose names themselves (``right_hip``), Pose2Sim/Sports2D names (``RHip``,
    ``RKnee``, ``RAnkle``, ``RHeel``, ``RShoulder``, ``RElbow``, ``RWrist``, ``REye``, ``REar``,
    ``Nose``) and the big toe as the foot index (``RBigToe``, ``RToe``). Markers BlazePose lacks
    (``Hip``/``CHip``, ``Neck``, ``Head``, ``RSmallToe``) are left out and listed in ``meta``.
    """
    out: dict[str, str] = {}
    for name in BLAZEPOSE33:
        out[name.replace("_", "")] = name
        for side, letter in (("left_", "l"), ("right_", "r")):
            if name.startswith(side):
                out[letter + name[len(side):].replace("_", "")] = name
    for letter, side in (("l", "left"), ("r", "right")):
        for toe in ("bigtoe", "toe"):
            out[letter + toe] = f"{side}_foot_index"
    return out


_TRC_ALIASES = _trc_aliases()
_TRC_UNITS = {"m": 1.0, "mm": 0.001, "cm": 0.01}


def _trc_header(lines: list[str], path: Path) -> tuple[dict[str, str], list[str]]:
    """The DataRate/Units table (lines 2-3) and the marker names (line 4)."""
    if len(lines) < 5 or not lines[0].startswith("PathFileType"):
        raise fail(path, "is not a TRC file (it should start with a 'PathFileType' line and "
                   "have 5 header lines).", "Export the markers again from Sports2D/Pose2Sim/OpenSim.")
    keys = [c.strip() for c in lines[1].split("\t")]
    values = [c.strip() for c in lines[2].split("\t")]
    table = dict(zip(keys, values, strict=False))
    names_row = lines[3].split("\t")
    if len(names_row) < 3 or names_row[0].strip() != "Frame#":
        raise fail(path, "line 4 should be 'Frame#<tab>Time<tab>marker names...'.")
    markers = [c.strip() for c in names_row[2::3]]
    if not markers or not all(markers):
        raise fail(path, "marker names on line 4 are missing or not 3 columns apart.")
    return table, markers


def _trc_body(lines: list[str], n_markers: int, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Times (T,) and marker coordinates (T, M, 3) from the data lines (empty cells are NaN)."""
    rows = [ln for ln in lines[5:] if ln.strip()]
    width = 2 + 3 * n_markers
    table = np.full((len(rows), width), np.nan)
    for r, line in enumerate(rows):
        cells = line.rstrip("\r\n").split("\t")
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            raise fail(path, f"data line {r + 1} has more values than its {n_markers} markers.")
        for c, cell in enumerate(cells[:width]):
            cell = cell.strip()
            if not cell:
                continue
            try:
                table[r, c] = float(cell)
            except ValueError:
                raise fail(path, f"data line {r + 1} has {cell[:20]!r}, not a number.") from None
    if np.isinf(table).any():
        raise fail(path, "holds an infinite value.")
    return table[:, 1], table[:, 2:].reshape(len(rows), n_markers, 3)


def _trc_rate(table: dict[str, str], path: Path) -> tuple[float | None, float]:
    """(file frame rate or None, metres per unit)."""
    rate: float | None = None
    if table.get("DataRate"):
        try:
            rate = float(table["DataRate"])
        except ValueError:
            raise fail(path, f"DataRate {table['DataRate'][:20]!r} is not a number.") from None
    unit = table.get("Units", "m")
    if unit not in _TRC_UNITS:
        raise fail(path, f"unknown Units {unit[:20]!r}.", "Use a TRC in m, cm or mm.")
    return rate, _TRC_UNITS[unit]


def _sagittal_axes(world: np.ndarray) -> tuple[np.ndarray, np.ndarray, str | None]:
    """(forward, right) unit vectors in the horizontal plane (Y up) of the person.

    Right is the median left->right hip (else shoulder) direction (each frame's a unit vector);
    forward = up x right (:func:`hingecoach.kinematics.angles.floor_axes`). With neither,
    OpenSim's axes are assumed (X forward, Z right).
    """
    # imported here: SciPy is not wanted on every start-up (the loaders are all imported to sniff)
    from hingecoach.kinematics.angles import floor_axes

    for left, right in (("left_hip", "right_hip"), ("left_shoulder", "right_shoulder")):
        lr = world[:, INDEX[right]] - world[:, INDEX[left]]
        lr = lr[np.isfinite(lr).all(axis=1)][:, [0, 2]]
        if len(lr):
            vec = np.median(lr / np.maximum(np.linalg.norm(lr, axis=1, keepdims=True), 1e-12), axis=0)
            axes = floor_axes(np.array([vec[0], 0.0, vec[1]]), _UP)
            if axes is not None:
                return axes[0], axes[1], None
    return np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0]), \
        "no hip or shoulder pair: assumed OpenSim axes (X forward, Z right)"


def _trc_project(world: np.ndarray, facing: str, px_per_m: float
                 ) -> tuple[np.ndarray, np.ndarray, tuple[int, int], str | None]:
    """Image xyz (pixels, a side view), camera-aligned world (metres, hip-centred), image size."""
    fwd, right, note = _sagittal_axes(world)
    sign = 1.0 if facing == "right" else -1.0
    # Camera on the person's right (facing right) or left (facing left), looking across them.
    along = sign * (world @ fwd)
    down = -world[..., 1]
    toward = -sign * (world @ right)  # negative towards the camera, as BlazePose's z
    cam = np.stack([along, down, toward], axis=-1)
    lo = np.nanmin(cam[..., :2].reshape(-1, 2), axis=0)
    hi = np.nanmax(cam[..., :2].reshape(-1, 2), axis=0)
    xyz = (cam - np.array([lo[0], lo[1], np.nanmean(cam[..., 2])])) * px_per_m
    xyz[..., :2] += TRC_MARGIN_PX
    size = (int(math.ceil((hi[0] - lo[0]) * px_per_m + 2 * TRC_MARGIN_PX)),
            int(math.ceil((hi[1] - lo[1]) * px_per_m + 2 * TRC_MARGIN_PX)))
    hips = cam[:, [INDEX["left_hip"], INDEX["right_hip"]]]
    if np.isfinite(hips).any():
        with warnings.catch_warnings():  # frames without hips give NaN centres, by design
            warnings.simplefilter("ignore", RuntimeWarning)
            centre = np.nanmean(np.where(np.isfinite(hips), hips, np.nan), axis=1, keepdims=True)
    else:
        centre, note = np.zeros((1, 1, 3)), note or "no hip markers: world landmarks not hip-centred"
    return xyz, cam - centre, size, note


@register_loader("trc", (".trc",))
def load_trc(path: Path, **options: Any) -> PoseSequence:
    """Sports2D/Pose2Sim/OpenSim .trc markers as a side view.

    TRC is 3D (metres, Y up). The person's sagittal plane is found from the hips (the
    left->right hip direction is the camera's line of sight), and the markers are projected on
    it at ``px_per_m`` (default 1000) pixels per metre, y down, with a 100 px border, the person
    facing image right (``facing="left"`` mirrors). ``world_xyz`` holds the same camera-aligned
    axes in metres, centred on the hip midpoint each frame (as BlazePose's world landmarks).
    """
    lines = read_text(path).splitlines()
    table, markers = _trc_header(lines, path)
    rate, metres = _trc_rate(table, path)
    t, raw = _trc_body(lines, len(markers), path)
    if len(t) == 0:
        raise fail(path, "has no data lines.", "Export the markers again.")
    if not np.isfinite(t).all():
        raise fail(path, "a Time cell is empty.", "Every data line needs its time in column 2.")
    facing = options.get("facing", "right")
    px_per_m = options.get("px_per_m", TRC_PX_PER_M)
    if facing not in ("left", "right") or not (is_number(px_per_m) and 0 < px_per_m < 1e6):
        raise fail(path, f"options facing={facing!r}, px_per_m={px_per_m!r} are not usable.",
                   "Use facing='left' or 'right' and a positive px_per_m.")
    world = np.full((len(t), K, 3), np.nan)
    used, unused = [], []
    for m, name in enumerate(markers):
        target = _TRC_ALIASES.get(re.sub(r"[^a-z0-9]", "", name.lower()))
        if target is None or target in used:
            unused.append(name)
            continue
        used.append(target)
        world[:, INDEX[target]] = raw[:, m] * metres
    if not np.isfinite(world).all(axis=-1).any():
        raise fail(path, f"none of the markers {markers[:6]} maps to a body point with data.",
                   "Use Pose2Sim/Sports2D marker names (RHip, RKnee, RAnkle, RShoulder, ...).")
    span_m = np.nanmax(world, axis=(0, 1)) - np.nanmin(world, axis=(0, 1))
    if not np.all(span_m[np.isfinite(span_m)] < 100.0):
        raise fail(path, f"the markers span {np.nanmax(span_m):.3g} m, more than a person can.",
                   "Check the Units line (m or mm) and re-export the markers.")
    xyz, cam, size, axis_note = _trc_project(world, facing, float(px_per_m))
    xyz[~np.isfinite(xyz).all(axis=-1)] = np.nan
    vis = np.isfinite(xyz).all(axis=-1).astype(np.float64)
    fps, fps_note = option_fps(options, rate, path)
    meta = {"format": "trc", "markers_used": used, "markers_unused": unused,
            "px_per_m": float(px_per_m)}
    history = [f"loaded TRC ({len(used)} markers), projected on the sagittal plane at "
               f"{float(px_per_m):g} px/m facing {facing}", fps_note, axis_note]
    return make_sequence(path, xyz=xyz, vis=vis, t=t, fps=fps, size=size, history=history,
                         meta=meta, world=cam, view="side", facing=facing)


#: Markers written, in Pose2Sim/Sports2D's names and order (the points BlazePose has of their
#: body set; the big toe is BlazePose's foot index). Each reads back into its own slot.
TRC_WRITE_MARKERS: tuple[tuple[str, str], ...] = (
    ("RHip", "right_hip"), ("RKnee", "right_knee"), ("RAnkle", "right_ankle"),
    ("RBigToe", "right_foot_index"), ("RHeel", "right_heel"),
    ("LHip", "left_hip"), ("LKnee", "left_knee"), ("LAnkle", "left_ankle"),
    ("LBigToe", "left_foot_index"), ("LHeel", "left_heel"), ("Nose", "nose"),
    ("RShoulder", "right_shoulder"), ("RElbow", "right_elbow"), ("RWrist", "right_wrist"),
    ("LShoulder", "left_shoulder"), ("LElbow", "left_elbow"), ("LWrist", "left_wrist"),
)


def body_frame_markers(seq: PoseSequence, min_visibility: float) -> np.ndarray:
    """(frames, markers, 3) of :data:`TRC_WRITE_MARKERS` in metres in OpenSim's body axes (X the
    way the person faces, Y up, Z to their right, the hips' midpoint at the origin), from the
    world landmarks; a landmark under ``min_visibility`` is NaN (missing), as in the analysis.
    Forward is the analysis's own (:func:`~hingecoach.kinematics.angles.sagittal_axes_world`:
    where the toes and nose point), right the labelled hips' direction, so the file's right
    markers are on the right even for landmarks that are a mirror image (the simulator's)."""
    from hingecoach.errors import HingeInputError
    from hingecoach.kinematics.angles import floor_axes, sagittal_axes_world

    axes, lateral = sagittal_axes_world(seq), None
    if seq.world_xyz is not None and axes is not None:
        hips = seq.world_xyz[:, INDEX["right_hip"]] - seq.world_xyz[:, INDEX["left_hip"]]
        lateral = floor_axes(np.nanmedian(hips, axis=0), axes[1])
    if seq.world_xyz is None or axes is None or lateral is None:
        raise HingeInputError(f"{Path(seq.source).name}: no 3D world landmarks with the hips seen, so no "
                              "markers in metres.", "Export from a video or photo (BlazePose gives world "
                              "landmarks), a TRC, or a keypoint file that carries world landmarks.")
    rot = np.stack([axes[0], axes[1], lateral[1]])  # rows: X forward, Y up, Z right
    idx = [INDEX[name] for _, name in TRC_WRITE_MARKERS]
    world = np.where((seq.visibility[:, idx] >= min_visibility)[..., None], seq.world_xyz[:, idx], np.nan)
    return world @ rot.T


def write_trc(seq: PoseSequence, path: Path, min_visibility: float) -> Path:
    """Write ``seq``'s world landmarks as an OpenSim marker file (TRC, metres, Y up, the
    layout Pose2Sim and Sports2D write): readable by OpenSim's scaling and inverse kinematics,
    and by :func:`load_trc`. Missing markers are empty cells. Written atomically."""
    from hingecoach import atomic

    markers = body_frame_markers(seq, min_visibility)
    n, m = markers.shape[:2]
    rate = f"{seq.fps:g}"
    lines = [f"PathFileType\t4\t(X/Y/Z)\t{Path(path).name}",
             "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
             f"{rate}\t{rate}\t{n}\t{m}\tm\t{rate}\t1\t{n}",
             "Frame#\tTime\t" + "".join(f"{name}\t\t\t" for name, _ in TRC_WRITE_MARKERS).rstrip("\t"),
             "\t\t" + "\t".join(f"{a}{i + 1}" for i in range(m) for a in "XYZ")]
    for f in range(n):
        cells = ["" if not math.isfinite(v) else f"{v:.6f}" for v in markers[f].ravel()]
        lines.append(f"{f + 1}\t{seq.t_s[f]:.6f}\t" + "\t".join(cells))
    return atomic.write_text(Path(path), "\n".join(lines) + "\n")
