"""LiveSession: one person's frames in, one at a time; rep count, phase and one cue out."""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hingecoach.assess import RepAssessment
from hingecoach.assess.exercise import ExerciseCall, check_exercise
from hingecoach.assess.measures import LEAN_BACK_SETTLE_S
from hingecoach.coaching import LiveCoach, SetSummary, set_tempo, summarise_set
from hingecoach.config import section
from hingecoach.live.frames import K, LiveFrameError, body_in_frame, landmarks_to_pixels, world_metres
from hingecoach.live.grading import MAX_REPS_KEPT, SetGrader
from hingecoach.live.phase import PHASE_WINDOW_S, live_phase
from hingecoach.live.reading import WindowRead, WindowReader
from hingecoach.live.result import SessionFacts, rep_dict, set_dict
from hingecoach.live.signal import FlexionSignal
from hingecoach.live.window import FrameWindow
from hingecoach.reps import Rep, flexion_thresholds

_LIVE = section("live")  # thresholds.toml [live]: each value with its reason
#: Frames older than this leave the window (several reps plus standing).
WINDOW_S: float = _LIVE["window_s"]
#: Highest frame rate the buffers are sized for.
MAX_FPS: float = _LIVE["max_fps"]
#: How often the window is read the offline way (a rep is counted at most this late).
READ_EVERY_S: float = _LIVE["read_every_s"]
#: A rep is counted once its return to standing is this old (the low-pass still moves the
#: newest frames).
EDGE_S: float = _LIVE["edge_s"]
#: The body must be seen whole this long before the page's countdown may start.
READY_S: float = _LIVE["ready_s"]
#: A rep is measured once offline's frames for it are in: its end (the rest point after the
#: return to standing, at most ``reps.edge_search_s`` later) and the lean-back's settle after it.
#: Measured at the first upright frame, every rep of the correct-form real clips (tby66/0016c_1)
#: was told "not standing all the way up": the trunk was still 3-9 deg short of its upright line.
SETTLE_S = LEAN_BACK_SETTLE_S + EDGE_S
#: Reps are counted once the frames read span this long (the view and the person's standing
#: and depth need more than a second of frames).
MIN_CONTEXT_S: float = _LIVE["min_context_s"]
#: Two reps found within this of each other's bottom, in two reads, are the same rep.
SAME_REP_S: float = _LIVE["same_rep_s"]


@dataclass
class LiveUpdate:
    """The answer to one frame."""

    t_s: float
    rep_count: int
    phase: str  # setup | standing | descent | bottom | ascent
    cue: str | None = None
    score: float | None = None  # of the last completed rep
    #: reps graded since the last answer, as the set result lists them (a rep measured again
    #: after the camera view changed is sent again)
    new_reps: list[dict[str, Any]] = field(default_factory=list)
    view: str = "unknown"
    ready: bool = False
    in_frame: bool = False
    hip_flexion_deg: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        if d["hip_flexion_deg"] is not None:
            d["hip_flexion_deg"] = round(d["hip_flexion_deg"], 1)
        return d


@dataclass(frozen=True)
class _Pending:
    """A counted rep whose lockout is still being watched."""

    bottom_s: float
    ascent_end_s: float
    index: int


class LiveSession:
    """Streaming rep counter and coach for one person. Feed frames with :meth:`push`."""

    def __init__(self, *, level: str | None = None, usual_depth_hip_angle_deg: float | None = None,
                 window_s: float = WINDOW_S, coach: LiveCoach | None = None, defer_assessment: bool = False,
                 exercise: str | None = None):
        self.level = level
        #: the exercise the person named (None: recognised from the reps so far, as offline)
        self.given_exercise = None if exercise is None else check_exercise(exercise)
        self.usual_depth_hip_angle_deg = usual_depth_hip_angle_deg
        self.coach = coach or LiveCoach()
        kin_cfg = section("kinematics")
        self._min_visibility = kin_cfg["min_visibility"]
        self._window = FrameWindow(window_s, MAX_FPS)
        self._signal = FlexionSignal(kin_cfg["min_visibility"], kin_cfg["max_gap_s"])
        self._reader = WindowReader()
        self._longest_wait_s = section("reps")["edge_search_s"] + SETTLE_S
        self._read_until = 0  # the window's end (session frame number) at the last read
        self.image_size: tuple[int, int] = (1, 1)
        self.fps = float(_LIVE["start_fps"])
        self._next_read_s = -math.inf
        self._in_frame_since_s: float | None = None
        self.ready = False
        #: With deferral, ``push`` only flags a due read of the window; the caller runs
        #: :meth:`run_due` after answering the frame, and what it found rides on the next answer.
        self.defer_assessment = defer_assessment
        self.assessment_due = False
        self._counted_until_s = -math.inf  # the return to standing of the last counted rep
        self._carry = LiveUpdate(t_s=0.0, rep_count=0, phase="setup")
        self._set_first_index = 0
        self._set_start_s: float | None = None
        self.new_set()

    # -- public ----------------------------------------------------------------------------
    @property
    def view(self) -> str:
        return self._reader.view

    @property
    def exercise(self) -> ExerciseCall:
        return self._grader.exercise

    @property
    def standard(self) -> str | None:
        return self._grader.standard

    def push(self, landmarks: Any, image_size: tuple[int, int], t_s: float, world: Any = None) -> LiveUpdate:
        """Add one frame (33 x [x, y, z, visibility] normalised, or None when no person was
        found; ``world``: MediaPipe's 33 x [x, y, z] world landmarks in metres, when sent)
        taken at ``t_s`` seconds; returns what to show now."""
        t_s = float(t_s)
        if not math.isfinite(t_s):
            raise LiveFrameError(f"Expected a finite timestamp, but got {t_s!r}.")
        if len(self._window) and t_s <= self._window.t[-1]:
            raise LiveFrameError(f"Expected timestamps to increase, but {t_s:.3f} s follows "
                                 f"{self._window.t[-1]:.3f} s.")
        if landmarks is None:
            xyz, vis = np.full((K, 3), np.nan), np.zeros(K)
        else:
            xyz, vis = landmarks_to_pixels(landmarks, image_size)
        metres = world_metres(world)
        self.image_size = (int(image_size[0]), int(image_size[1]))
        if self._set_start_s is None:
            self._set_start_s = t_s
        flex = self._signal(xyz, vis, metres, t_s)
        self._window.append(t_s, xyz, vis, metres, flex)
        update = LiveUpdate(t_s=t_s, rep_count=self.rep_count, phase="setup", view=self.view,
                            in_frame=body_in_frame(xyz, vis, self.image_size, self._min_visibility),
                            cue=self._carry.cue, new_reps=self._carry.new_reps,
                            hip_flexion_deg=flex if math.isfinite(flex) else None)
        self._carry = LiveUpdate(t_s=0.0, rep_count=0, phase="setup")
        self._update_ready(update.in_frame, t_s)
        if t_s >= self._next_read_s:
            self._next_read_s = t_s + READ_EVERY_S
            if self.defer_assessment:
                self.assessment_due = True
            else:
                self._read(update)
        update.ready, update.rep_count, update.score = self.ready, self.rep_count, self.last_score
        update.view = self.view
        update.phase = self._phase() if self.ready and math.isfinite(flex) else "setup"
        return update

    def run_due(self) -> None:
        """Read the window when a read is due (deferred mode); the count, scores and cue go out
        with the next frame's answer."""
        if self.assessment_due:
            self.assessment_due = False
            self._read(self._carry)

    @property
    def results(self) -> list[tuple[Rep, RepAssessment]]:
        """The set so far, graded as offline grades a set (reps whose lockout was still being
        watched are measured now)."""
        self._finish()
        return list(zip([r.rep for r in self._grader.records], self._grader.graded(), strict=True))

    def summary(self) -> SetSummary:
        """The set so far (the most recent ``MAX_REPS_KEPT`` reps)."""
        done = self.results
        return summarise_set([r for r, _ in done], [a for _, a in done], view=self.view, level=self.standard)

    def set_result(self) -> dict[str, Any]:
        """The set in the shape of ``Analysis.to_dict`` (what the store logs), with the summary."""
        done = self.results
        summary = summarise_set([r for r, _ in done], [a for _, a in done], view=self.view, level=self.standard)
        return set_dict(list(self._grader.records), [a for _, a in done], self.exercise, self._facts(), summary)

    def new_set(self) -> None:
        """Start counting a new set (the window, view and facing are kept)."""
        self.rep_count = 0
        self.last_score: float | None = None
        self._grader = SetGrader(self.level, self.given_exercise, self.usual_depth_hip_angle_deg)
        self._pending: list[_Pending] = []
        self._counted: deque[_Pending] = deque(maxlen=MAX_REPS_KEPT)
        self._speed_said = False  # the slowing-down cue, once a set
        self.assessment_due = False
        if len(self._window):
            self._set_start_s = float(self._window.t[-1])
            self._set_first_index = self._window.end_index
            self._counted_until_s = max(self._counted_until_s, self._set_start_s)

    def memory_bytes(self) -> int:
        """Bytes held by the frame buffers (fixed at construction)."""
        return self._window.memory_bytes()

    # -- per frame ---------------------------------------------------------------------------
    def _update_ready(self, in_frame: bool, t_s: float) -> None:
        """Ready once the whole body has been in frame for ``READY_S`` (the page then starts its
        countdown where the view allows). Counting does not wait for it: offline counts every
        rep of a clip, the first one too."""
        if self.ready:
            return
        if not in_frame:
            self._in_frame_since_s = None
            return
        if self._in_frame_since_s is None:
            self._in_frame_since_s = t_s
        self.ready = t_s - self._in_frame_since_s >= READY_S

    def _phase(self) -> str:
        lo = self._window.index_at(self._window.t[-1] - PHASE_WINDOW_S)
        return live_phase(self._window.flex[lo:], self._window.t[lo:], self.fps)

    def _facts(self) -> SessionFacts:
        t = self._window.t
        duration = float(t[-1] - self._set_start_s) if len(t) and self._set_start_s is not None else 0.0
        return SessionFacts(view=self.view, facing=self._reader.facing, fps=self.fps, image_size=self.image_size,
                            duration_s=duration, frames=self._window.end_index - self._set_first_index,
                            rep_count=self.rep_count, level=self.level, standard=self.standard)

    # -- reads of the window -------------------------------------------------------------------
    def _read(self, update: LiveUpdate | None, final: bool = False) -> None:
        """Read the window the offline way: count the reps it finds, measure the settled ones."""
        t = self._window.t
        if len(t) > 2:
            self.fps = float(1.0 / np.median(np.diff(t[-_LIVE["fps_frames"]:])))
        read = self._reader.read(self._window, self.fps, self.image_size)
        self._read_until = self._window.end_index
        if self._reader.changed_since_s is not None:
            self._measure_again(self._reader.changed_since_s)
            self._reader.changed_since_s = None
        self._signal.use_plane(self._reader.plane)
        if read is None:
            return
        self._count(read, final)
        self._assess(read, update, final)

    def _measure_again(self, since_s: float) -> None:
        """The camera view or facing read from the frames since ``since_s`` changed (a new
        part once the new view has lasted a while, or a steadier reading from more frames): the
        reps measured since then were read in another plane; measure them again, as offline
        reads each part from its own view."""
        again = {r.rep.index for r in self._grader.take_back(since_s)}
        self._pending = sorted([p for p in self._counted if p.index in again] + self._pending, key=lambda p: p.index)

    def _count(self, read: WindowRead, final: bool) -> None:
        """Count each finished rep whose return to standing is past the low-pass's edge (at the
        set's end, every finished rep), once."""
        t = read.kin.t_s
        if t[-1] - t[0] < MIN_CONTEXT_S and not final:
            return
        for rep in read.reps:
            back_s = float(t[min(rep.ascent_end_frame, len(t) - 1)])
            if rep.partial or rep.bottom_s <= self._counted_until_s or (back_s > read.t_end - EDGE_S and not final):
                continue
            self.rep_count += 1
            self._counted_until_s = back_s
            self._pending.append(_Pending(rep.bottom_s, back_s, self.rep_count))
            self._counted.append(self._pending[-1])

    def _settled(self, read: WindowRead, rep: Rep, pending: _Pending, rest_deg: float) -> bool:
        """Offline's frames for the rep are in: its end is found (the body back at rest, or the
        next rep begun) and the settle after it seen; or the longest wait is over."""
        flex = 180.0 - read.kin["hip_angle_deg"]
        ended = flex[rep.end_frame] <= rest_deg or any(r.start_frame > rep.end_frame for r in read.reps)
        return (ended and read.t_end - rep.end_s >= SETTLE_S) or read.t_end - pending.ascent_end_s >= self._longest_wait_s

    def _assess(self, read: WindowRead, update: LiveUpdate | None, final: bool) -> None:
        th = flexion_thresholds(180.0 - read.kin["hip_angle_deg"], section("reps"))
        rest_deg = th.baseline_deg + _LIVE["rest_margin_deg"] if th is not None else -math.inf
        done = [r for r in read.reps if not r.partial]
        while self._pending:
            pending = self._pending[0]
            rep = min(done, key=lambda r: abs(r.bottom_s - pending.bottom_s), default=None)
            if rep is None or abs(rep.bottom_s - pending.bottom_s) >= SAME_REP_S:
                gone = pending.bottom_s < read.kin.t_s[0] or read.t_end - pending.ascent_end_s > 2 * self._longest_wait_s
                if not (final or gone):
                    return  # not found in this read: look again in the next
                self._pending.pop(0)  # left the frames read (a new camera view): counted, not measured
                continue
            if not final and not self._settled(read, rep, pending, rest_deg):
                return
            self._pending.pop(0)
            self._grade(read, rep, pending.index, update)

    def _grade(self, read: WindowRead, rep: Rep, index: int, update: LiveUpdate | None) -> None:
        a = self._grader.add(read, rep, index)
        self.last_score = a.score
        if update is None:  # the set's end: nothing more is said
            return
        cue = self._speed_cue() or self.coach.cue_for(a, read.t_end)
        if cue and update.cue is None:
            update.cue = cue
        update.new_reps.append(rep_dict(self._grader.records[-1], a, self.exercise, self._facts()))

    def _speed_cue(self) -> str | None:
        """Said once a set, when the late reps have slowed past the velocity-training line
        (:func:`hingecoach.coaching.set_tempo`, the same reading as the set's summary)."""
        if self._speed_said:
            return None
        loss = set_tempo([r.measures for r in self._grader.records])
        if loss["note"] is None:
            return None
        self._speed_said = True
        return f"Reps slowed by {loss['speed_loss_pct']:.0f}%: end the set or rest"

    def _finish(self) -> None:
        """The set ends here: count and measure with the frames there are, and measure again
        the reps whose frames are all still in the window, from the most frames (offline reads
        the whole clip: the standing trunk, the person's range)."""
        if len(self._window) and (self._pending or self._read_until != self._window.end_index):
            self.assessment_due = False
            lo = min(self._window.index_at(self._reader.part_start_s), len(self._window) - 1)
            self._measure_again(float(self._window.t[lo]) + section("reps")["edge_search_s"])
            self._read(None, final=True)
