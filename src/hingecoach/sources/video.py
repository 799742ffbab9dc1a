"""Video files and animated GIFs → PoseSequence with MediaPipe BlazePose (full model by
default, lite or heavy on request: :mod:`hingecoach.sources.pose_models`; CPU, no network).

Frames are decoded with OpenCV with the container's rotation applied (phone videos store
portrait footage as landscape plus a rotation tag; OpenCV's FFmpeg backend leaves it
unapplied unless ``CAP_PROP_ORIENTATION_AUTO`` is set), so landmarks are in the upright image.
Timestamps come from the container (variable frame rate is kept), repaired where they repeat.
An animated GIF is decoded the same way (FFmpeg's GIF demuxer): each frame's time comes from
the file's per-frame delays, and a delay under 20 ms plays as 100 ms, as browsers play it.
Each frame's segmentation mask gives the ``back_bend_deg`` and ``neck_turn_mask_deg``
channels (:mod:`hingecoach.sources.spine_mask`). Results are cached by file content
(:mod:`hingecoach.sources.cache`). Input a person can fix raises HingeInputError.
"""

from __future__ import annotations

import math
import queue
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hingecoach.config import section
from hingecoach.errors import NoPersonError, NotAVideoError, OutOfFrameError, TooShortError
from hingecoach.pose import PoseSequence
from hingecoach.pose.feet import facing_vote
from hingecoach.pose.schema import BLAZEPOSE33, INDEX
from hingecoach.sources import cache as kp_cache
from hingecoach.sources import people, pose_models, spine_mask
from hingecoach.sources.frames import (
    DEFAULT_ANALYSIS_FPS,
    MODEL_MAX_SIDE,
    SHRINK,
    FramePicker,
    effective_rate,
    nominal_fps,
    open_video,
    parse_fps,
    repair_timestamps,
    shrink,
)
from hingecoach.sources.native_logs import QuietStderr
from hingecoach.sources.registry import register_loader
from hingecoach.sources.suffixes import VIDEO_SUFFIXES

#: Bump when anything that changes a source's output changes (it invalidates the cache).
OUTPUT_VERSION = 6  # 2: meta["people_seen"] and meta["warnings"]; 3: spine skipped in upright frames;
# 4: the back's side read from the feet only where the shins stand (kneeling facing was flipped);
# 5: the back's side by the analysis's own facing vote (feet and nose), so kneeling has one too;
# 6: frames shrunk to MODEL_MAX_SIDE before the model; meta "source_fps", "analysis_fps", "frames_in_file"
K = len(BLAZEPOSE33)
KEY_JOINTS = ("hip", "knee", "ankle")


# -- the pose estimator ------------------------------------------------------------------
def pose_settings(static_image_mode: bool, model: str = pose_models.DEFAULT_MODEL) -> dict[str, Any]:
    """Everything that decides the estimator's output; part of the cache key."""
    return {
        "pose_model": pose_models.label(model), "model_complexity": pose_models.MODELS[model],
        "static_image_mode": static_image_mode, "enable_segmentation": True,
        "smooth_landmarks": not static_image_mode, "output_version": OUTPUT_VERSION,
        "spine_min_trunk_deg": section("video")["spine_min_trunk_deg"],
    }


def make_pose(static_image_mode: bool, model: str = pose_models.DEFAULT_MODEL):
    """A MediaPipe Pose object running ``model`` (lite, full or heavy; a HingeInputError if its
    file is not installed); use it in a ``with`` block so its graph is closed."""
    complexity = pose_models.check_model(model)
    import mediapipe as mp  # heavy import, deferred on purpose

    return mp.solutions.pose.Pose(
        static_image_mode=static_image_mode, model_complexity=complexity,
        enable_segmentation=True, smooth_landmarks=not static_image_mode,
    )


def landmarks_from_result(result, width: int, height: int):
    """(xyz (33,3) pixels, visibility (33,), world (33,3) metres) from one MediaPipe result;
    NaN and zero visibility when no person was found."""
    xyz = np.full((K, 3), math.nan)
    vis = np.zeros(K)
    world = np.full((K, 3), math.nan)
    if result.pose_landmarks is None:
        return xyz, vis, world
    for i, lm in enumerate(result.pose_landmarks.landmark):
        xyz[i] = (lm.x * width, lm.y * height, lm.z * width)
        vis[i] = lm.visibility
    if result.pose_world_landmarks is not None:
        for i, lm in enumerate(result.pose_world_landmarks.landmark):
            world[i] = (lm.x, lm.y, lm.z)
    return xyz, vis, world


def mid_point(xyz: np.ndarray, name: str) -> np.ndarray:
    """Mean of the left and right landmark ``name`` in 2-D pixels. In a side view the sides
    overlap and BlazePose swaps their labels, so the midpoint is the stable reading."""
    return (xyz[INDEX[f"left_{name}"], :2] + xyz[INDEX[f"right_{name}"], :2]) / 2


def spine_readings(mask: np.ndarray | None, xyz: np.ndarray, min_trunk_deg: float) -> dict[str, float]:
    """Back bend and neck turn of one frame for both facings (NaN without mask or person, and
    in upright frames: the back's shape is judged where the trunk is inclined)."""
    hip, shoulder = mid_point(xyz, "hip"), mid_point(xyz, "shoulder")
    dx, dy = shoulder - hip
    upright = not abs(math.degrees(math.atan2(dx, -dy))) >= min_trunk_deg  # NaN counts as upright
    if mask is None or upright:
        nan2 = (math.nan, math.nan)
        return spine_mask.spine_angles(np.zeros((1, 1)), nan2, nan2)
    return spine_mask.spine_angles(mask, hip, shoulder)


def spine_channels(readings: list[dict[str, float]], xyz: np.ndarray) -> tuple[dict, str]:
    """Per-frame spine channels for the facing the analysis will detect (:func:`facing_vote`:
    the feet where the shins stand, and the nose), and that facing."""
    facing = facing_vote(xyz)
    keys = readings[0].keys() if readings else ()
    stacked = {key: np.array([r[key] for r in readings], float) for key in keys}
    return spine_mask.pick_facing(stacked, facing), facing


def mean_luma(bgr: np.ndarray) -> float:
    """Mean brightness 0-255 (Rec. 601 weights) on a subsample: cheap and enough for 'dark'."""
    small = bgr[::8, ::8].astype(np.float32)
    return float((small @ np.array([0.114, 0.587, 0.299], np.float32)).mean())


# -- opening and decoding ------------------------------------------------------------------
@dataclass
class _Accumulator:
    """Per-frame results gathered while decoding."""

    xyz: list = field(default_factory=list)
    vis: list = field(default_factory=list)
    world: list = field(default_factory=list)
    t_ms: list = field(default_factory=list)
    source_frames: list = field(default_factory=list)
    spine: list = field(default_factory=list)
    luma: list = field(default_factory=list)
    people_samples: list = field(default_factory=list)  # (RGB frame, landmarks) for people.py
    frames_in_file: int = 0


def _progress_bar(total: int, name: str, progress: bool | None):
    from tqdm import tqdm

    enabled = sys.stderr.isatty() if progress is None else bool(progress)
    return tqdm(total=total or None, desc=f"pose {name}", unit="frame", file=sys.stderr,
                disable=not enabled, leave=False)


_END = object()


@dataclass(frozen=True)
class _Frame:
    """One decoded frame for the model: its time and index in the file, the RGB pixels (shrunk
    to MODEL_MAX_SIDE), the factor from original to those pixels, the original (w, h) and
    mean luma."""

    t_ms: float
    index: int
    rgb: np.ndarray
    scale: float
    size: tuple[int, int]
    luma: float


def _read_frames(cap, out: queue.Queue, picker: FramePicker) -> None:
    """Decode frames ahead of the pose model (a thread: OpenCV releases the GIL while it
    decodes). A frame the picker skips is only grabbed (decoded, never converted to BGR nor
    rotated); a kept one is retrieved, shrunk, then converted to RGB. Ends with the marker
    and the number of frames in the file."""
    import cv2

    index = -1
    try:
        while cap.grab():
            index += 1
            t_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
            if not picker.keep(t_ms):
                continue
            ok, bgr = cap.retrieve()
            if not ok or bgr is None:
                break
            small, scale = shrink(bgr)
            h, w = bgr.shape[:2]
            out.put(_Frame(t_ms, index, cv2.cvtColor(small, cv2.COLOR_BGR2RGB), scale, (w, h), mean_luma(bgr)))
    finally:
        out.put((_END, index + 1))


def _decode_and_estimate(cap, name: str, progress: bool | None, rate: float | None, source_fps: float,
                         model: str) -> tuple[_Accumulator, tuple[int, int]]:
    """Run the pose model over the frames at ``rate`` (None: every frame); returns the
    per-frame results and the original (w, h).

    Three stages overlap so the pose model (the bottleneck) never waits: a thread decodes the
    next frames, the main thread runs BlazePose, and another thread measures the back outline
    of the frames already done."""
    import cv2

    acc = _Accumulator()
    size = (0, 0)
    total = int(max(cap.get(cv2.CAP_PROP_FRAME_COUNT), 0))
    kept = total  # frames the model will see, for the people check's samples (0: unknown)
    if rate is not None:
        kept = int(math.ceil(total * rate / source_fps)) if math.isfinite(source_fps) and source_fps >= 1 else 0
    sampled = people.sample_indices(kept)
    min_trunk_deg = section("video")["spine_min_trunk_deg"]
    frames: queue.Queue = queue.Queue(maxsize=8)
    reader = threading.Thread(target=_read_frames, args=(cap, frames, FramePicker(rate, source_fps)), daemon=True)
    spine_jobs = []
    with _progress_bar(total, name, progress) as bar, QuietStderr() as quiet, \
            make_pose(static_image_mode=False, model=model) as pose, ThreadPoolExecutor(max_workers=1) as spine_pool:
        reader.start()
        while isinstance(item := frames.get(), _Frame):
            size = item.size
            acc.t_ms.append(item.t_ms)
            bar.update(item.index + 1 - bar.n)
            result = pose.process(item.rgb)
            quiet.release()  # MediaPipe logs only while its graph starts (first frame)
            xyz, vis, world = landmarks_from_result(result, *size)
            small_xyz = xyz * item.scale  # in the shrunk frame's pixels, as the mask is
            if len(acc.t_ms) - 1 in sampled:
                acc.people_samples.append((item.rgb, small_xyz))
            acc.xyz.append(xyz)
            acc.vis.append(vis)
            acc.world.append(world)
            acc.source_frames.append(item.index)
            mask = None if result.segmentation_mask is None else np.array(result.segmentation_mask)
            spine_jobs.append(spine_pool.submit(spine_readings, mask, small_xyz, min_trunk_deg))
            acc.luma.append(item.luma)
        acc.frames_in_file = item[1]
        bar.update(acc.frames_in_file - bar.n)
        reader.join()
        acc.spine = [job.result() for job in spine_jobs]
    return acc, size


# -- checks ------------------------------------------------------------------------------
def key_joints_in_view(xyz: np.ndarray, vis: np.ndarray, size: tuple[int, int], min_vis: float) -> np.ndarray:
    """(frames,) True where hips, knees and ankles (either side) are seen inside the image."""
    w, h = size
    ok = np.ones(xyz.shape[0], bool)
    for joint in KEY_JOINTS:
        seen = np.zeros(xyz.shape[0], bool)
        for side in ("left", "right"):
            i = INDEX[f"{side}_{joint}"]
            x, y = xyz[:, i, 0], xyz[:, i, 1]
            with np.errstate(invalid="ignore"):
                inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
            seen |= inside & (vis[:, i] >= min_vis)
        ok &= seen
    return ok


def _dark_note(luma: float, cfg: dict) -> str:
    return f" The video is also very dark (mean brightness {luma:.0f}/255)." if luma < cfg["dark_mean_luma"] else ""


def check_sequence(name: str, t_s: np.ndarray, fps: float, xyz: np.ndarray, vis: np.ndarray,
                   size: tuple[int, int], luma: float) -> None:
    """Raise HingeInputError when the decoded video cannot be analysed (see thresholds [video])."""
    cfg = section("video")
    n = len(t_s)
    if n == 0:
        raise NotAVideoError(f"{name} contains no video frames.", "Record or export the video again.")
    duration_s = float(t_s[-1] + 1.0 / fps)
    if duration_s < cfg["min_duration_s"]:
        raise TooShortError(
            f"{name} is too short: {duration_s:.2f} s ({n} frame{'s' if n != 1 else ''}); at least {cfg['min_duration_s']:g} s is needed.",
            "Record the whole movement, at least one full repetition from standing to standing.")
    person = ~np.isnan(xyz[:, :, :2]).all(axis=(1, 2))
    dark = luma < cfg["dark_mean_luma"]
    if not person.any():
        if dark:
            raise NoPersonError(f"No person found in {name}: the video is too dark (mean brightness {luma:.0f}/255).",
                                "Film in brighter light, with the whole body in view from the side.")
        raise NoPersonError(f"No person found in any frame of {name}.",
                            "Film the whole body from the side, head to feet in view, one person in the picture.")
    person_frac = float(person.mean())
    if person_frac < cfg["min_person_frac"]:
        raise OutOfFrameError(
            f"Body out of frame: a person is seen in only {person_frac:.0%} of {name}.{_dark_note(luma, cfg)}",
            "Step back so head to feet are visible for the whole set, and keep the camera still.")
    joints = key_joints_in_view(xyz[person], vis[person], size, cfg["key_joint_min_visibility"])
    joints_frac = float(joints.mean())
    if joints_frac < cfg["min_key_joints_frac"]:
        raise OutOfFrameError(
            f"Body out of frame: hips, knees and ankles are all visible in only {joints_frac:.0%} of "
            f"the frames with a person in {name}.{_dark_note(luma, cfg)}",
            "Step back so head to feet are visible, with the camera at hip height, side on.")


# -- the loader ----------------------------------------------------------------------------
def extract(path: Path, progress: bool | None = None, fps: float | str | None = DEFAULT_ANALYSIS_FPS,
            model: str = pose_models.DEFAULT_MODEL) -> PoseSequence:
    """Decode ``path`` and estimate the pose in its frames at the analysis rate ``fps``
    (frames/s; ``"native"`` or None: every frame) with the landmark model ``model``, without
    the cache."""
    import cv2

    target = parse_fps(fps)
    pose_models.check_model(model)
    cap, rotation_deg = open_video(path)
    try:
        reported_fps = cap.get(cv2.CAP_PROP_FPS)
        rate = effective_rate(target, reported_fps)
        acc, size = _decode_and_estimate(cap, path.name, progress, rate, reported_fps, model)
    finally:
        cap.release()
    source_fps = nominal_fps(reported_fps, acc.t_ms)
    fps = source_fps if rate is None else min(rate, source_fps)
    t_s, repaired = repair_timestamps(acc.t_ms, fps)
    xyz = np.array(acc.xyz).reshape(-1, K, 3)
    vis = np.array(acc.vis).reshape(-1, K)
    luma = float(np.mean(acc.luma)) if acc.luma else 0.0
    check_sequence(path.name, t_s, fps, xyz, vis, size, luma)
    channels, spine_facing = spine_channels(acc.spine, xyz)
    person = ~np.isnan(xyz[:, :, :2]).all(axis=(1, 2))
    count = people.count_people(acc.people_samples)
    warning = people.people_warning(count)
    meta = {
        "frames_decoded": int(len(t_s)), "frames_with_person": int(person.sum()),
        "rotation_deg": rotation_deg, "pose_model": pose_models.label(model),
        "timestamps_repaired": repaired, "mean_luma": round(luma, 1), "spine_facing": spine_facing,
        "people_seen": count.people_seen, "warnings": [warning] if warning else [],
        "source_fps": round(source_fps, 3), "analysis_fps": rate, "frames_in_file": acc.frames_in_file,
    }
    if rate is not None:
        meta["source_frames"] = [int(i) for i in acc.source_frames]
    history = f"pose: {pose_models.label(model)}" + ("" if rate is None else f" at {rate:g} of {source_fps:.3g} frames/s")
    return PoseSequence(xyz=xyz, visibility=vis, t_s=t_s, fps=fps, image_size=size, source=str(path),
                        world_xyz=np.array(acc.world).reshape(-1, K, 3), channels=channels,
                        history=(history,), meta=meta)


def cache_settings(path: Path, fps: float | str | None, model: str = pose_models.DEFAULT_MODEL) -> dict[str, Any]:
    """The cache key's settings for ``path`` at analysis rate ``fps`` with ``model``. The rate and the shrink
    size are part of the key only where they change what the model sees (a 30 fps video at 30
    is native; a 720p video is not shrunk)."""
    import cv2

    settings = pose_settings(static_image_mode=False, model=model) | {"source": "video"}
    cap, _ = open_video(path)
    try:
        rate = effective_rate(parse_fps(fps), cap.get(cv2.CAP_PROP_FPS))
        longer = max(cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    finally:
        cap.release()
    if rate is not None:
        settings["analysis_fps"] = rate
    if not longer <= MODEL_MAX_SIDE:  # unknown (NaN) counts as larger
        settings["model_shrink"] = SHRINK
    return settings


@register_loader("video", VIDEO_SUFFIXES)
def load_video(path: Path, *, cache: bool = True, progress: bool | None = None,
               fps: float | str | None = DEFAULT_ANALYSIS_FPS, model: str = pose_models.DEFAULT_MODEL,
               **_: Any) -> PoseSequence:
    """Pose of the person in a video file. Options: ``fps`` the analysis rate in frames/s
    (default DEFAULT_ANALYSIS_FPS; ``"native"`` or None: every frame): a faster video has
    frames skipped, each kept frame keeps its own timestamp; ``model`` the landmark model,
    lite, full (default) or heavy; ``cache`` (default True) reuses
    keypoints extracted before from the same file content at the same rate; ``progress``
    forces the progress bar on or off (default: on when stderr is a terminal)."""
    path = Path(path)
    parse_fps(fps)  # a bad rate or a missing model fails before any work
    pose_models.check_model(model)
    if not cache:
        return extract(path, progress, fps, model)
    key = kp_cache.cache_key(path, cache_settings(path, fps, model))
    hit = kp_cache.get(key, str(path))
    if hit is not None:
        return hit
    seq = extract(path, progress, fps, model)
    kp_cache.put(key, seq)
    return seq
