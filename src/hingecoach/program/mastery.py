"""When to advance: the mastery rule, measured from the log.

The rule (numbers in ``data/levels.toml`` [mastery], each with its reason). A level is mastered
when all of these hold:

1. **Practice:** at least ``min_sessions`` training days at the level.
2. **Evidence:** at least ``last_sets`` sets with measured quality (from video, or hand-logged
   with a clean-rep count); the rest of the rule reads the last ``last_sets`` of them.
3. **Clean:** every one of those sets has >= ``min_clean_rep_rate`` of its full reps free of
   major faults. Because the latest sets are always included, a bad day blocks advancing.
4. **Hinge, not squat or stoop:** every measured set among them has >= ``min_hinge_rate`` of
   its full reps classed as a hinge.
5. **Stable depth:** the per-set median bottom hip angle varies by at most
   ``max_depth_spread_deg`` across them.

Step back: when the last ``step_back_sessions`` training days at the level each had a clean-rep
rate below ``step_back_clean_rate`` (repeated major faults), the level is too hard for now and
the previous one is recommended. Checks 4-5 pass when nothing measured them (hand-logged sets).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class SetLike(Protocol):
    """What the rule reads of a set (read-only, so a frozen row matches)."""

    @property
    def day(self) -> str: ...
    @property
    def clean_rep_rate(self) -> float | None: ...
    @property
    def hinge_rate(self) -> float | None: ...
    @property
    def depth_hip_angle_deg(self) -> float | None: ...
    @property
    def full_rep_count(self) -> int: ...


@dataclass(frozen=True)
class Check:
    """One condition of the rule: whether it holds, what the log shows, what it needs."""

    name: str
    ok: bool
    have: str
    need: str


@dataclass(frozen=True)
class MasteryStatus:
    level: str
    checks: tuple[Check, ...]
    step_back: bool
    step_back_reason: str | None

    @property
    def mastered(self) -> bool:
        return all(c.ok for c in self.checks) and not self.step_back

    @property
    def remaining(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _worst(values: list[float]) -> float | None:
    return min(values) if values else None


def _clean_and_hinge(judged: Sequence[SetLike], rule: dict[str, Any]) -> list[Check]:
    clean = _worst([s.clean_rep_rate for s in judged if s.clean_rep_rate is not None])
    hinge = _worst([s.hinge_rate for s in judged if s.hinge_rate is not None])
    return [
        Check("clean reps", clean is not None and clean >= rule["min_clean_rep_rate"],
              "no measured sets" if clean is None else f"worst of last {len(judged)} sets: {_pct(clean)}",
              f">= {_pct(rule['min_clean_rep_rate'])} of reps free of major faults in every set"),
        Check("hinge pattern", hinge is None or hinge >= rule["min_hinge_rate"],
              "not measured (no video)" if hinge is None else f"worst set: {_pct(hinge)} hinge",
              f">= {_pct(rule['min_hinge_rate'])} of reps a hinge (not squat/stoop) in every set"),
    ]


def _depth(judged: Sequence[SetLike], rule: dict[str, Any]) -> Check:
    depths = [s.depth_hip_angle_deg for s in judged if s.depth_hip_angle_deg is not None]
    spread = max(depths) - min(depths) if len(depths) >= 2 else None
    return Check("stable depth", spread is None or spread <= rule["max_depth_spread_deg"],
                 "not measured" if spread is None else f"bottom hip angle spread {spread:.0f} deg",
                 f"<= {rule['max_depth_spread_deg']:.0f} deg spread")


def step_back_due(sets: Sequence[SetLike], rule: dict[str, Any]) -> str | None:
    """Why to step back a level, or None: the last N measured training days all mostly faulty."""
    by_day: dict[str, list[float]] = {}
    for s in sets:
        if s.clean_rep_rate is not None:
            by_day.setdefault(s.day, []).append(s.clean_rep_rate)
    days = sorted(by_day)[-rule["step_back_sessions"]:]
    if len(days) < rule["step_back_sessions"]:
        return None
    rates = [sum(by_day[d]) / len(by_day[d]) for d in days]
    if all(r < rule["step_back_clean_rate"] for r in rates):
        return (f"major faults on most reps in each of the last {len(days)} sessions "
                f"(clean {', '.join(_pct(r) for r in rates)})")
    return None


def assess(level: str, sets: Sequence[SetLike], sessions: int, rule: dict[str, Any],
           can_step_back: bool = True) -> MasteryStatus:
    """Apply the rule to the sets logged at ``level`` (oldest first) and the count of days there."""
    measured = [s for s in sets if s.clean_rep_rate is not None]
    judged = measured[-rule["last_sets"]:]
    checks = [
        Check("sessions", sessions >= rule["min_sessions"], f"{sessions} days at this level",
              f">= {rule['min_sessions']} days"),
        Check("measured sets", len(measured) >= rule["last_sets"], f"{len(measured)} sets with measured quality",
              f">= {rule['last_sets']} (film them, or log clean reps by hand)"),
        *_clean_and_hinge(judged, rule),
        _depth(judged, rule),
    ]
    reason = step_back_due(sets, rule) if can_step_back else None
    return MasteryStatus(level, tuple(checks), reason is not None, reason)
