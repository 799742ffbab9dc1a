"""The annotated video: every analysed frame with the overlay, encoded as H.264 (yuv420p, MP4,
``+faststart``) so browsers play it, at the input's size and the analysis's frame rate (the
video's own unless the pose model ran at a lower rate: then only its frames), rotation applied.

Frames are decoded the way the video source decodes them (:func:`hingecoach.sources.video.
open_video`: OpenCV with the container's rotation applied), so landmark pixels line up. They
are piped raw into the ffmpeg binary shipped by the ``imageio-ffmpeg`` wheel (no system
ffmpeg needed), which encodes in its own process while we decode and draw: on two cores the
encode overlaps the drawing. Without a video (keypoint-file input) the skeleton is drawn on a
plain canvas of the original image size.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import numpy as np

from hingecoach import atomic
from hingecoach.analysis import Analysis
from hingecoach.errors import HingeInputError
from hingecoach.report.overlay import blank_canvas, draw_overlay
from hingecoach.report.overlay_plan import OverlayPlan

#: x264 settings. Pose extraction costs the same per frame at any resolution (the model sees
#: 256x256), encoding grows with the pixels: at 1080p "veryfast" took ~1.7x and "ultrafast"
#: ~1x the time of the whole decode, so large frames get "ultrafast" (files ~3x bigger) to keep
#: the video's share of `hinge analyze` small. CRF 23 is x264's default quality; 25 with
#: ultrafast trims its larger files while the overlay text stays crisp.
X264_PRESETS = ((640 * 720, "veryfast", 23), (float("inf"), "ultrafast", 25))
#: Frames decoded ahead by a reader thread (decoding overlaps drawing; OpenCV releases the GIL).
PREFETCH_FRAMES = 8


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary carried by the imageio-ffmpeg wheel."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def iter_video_frames(path: Path, only: list[int] | None = None) -> Iterator[np.ndarray]:
    """Upright BGR frames of a video, decoded like the pose source decodes them; ``only``: the
    frame indices to yield (increasing; the pose's meta["source_frames"] when the model ran at a
    rate below the video's), the others are grabbed but not converted."""
    from hingecoach.sources.frames import open_video

    wanted = None if only is None else iter(only)
    next_wanted = -1 if wanted is None else next(wanted, None)
    cap, _ = open_video(Path(path))
    try:
        index = -1
        while next_wanted is not None and cap.grab():
            index += 1
            if next_wanted >= 0 and index < next_wanted:
                continue
            ok, bgr = cap.retrieve()
            if not ok or bgr is None:
                return
            yield bgr
            if wanted is not None:
                next_wanted = next(wanted, None)
    finally:
        cap.release()


def read_frame(path: Path, index: int) -> np.ndarray | None:
    """One upright BGR frame by index (seeks, then decodes to it), None when out of range."""
    import cv2

    from hingecoach.sources.frames import open_video

    cap, _ = open_video(Path(path))
    try:
        cap.set(cv2.CAP_PROP_POS_FRAMES, int(index))
        ok, bgr = cap.read()
        return bgr if ok else None
    finally:
        cap.release()


#: Frames closer than this ahead of the last one read are decoded on, not sought (a seek decodes
#: from the previous key frame anyway).
READ_AHEAD_FRAMES = 90


def read_frames(path: Path, indices: list[int]) -> dict[int, np.ndarray]:
    """Upright BGR frames by index, one capture for all: frames near the last read are decoded
    on to, farther ones sought; indices out of range are left out."""
    import cv2

    from hingecoach.sources.frames import open_video

    out: dict[int, np.ndarray] = {}
    cap, _ = open_video(Path(path))
    try:
        pos = -1  # index of the last frame decoded
        for index in sorted(set(int(i) for i in indices if i >= 0)):
            if not 0 <= index - pos - 1 <= READ_AHEAD_FRAMES:
                cap.set(cv2.CAP_PROP_POS_FRAMES, index)
                pos = index - 1
            while pos < index - 1 and cap.grab():
                pos += 1
            ok, bgr = cap.read()
            if not ok or bgr is None:
                break
            pos = index
            out[index] = bgr
    finally:
        cap.release()
    return out


def canvas_frames(plan: OverlayPlan) -> Iterator[np.ndarray]:
    blank = blank_canvas(plan.size)
    for _ in range(plan.n_frames):
        yield blank.copy()


def x264_settings(size: tuple[int, int]) -> tuple[str, int]:
    """(preset, crf) for a frame size (see X264_PRESETS)."""
    pixels = size[0] * size[1]
    return next((preset, crf) for limit, preset, crf in X264_PRESETS if pixels <= limit)


def prefetch(frames: Iterator[np.ndarray], depth: int = PREFETCH_FRAMES) -> Iterator[np.ndarray]:
    """Iterate ``frames`` produced by a background thread, ``depth`` frames ahead; errors in
    the producer are raised here."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for frame in frames:
                while not stop.is_set():
                    try:
                        q.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # handed to the consumer, re-raised there
            q.put(exc)

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


def encoder_command(out_path: Path, size: tuple[int, int], fps: float) -> list[str]:
    """ffmpeg reading raw BGR frames on stdin, writing H.264 yuv420p MP4. yuv420p needs even
    dimensions: an odd width or height gets one black pixel of padding."""
    w, h = size
    rate = Fraction(fps).limit_denominator(1001)
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostats", "-y",
           "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{w}x{h}", "-framerate", f"{rate.numerator}/{rate.denominator}",
           "-i", "pipe:0", "-an"]
    if w % 2 or h % 2:
        cmd += ["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]
    preset, crf = x264_settings(size)
    cmd += ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", "-f", "mp4", str(out_path)]
    return cmd


def _check_out_path(out_path: Path) -> None:
    if out_path.is_dir():
        raise HingeInputError(f"Cannot write {out_path}: it is a folder.", "Give a file name, e.g. out.mp4.")
    if not out_path.parent.is_dir():
        raise HingeInputError(f"Cannot write {out_path}: the folder {out_path.parent} does not exist.",
                              "Create the folder or choose another output path.")


def _progress(total: int, progress: bool | None):
    from tqdm import tqdm

    enabled = sys.stderr.isatty() if progress is None else bool(progress)
    return tqdm(total=total, desc="annotated video", unit="frame", file=sys.stderr,
                disable=not enabled, leave=False)


def encode_frames(frames: Iterator[np.ndarray], out_path: Path, size: tuple[int, int], fps: float,
                  plan: OverlayPlan, progress: bool | None = None) -> int:
    """Draw the overlay on each frame and pipe it to ffmpeg; returns the frames written.
    Writes to a temporary file in the same folder and renames it, so a failed or interrupted
    run never leaves a half video under the output name."""
    with atomic.replacing(out_path) as tmp, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(encoder_command(tmp, size, fps), stdin=subprocess.PIPE, stderr=err)
        assert proc.stdin is not None  # stdin=PIPE
        try:
            written = _feed(proc, frames, size, plan, progress)
            proc.stdin.close()
            code = proc.wait()
        except BrokenPipeError:  # ffmpeg stopped reading: it failed; say why below
            proc.kill()
            code = proc.wait() or 1
            written = 0
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if code != 0:
            err.seek(0)
            lines = err.read().decode(errors="replace").strip().splitlines()
            raise HingeInputError(f"Could not write the video {out_path}: {lines[-1] if lines else 'ffmpeg failed'}.",
                                  "Check that the folder is writable and the disk is not full.")
    return written


def _feed(proc: subprocess.Popen, frames: Iterator[np.ndarray], size: tuple[int, int], plan: OverlayPlan,
          progress: bool | None) -> int:
    w, h = size
    written = 0
    assert proc.stdin is not None  # stdin=PIPE
    with _progress(plan.n_frames, progress) as bar:
        for i, frame in enumerate(frames):
            if frame.shape[:2] != (h, w):
                raise HingeInputError(
                    f"The video's frames are {frame.shape[1]}x{frame.shape[0]} but the analysis "
                    f"was made on {w}x{h} frames.", "Give the same video that was analysed.")
            proc.stdin.write(memoryview(cast(Any, np.ascontiguousarray(draw_overlay(frame, plan, i)))))
            written += 1
            bar.update(1)
    return written


def write_annotated_video(analysis: Analysis, video_path: Path | str | None, out_path: Path | str,
                          progress: bool | None = None, ghost: bool = True, height_cm: float | None = None,
                          usual_depth_hip_angle_deg: float | None = None) -> Path:
    """Write ``out_path`` (MP4, H.264): the analysed video with the coach's overlay. With
    ``video_path`` None the overlay is drawn on a plain canvas of the original size. ``ghost``:
    the translucent ghost doing the exercise's hinge over each rep (:mod:`hingecoach.report.
    ghost`; ``height_cm`` and the person's usual depth shape it)."""
    from hingecoach.report.ghost import overlay_with_ghost

    out_path = Path(out_path)
    _check_out_path(out_path)
    plan, _ = overlay_with_ghost(analysis, ghost, height_cm, usual_depth_hip_angle_deg)
    if video_path is None:
        frames = canvas_frames(plan)
    else:
        frames = prefetch(iter_video_frames(Path(video_path), analysis.pose.meta.get("source_frames")))
    encode_frames(frames, out_path, analysis.pose.image_size, analysis.pose.fps, plan, progress)
    return out_path
