"""A video's pose run: the frames at the analysis rate posed by BlazePose in parts
(:mod:`hingecoach.sources.pose_parts`), on up to ``pose_threads`` threads at once.

The parts not stored yet are cut into runs of consecutive parts, one per thread (a 10-s clip:
two halves; a long video: its first and second half of 30-s parts). Each thread decodes the
video itself (its own OpenCV capture; in a fresh run the threads after the first start by seeking
to their first frame, checked against what the threads before them decode:
:mod:`hingecoach.sources.frame_timeline`; else the frames before its run are only grabbed,
never converted), poses its parts, each by a fresh model warmed on the frames just before the part, and measures
the back outline of the frames it posed on a shared 1-thread pool. MediaPipe's ``process`` runs
the graph on its own threads and releases the GIL while it waits (measured: a pure-Python thread
beside it keeps its full speed), so two threads pose two frames at once. A part's landmarks
depend on its own frames and the ``resume_warmup_frames`` before it only, so the run gives the
same landmarks on one thread or two, whole or resumed, to the bit.
"""

from __future__ import annotations

import ctypes
import functools
import math
import os
import queue
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hingecoach.config import section
from hingecoach.sources import blazepose, frame_timeline, people, pose_parts
from hingecoach.sources import cache as kp_cache
from hingecoach.sources.frame_timeline import Timeline
from hingecoach.sources.frames import DEFAULT_ANALYSIS_FPS, FramePicker, open_video, shrink
from hingecoach.sources.native_logs import QuietStderr

_END = object()


@dataclass(frozen=True)
class _Frame:
    """One decoded frame for the model: its time and index in the file, its position among the
    frames the model sees, the RGB pixels (shrunk: frames.model_scale), the factor from original
    to those pixels, the original (w, h) and mean luma."""

    t_ms: float
    index: int
    pos: int
    rgb: np.ndarray
    scale: float
    size: tuple[int, int]
    luma: float


@dataclass
class _Run:
    """What every pose thread of one run shares."""

    path: Path
    folder: Path
    rate: float | None
    source_fps: float
    model: str
    part_frames: int
    warmup: int
    sampled: set[int]
    spine_pool: ThreadPoolExecutor
    bar: Any
    stop: threading.Event = field(default_factory=threading.Event)
    #: Back outlines queued at most (each holds its frame's binarised mask, 0.9 MB at 1280x720): when the
    #: outline thread falls behind two pose threads, they wait instead of piling up masks.
    outline_slots: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(8))
    #: The frames' times from the packets when the threads after the first start by seeking
    #: (:mod:`hingecoach.sources.frame_timeline`), else None.
    timeline: Timeline | None = None
    #: Set when a decoded frame's time differs from the timeline's: the seeking threads stop,
    #: and their parts are posed again from the first frame.
    mismatch: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _started: bool = False

    def posed(self) -> None:
        """One more frame posed (the progress bar; its clock starts at the first one)."""
        with self._lock:
            if not self._started:
                self._started = True
                self.bar.unpause()  # the time left from the frames posed, not the stored ones skipped
            self.bar.update(1)


def pose_threads(requested: int | None) -> int:
    """The pose threads to use: ``requested`` or [video] pose_threads, at most the CPUs."""
    wanted = int(section("video")["pose_threads"]) if requested is None else int(requested)
    return max(1, min(wanted, os.cpu_count() or 1))


def pose_video(path: Path, folder: Path, *, rate: float | None, source_fps: float, total_frames: int,
               model: str, threads: int, progress: bool | None, seek: bool = True) -> int:
    """Pose the frames of ``path`` at ``rate`` (None: every frame) into parts in ``folder``,
    from the parts a run there before did not store; returns the number of frames in the file.
    A fresh run on several threads starts the threads after the first by seeking (``seek``;
    see :mod:`hingecoach.sources.frame_timeline`), checked against what the first decodes."""
    cfg = section("video")
    kept = total_frames  # frames the model will see (0: unknown)
    if rate is not None:
        kept = int(math.ceil(total_frames * rate / source_fps)) if math.isfinite(source_fps) and source_fps >= 1 else 0
    model_fps = rate or (source_fps if math.isfinite(source_fps) and source_fps >= 1 else DEFAULT_ANALYSIS_FPS)
    part_frames = pose_parts.part_frames_for(kept, model_fps, cfg["cache_part_s"], cfg["pose_part_min_s"])
    stored = pose_parts.stored_parts(folder, part_frames)
    groups = pose_parts.plan_groups(stored, part_frames, math.ceil(kept / part_frames) if kept else 1, threads)
    with _progress_bar(kept, path.name, progress, sum(stored.values())) as bar, \
            ThreadPoolExecutor(max_workers=1) as spine_pool:
        run = _Run(path, folder, rate, source_fps, model, part_frames, int(cfg["resume_warmup_frames"]),
                   people.sample_indices(kept), spine_pool, bar)
        if seek and not stored and len(groups) > 1 and all(len(g.parts) <= 1 for g in groups):
            run.timeline = frame_timeline.read_timeline(path)  # see frame_timeline: when threads seek
        last = len(groups) - 1
        counts = _run_threads([functools.partial(_pose_group, run, g, i == last, i > 0)
                               for i, g in enumerate(groups)], run.stop)
    if run.timeline is not None:
        kp_cache.settle_unchecked(folder, accept=not run.mismatch.is_set())
        if run.mismatch.is_set():  # the seeking threads' parts again, decoding from the first frame
            return pose_video(path, folder, rate=rate, source_fps=source_fps, total_frames=total_frames,
                              model=model, threads=threads, progress=progress, seek=False)
    return int(counts[-1] or 0)


def _run_threads(jobs: list[Callable[[], Any]], stop: threading.Event) -> list[Any]:
    """Run ``jobs`` on threads of their own; their results in order. The first error (or a
    Ctrl-C in this thread) stops them all (``stop``) and is raised once they have ended.
    Waited for on events, not Thread.join: a Ctrl-C inside join can leave the thread marked as
    ended while it still runs (and a pose thread still starting its graph has fd 2 silenced)."""
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []
    done = [threading.Event() for _ in jobs]

    def work(i: int) -> None:
        try:
            results[i] = jobs[i]()
        except BaseException as exc:  # raised in the caller's thread below
            errors.append(exc)
            stop.set()
        finally:
            done[i].set()

    for i in range(len(jobs)):
        threading.Thread(target=work, args=(i,), name=f"pose-{i}", daemon=True).start()
    try:
        for ended in done:
            while not ended.wait(0.2):  # a timeout, so Ctrl-C reaches this thread at once
                pass
    except BaseException:
        stop.set()
        for ended in done:
            while not ended.is_set():
                ended.wait(0.2)
        raise
    if errors:
        raise errors[0]
    return results


def _pose_group(run: _Run, group: pose_parts.Group, to_end: bool, seeks: bool) -> int | None:
    """Decode the video and pose ``group``'s parts; read to the video's end when ``to_end`` (the
    number of frames in the file is returned then; None otherwise). With ``seeks`` and a
    timeline, start at the group's first frame needed instead of decoding every frame before."""
    pf, warmup = run.part_frames, run.warmup
    if not group.parts and group.open_from is None and not to_end:
        return None

    def wanted(pos: int) -> bool:  # posed, or among the warm-up frames of a part posed
        k = pos // pf
        return any(group.mine(j) for j in range(k, (pos + warmup) // pf + 1))

    last_pos = None if to_end or group.open_from is not None else (group.parts[-1] + 1) * pf - 1
    first = group.parts[0] if group.parts else group.open_from
    cap, start = _open_at(run, max(0, (first or 0) * pf - warmup) if seeks else None)
    picker = FramePicker(run.rate, run.source_fps) if start is None else start.picker(run.rate, run.source_fps)
    seeking = start is not None
    halt = threading.Event()
    frames: queue.Queue = queue.Queue(maxsize=4)  # decoded ahead of the model (2.7 MB each at 1280x720)

    def abandoned() -> bool:  # the run stopped, or this thread seeked and a frame's time was not the promised one
        return run.stop.is_set() or (seeking and run.mismatch.is_set())

    reader = threading.Thread(target=_read_frames, daemon=True,
                              args=(cap, frames, picker, wanted, last_pos, lambda: halt.is_set() or abandoned(),
                                    start, run.timeline, run.mismatch))
    buffer: pose_parts.PartBuffer | None = None
    min_trunk_deg = section("video")["spine_min_trunk_deg"]
    try:
        with _PoseGraph(warmup, run.model) as graph:
            reader.start()
            if group.parts or group.open_from is not None:
                graph.start()
            while not isinstance(item := _get(frames, abandoned), tuple):
                if item is None:
                    return None  # stopped
                k, offset = divmod(item.pos, pf)
                if not group.mine(k):
                    graph.recent.append(item)  # another part's: only the next model's warm-up
                    continue
                result = graph.process(item, restart=offset == 0)
                if offset == 0:
                    buffer = pose_parts.PartBuffer(run.folder, item.pos, pf, checked=not seeking)
                assert buffer is not None  # a part's frames come from its first on
                _keep(buffer, item, result, run, min_trunk_deg)
                run.posed()
                if buffer.full:
                    buffer.flush()
                    buffer = None
            if buffer is not None and not abandoned():
                buffer.flush()  # the video's last part, shorter
            return item[1]
    finally:
        halt.set()
        reader.join()
        cap.release()


def _open_at(run: _Run, pos: int | None) -> tuple[Any, frame_timeline.Start | None]:
    """(capture, start): the video opened and, given a position and the run's timeline, put on
    the frame the model sees there (start: where it is); else at the first frame (None)."""
    cap, _ = open_video(run.path)
    timeline = run.timeline
    start = None if pos is None or timeline is None else timeline.start_at(pos, run.rate, run.source_fps)
    if start is None or timeline is None or frame_timeline.seek_to(cap, timeline, start.index):
        return cap, start
    cap.release()  # at an unknown frame: decode from the first instead
    cap, _ = open_video(run.path)
    return cap, None


def _get(frames: queue.Queue, stopped: Callable[[], bool]) -> Any:
    """The next item from the reader, or None once ``stopped``."""
    while not stopped():
        try:
            return frames.get(timeout=0.1)
        except queue.Empty:
            continue
    return None


def _put(out: queue.Queue, item: object, stopped: Callable[[], bool]) -> None:
    while not stopped():
        try:
            out.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


def _read_frames(cap, out: queue.Queue, picker: FramePicker, wanted: Callable[[int], bool],
                 last_pos: int | None, stopped: Callable[[], bool], start: frame_timeline.Start | None = None,
                 timeline: Timeline | None = None, mismatch: threading.Event | None = None) -> None:
    """Decode frames ahead of the pose model (a thread: OpenCV releases the GIL while it
    decodes). A frame the picker skips, or one the model does not need (``wanted``), is only
    grabbed (decoded, never converted to BGR nor rotated); a needed one is retrieved, shrunk,
    then converted to RGB. Stops after position ``last_pos`` (None: at the end) and ends with
    ``(_END, frames in the file)`` (None for the count when it stopped before the end).
    ``start``: ``cap`` was put on that frame, grabbed (``picker`` as it stood before it).
    ``timeline``: each frame's time is checked against it; a difference sets ``mismatch``."""
    import cv2

    index, pos, count = (-1, -1, None) if start is None else (start.index - 1, start.pos - 1, None)
    grabbed = start is not None
    bgr = None  # one full-size buffer decoded into again and again (the model gets its own RGB copy): -0.3 CPU-s
    # on a 10-s 1080p clip, the page faults of a fresh 6 MB array per frame
    try:
        while not stopped():
            if not grabbed and not cap.grab():
                count = index + 1
                break
            grabbed = False
            index += 1
            t_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
            if timeline is not None and mismatch is not None and not timeline.matches(index, t_ms):
                mismatch.set()
                timeline = None  # said once
            if not picker.keep(t_ms):
                continue
            pos += 1
            if last_pos is not None and pos > last_pos:
                break
            if not wanted(pos):
                continue
            ok, bgr = cap.retrieve(bgr)
            if not ok or bgr is None:
                count = index + 1
                break
            small, scale = shrink(bgr)
            h, w = bgr.shape[:2]
            _put(out, _Frame(t_ms, index, pos, cv2.cvtColor(small, cv2.COLOR_BGR2RGB), scale, (w, h),
                             mean_luma(bgr)), stopped)
    finally:
        _put(out, (_END, count), stopped)


def mean_luma(bgr: np.ndarray) -> float:
    """Mean brightness 0-255 (Rec. 601 weights) on a subsample: cheap and enough for 'dark'."""
    small = bgr[::8, ::8].astype(np.float32)
    return float((small @ np.array([0.114, 0.587, 0.299], np.float32)).mean())


def _progress_bar(total: int, name: str, progress: bool | None, initial: int = 0):
    from tqdm import tqdm

    enabled = sys.stderr.isatty() if progress is None else bool(progress)
    return tqdm(total=total or None, initial=initial, desc=f"pose {name}" + (" (resumed)" if initial else ""),
                unit="frame", file=sys.stderr, disable=not enabled, leave=False)


class _PoseGraph:
    """The video pose model, started afresh at each part and warmed up on the frames before it
    (``recent``: the last ``warmup`` frames decoded for the model): its tracking (the region of
    interest comes from the last frame's landmarks) and landmark smoothing then carry state over
    no longer than a part, which is what makes a part's landmarks the same whoever poses it."""

    def __init__(self, warmup: int, model: str) -> None:
        self.recent: deque[_Frame] = deque(maxlen=warmup)
        self.model = model
        self._pose: Any = None
        self._fresh = False  # started and given no frame yet: as good as a new one

    def _open(self) -> None:
        self._pose = blazepose.make_pose(static_image_mode=False, model=self.model)

    def start(self) -> None:
        """Start a model now (its graph loads while the frames before the first part decode, and
        the first part takes it as its fresh model), so each thread's model runs from the start."""
        with QuietStderr():
            self._open()
            blazepose.wait_started(self._pose)
        self._fresh = True

    def process(self, item: _Frame, restart: bool):
        if self._pose is None or restart:
            with QuietStderr():  # MediaPipe logs while its graph starts (first frame)
                if not self._fresh:
                    self.close()
                    self._open()
                self._fresh = False
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
            trim_heap()  # the graph's threads leave their freed memory in their own malloc arenas

    def __enter__(self) -> _PoseGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _keep(buffer: pose_parts.PartBuffer, item: _Frame, result, run: _Run, min_trunk_deg: float) -> None:
    """Add one posed frame to the part being gathered (its back outline measured on the pool,
    once one of the run's outline slots is free)."""
    xyz, vis, world = blazepose.landmarks_from_result(result, *item.size)
    small_xyz = xyz * item.scale  # in the shrunk frame's pixels, as the mask is
    mask = blazepose.body_mask(result, small_xyz, min_trunk_deg)  # None where no outline is read
    run.outline_slots.acquire()
    job = run.spine_pool.submit(blazepose.spine_readings, mask, small_xyz, min_trunk_deg)
    job.add_done_callback(lambda _: run.outline_slots.release())
    buffer.add({"xyz": xyz, "visibility": vis, "world_xyz": world, "t_ms": item.t_ms, "index": item.index,
                "luma": item.luma}, job, item.size)
    if item.pos in run.sampled:
        buffer.add_sample(item.rgb, small_xyz)


def trim_heap() -> None:
    """Give the heap memory freed so far back to the system: glibc keeps it in the arenas of the
    threads that freed it (MediaPipe's graphs allocate from threads of their own), so without
    this the arrays of a long video come on top of what the models used (glibc only; elsewhere
    nothing happens)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
