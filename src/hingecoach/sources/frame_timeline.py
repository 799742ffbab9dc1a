"""A pose thread that starts in the middle of a video, without decoding the frames before it.

Two pose threads each decode the video themselves (:mod:`hingecoach.sources.pose_run`); the one
posing the second half used to decode (grab) the whole first half only to count frames and
find its start: 300 wasted decodes of a 10-s 1080p 60-fps clip, 0.75 CPU-s, and it started
posing 1.4 s after the first thread. Instead:

* :func:`read_timeline` reads every frame's time from the container's packets, without
  decoding them (OpenCV's raw mode: ~3 us a packet), in presentation order;
* :meth:`Timeline.start_at` replays the analysis rate's :class:`FramePicker` on those times to
  find the frame a position starts at, and the picker's state just before it;
* :func:`seek_to` puts a capture on that frame: OpenCV seeks a little before it (decoding from
  the keyframe before), then the capture is grabbed forward until the frame whose time is the
  one wanted; and
* every thread checks, frame by frame, that decoding gives the times the packets promised
  (:meth:`Timeline.matches`). The threads before a seeking one decode everything before its
  start, so a frame the decoder drops or adds anywhere is seen; the run then poses the
  seeking threads' parts again, decoding from the first frame (see pose_run).

So a run gives the same frames, the same positions and the same landmarks to the bit as one
decoding from the start, or falls back to doing so.

When: a fresh run (nothing stored: the threads before a seeking one decode everything before it)
where each thread poses one part (a clip of up to two parts, 60 s at 30 frames/s on two threads).
A seeking thread's parts are written unchecked until the run's end; a run stopped before then
loses them, no more than a part per thread, as any stopped run does. A longer video keeps
decoding every frame before a thread's run, so a stop loses no more than before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hingecoach.sources.frames import FramePicker
from hingecoach.sources.native_logs import QuietStderr, quiet_ffmpeg

#: A seek aims this many frames before the frame wanted, then grabs forward to it: OpenCV
#: numbers frames from their times and the frame rate, which can be a frame or two off on a
#: variable-rate phone video; landing after the frame wanted means no seek.
SEEK_LEAD_FRAMES = 8
#: Grabs allowed, after the seek, to reach the frame wanted.
SEEK_MAX_GRABS = 64


@dataclass(frozen=True)
class Start:
    """Where a decoder starts: the frame ``index`` in the file (the first one decoded), the
    position the model sees it at (``pos``), and the picker as it stood before it."""

    index: int
    pos: int
    due_ms: float | None
    last_ms: float | None

    def picker(self, rate: float | None, source_fps: float) -> FramePicker:
        picker = FramePicker(rate, source_fps)
        picker.due_ms, picker.last_ms = self.due_ms, self.last_ms
        return picker


class Timeline:
    """Every frame's time (ms, as OpenCV's CAP_PROP_POS_MSEC gives it), in presentation order."""

    def __init__(self, times_ms: np.ndarray) -> None:
        self.times_ms = np.asarray(times_ms, float)

    def matches(self, index: int, t_ms: float) -> bool:
        """True when decoding gave frame ``index`` the time its packet promised."""
        return 0 <= index < len(self.times_ms) and float(self.times_ms[index]) == t_ms

    def start_at(self, pos: int, rate: float | None, source_fps: float) -> Start | None:
        """The frame the model sees at position ``pos`` (the picker run over every frame before
        it, as a decoder reading from the start runs it); None when the video has no such
        position."""
        picker = FramePicker(rate, source_fps)
        seen = -1
        for index, t_ms in enumerate(self.times_ms.tolist()):
            before = (picker.due_ms, picker.last_ms)
            if picker.keep(t_ms):
                seen += 1
                if seen == pos:
                    return Start(index, pos, *before)
        return None


def read_timeline(path: Path) -> Timeline | None:
    """The frames' times from the packets of ``path`` (no decoding); None when they cannot be
    trusted to be the decoded frames' (none, a missing time, two frames at one time)."""
    quiet_ffmpeg()
    import cv2

    with QuietStderr():
        cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened() or not cap.set(cv2.CAP_PROP_FORMAT, -1):
            return None
        times = []
        while cap.grab():
            times.append(cap.get(cv2.CAP_PROP_POS_MSEC))
    finally:
        cap.release()
    t = np.sort(np.asarray(times, float))
    if not t.size or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
        return None
    return Timeline(t)


def seek_to(cap, timeline: Timeline, index: int) -> bool:
    """Put ``cap`` on frame ``index`` of ``timeline``, that frame grabbed (not retrieved); False
    when it cannot be reached that way (the capture is then at an unknown frame)."""
    import cv2

    want = float(timeline.times_ms[index])
    if index > 0 and not cap.set(cv2.CAP_PROP_POS_FRAMES, max(0, index - SEEK_LEAD_FRAMES)):
        return False
    for _ in range(SEEK_MAX_GRABS):
        if not cap.grab():
            return False
        t_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
        if t_ms == want:
            return True
        if t_ms > want:
            return False
    return False
