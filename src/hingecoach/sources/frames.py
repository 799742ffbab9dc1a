"""A video's frames as the pose model sees them: the container opened upright (phone
rotation applied) with errors a person can act on, timestamps repaired, the frames picked on the
analysis rate's grid, and each shrunk to the model's working size."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from hingecoach.errors import NotAVideoError
from hingecoach.pose import PoseSequence
from hingecoach.sources.native_logs import QuietStderr, quiet_ffmpeg

#: The pose model's rate (frames/s) unless told otherwise: a faster video (phones film at
#: 60/120/240) has frames skipped on a time grid; a video at or below it keeps every frame.
DEFAULT_ANALYSIS_FPS = 30.0
#: A video up to 10% faster than the analysis rate keeps every frame (29.97, 30.3 jitter...).
RATE_MARGIN = 1.10
#: Frames are shrunk before the colour conversion and the model (:func:`model_scale`):
#: BlazePose reads a 256x256 crop around the person and its mask comes back at the input's
#: size, so a large frame mostly costs time (resize, mask, back outline). A frame at least twice
#: MODEL_MIN_SIDE long is shrunk by the largest whole factor that keeps it that long (1920 ->
#: 960, 2560 -> 1280, 3840 -> 960): an exact box average, 0.6 ms CPU a 1080x1920 frame, where
#: bilinear to 2/3 costs 1.8. Any other frame over MODEL_MAX_SIDE is brought to it (1440 -> 1280).
#: Measured: median landmark shift against no shrinking 0.5-0.8% of the person's height at 960
#: (0.7-1.2% at 640); pose CPU on svelterust 1080x1920 12.6 s -> 10.8 s at 1280, 8.0 s at 960;
#: a 10-s 1080x1920 clip's whole analysis 15.0 -> 13.0 CPU-s at 960. The rendered suite at
#: 1080x1920 (24 clips, the simulator's truth) reads as well at 960 as at 1280: angle error hip/
#: knee/trunk 10.3/9.2/7.1 deg both (side view 3.3/2.6/2.3 against 3.4/2.8/2.3), landmark error
#: within 0.02% of the image height, reps and patterns the same. The real clips shrunk that way
#: (mattiolato 1920x1080, svelterust 1080x1920) name the same faults at 960 as at 1280;
#: 1280x720 and smaller are not shrunk (bichraix/bad010's squat sits on a knife edge there:
#: shrunk to 960 or 1080 it reads differently, a different way each time).
MODEL_MIN_SIDE = 960
MODEL_MAX_SIDE = 1280
#: How: bilinear for a shrink by half or less (exactly a 2x2 box average at 1/2; OpenCV's area
#: averaging costs 6.8 ms CPU a 1080x1920 frame at 2/3, bilinear 1.8-2.5 ms), area averaging below.
SHRINK = f"whole factor to >= {MODEL_MIN_SIDE}, else max side {MODEL_MAX_SIDE}, bilinear down to 1/2, area below"


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


def nominal_fps(reported: float, t_ms: list[float] | np.ndarray) -> float:
    """The container's frame rate if sane, else the median frame interval's, else 30."""
    if math.isfinite(reported) and 1.0 <= reported <= 1000.0:
        return float(reported)
    steps = np.diff(np.asarray(t_ms, float))
    steps = steps[np.isfinite(steps) & (steps > 0)]
    return float(1000.0 / np.median(steps)) if steps.size else 30.0


def repair_timestamps(t_ms: list[float] | np.ndarray, fps: float) -> tuple[np.ndarray, int]:
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


def model_scale(width: float, height: float) -> float:
    """The factor from a frame's pixels to the model's (1.0: not shrunk); see MODEL_MIN_SIDE."""
    longer = max(width, height)
    whole = int(longer // MODEL_MIN_SIDE) if math.isfinite(longer) else 1
    if whole >= 2:
        return 1.0 / whole
    return min(1.0, MODEL_MAX_SIDE / longer) if longer > 0 else 1.0


def shrink(bgr: np.ndarray) -> tuple[np.ndarray, float]:
    """(frame, scale): the frame at the model's size (:func:`model_scale`; see SHRINK) and the
    factor from original to shrunk pixels (1.0 when not shrunk: ``bgr`` itself)."""
    import cv2

    h, w = bgr.shape[:2]
    scale = model_scale(w, h)
    if scale >= 1.0:
        return bgr, 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(bgr, size, interpolation=cv2.INTER_LINEAR if scale >= 0.5 else cv2.INTER_AREA), scale


def source_frame(seq: PoseSequence, index: int) -> int:
    """The video frame index of the sequence's frame ``index`` (they differ when the pose ran
    at an analysis rate below the video's: meta["source_frames"])."""
    frames = seq.meta.get("source_frames")
    return int(frames[index]) if frames else int(index)
