"""Live coaching: landmark frames in, one at a time; rep count, phase and one cue out.

The live coach gives the reps, pattern and faults the offline analysis
(:func:`hingecoach.analysis.analyze`) gives on the same frames, by running the same code:

* every frame (:mod:`~hingecoach.live.signal`, :mod:`~hingecoach.live.phase`): the hip
  flexion in the current sagittal plane, with the offline side merge, plane and angle, and the
  phase of the newest frame within its rep (:meth:`hingecoach.reps.Rep.phase_of`);
* a few times a second (:mod:`~hingecoach.live.reading`): the window's frames of the current
  camera view through :func:`hingecoach.kinematics.compute_kinematics` and
  :func:`hingecoach.reps.segment_reps`; each rep found is counted once it is back to standing;
* once per rep, when offline's frames for its lockout are in (:mod:`~hingecoach.live.grading`):
  :func:`hingecoach.assess.rep_measures`, the exercise by offline's rule, and the grade by its
  standard with the set medians of the reps so far; the set result grades the set again the
  offline way and is serialised by :meth:`hingecoach.analysis.Analysis.to_dict`
  (:mod:`~hingecoach.live.result`).

What live cannot see it says it did not check: it has no segmentation mask, so the back's
outline is never read; the checks that need it say "not checked" (a landmark stand-in reads
a rounded upper back where the thresholds give one).

Memory is bounded: the window is ``window_s`` seconds of frames in preallocated arrays
(:mod:`~hingecoach.live.window`), and at most ``MAX_REPS_KEPT`` reps are kept for the set
result (older ones only counted). Landmarks arrive the way MediaPipe's JavaScript gives them:
x, y in [0, 1] of the image width and height, z in the scale of x, plus visibility; world
landmarks in metres when the page sends them.
"""

from hingecoach.live.frames import LiveFrameError, landmarks_to_pixels
from hingecoach.live.grading import MAX_REPS_KEPT
from hingecoach.live.session import LiveSession, LiveUpdate

__all__ = ["MAX_REPS_KEPT", "LiveFrameError", "LiveSession", "LiveUpdate", "landmarks_to_pixels"]
