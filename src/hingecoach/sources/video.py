"""Video files and animated GIFs → PoseSequence with MediaPipe BlazePose (full model, CPU, no
network).

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
from hingecoach.sources import people, spine_mask
from hingecoach.sources.native_logs import QuietStderr, quiet_ffmpeg
from hingecoach.sources.registry import register_loader
from hingecoach.sources.suffixes import VIDEO_SUFFIXES

POSE_MODEL = "blazepose-full mediapipe 0.10.21"
MODEL_COMPLEXITY = 1  # "full": the pinned wheel carries lite (0), full (1) and heavy (2)
#: Bump when anything that changes a source's output changes (it invalidates the cache).
OUTPUT_VERSION = 6  # 2: meta["people_seen"] and meta["warnings"]; 3: spine skipped in upright frames;
# 4: the back's side read from the feet only where the shins stand (kneeling facing was flipped);
# 5: the back's side by the analysis's own facing vote (feet and nose), so kneeling has one too;
# 6: frames shrunk to MODEL_MAX_SIDE before the model; meta "source_fps", "analysis_fps", "frames_in_file"
#: The pose model's rate (frames/s) unless told otherwise: a faster video (phones film at
#: 60/120/240) has frames skipped on a time grid; a video at or below it keeps every frame.
DEFAULT_ANALYSIS_FPS = 30.0
#: A video up to 10% faster than the analysis rate keeps every frame (29.97, 30.3 jitter...).
RATE_MARGIN = 1.10
#: Frames whose longer side is larger are shrunk (area averaging) before the colour conversion
#: and the model: BlazePose reads a 256x256 crop around the person and its mask comes back at
#: the input's size, so a 1080p frame mostly costs time (resize, mask, back outline).
#: Measured against no shrinking: median landmark shift 0.5-0.8% of the person's height at 960
#: (0.7-1.2% at 640), pose CPU on svelterust 1080x1920 12.6 s -> 10.8 s at 1280, 8.0 s at 960.
#: But at 960 two borderline real clips read differently (bichraix/bad010 squat -> hinge,
#: mattiolato two faults more; both flip back and forth between caps 1280 and 640, a reading on
#: a knife edge, not a trend), and at 1280 none does: 1280 brings 1080p to 720p, no further.
MODEL_MAX_SIDE = 1280
#: How: bilinear for a shrink by less than half (OpenCV's area averaging costs 6.8 ms CPU a
#: 1080x1920 frame at 2/3, bilinear 2.5 ms; the colour conversion of the full frame is ~1 ms),
#: area averaging from half down (1.3 ms at exactly 1/2, and no aliasing).
SHRINK = f"max side {MODEL_MAX_SIDE}, bilinear down to 1/2, area below"
K = len(BLAZEPOSE33)
KEY_JOINTS = ("hip", "knee", "ankle")


# -- the pose estimator ------------------------------------------------------------------
def pose_settings(static_image_mode: bool) -> dict[str, Any]:
    """Everything that decides the estimator's output; part of the cache key."""
    return {
        "pose_model": POSE_MODEL, "model_complexity": MODEL_COMPLEXITY,
        "static_image_mode": static_image_mode, "enable_segmentation": True,
        "smooth_landmarks": not static_image_mode, "output_version": OUTPUT_VERSION,
        "spine_min_trunk_deg": section("video")["spine_min_trunk_deg"],
    }


def make_pose(static_image_mode: bool):
    """A MediaPipe Pose object (use it in a ``with`` block so its graph is closed)."""
    import mediapipe as mp  # heavy import, deferred on purpose

    return mp.solutions.pose.Pose(
        static_image_mode=static_image_mode, model_complexity=MODEL_COMPLEXITY,
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
_CONTAINER_MAGIC = ((4, b"ftyp"), (0, b"RIFF"), (0, b"\x1a\x45\xdf\xa3"), (0, b"GIF87a"), (0, b"GIF89a"))


def looks_like_container(path: Path) -> bool:
    """True when the file starts like an MP4/MOV, AVI, MKV/WebM container or a GIF."""
    with path.open("rb") as fh:
        head = fh.read(16)
    return any(head[off:off + len(magic)] == magic for off, magic in _CONTAINER_MAGIC)


def open_video(path: Path):
    """(cv2.VideoCapture, rotation_deg) with auto-rotation on; errors a person can act on."""
    quiet_ffmpeg()
    import cv2

    with QuietStderr():
        cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        if looks_like_container(path):
            raise NotAVideoError(
                f"{path.name} is damaged or incomplete: no video frames can be read from it "
                "(an interrupted recording, an unfinished copy or download, or an empty recording).",
                "Copy or export the video again from the camera or phone.")
        raise NotAVideoError(f"{path.name} is not a video file (its content is not a known video format).",
                             "Give an .mp4, .mov, .avi, .mkv or .webm video, or an animated .gif.")
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    rotation = cap.get(cv2.CAP_PROP_ORIENTATION_META)
    rotation_deg = int(round(rotation)) % 360 if math.isfinite(rotation) else 0
    return cap, rotation_deg


def nominal_fps(reported: float, t_ms: list[float]) -> float:
    """The container's frame rate if sane, else the median frame interval's, else 30."""
    if math.isfinite(reported) and 1.0 <= reported <= 1000.0:
        return float(reported)
    steps = np.diff(np.asarray(t_ms, float))
    steps = steps[np.isfinite(steps) & (steps > 0)]
    return float(1000.0 / np.median(steps)) if steps.size else 30.0


def repair_timestamps(t_ms: list[float], fps: float) -> tuple[np.ndarray, int]:
    """Seconds from the first frame, strictly increasing; a timestamp that is missing,
    repeated or going back becomes the previous one plus one nominal frame. Returns
    (t_s, number repaired)."""
    t = np.asarray(t_ms, float) / 1000.0
    repaired = 0
    for i in range(len(t)):
        prev = t[i - 1] if i else -math.inf
        if not math.isfinite(t[i]) or t[i] <= prev:
            t[i] = (prev + 1.0 / fps) if i else 0.0
            repaired += 1
    return (t - t[0] if len(t) else t), repaired


def parse_fps(value: float | str | None) -> float | None:
    """An analysis rate from the API or the command line: a number of frames per second, or
    ``"native"`` / None for every frame of the video. Raises ValueError otherwise."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "native"):
        return None
    rate = float(value)
    if not (math.isfinite(rate) and 1.0 <= rate <= 1000.0):
        raise ValueError(f"Expected an analysis rate between 1 and 1000 frames/s or 'native', but got {value!r}.")
    return rate


def effective_rate(target_fps: float | None, source_fps: float) -> float | None:
    """The rate the pose model runs at: None (every frame) when no target is set or the video
    is not faster than it (within RATE_MARGIN), else the target."""
    if target_fps is None:
        return None
    if math.isfinite(source_fps) and 1.0 <= source_fps <= target_fps * RATE_MARGIN:
        return None
    return float(target_fps)


class FramePicker:
    """Which decoded frames the pose model sees: those at or after each tick of a grid of
    ``1 / rate`` seconds (within half a source frame), so 60 -> 30 keeps every second frame and
    120 -> 30 every fourth, and the kept frames keep their own timestamps. ``rate`` None keeps
    all. A missing or non-increasing timestamp counts as one source frame after the last."""

    def __init__(self, rate: float | None, source_fps: float) -> None:
        self.period_ms = None if rate is None else 1000.0 / rate
        src = source_fps if math.isfinite(source_fps) and source_fps >= 1.0 else (rate or 30.0)
        self.src_ms = 1000.0 / src
        self.due_ms: float | None = None
        self.last_ms: float | None = None

    def keep(self, t_ms: float) -> bool:
        if self.last_ms is not None and not (math.isfinite(t_ms) and t_ms > self.last_ms):
            t_ms = self.last_ms + self.src_ms
        elif not math.isfinite(t_ms):
            t_ms = 0.0
        self.last_ms = t_ms
        if self.period_ms is None:
            return True
        if self.due_ms is not None and t_ms < self.due_ms - 0.5 * self.src_ms:
            return False
        base = t_ms if self.due_ms is None or t_ms > self.due_ms + self.period_ms else self.due_ms
        self.due_ms = base + self.period_ms  # a gap in the video restarts the grid
        return True


def shrink(bgr: np.ndarray, max_side: int | None = None) -> tuple[np.ndarray, float]:
    """(frame, scale): the frame with its longer side at most ``max_side`` (default
    MODEL_MAX_SIDE; see SHRINK), and the factor from original to shrunk pixels (1.0 when
    already small enough)."""
    import cv2

    h, w = bgr.shape[:2]
    scale = (max_side or MODEL_MAX_SIDE) / max(h, w)
    if scale >= 1.0:
        return bgr, 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(bgr, size, interpolation=cv2.INTER_LINEAR if scale >= 0.5 else cv2.INTER_AREA), scale


def source_frame(seq: PoseSequence, index: int) -> int:
    """The video frame index of the sequence's frame ``index`` (they differ when the pose ran
    at an analysis rate below the video's: meta["source_frames"])."""
    frames = seq.meta.get("source_frames")
    return int(frames[index]) if frames else int(index)


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


def _decode_and_estimate(cap, name: str, progress: bool | None,
                         rate: float | None, source_fps: float) -> tuple[_Accumulator, tuple[int, int]]:
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
            make_pose(static_image_mode=False) as pose, ThreadPoolExecutor(max_workers=1) as spine_pool:
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
def extract(path: Path, progress: bool | None = None, fps: float | str | None = DEFAULT_ANALYSIS_FPS) -> PoseSequence:
    """Decode ``path`` and estimate the pose in its frames at the analysis rate ``fps``
    (frames/s; ``"native"`` or None: every frame), without the cache."""
    import cv2

    target = parse_fps(fps)
    cap, rotation_deg = open_video(path)
    try:
        reported_fps = cap.get(cv2.CAP_PROP_FPS)
        rate = effective_rate(target, reported_fps)
        acc, size = _decode_and_estimate(cap, path.name, progress, rate, reported_fps)
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
        "rotation_deg": rotation_deg, "pose_model": POSE_MODEL,
        "timestamps_repaired": repaired, "mean_luma": round(luma, 1), "spine_facing": spine_facing,
        "people_seen": count.people_seen, "warnings": [warning] if warning else [],
        "source_fps": round(source_fps, 3), "analysis_fps": rate, "frames_in_file": acc.frames_in_file,
    }
    if rate is not None:
        meta["source_frames"] = [int(i) for i in acc.source_frames]
    history = f"pose: {POSE_MODEL}" + ("" if rate is None else f" at {rate:g} of {source_fps:.3g} frames/s")
    return PoseSequence(xyz=xyz, visibility=vis, t_s=t_s, fps=fps, image_size=size, source=str(path),
                        world_xyz=np.array(acc.world).reshape(-1, K, 3), channels=channels,
                        history=(history,), meta=meta)


def cache_settings(path: Path, fps: float | str | None) -> dict[str, Any]:
    """The cache key's settings for ``path`` at analysis rate ``fps``. The rate and the shrink
    size are part of the key only where they change what the model sees (a 30 fps video at 30
    is native; a 720p video is not shrunk)."""
    import cv2

    settings = pose_settings(static_image_mode=False) | {"source": "video"}
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
               fps: float | str | None = DEFAULT_ANALYSIS_FPS, **_: Any) -> PoseSequence:
    """Pose of the person in a video file. Options: ``fps`` the analysis rate in frames/s
    (default DEFAULT_ANALYSIS_FPS; ``"native"`` or None: every frame): a faster video has
    frames skipped, each kept frame keeps its own timestamp; ``cache`` (default True) reuses
    keypoints extracted before from the same file content at the same rate; ``progress``
    forces the progress bar on or off (default: on when stderr is a terminal)."""
    path = Path(path)
    parse_fps(fps)  # a bad rate fails before any work
    if not cache:
        return extract(path, progress, fps)
    key = kp_cache.cache_key(path, cache_settings(path, fps))
    hit = kp_cache.get(key, str(path))
    if hit is not None:
        return hit
    seq = extract(path, progress, fps)
    kp_cache.put(key, seq)
    return seq
