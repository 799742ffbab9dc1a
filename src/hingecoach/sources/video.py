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

import contextlib
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from hingecoach.config import section
from hingecoach.pose import PoseSequence
from hingecoach.pose.feet import facing_vote
from hingecoach.pose.schema import BLAZEPOSE33
from hingecoach.sources import cache as kp_cache
from hingecoach.sources import people, pose_models, pose_parts, pose_run, spine_mask
from hingecoach.sources.blazepose import landmarks_from_result, make_pose, mid_point, spine_readings  # noqa: F401
from hingecoach.sources.frames import (
    DEFAULT_ANALYSIS_FPS,
    MODEL_MAX_SIDE,
    SHRINK,
    effective_rate,
    nominal_fps,
    open_video,
    parse_fps,
    repair_timestamps,
)
from hingecoach.sources.registry import register_loader
from hingecoach.sources.suffixes import VIDEO_SUFFIXES
from hingecoach.sources.video_checks import check_sequence, key_joints_in_view  # noqa: F401 (re-exported)

#: Bump when anything that changes a source's output changes (it invalidates the cache).
OUTPUT_VERSION = 7  # 2: meta["people_seen"] and meta["warnings"]; 3: spine skipped in upright frames;
# 4: the back's side read from the feet only where the shins stand (kneeling facing was flipped);
# 5: the back's side by the analysis's own facing vote (feet and nose), so kneeling has one too;
# 6: frames shrunk to MODEL_MAX_SIDE before the model; meta "source_fps", "analysis_fps", "frames_in_file";
# 7: the parts cut for two pose threads (a clip of 2 x [video] pose_part_min_s or more: an even number of equal parts)
K = len(BLAZEPOSE33)


# -- the pose estimator ------------------------------------------------------------------
def pose_settings(static_image_mode: bool, model: str = pose_models.DEFAULT_MODEL) -> dict[str, Any]:
    """Everything that decides the estimator's output; part of the cache key."""
    return {
        "pose_model": pose_models.label(model), "model_complexity": pose_models.MODELS[model],
        "static_image_mode": static_image_mode, "enable_segmentation": True,
        "smooth_landmarks": not static_image_mode, "output_version": OUTPUT_VERSION,
        "spine_min_trunk_deg": section("video")["spine_min_trunk_deg"],
    }


def spine_channels(stacked: dict[str, np.ndarray], xyz: np.ndarray) -> tuple[dict, str]:
    """Per-frame spine channels (from each reading's array over the frames) for the facing the
    analysis will detect (:func:`facing_vote`: the feet where the shins stand, and the nose),
    and that facing."""
    facing = facing_vote(xyz)
    return spine_mask.pick_facing(stacked, facing), facing


# -- the loader ----------------------------------------------------------------------------
def extract(path: Path, progress: bool | None = None, fps: float | str | None = DEFAULT_ANALYSIS_FPS,
            model: str = pose_models.DEFAULT_MODEL, folder: Path | None = None,
            pose_threads: int | None = None) -> PoseSequence:
    """Decode ``path`` and estimate the pose in its frames at the analysis rate ``fps``
    (frames/s; ``"native"`` or None: every frame) with the landmark model ``model``, on
    ``pose_threads`` threads (None: [video] pose_threads; the landmarks do not depend on it). The
    run is stored as it goes in ``folder`` (a keypoint cache entry, resumed if a run there
    stopped, and marked complete at the end) or, when None, in a temporary folder."""
    import cv2

    target = parse_fps(fps)
    pose_models.check_model(model)
    threads = pose_run.pose_threads(pose_threads)
    with contextlib.ExitStack() as stack:
        work = folder or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hinge-pose-")))
        cap, rotation_deg = open_video(path)
        try:
            reported_fps = cap.get(cv2.CAP_PROP_FPS)
            total = int(max(cap.get(cv2.CAP_PROP_FRAME_COUNT), 0))
        finally:
            cap.release()
        rate = effective_rate(target, reported_fps)
        frames_in_file = pose_run.pose_video(path, work, rate=rate, source_fps=reported_fps, total_frames=total,
                                             model=model, threads=threads, progress=progress)
        pose_run.trim_heap()
        seq = _assemble(path, work, rate, reported_fps, rotation_deg, frames_in_file, pose_models.label(model))
        if folder is not None:
            kp_cache.finish(folder, seq)
    return seq


def _assemble(path: Path, folder: Path, rate: float | None, reported_fps: float, rotation_deg: int,
              frames_in_file: int, model_label: str) -> PoseSequence:
    """The PoseSequence of the run stored in ``folder``, checked (:func:`check_sequence`)."""
    frame = kp_cache.gather(folder, ("t_ms", "index", "luma"))
    t_ms = frame.get("t_ms", np.zeros(0))
    source_fps = nominal_fps(reported_fps, t_ms)
    fps = source_fps if rate is None else min(rate, source_fps)
    t_s, repaired = repair_timestamps(t_ms, fps)
    count = people.count_people(pose_parts.people_samples(folder))  # its model closed before the arrays come
    pose_run.trim_heap()
    pose = kp_cache.gather(folder, kp_cache.POSE_ARRAYS)
    xyz = pose.get("xyz", np.zeros((0, K, 3)))
    vis = pose.get("visibility", np.zeros((0, K)))
    size = pose_parts.frame_size(folder)
    luma = float(np.mean(frame["luma"])) if len(t_ms) else 0.0
    check_sequence(path.name, t_s, fps, xyz, vis, size, luma)
    channels, spine_facing = spine_channels(pose_parts.spine_readings(folder), xyz)
    person = ~np.isnan(xyz[:, :, :2]).all(axis=(1, 2))
    warning = people.people_warning(count)
    meta = {
        "frames_decoded": int(len(t_s)), "frames_with_person": int(person.sum()),
        "rotation_deg": rotation_deg, "pose_model": model_label,
        "timestamps_repaired": repaired, "mean_luma": round(luma, 1), "spine_facing": spine_facing,
        "people_seen": count.people_seen, "warnings": [warning] if warning else [],
        "source_fps": round(source_fps, 3), "analysis_fps": rate, "frames_in_file": frames_in_file,
    }
    if rate is not None:
        meta["source_frames"] = frame["index"].tolist()
    history = f"pose: {model_label}" + ("" if rate is None else f" at {rate:g} of {source_fps:.3g} frames/s")
    return PoseSequence(xyz=xyz, visibility=vis, t_s=t_s, fps=fps, image_size=size, source=str(path),
                        world_xyz=pose.get("world_xyz"), channels=channels, history=(history,), meta=meta)


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
    cfg = section("video")
    settings["pose_parts"] = [cfg["cache_part_s"], cfg["resume_warmup_frames"], cfg["pose_part_min_s"]]  # restarts
    if not longer <= MODEL_MAX_SIDE:  # unknown (NaN) counts as larger
        settings["model_shrink"] = SHRINK
    return settings


@register_loader("video", VIDEO_SUFFIXES)
def load_video(path: Path, *, cache: bool = True, progress: bool | None = None,
               fps: float | str | None = DEFAULT_ANALYSIS_FPS, model: str = pose_models.DEFAULT_MODEL,
               pose_threads: int | None = None, **_: Any) -> PoseSequence:
    """Pose of the person in a video file. Options: ``fps`` the analysis rate in frames/s
    (default DEFAULT_ANALYSIS_FPS; ``"native"`` or None: every frame): a faster video has
    frames skipped, each kept frame keeps its own timestamp; ``model`` the landmark model,
    lite, full (default) or heavy; ``cache`` (default True) reuses
    keypoints extracted before from the same file content at the same rate; ``progress``
    forces the progress bar on or off (default: on when stderr is a terminal);
    ``pose_threads`` the threads that pose at once (default [video] pose_threads, 2; ``hinge
    batch`` runs one video per worker and passes 1; the landmarks are the same either way)."""
    path = Path(path)
    parse_fps(fps)  # a bad rate or a missing model fails before any work
    pose_models.check_model(model)
    if not cache:
        return extract(path, progress, fps, model, pose_threads=pose_threads)
    key = kp_cache.cache_key(path, cache_settings(path, fps, model))
    hit = kp_cache.get(key, str(path))
    if hit is not None:
        return hit
    return extract(path, progress, fps, model, folder=kp_cache.entry_path(key), pose_threads=pose_threads)
