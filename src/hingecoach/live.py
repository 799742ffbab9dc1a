"""Live coaching: landmark frames in, one at a time; rep count, phase and one cue out.

The engine runs the same stages as :func:`hingecoach.analysis.analyze` over a bounded window
of the most recent frames, arranged so that the per-frame cost stays flat:

* every frame: a causal One-Euro filter on the side-merged joints
  (:func:`hingecoach.kinematics.angles.merged_joints`, the offline merge), short gaps held
  (offline they are interpolated; live there is no future to interpolate towards), and the
  hip angle of that frame;
* a few times a second: the person's standing/deep thresholds over the window
  (:func:`hingecoach.reps.flexion_thresholds`) and the camera view
  (:func:`hingecoach.kinematics.view.with_view`);
* once per rep, when hip flexion falls back to standing: :func:`hingecoach.reps.segment_reps`
  over the window, then :func:`hingecoach.kinematics.angles.measure` and
  :func:`hingecoach.assess.assess_measured` over the new rep only (set evidence from the
  reps so far, :func:`hingecoach.assess.set_medians`), and
  :class:`hingecoach.coaching.LiveCoach` for at most one cue.

Memory is bounded: the window is ``window_s`` seconds of frames in preallocated arrays, and at
most ``MAX_REPS_KEPT`` rep results are kept for the set summary (older ones only counted).
Landmarks arrive the way MediaPipe's JavaScript gives them: x, y in [0, 1] of the image
width and height, z in the scale of x, plus visibility.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hingecoach.analysis import back_warnings
from hingecoach.assess import RepAssessment, assess_measured, rep_measures, set_medians
from hingecoach.assess.exercise import check_exercise, decide, grading_table, rep_exercise, vote
from hingecoach.assess.measures import LEAN_BACK_SETTLE_S, setup_baseline
from hingecoach.assess.pattern import classify_pattern
from hingecoach.coaching import LiveCoach, SetSummary, summarise_set
from hingecoach.config import section
from hingecoach.kinematics.angles import JOINTS, Kinematics, image_series, measure
from hingecoach.kinematics.filters import OneEuroFilter
from hingecoach.kinematics.view import with_view
from hingecoach.pose import PoseSequence
from hingecoach.pose.schema import BLAZEPOSE33, INDEX, PAIRS
from hingecoach.reps import Rep, flexion_thresholds, segment_reps

K = len(BLAZEPOSE33)
#: Frames older than this leave the window. 20 s holds several reps (2-4 s each) plus standing,
#: which is what the person-relative thresholds need, and keeps memory and the per-rep
#: segmentation cost bounded.
WINDOW_S = 20.0
#: Highest frame rate the buffers are sized for (cameras and the page deliver 15-60 fps).
MAX_FPS = 60.0
#: How often thresholds, frame rate and view are refreshed (they drift slowly).
REFRESH_S = 0.25
VIEW_REFRESH_S = 1.0
#: After flexion falls back to standing, keep looking for the finished rep this long (the
#: window's thresholds can differ slightly from the cached ones).
CONFIRM_S = 1.0
#: Standing margin kept before a rep when it is assessed (the standing reference for hip travel).
ASSESS_MARGIN_S = 3.0
#: The body must be seen, side on, this long before counting starts (the camera guide).
READY_S = 1.0
#: A rep's lockout is judged once the person is upright, starts the next rep, or this long after
#: flexion crossed back to standing (offline looks up to ``reps.edge_search_s`` = 1.5 s ahead).
LOCKOUT_WAIT_S = 1.0
#: Once upright, the top is still watched this long before it is judged, as offline reads the
#: lean-back (and the trunk coming all the way up) over the rep's end plus this. Judged at the
#: first upright frame instead, every rep of the correct-form real clips (tby66/0016c_1) was
#: told "not standing all the way up": the trunk was still 3-9 deg short of its upright line.
UPRIGHT_SETTLE_S = LEAN_BACK_SETTLE_S
MAX_REPS_KEPT = 200
_KEY_POINTS = ("shoulder", "hip", "knee", "ankle")


class LiveFrameError(ValueError):
    """A frame that cannot be used; the message says what was expected."""


@dataclass
class LiveUpdate:
    """The answer to one frame."""

    t_s: float
    rep_count: int
    phase: str  # setup | standing | descent | bottom | ascent
    cue: str | None = None
    score: float | None = None  # of the last completed rep
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


class _Ring:
    """Fixed-capacity time series with contiguous reads: rows are written into a buffer twice
    the capacity and shifted down when it fills (amortised O(1), no reallocation)."""

    def __init__(self, capacity: int, shape: tuple[int, ...]):
        self.capacity = capacity
        self.data = np.full((2 * capacity, *shape), np.nan)
        self.start = 0
        self.stop = 0

    def append(self, row: np.ndarray | float) -> None:
        if self.stop == len(self.data):
            keep = self.stop - self.start
            self.data[:keep] = self.data[self.start:self.stop]
            self.start, self.stop = 0, keep
        self.data[self.stop] = row
        self.stop += 1
        if self.stop - self.start > self.capacity:
            self.start += 1

    def drop_before(self, count: int) -> None:
        self.start = min(self.start + count, self.stop)

    def view(self) -> np.ndarray:
        return self.data[self.start:self.stop]

    def __len__(self) -> int:
        return self.stop - self.start


def landmarks_to_pixels(landmarks: Any, image_size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(xyz (33,3) pixels, visibility (33,)) from 33 rows of normalised x, y, z, visibility.
    Raises LiveFrameError for a wrong shape or non-finite image size."""
    try:
        arr = np.asarray(landmarks, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise LiveFrameError(f"Expected 33 rows of 4 numbers, but got values that are not numbers ({exc}).") from None
    if arr.shape != (K, 4):
        raise LiveFrameError(f"Expected landmarks of shape ({K}, 4), but got {arr.shape}.")
    w, h = image_size
    if not (1 <= w <= 10000 and 1 <= h <= 10000):
        raise LiveFrameError(f"Expected an image size between 1 and 10000 pixels, but got {image_size!r}.")
    arr = np.where(np.isfinite(arr), arr, np.nan)
    xyz = arr[:, :3] * np.array([w, h, w], dtype=np.float64)
    vis = np.nan_to_num(np.clip(arr[:, 3], 0.0, 1.0), nan=0.0)
    return xyz, vis


_LEFT = np.array([INDEX[PAIRS[j][0]] for j in JOINTS])
_RIGHT = np.array([INDEX[PAIRS[j][1]] for j in JOINTS])


def merge_frame(xyz: np.ndarray, vis: np.ndarray, min_visibility: float) -> np.ndarray:
    """(joints, 2) visibility-weighted left/right midpoints of one frame: the per-frame form of
    :func:`hingecoach.kinematics.angles.merged_joints` (a test checks they agree), vectorised
    because the offline function's per-joint loop costs ~1 ms a frame."""
    pts = np.stack([xyz[_LEFT, :2], xyz[_RIGHT, :2]], axis=1)  # (J, 2 sides, 2)
    w = np.stack([vis[_LEFT], vis[_RIGHT]], axis=1)
    w = np.where((w < min_visibility) | np.isnan(pts).any(axis=-1), 0.0, w)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (np.where(w[..., None] > 0, pts, 0.0) * w[..., None]).sum(axis=1) / total[:, None]
    mean[total == 0] = np.nan
    return mean


def _included_angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    """Unsigned angle between two 2-D vectors (degrees); NaN when either is missing."""
    cross = a[0] * b[1] - a[1] * b[0]
    return float(np.degrees(abs(math.atan2(cross, a[0] * b[0] + a[1] * b[1]))))


def _shift_rep(rep: Rep, offset: int) -> Rep:
    """The same rep with frame indices relative to a window starting ``offset`` frames later."""
    return dataclasses.replace(
        rep, start_frame=rep.start_frame - offset, bottom_frame=rep.bottom_frame - offset,
        end_frame=rep.end_frame - offset, ascent_end_frame=rep.ascent_end_frame - offset,
        bottom_window=(rep.bottom_window[0] - offset, rep.bottom_window[1] - offset))


class LiveSession:
    """Streaming rep counter and coach for one person. Feed frames with :meth:`push`."""

    def __init__(self, *, level: str | None = None, usual_depth_hip_angle_deg: float | None = None,
                 window_s: float = WINDOW_S, require_ready: bool = True,
                 coach: LiveCoach | None = None, defer_assessment: bool = False,
                 exercise: str | None = None):
        self.level = level
        #: the exercise the person named (None: recognised from the reps so far, as offline)
        self.given_exercise = None if exercise is None else check_exercise(exercise)
        self.exercise = decide(vote((), ()), level=level, given=self.given_exercise)
        #: the thresholds table the reps are graded by (the level's, else the exercise's)
        self.standard = grading_table(self.exercise, level)
        self.usual_depth_hip_angle_deg = usual_depth_hip_angle_deg
        self._baseline: dict[str, float] | None = None  # quiet standing before the first rep
        self.window_s = window_s
        self.require_ready = require_ready
        self.coach = coach or LiveCoach()
        cap = int(math.ceil(window_s * MAX_FPS)) + 1
        self._t = _Ring(cap, ())
        self._joints = _Ring(cap, (len(JOINTS), 2))  # filtered, image pixels
        self._raw = _Ring(cap, (K, 4))  # raw xyz + visibility, for view and facing
        self._hip_angle = _Ring(cap, ())
        self._filter = OneEuroFilter()
        self._kin_cfg = section("kinematics")
        self._rep_cfg = section("reps")
        self._last_seen: np.ndarray = np.full(len(JOINTS), -math.inf)
        self._held = np.full((len(JOINTS), 2), np.nan)
        self.image_size: tuple[int, int] = (1, 1)
        self.fps = 30.0
        self.view, self.facing = "unknown", "unknown"
        self._thresholds = None
        self._next_refresh_s = -math.inf
        self._next_view_s = -math.inf
        self._armed = False
        self._confirm_until_s = -math.inf
        self._pending: list[tuple[float, float, int]] = []  # (bottom_s, ascent_end_s, index)
        self._upright_s: float | None = None  # when the pending reps' person first stood upright
        self._counted_until_s = -math.inf  # end of the last counted rep's ascent
        self._ready_since_s: float | None = None
        self.ready = not require_ready
        self.rep_count = 0
        self._started_s: float | None = None
        self.last_score: float | None = None
        self.results: deque[tuple[Rep, RepAssessment]] = deque(maxlen=MAX_REPS_KEPT)
        #: With deferral, ``push`` only flags a due assessment; the caller runs
        #: :meth:`run_due` after answering the frame, and its cue rides on the next answer.
        self.defer_assessment = defer_assessment
        self.assessment_due = False
        self._carry = LiveUpdate(t_s=0.0, rep_count=0, phase="setup")

    # -- public ----------------------------------------------------------------------------
    def push(self, landmarks: Any, image_size: tuple[int, int], t_s: float) -> LiveUpdate:
        """Add one frame (33 x [x, y, z, visibility] normalised, or None when no person was
        found) taken at ``t_s`` seconds; returns what to show now."""
        t_s = float(t_s)
        if not math.isfinite(t_s):
            raise LiveFrameError(f"Expected a finite timestamp, but got {t_s!r}.")
        if len(self._t) and t_s <= self._t.view()[-1]:
            raise LiveFrameError(f"Expected timestamps to increase, but {t_s:.3f} s follows "
                                 f"{self._t.view()[-1]:.3f} s.")
        if landmarks is None:
            xyz, vis = np.full((K, 3), np.nan), np.zeros(K)
        else:
            xyz, vis = landmarks_to_pixels(landmarks, image_size)
        self.image_size = (int(image_size[0]), int(image_size[1]))
        if self._started_s is None:
            self._started_s = t_s
        self._append(xyz, vis, t_s)
        self._refresh(t_s)
        update = LiveUpdate(t_s=t_s, rep_count=self.rep_count, phase="setup", view=self.view,
                            ready=self.ready, in_frame=self._in_frame(xyz, vis),
                            cue=self._carry.cue, new_reps=self._carry.new_reps)
        self._carry = LiveUpdate(t_s=0.0, rep_count=0, phase="setup")
        flex = 180.0 - self._hip_angle.view()[-1]
        update.hip_flexion_deg = flex if math.isfinite(flex) else None
        self._update_ready(update.in_frame, t_s)
        update.ready = self.ready
        self._detect(flex, t_s, update)
        update.rep_count = self.rep_count
        update.score = self.last_score
        update.phase = self._phase(flex)
        return update

    def run_due(self) -> None:
        """Assess the reps whose lockout has settled (deferred mode); the cue and scores are
        sent with the next frame's answer."""
        if self.assessment_due:
            self.assessment_due = False
            self._assess_pending(self._carry)

    def summary(self) -> SetSummary:
        """The set so far (the most recent ``MAX_REPS_KEPT`` reps)."""
        reps = [r for r, _ in self.results]
        return summarise_set(reps, [a for _, a in self.results], view=self.view, level=self.standard)

    def set_result(self) -> dict[str, Any]:
        """The set in the shape of ``Analysis.to_dict`` (what the store logs), with the summary."""
        summary = self.summary()
        t = self._t.view()
        reps = [{
            "index": r.index, "partial": False, "start_s": round(r.start_s, 2),
            "bottom_s": round(r.bottom_s, 2), "end_s": round(r.end_s, 2),
            "depth_hip_angle_deg": round(r.depth_hip_angle_deg, 1), "pattern": a.pattern,
            "score": a.score, "faults": [f.to_dict() for f in a.faults],
        } for r, a in self.results]
        return {
            "source": "live", "rep_count": self.rep_count, "score": summary.score,
            "view": self.view, "fps": round(self.fps, 2),
            "duration_s": round(float(t[-1] - self._started_s), 2) if len(t) else 0.0,
            "pattern": summary.pattern, "summary": summary.to_dict(), "reps": reps,
            "level": self.level, "exercise": self.exercise.name,
            "exercise_confidence": round(self.exercise.confidence, 2), "exercise_source": self.exercise.source,
            "standard": self.standard,
            "warnings": back_warnings(self.view, [r for r, _ in self.results], [a for _, a in self.results]),
        }

    def new_set(self) -> None:
        """Start counting a new set (the window and the view check are kept)."""
        self.rep_count = 0
        self.last_score = None
        self.results.clear()
        self.exercise = decide(vote((), ()), level=self.level, given=self.given_exercise)
        self.standard = grading_table(self.exercise, self.level)
        self._baseline = None
        self._pending.clear()
        self._upright_s = None
        self.assessment_due = False
        if len(self._t):
            self._started_s = float(self._t.view()[-1])

    def memory_bytes(self) -> int:
        """Bytes held by the frame buffers (fixed at construction)."""
        return sum(r.data.nbytes for r in (self._t, self._joints, self._raw, self._hip_angle))

    # -- per frame ---------------------------------------------------------------------------
    def _append(self, xyz: np.ndarray, vis: np.ndarray, t_s: float) -> None:
        pts = merge_frame(xyz, vis, self._kin_cfg["min_visibility"])
        seen = np.isfinite(pts).all(axis=1)
        self._last_seen[seen] = t_s
        held = ~seen & (t_s - self._last_seen <= self._kin_cfg["max_gap_s"])
        pts[held] = self._held[held]  # causal stand-in for offline gap interpolation
        pts = self._filter(pts, t_s)
        self._held = np.where(np.isfinite(pts), pts, self._held)
        self._t.append(t_s)
        self._joints.append(pts)
        self._raw.append(np.concatenate([xyz, vis[:, None]], axis=1))
        sh, hip, knee = (pts[JOINTS.index(j)] for j in ("shoulder", "hip", "knee"))
        self._hip_angle.append(_included_angle_deg(sh - hip, knee - hip))
        self._trim(t_s)

    def _trim(self, t_s: float) -> None:
        t = self._t.view()
        old = int(np.searchsorted(t, t_s - self.window_s, side="left"))
        if old:
            for ring in (self._t, self._joints, self._raw, self._hip_angle):
                ring.drop_before(old)

    def _refresh(self, t_s: float) -> None:
        if t_s >= self._next_refresh_s:
            self._next_refresh_s = t_s + REFRESH_S
            t = self._t.view()
            if len(t) > 2:
                self.fps = float(1.0 / np.median(np.diff(t[-90:])))
            self._thresholds = flexion_thresholds(180.0 - self._hip_angle.view(), self._rep_cfg)
        if t_s >= self._next_view_s and len(self._t) >= 5:
            self._next_view_s = t_s + VIEW_REFRESH_S
            seq = self._window_pose(t_s - 3.0)
            self.view, self.facing = seq.view, seq.facing

    def _window_pose(self, since_s: float) -> PoseSequence:
        t = self._t.view()
        lo = int(np.searchsorted(t, since_s, side="left"))
        raw = self._raw.view()[lo:]
        seq = PoseSequence(xyz=raw[:, :, :3], visibility=raw[:, :, 3], t_s=t[lo:], fps=self.fps,
                           image_size=self.image_size, source="live")
        return with_view(seq)

    def _in_frame(self, xyz: np.ndarray, vis: np.ndarray) -> bool:
        """Shoulders, hips, knees and ankles (either side) seen inside the image."""
        w, h = self.image_size
        min_vis = self._kin_cfg["min_visibility"]
        for joint in _KEY_POINTS:
            ok = False
            for side in ("left", "right"):
                i = INDEX[f"{side}_{joint}"]
                x, y = xyz[i, 0], xyz[i, 1]
                ok |= bool(vis[i] >= min_vis and 0 <= x < w and 0 <= y < h)
            if not ok:
                return False
        return True

    def _update_ready(self, in_frame: bool, t_s: float) -> None:
        """Counting starts once the whole body has been in frame, not from the front, for
        ``READY_S``; reps before that moment are setup, not counted."""
        if self.ready:
            return
        if in_frame and self.view in ("side", "oblique"):
            if self._ready_since_s is None:
                self._ready_since_s = t_s
            if t_s - self._ready_since_s >= READY_S:
                self.ready = True
                self._counted_until_s = self._ready_since_s
        else:
            self._ready_since_s = None

    # -- reps ----------------------------------------------------------------------------------
    def _detect(self, flex: float, t_s: float, update: LiveUpdate) -> None:
        """Count a rep as soon as flexion is back to standing (segment_reps confirms it over
        the window); assess it once the lockout has settled, as offline sees it."""
        th = self._thresholds
        if th is None or not math.isfinite(flex):
            return
        if self._pending and self._lockout_settled(flex, t_s, th):
            if self.defer_assessment:
                self.assessment_due = True
            else:
                self._assess_pending(update)
        if flex > th.deep_deg:
            self._armed = True
        if self._armed and flex <= th.stand_deg:
            self._armed = False
            self._confirm_until_s = t_s + CONFIRM_S
        if t_s <= self._confirm_until_s and self.ready and self._count_new_reps():
            self._confirm_until_s = -math.inf
            update.rep_count = self.rep_count

    def _lockout_settled(self, flex: float, t_s: float, th) -> bool:
        """The person has stood upright for ``UPRIGHT_SETTLE_S``, has started the next rep, or
        time is up."""
        if flex <= th.baseline_deg + 2.0 and self._upright_s is None:
            self._upright_s = t_s
        upright_long = self._upright_s is not None and t_s >= self._upright_s + UPRIGHT_SETTLE_S
        return upright_long or flex > th.stand_deg or t_s >= self._pending[0][1] + LOCKOUT_WAIT_S

    def _segment_window(self) -> list[Rep]:
        light = Kinematics(t_s=self._t.view(), fps=self.fps, facing=self.facing, view=self.view,
                           leg_length=float("nan"), points={},
                           series={"hip_angle_deg": self._hip_angle.view()})
        return segment_reps(light)

    def _count_new_reps(self) -> bool:
        t = self._t.view()
        found = [r for r in self._segment_window()
                 if not r.partial and r.bottom_s > self._counted_until_s]
        for rep in found:
            self.rep_count += 1
            self._counted_until_s = float(t[min(rep.ascent_end_frame, len(t) - 1)])
            self._pending.append((rep.bottom_s, self._counted_until_s, self.rep_count))
        return bool(found)

    def _assess_pending(self, update: LiveUpdate) -> None:
        reps = [r for r in self._segment_window() if not r.partial]
        for bottom_s, _, index in self._pending:
            match = min(reps, key=lambda r: abs(r.bottom_s - bottom_s), default=None)
            if match is not None and abs(match.bottom_s - bottom_s) < 0.5:
                self._assess(match, index, update)
        self._pending.clear()
        self._upright_s = None

    def _window_kinematics(self, lo: int) -> Kinematics:
        """Kinematics of window frames [lo, now] with :func:`measure`, the offline code."""
        t = self._t.view()[lo:]
        sign = -1.0 if self.facing == "left" else 1.0
        pts = self._joints.view()[lo:]
        p = {j: np.stack([sign * pts[:, i, 0], -pts[:, i, 1]], axis=-1) for i, j in enumerate(JOINTS)}
        kin = measure(p, t, self.fps, self.facing, self.view, None, ("one-euro live",))
        raw = self._raw.view()[lo:]
        seq = PoseSequence(xyz=raw[:, :, :3], visibility=raw[:, :, 3], t_s=t, fps=self.fps,
                           image_size=self.image_size, source="live")
        kin.series.update(image_series(seq))
        return kin

    def _assess(self, rep: Rep, index: int, update: LiveUpdate) -> None:
        t = self._t.view()
        lo = int(np.searchsorted(t, t[rep.start_frame] - ASSESS_MARGIN_S, side="left"))
        kin = self._window_kinematics(lo)
        local = _shift_rep(rep, lo)
        # the quiet standing before the first rep is the set's baseline, as offline; later
        # reps no longer have those frames in the window, so it is kept
        if not self.results and not local.from_bottom:
            self._baseline = setup_baseline(kin, local.start_frame)
        # set evidence from the reps so far, as offline reads it from the whole set
        m = rep_measures(kin, local, baseline=self._baseline)
        self._recognise(m, local)
        set_values = set_medians([x.measures for _, x in self.results] + [m],
                                 [r for r, _ in self.results] + [local], self.standard)
        a = assess_measured(kin, local, m, self.standard, self.usual_depth_hip_angle_deg, set_values)
        local = dataclasses.replace(local, index=index)
        self.results.append((local, a))
        self.last_score = a.score
        cue = self.coach.cue_for(a, float(t[-1]))
        if cue and update.cue is None:
            update.cue = cue
        update.new_reps.append({
            "index": index, "bottom_s": round(rep.bottom_s, 2),
            "depth_hip_angle_deg": round(rep.depth_hip_angle_deg, 1), "pattern": a.pattern,
            "score": a.score, "faults": [f.code for f in a.faults],
        })

    def _recognise(self, m: dict[str, float], rep: Rep) -> None:
        """The exercise from the reps so far (offline's rule, rep by rep; the set starts from
        the floor when its first rep rose from the bottom), and the standard it sets."""
        from_floor = self.results[0][0].from_bottom if self.results else rep.from_bottom
        name, sure = rep_exercise(m, classify_pattern(m)[0], from_floor, section("exercise"))
        per_rep = (self.exercise.per_rep + (name,))[-MAX_REPS_KEPT:]
        sure_all = (self.exercise.per_rep_confidence + (sure,))[-MAX_REPS_KEPT:]
        self.exercise = decide(vote(per_rep, sure_all), level=self.level, given=self.given_exercise)
        self.standard = grading_table(self.exercise, self.level)

    def _phase(self, flex: float) -> str:
        th = self._thresholds
        if not self.ready or not math.isfinite(flex):
            return "setup"
        if th is None or flex <= th.stand_deg:  # no movement range yet: still standing
            return "standing"
        flex_s = 180.0 - self._hip_angle.view()
        t = self._t.view()
        k = max(2, int(round(0.15 * self.fps)))
        recent = flex_s[-k:]
        rate = (recent[-1] - recent[0]) / max(t[-1] - t[-len(recent)], 1e-6)
        if rate > 20.0:  # degrees per second: clearly moving down
            return "descent"
        if rate < -20.0:
            return "ascent"
        since = int(np.searchsorted(t, self._counted_until_s, side="right"))
        depth = np.nanmax(flex_s[since:]) if since < len(flex_s) else flex
        band = self._rep_cfg["bottom_band_frac"] * (depth - th.baseline_deg)
        return "bottom" if flex >= depth - 2 * band else ("ascent" if rate < 0 else "descent")
