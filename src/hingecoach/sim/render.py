"""Render simulated movement as a video of a shaded 3D human that BlazePose detects.

Public API
----------
* :func:`render_frame` -- one RGB frame (uint8, H x W x 3) from one set of named 3D points.
* :func:`render_video` -- an H.264 mp4 (yuv420p, plays in browsers) from a whole sequence,
  with a progress bar.
* :func:`project_points` -- the true joints in image pixels, to compare a detector against.

Input points are in the simulator's world frame (X = the person's forward direction, Y = up
with the floor at Y=0, Z = to the person's left; metres), named with BlazePose-33 names plus
spine points ("pelvis", "lumbar", "thoracic", "neck", "head_centre"). A sequence is either a
mapping name -> (frames, 3) array or a simulator result carrying such a mapping (see
:func:`world_points_of`).

The heavy lifting is a numba ray-marcher (:mod:`hingecoach.sim.render_kernel`); importing
this module compiles nothing, the first render does (then numba's cache keeps it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from hingecoach.sim.camera import Camera
from hingecoach.sim.render_camera import at_size, kernel_array, lighting, project
from hingecoach.sim.render_scene import BUILDS, Build, build_primitives, palette

DEFAULT_SIZE = (640, 360)  # the simulator camera's 16:9 at a size BlazePose reads well
_TILE_PX = 16
_WALL_BEHIND_M = 1.8  # wall distance behind the person, along the camera's line of sight


def _as_build(build: Build | str) -> Build:
    if isinstance(build, Build):
        return build
    if build not in BUILDS:
        raise ValueError(f"Expected a build among {sorted(BUILDS)}, but got {build!r}.")
    return BUILDS[build]


def _to_uint8(img_linear: np.ndarray) -> np.ndarray:
    """Linear RGB -> display sRGB-ish (gamma 2.2, soft shoulder so highlights do not clip flat)."""
    x = np.maximum(img_linear, 0.0)
    x = x / (1.0 + 0.15 * x)
    return (np.clip(x, 0.0, 1.0) ** (1.0 / 2.2) * 255.0 + 0.5).astype(np.uint8)


def render_frame(
    points: Mapping[str, np.ndarray],
    camera: Camera | None = None,
    size: tuple[int, int] | None = DEFAULT_SIZE,
    build: Build | str = "average",
) -> np.ndarray:
    """One RGB frame (height, width, 3) uint8 of the figure given by named 3D points (metres).

    ``camera`` is the simulator's camera (default: side view); ``size`` overrides its image
    size (None keeps it).
    """
    from hingecoach.sim.render_kernel import render_kernel

    cam = at_size(camera or Camera(), size)
    b = _as_build(build)
    prims = build_primitives(dict(points), b)
    light, wall = lighting(cam, _WALL_BEHIND_M)
    w, h = cam.image_size
    img = render_kernel(prims, palette(b), kernel_array(cam), light, wall, w, h, _TILE_PX)
    return _to_uint8(img)


def world_points_of(source: Any) -> dict[str, np.ndarray]:
    """Name -> (frames, 3) world points from a mapping or a simulator result.

    A result may carry them as an attribute or key named ``world_points``, ``points_world``,
    ``joints_world`` or ``points``; a (frames, 33, 3) ``world_xyz`` array in BlazePose order
    also works (spine points are then derived from hips, shoulders and ears).
    """
    if isinstance(source, Mapping) and "left_hip" in source:
        return {k: np.asarray(v, dtype=np.float64) for k, v in source.items()}
    for holder in ("pose3d", "pose_3d", "world"):
        inner = getattr(source, holder, None)
        if inner is not None and not isinstance(source, Mapping):
            return world_points_of(inner)
    for name in ("world_points", "points_world", "joints_world", "points"):
        value = source.get(name) if isinstance(source, Mapping) else getattr(source, name, None)
        if isinstance(value, Mapping) and "left_hip" in value:
            return {k: np.asarray(v, dtype=np.float64) for k, v in value.items()}
    xyz = source.get("world_xyz") if isinstance(source, Mapping) else getattr(source, "world_xyz", None)
    if xyz is None and hasattr(source, "pose"):
        xyz = getattr(source.pose, "world_xyz", None)
    if xyz is not None:
        from hingecoach.pose.schema import BLAZEPOSE33

        arr = np.asarray(xyz, dtype=np.float64)
        return {name: arr[:, i, :] for i, name in enumerate(BLAZEPOSE33)}
    raise TypeError(
        "Expected a mapping of point name -> (frames, 3) world metres, or a simulator result "
        f"carrying one, but got {type(source).__name__}."
    )


def iter_frames(points_seq: Mapping[str, np.ndarray]) -> Iterator[dict[str, np.ndarray]]:
    """Per-frame dicts name -> (3,) from name -> (frames, 3)."""
    n = min(len(v) for v in points_seq.values())
    for i in range(n):
        yield {k: v[i] for k, v in points_seq.items()}


def project_points(points_seq: Mapping[str, np.ndarray], camera: Camera, size: tuple[int, int] | None = None) -> dict:
    """Name -> (frames, 2) image pixels (x right, y down) of the true points, at ``size``."""
    return project(at_size(camera, size), dict(points_seq))


def _camera_of(source: Any, camera: Camera | None) -> Camera:
    """The caller's camera, else the simulator result's, else the default side view."""
    if camera is not None:
        return camera
    cam = getattr(source, "camera", None)
    return cam if isinstance(cam, Camera) else Camera()


def build_of(source: Any) -> str:
    """'heavy' for a simulated body of girth >= 1.15, else 'average'."""
    body = getattr(source, "body", None)
    return "heavy" if float(getattr(body, "girth", 1.0)) >= 1.15 else "average"


def render_video(
    source: Any,
    out_path: str | Path,
    camera: Camera | None = None,
    size: tuple[int, int] | None = DEFAULT_SIZE,
    fps: float | None = None,
    build: Build | str | None = None,
    progress: bool = True,
) -> Path:
    """Render every frame of ``source`` into an H.264 mp4 at ``out_path``; returns the path.

    ``camera`` defaults to the source's ``camera`` (a simulator result), else a side view;
    ``size`` overrides the camera's image size (None keeps it); ``fps`` defaults to the
    source's or the camera's ``fps``, else 30; ``build`` defaults from the simulated body.
    """
    import imageio_ffmpeg
    from tqdm import tqdm

    pts = world_points_of(source)
    cam = at_size(_camera_of(source, camera), size)
    rate = float(fps or getattr(source, "fps", None) or getattr(cam, "fps", None) or 30.0)
    b = build or build_of(source)
    w, h = cam.image_size
    if w % 2 or h % 2:
        raise ValueError(f"Expected an even width and height for yuv420p video, but got {w}x{h}.")
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = imageio_ffmpeg.write_frames(
        str(out), (w, h), fps=rate, codec="libx264", pix_fmt_out="yuv420p", macro_block_size=2,
        quality=None, output_params=["-crf", "20", "-preset", "veryfast", "-movflags", "+faststart"],
    )
    writer.send(None)
    n = min(len(v) for v in pts.values())
    try:
        for frame in tqdm(iter_frames(pts), total=n, desc="render", unit="frame", disable=not progress):
            writer.send(np.ascontiguousarray(render_frame(frame, cam, None, b)))
    finally:
        writer.close()
    return out
