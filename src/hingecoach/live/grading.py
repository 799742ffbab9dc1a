"""The set's reps graded as the offline analysis grades a set.

Offline measures every rep of a camera-view part (:func:`hingecoach.assess.set_measures`: the
quiet standing before the part's first rep as baseline), recognises the exercise by a vote of
the reps (:func:`hingecoach.assess.exercise.recognise`), and grades the reps by that exercise's
standard with the part's set medians (:func:`hingecoach.assess.assess_reps`). Live, each rep is
measured once, when its lockout has been seen; it is graded then with the reps so far (for its
cue), and the whole set is graded again, offline's way, for the set's result.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from hingecoach.assess import RepAssessment, assess_measured, rep_measures, set_medians, set_pattern
from hingecoach.assess.checks import PASSED
from hingecoach.assess.exercise import decide, grading_table, rep_exercise, starts_from_floor, vote
from hingecoach.assess.measures import setup_baseline
from hingecoach.assess.pattern import classify_pattern
from hingecoach.assess.specs import fault_specs
from hingecoach.config import section
from hingecoach.kinematics import Kinematics
from hingecoach.live.reading import WindowRead
from hingecoach.reps import Rep

#: The most recent reps a set keeps (thresholds.toml [live]).
MAX_REPS_KEPT: int = section("live")["max_reps_kept"]
#: Measures read from the body's outline (the segmentation mask's ``back_bend_deg``), which the
#: live coach never has: the page sends landmarks only.
OUTLINE_MEASURES = frozenset({"back_bend_bottom_deg"})
NOT_SEEN_LIVE = ("not checked: the back's outline is not seen live (no body mask); "
                 "the landmarks standing in for it showed no fault")


@dataclass(frozen=True)
class RepRecord:
    """One measured rep: its frames are the session's, ``frames`` the session frames its
    kinematics held (the limit of its fault windows), ``part`` its camera-view part."""

    rep: Rep
    measures: dict[str, float]
    view: str
    part: int
    frames: int
    fps: float
    exercise: str | None
    exercise_confidence: float


def shifted(rep: Rep, offset: int, index: int) -> Rep:
    """``rep`` with its frame numbers moved by ``offset`` and numbered ``index``."""
    return dataclasses.replace(
        rep, index=index, start_frame=rep.start_frame + offset, bottom_frame=rep.bottom_frame + offset,
        end_frame=rep.end_frame + offset, ascent_end_frame=rep.ascent_end_frame + offset,
        bottom_window=(rep.bottom_window[0] + offset, rep.bottom_window[1] + offset))


def _frames_only(record: RepRecord) -> Kinematics:
    """What grading reads of the kinematics once the measures are taken: the view, the frame
    rate and the frame count (no series: zero-stride times)."""
    return Kinematics(t_s=np.broadcast_to(0.0, (record.frames,)), fps=record.fps, facing="unknown",
                      view=record.view, leg_length=math.nan, points={}, series={})


def _part_context(records: list[RepRecord], part: int, standard: str | None
                  ) -> tuple[dict[str, float], str | None]:
    """What offline reads from the whole part to grade each of its reps: the set medians of
    the measures (:func:`set_medians`) and the pattern most reps show (:func:`set_pattern`)."""
    mine = [r for r in records if r.part == part]
    measures, reps = [r.measures for r in mine], [r.rep for r in mine]
    return set_medians(measures, reps, standard), set_pattern(_frames_only(mine[-1]), measures, reps, standard)


def _grade(record: RepRecord, standard: str | None, usual_depth_hip_angle_deg: float | None,
           context: tuple[dict[str, float], str | None]) -> RepAssessment:
    a = assess_measured(_frames_only(record), record.rep, record.measures, standard,
                        usual_depth_hip_angle_deg, *context)
    return dataclasses.replace(a, checks=said_live(a.checks, record.measures, standard))


def grade(records: list[RepRecord], standard: str | None, usual_depth_hip_angle_deg: float | None
          ) -> list[RepAssessment]:
    """Every record graded by ``standard`` in the context of its own camera-view part."""
    context = {part: _part_context(records, part, standard) for part in {r.part for r in records}}
    return [_grade(r, standard, usual_depth_hip_angle_deg, context[r.part]) for r in records]


def said_live(checks: dict[str, str], m: dict[str, float], standard: str | None) -> dict[str, str]:
    """The checks' outcomes as live may say them: a check passed on a landmark stand-in for an
    outline measure live cannot read was not checked (what live cannot see, it does not pass);
    one the stand-in named stays named."""
    out = dict(checks)
    for code, spec in fault_specs(standard).items():
        unseen = {s.fallback_for for s in spec.signals if s.fallback_for in OUTLINE_MEASURES}
        if out.get(code) == PASSED and any(not math.isfinite(m.get(x, math.nan)) for x in unseen):
            out[code] = NOT_SEEN_LIVE
    return out


class SetGrader:
    """The reps of one set, their exercise and the standard that grades them."""

    def __init__(self, level: str | None, given_exercise: str | None, usual_depth_hip_angle_deg: float | None):
        self.level = level
        self.given_exercise = given_exercise
        self.usual_depth_hip_angle_deg = usual_depth_hip_angle_deg
        self.records: deque[RepRecord] = deque(maxlen=MAX_REPS_KEPT)
        self._part: int | None = None
        self._baseline: dict[str, float] | None = None
        self._from_floor = False
        self._decide()

    def _decide(self) -> None:
        names = tuple(r.exercise for r in self.records)
        sure = tuple(r.exercise_confidence for r in self.records)
        self.exercise = decide(vote(names, sure), level=self.level, given=self.given_exercise)
        self.standard = grading_table(self.exercise, self.level)

    def add(self, read: WindowRead, local: Rep, index: int) -> RepAssessment:
        """Measure ``local`` (a rep of ``read``'s frames) as rep ``index``, recognise its exercise,
        and grade it with the reps so far."""
        if read.part != self._part:  # a new camera view: offline reads each part apart
            self._part = read.part
            self._baseline = None if local.from_bottom else setup_baseline(read.kin, local.start_frame)
            self._from_floor = starts_from_floor(read.kin, [local], section("exercise"))
        m = rep_measures(read.kin, local, baseline=self._baseline)
        name, sure = rep_exercise(m, classify_pattern(m)[0], self._from_floor, section("exercise"))
        self.records.append(RepRecord(shifted(local, read.offset, index), m, read.kin.view, read.part,
                                      read.offset + read.kin.n_frames, read.kin.fps, name, sure))
        self._decide()
        context = _part_context(list(self.records), read.part, self.standard)
        return _grade(self.records[-1], self.standard, self.usual_depth_hip_angle_deg, context)

    def take_back(self, since_s: float) -> list[RepRecord]:
        """Remove the reps that start at or after ``since_s``, to be measured again."""
        back = [r for r in self.records if r.rep.start_s >= since_s]
        if back:
            kept = [r for r in self.records if r.rep.start_s < since_s]
            self.records.clear()
            self.records.extend(kept)
            self._decide()
        return back

    def graded(self) -> list[RepAssessment]:
        """The set graded offline's way: the set's exercise and standard, each part's medians."""
        return grade(list(self.records), self.standard, self.usual_depth_hip_angle_deg)
