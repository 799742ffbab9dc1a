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
import ctypes
import math
import queue
import sys
import tempfile
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hingecoach.config import section
from hingecoach.pose import PoseSequence
from hingecoach.pose.feet import facing_vote
from hingecoach.pose.schema import BLAZEPOSE33, INDEX
from hingecoach.sources import cache as kp_cache
from hingecoach.sources import people, pose_models, pose_parts, spine_mask
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
from hingecoach.sources.video_checks import check_sequence, key_joints_in_view  # noqa: F401 (re-exported)

#: Bump when anything that changes a source's output changes (it invalidates the cache).
OUTPUT_VERSION = 6  # 2: meta["people_seen"] and meta["warnings"]; 3: spine skipped in upright frames;
# 4: the back's side read from the feet only where the shins stand (kneeling facing was flipped);
# 5: the back's side by the analysis's own facing vote (feet and nose), so kneeling has one too;
# 6: frames shrunk to MODEL_MAX_SIDE before the model; meta "source_fps", "analysis_fps", "frames_in_file"
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


def spine_channels(stacked: dict[str, np.ndarray], xyz: np.ndarray) -> tuple[dict, str]:
    """Per-frame spine channels (from each reading's array over the frames) for the facing the
    analysis will detect (:func:`facing_vote`: the feet where the shins stand, and the nose),
    and that facing."""
    facing = facing_vote(xyz)
    return spine_mask.pick_facing(stacked, facing), facing


def mean_luma(bgr: np.ndarray) -> float:
    """Mean brightness 0-255 (Rec. 601 weights) on a subsample: cheap and enough for 'dark'."""
    small = bgr[::8, ::8].astype(np.float32)
    return float((small @ np.array([0.114, 0.587, 0.299], np.float32)).mean())


# -- decoding and the pose run --------------------------------------------------------------
def _progress_bar(total: int, name: str, progress: bool | None, initial: int = 0):
    from tqdm import tqdm

    enabled = sys.stderr.isatty() if progress is None else bool(progress)
    return tqdm(total=total or None, initial=initial, desc=f"pose {name}" + (" (resumed)" if initial else ""),
                unit="frame", file=sys.stderr, disable=not enabled, leave=False)


_END = object()


@dataclass(frozen=True)
class _Frame:
    """One decoded frame for the model: its time and index in the file, its position among the
    frames the model sees, the RGB pixels (shrunk to MODEL_MAX_SIDE), the factor from original
    to those pixels, the original (w, h) and mean luma."""

    t_ms: float
    index: int
    pos: int
    rgb: np.ndarray
    scale: float
    size: tuple[int, int]
    luma: float


def _read_frames(cap, out: queue.Queue, picker: FramePicker, first_pos: int = 0) -> None:
    """Decode frames ahead of the pose model (a thread: OpenCV releases the GIL while it
    decodes). A frame the picker skips, or one the model sees before position ``first_pos``
    (a resumed run's stored frames), is only grabbed (decoded, never converted to BGR nor
    rotated); a kept one is retrieved, shrunk, then converted to RGB. Ends with the marker and
    the number of frames in the file."""
    import cv2

    index, pos = -1, -1
    try:
        while cap.grab():
            index += 1
            t_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
            if not picker.keep(t_ms):
                continue
            pos += 1
            if pos < first_pos:
                continue
            ok, bgr = cap.retrieve()
            if not ok or bgr is None:
                break
            small, scale = shrink(bgr)
            h, w = bgr.shape[:2]
            out.put(_Frame(t_ms, index, pos, cv2.cvtColor(small, cv2.COLOR_BGR2RGB), scale, (w, h), mean_luma(bgr)))
    finally:
        out.put((_END, index + 1))


def _decode_and_estimate(cap, name: str, progress: bool | None, rate: float | None,
                         source_fps: float, folder: Path, model: str) -> int:
    """Run the pose model over the frames at ``rate`` (None: every frame), storing them in
    parts in ``folder`` (:mod:`hingecoach.sources.pose_parts`) from the first part a run there
    before did not store; returns the number of frames in the file.

    Three stages overlap so the pose model (the bottleneck) never waits: a thread decodes the
    next frames, the main thread runs BlazePose, and another thread measures the back outline
    of the frames already done. Each part is posed by a fresh model warmed up on the frames
    before it (:func:`_PoseGraph.restart`), so a part's landmarks depend on its own frames only,
    and a run resumed at a part gives what a run that never stopped gives, to the bit."""
    import cv2

    cfg = section("video")
    total = int(max(cap.get(cv2.CAP_PROP_FRAME_COUNT), 0))
    kept = total  # frames the model will see, for the people check's samples (0: unknown)
    if rate is not None:
        kept = int(math.ceil(total * rate / source_fps)) if math.isfinite(source_fps) and source_fps >= 1 else 0
    sampled = people.sample_indices(kept)
    model_fps = rate or (source_fps if math.isfinite(source_fps) and source_fps >= 1 else DEFAULT_ANALYSIS_FPS)
    part_frames, warmup = max(1, round(cfg["cache_part_s"] * model_fps)), int(cfg["resume_warmup_frames"])
    resume = pose_parts.resume_point(folder, part_frames)
    frames: queue.Queue = queue.Queue(maxsize=8)
    reader = threading.Thread(target=_read_frames, daemon=True,
                              args=(cap, frames, FramePicker(rate, source_fps), max(0, resume.done - warmup)))
    buffer = pose_parts.PartBuffer(folder, resume.done, part_frames)
    with _progress_bar(total, name, progress, resume.next_index) as bar, _PoseGraph(warmup, model) as graph, \
            ThreadPoolExecutor(max_workers=1) as spine_pool:
        reader.start()
        while isinstance(item := frames.get(), _Frame):
            if item.pos < resume.done:
                graph.recent.append(item)  # stored already: only the next model's warm-up
                continue
            result = graph.process(item, restart=item.pos % part_frames == 0)
            if item.pos == resume.done:
                bar.unpause()  # the time left from the frames posed, not the stored ones skipped
            bar.update(item.index + 1 - bar.n)
            _keep(buffer, item, result, spine_pool, cfg["spine_min_trunk_deg"], item.pos in sampled)
            if buffer.full:
                buffer.flush()
        buffer.flush()
        bar.update(item[1] - bar.n)
        reader.join()
    return int(item[1])


class _PoseGraph:
    """The video pose model, started afresh at each part and warmed up on the frames before it
    (``recent``: the last ``warmup`` frames posed): its tracking (the region of interest comes
    from the last frame's landmarks) and landmark smoothing then carry state over no longer
    than a part, which is what makes a resumed run give the same landmarks as a whole one."""

    def __init__(self, warmup: int, model: str) -> None:
        self.recent: deque[_Frame] = deque(maxlen=warmup)
        self.model = model
        self._pose: Any = None

    def process(self, item: _Frame, restart: bool):
        if self._pose is None or restart:
            with QuietStderr():  # MediaPipe logs while its graph starts (first frame)
                self.close()
                self._pose = make_pose(static_image_mode=False, model=self.model)
                for earlier in self.recent:
                    self._pose.process(earlier.rgb)
                result = self._pose.process(item.rgb)
        else:
            result = self._pose.process(item.rgb)
        self.recent.append(item)
        return result

    def close(self) -> None:
        if self._pose is not None:
            self._pose.close()
            self._pose = None

    def __enter__(self) -> _PoseGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _keep(buffer: pose_parts.PartBuffer, item: _Frame, result, spine_pool, min_trunk_deg: float,
          sample: bool) -> None:
    """Add one posed frame to the part being gathered (its back outline measured on the pool)."""
    xyz, vis, world = landmarks_from_result(result, *item.size)
    small_xyz = xyz * item.scale  # in the shrunk frame's pixels, as the mask is
    mask = None if result.segmentation_mask is None else np.array(result.segmentation_mask)
    job = spine_pool.submit(spine_readings, mask, small_xyz, min_trunk_deg)
    buffer.add({"xyz": xyz, "visibility": vis, "world_xyz": world, "t_ms": item.t_ms, "index": item.index,
                "luma": item.luma}, job, item.size)
    if sample:
        buffer.add_sample(item.rgb, small_xyz)


# -- the loader ----------------------------------------------------------------------------
def extract(path: Path, progress: bool | None = None, fps: float | str | None = DEFAULT_ANALYSIS_FPS,
            model: str = pose_models.DEFAULT_MODEL, folder: Path | None = None) -> PoseSequence:
    """Decode ``path`` and estimate the pose in its frames at the analysis rate ``fps``
    (frames/s; ``"native"`` or None: every frame) with the landmark model ``model``. The run is stored as it goes in ``folder``
    (a keypoint cache entry, resumed if a run there stopped, and marked complete at the end)
    or, when None, in a temporary folder."""
    import cv2

    target = parse_fps(fps)
    pose_models.check_model(model)
    with contextlib.ExitStack() as stack:
        work = folder or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hinge-pose-")))
        cap, rotation_deg = open_video(path)
        try:
            reported_fps = cap.get(cv2.CAP_PROP_FPS)
            rate = effective_rate(target, reported_fps)
            frames_in_file = _decode_and_estimate(cap, path.name, progress, rate, reported_fps, work, model)
        finally:
            cap.release()
        _trim_heap()
        seq = _assemble(path, work, rate, reported_fps, rotation_deg, frames_in_file, pose_models.label(model))
        if folder is not None:
            kp_cache.finish(folder, seq)
    return seq


def _trim_heap() -> None:
    """Give the memory MediaPipe's closed graphs freed back to the system: glibc keeps freed heap
    in its arenas (one per thread that allocated), so without this the arrays of a long video
    come on top of what the model used (glibc only; elsewhere nothing happens)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _assemble(path: Path, folder: Path, rate: float | None, reported_fps: float, rotation_deg: int,
              frames_in_file: int, model_label: str) -> PoseSequence:
    """The PoseSequence of the run stored in ``folder``, checked (:func:`check_sequence`)."""
    frame = kp_cache.gather(folder, ("t_ms", "index", "luma"))
    t_ms = frame.get("t_ms", np.zeros(0))
    source_fps = nominal_fps(reported_fps, t_ms)
    fps = source_fps if rate is None else min(rate, source_fps)
    t_s, repaired = repair_timestamps(t_ms, fps)
    count = people.count_people(pose_parts.people_samples(folder))  # its model closed before the arrays come
    _trim_heap()
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
    settings["pose_parts"] = [cfg["cache_part_s"], cfg["resume_warmup_frames"]]  # restarts the model
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
    return extract(path, progress, fps, model, folder=kp_cache.entry_path(key))
