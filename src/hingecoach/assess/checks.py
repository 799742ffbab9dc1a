"""Fault checks: every mistake the guide names, as data plus a little logic.

Each fault in ``[faults.<code>]`` of the thresholds file lists one or more *signals*: a
per-rep measure (see :mod:`hingecoach.assess.measures`), the direction that is bad, and the
``minor`` and ``major`` limits. The fault fires when any signal passes its ``minor`` limit;
it is ``major`` when any passes ``major``. ``views`` says from which camera views the fault
can be seen at all; ``patterns`` restricts it to reps of those patterns; ``requires``
names extra conditions implemented below (``compensation`` for too_deep); a signal with
``fallback_for = "<measure>"`` counts only when that measure is missing; ``gate`` lists
signals that must all pass their ``minor`` limit, where measured, for the fault to fire (a second
symptom that tells it from look-alike faults).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hingecoach.assess.measures import BACK_SHAPE_MEASURES, back_hidden
from hingecoach.assess.specs import FaultSpec, Signal, fault_specs


@dataclass(frozen=True)
class Fault:
    code: str
    severity: str  # "minor" | "major"
    measure: str
    value: float
    threshold: float
    frames: tuple[int, int]
    guide: str = ""
    #: how clear the reading is, 0.5 at the minor limit to 1 at the major limit and past it
    #: (:meth:`hingecoach.assess.specs.Signal.confidence`); lower for a stand-in measure
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "severity": self.severity, "measure": self.measure,
            "value": round(self.value, 3), "threshold": self.threshold,
            "frames": list(self.frames), "guide": self.guide, "confidence": round(self.confidence, 2),
        }


#: A check's outcome on a rep: "named", "passed", or "not checked: <why>".
NAMED, PASSED = "named", "passed"
#: A stand-in measure (``fallback_for``) says less than the one it stands in for.
STAND_IN_CONFIDENCE = 0.8


def _signal_result(sig: Signal, m: dict[str, float]) -> tuple[str, float, float, float] | None:
    """(severity, value, limit, confidence) when the signal passes a limit. A signal with
    ``fallback_for`` is a stand-in: it is read only when that better measure could not be
    taken (e.g. the landmark spine proxy when the mask outline is missing)."""
    if sig.fallback_for and math.isfinite(m.get(sig.fallback_for, math.nan)):
        return None
    value = m.get(sig.measure, math.nan)
    severity = sig.severity(value)
    if severity is None:
        return None
    sure = sig.confidence(value) * (STAND_IN_CONFIDENCE if sig.fallback_for else 1.0)
    return severity, value, sig.major if severity == "major" else sig.minor, sure


def _read(sig: Signal, m: dict[str, float]) -> bool:
    """The signal could be read on this rep (its measure, or for a stand-in its own)."""
    return math.isfinite(m.get(sig.measure, math.nan))


def _gate_fails(sig: Signal, m: dict[str, float]) -> bool:
    """A gate blocks only when it was measured and stays inside its ``minor`` limit (a clip
    without the baseline it needs is judged on the other signals alone)."""
    value = m.get(sig.measure, math.nan)
    return math.isfinite(value) and not sig.passes(value, sig.minor)


#: Mistake 4's compensations: (per-rep measure, its limit in ``compensation``); a limit left
#: out of the table never counts. The measures are also set evidence with ``compensation_from_set``.
COMPENSATIONS = (
    ("knee_flexion_gain_deg", "knee_flexion_gain_deg"),
    ("back_bend_bottom_deg", "back_bend_deg"),
    ("shoulder_drop_bottom_frac_torso", "shoulder_drop_frac_torso"),
    ("com_foot_bottom_frac", "com_foot_frac"),
    ("spine_flex_bottom_frac_torso", "spine_flex_frac_torso"),
    ("com_foot_shift_bottom_frac", "com_foot_shift_frac"),
)
COMPENSATION_MEASURES = tuple(measure for measure, _ in COMPENSATIONS)


def _compensating(m: dict[str, float], spec: FaultSpec) -> bool:
    """Mistake 4: depth is only a fault when something gives way to reach it (at least
    ``min_count`` of the compensations, default 1)."""
    comp = spec.compensation
    gave_way = sum(m.get(measure, math.nan) > comp.get(key, math.inf) for measure, key in COMPENSATIONS)
    return gave_way >= comp.get("min_count", 1)


def _depth_signals(spec: FaultSpec, usual_depth_hip_angle_deg: float | None) -> tuple[Signal, ...]:
    """too_deep compares with the person's usual hamstring-limited depth when known."""
    if usual_depth_hip_angle_deg is None or not math.isfinite(usual_depth_hip_angle_deg):
        return spec.signals
    p = spec.personal
    return (Signal("depth_hip_angle_deg", False, usual_depth_hip_angle_deg - p["minor_beyond_usual_deg"],
                   usual_depth_hip_angle_deg - p["major_beyond_usual_deg"]),)


def _set_compensating(spec: FaultSpec, set_values: dict[str, float] | None) -> bool:
    """A fault named by set evidence with ``compensation_from_set`` may find its compensation in
    the set's medians (a habit of the set, read the same way as one rep's)."""
    return bool(spec.set_evidence and spec.set_evidence.compensation_from_set and set_values
                and _compensating(set_values, spec))


def _set_hit(spec: FaultSpec, m: dict[str, float], set_values: dict[str, float] | None, view: str
             ) -> tuple[str, tuple[str, float, float, float]] | None:
    """Set evidence: the set's median of the measure passes ``minor`` (``major``) and this rep's
    own value passes ``rep_floor``, so a habit the set shows is named on the reps that show it
    (from the camera views in the evidence's ``views``, default the fault's own; ``by_view``
    gives a view limits of its own, e.g. a wider one where that camera reads less steadily).
    The median of several reps is steadier than one reading: its confidence counts one step
    more than the same reading of one rep."""
    ev = spec.set_evidence
    if ev is None or not set_values or ev.signal.measure not in set_values or view not in (ev.views or (view,)):
        return None
    sig = ev.for_view(view)
    own = m.get(sig.measure, math.nan)
    if not (math.isfinite(own) and sig.passes(own, ev.rep_floor)):
        return None
    median = set_values[sig.measure]
    severity = sig.severity(median)
    if severity is None:
        return None
    sure = min(1.0, sig.confidence(median) + 0.25)
    return f"{sig.measure} (set median)", (severity, median, sig.major if severity == "major" else sig.minor, sure)


def _not_checked(spec: FaultSpec, m: dict[str, float], pattern: str, view: str) -> str | None:
    """Why the check cannot judge this rep, None when it can, or its outcome when the rep's
    pattern decides it (``named_by_pattern``)."""
    if not spec.in_standard:
        return "not checked: not part of this exercise's standard"
    if not spec.seen_from(view):
        return f"not checked: not seen from the {view} view"
    if spec.patterns is not None and pattern not in spec.patterns:
        if spec.named_by_pattern:  # judged by the pattern: a rep of that pattern names it
            return NAMED if pattern == spec.named_by_pattern else PASSED
        return f"not checked: not judged on a {pattern} rep"
    if spec.signals and not any(_read(s, m) for s in spec.signals):
        if back_hidden(m) and {s.measure for s in spec.signals} & set(BACK_SHAPE_MEASURES):
            return "not checked: the hands at the shoulders hide the back"
        return "not checked: its measures could not be read (the body part out of view, or too few frames)"
    return None


def evaluate_rep(m: dict[str, float], *, pattern: str, view: str, frames: dict[str, tuple[int, int]],
                 level: str | None = None, usual_depth_hip_angle_deg: float | None = None,
                 set_values: dict[str, float] | None = None) -> tuple[list[Fault], dict[str, str]]:
    """All faults of one rep, most severe first (then in the table's priority order), and every
    check's outcome on it (``named``, ``passed`` or ``not checked: <why>``).
    ``set_values``: the set's medians for faults with ``set_evidence`` (see :func:`_set_hit`)."""
    faults: list[Fault] = []
    outcome: dict[str, str] = {}
    specs = fault_specs(level)
    for code, spec in specs.items():
        why = _not_checked(spec, m, pattern, view)
        if why in (NAMED, PASSED):
            outcome[code] = why
            continue
        set_hit = _set_hit(spec, m, set_values, view) if why is None or why.startswith("not checked: its") else None
        if why is not None and set_hit is None:
            outcome[code] = why
            continue
        signals = _depth_signals(spec, usual_depth_hip_angle_deg) if code == "too_deep" else spec.signals
        hits = [(s.measure, r) for s in signals if (r := _signal_result(s, m))]
        if set_hit is not None:
            hits.append(set_hit)
        outcome[code] = PASSED
        if not hits:
            continue
        if "compensation" in spec.requires and not _compensating(m, spec) and not (
                set_hit is not None and _set_compensating(spec, set_values)):
            continue
        if any(_gate_fails(g, m) for g in spec.gate):
            continue
        severity = "major" if any(r[0] == "major" for _, r in hits) else "minor"
        measure, (_, value, limit, _) = next((s, r) for s, r in hits if r[0] == severity)
        sure = max(r[3] for _, r in hits if r[0] == severity)
        faults.append(Fault(code=code, severity=severity, measure=measure, value=value, threshold=limit,
                            frames=frames[spec.window], guide=spec.guide, confidence=sure))
        outcome[code] = NAMED
    order = list(specs)
    faults.sort(key=lambda f: (f.severity != "major", order.index(f.code)))
    return faults, outcome


def check_rep(m: dict[str, float], *, pattern: str, view: str, frames: dict[str, tuple[int, int]],
              level: str | None = None, usual_depth_hip_angle_deg: float | None = None,
              set_values: dict[str, float] | None = None) -> list[Fault]:
    """The faults of :func:`evaluate_rep` alone."""
    return evaluate_rep(m, pattern=pattern, view=view, frames=frames, level=level,
                        usual_depth_hip_angle_deg=usual_depth_hip_angle_deg, set_values=set_values)[0]
