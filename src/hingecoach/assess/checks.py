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

from hingecoach.config import section


@dataclass(frozen=True)
class Fault:
    code: str
    severity: str  # "minor" | "major"
    measure: str
    value: float
    threshold: float
    frames: tuple[int, int]
    guide: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "severity": self.severity, "measure": self.measure,
            "value": round(self.value, 3), "threshold": self.threshold,
            "frames": list(self.frames), "guide": self.guide,
        }


def _passes(value: float, limit: float, above: bool) -> bool:
    return value > limit if above else value < limit


def _signal_result(sig: dict[str, Any], m: dict[str, float]) -> tuple[str, float, float] | None:
    """(severity, value, limit) when the signal passes a limit. A signal with ``fallback_for``
    is a stand-in: it is read only when that better measure could not be taken (e.g. the
    landmark spine proxy when the mask outline is missing)."""
    better = sig.get("fallback_for")
    if better and math.isfinite(m.get(better, float("nan"))):
        return None
    value = m.get(sig["measure"], float("nan"))
    if not math.isfinite(value):
        return None
    above = sig.get("above", True)
    if _passes(value, sig["major"], above):
        return "major", value, sig["major"]
    if _passes(value, sig["minor"], above):
        return "minor", value, sig["minor"]
    return None


def _gate_fails(sig: dict[str, Any], m: dict[str, float]) -> bool:
    """A gate blocks only when it was measured and stays inside its ``minor`` limit (a clip
    without the baseline it needs is judged on the other signals alone)."""
    value = m.get(sig["measure"], float("nan"))
    return math.isfinite(value) and not _passes(value, sig["minor"], sig.get("above", True))


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


def _compensating(m: dict[str, float], cfg: dict[str, Any]) -> bool:
    """Mistake 4: depth is only a fault when something gives way to reach it (at least
    ``min_count`` of the compensations, default 1)."""
    comp = cfg["compensation"]
    gave_way = sum(m.get(measure, math.nan) > comp.get(key, math.inf) for measure, key in COMPENSATIONS)
    return gave_way >= comp.get("min_count", 1)


def _depth_signal(cfg: dict[str, Any], usual_depth_hip_angle_deg: float | None) -> list[dict[str, Any]]:
    """too_deep compares with the person's usual hamstring-limited depth when known."""
    if usual_depth_hip_angle_deg is None or not math.isfinite(usual_depth_hip_angle_deg):
        return cfg["signals"]
    p = cfg["personal"]
    return [{"measure": "depth_hip_angle_deg", "above": False,
             "minor": usual_depth_hip_angle_deg - p["minor_beyond_usual_deg"],
             "major": usual_depth_hip_angle_deg - p["major_beyond_usual_deg"]}]


def _set_compensating(cfg: dict[str, Any], set_values: dict[str, float] | None) -> bool:
    """A fault named by set evidence with ``compensation_from_set`` may find its compensation in
    the set's medians (a habit of the set, read the same way as one rep's)."""
    return bool(cfg.get("set_evidence", {}).get("compensation_from_set") and set_values
                and _compensating(set_values, cfg))


def _set_hit(cfg: dict[str, Any], m: dict[str, float], set_values: dict[str, float] | None, view: str
             ) -> tuple[dict[str, Any], tuple[str, float, float]] | None:
    """Set evidence: the set's median of the measure passes ``minor`` (``major``) and this rep's
    own value passes ``rep_floor``, so a habit the set shows is named on the reps that show it
    (from the camera views in the evidence's ``views``, default the fault's own; ``by_view``
    gives a view limits of its own, e.g. a wider one where that camera reads less steadily)."""
    ev = cfg.get("set_evidence")
    if not ev or not set_values or ev["measure"] not in set_values or view not in ev.get("views", [view]):
        return None
    ev = ev | ev.get("by_view", {}).get(view, {})
    above = ev.get("above", True)
    own = m.get(ev["measure"], math.nan)
    if not (math.isfinite(own) and _passes(own, ev["rep_floor"], above)):
        return None
    median = set_values[ev["measure"]]
    sig = {"measure": f"{ev['measure']} (set median)"}
    if _passes(median, ev["major"], above):
        return sig, ("major", median, ev["major"])
    if _passes(median, ev["minor"], above):
        return sig, ("minor", median, ev["minor"])
    return None


def check_rep(m: dict[str, float], *, pattern: str, view: str, frames: dict[str, tuple[int, int]],
              level: str | None = None, usual_depth_hip_angle_deg: float | None = None,
              set_values: dict[str, float] | None = None) -> list[Fault]:
    """All faults of one rep, most severe first (then in the table's priority order).
    ``set_values``: the set's medians for faults with ``set_evidence`` (see :func:`_set_hit`)."""
    faults: list[Fault] = []
    table = section("faults", level)
    for code, cfg in table.items():
        if view not in cfg.get("views", ["side", "oblique", "front", "unknown"]):
            continue
        if "patterns" in cfg and pattern not in cfg["patterns"]:
            continue
        signals = _depth_signal(cfg, usual_depth_hip_angle_deg) if code == "too_deep" else cfg["signals"]
        hits = [(s, r) for s in signals if (r := _signal_result(s, m))]
        if (set_hit := _set_hit(cfg, m, set_values, view)) is not None:
            hits.append(set_hit)
        if not hits:
            continue
        if "compensation" in cfg.get("requires", []) and not _compensating(m, cfg) and not (
                set_hit is not None and _set_compensating(cfg, set_values)):
            continue
        if any(_gate_fails(g, m) for g in cfg.get("gate", [])):
            continue
        severity = "major" if any(r[0] == "major" for _, r in hits) else "minor"
        sig, (_, value, limit) = next((s, r) for s, r in hits if r[0] == severity)
        measure = sig["measure"]
        best = (severity, value, limit)
        faults.append(Fault(code=code, severity=severity, measure=measure, value=best[1],
                            threshold=best[2], frames=frames[cfg.get("window", "bottom")],
                            guide=cfg.get("guide", "")))
    order = list(table)
    faults.sort(key=lambda f: (f.severity != "major", order.index(f.code)))
    return faults
