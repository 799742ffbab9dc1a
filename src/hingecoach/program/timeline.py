"""The guide's expected timeline against the person's actual progress.

The guide: "significant improvement in hip hinge technique within 2-4 weeks", and "the
progression from basic wall taps to weighted hip hinge variations typically takes 4-8 weeks".
Improvement is measured as the gain in clean-rep rate from the first training week to the latest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True)
class Timeline:
    start_day: date | None
    today: date
    first_week_clean: float | None
    last_week_clean: float | None
    wall_tap_day: date | None
    loaded_day: date | None
    expected: dict[str, Any]

    @property
    def weeks_in(self) -> float:
        return 0.0 if self.start_day is None else (self.today - self.start_day).days / 7.0

    @property
    def improvement(self) -> float | None:
        if self.first_week_clean is None or self.last_week_clean is None:
            return None
        return self.last_week_clean - self.first_week_clean


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def build(first_days_by_level: dict[str, str], levels_order: list[tuple[str, bool]], today: date,
          first_week_clean: float | None, last_week_clean: float | None, expected: dict[str, Any]) -> Timeline:
    """``first_days_by_level``: level id -> first day trained there; ``levels_order``: (id, loaded)."""
    days = {lv: _day(d) for lv, d in first_days_by_level.items()}
    loaded = [d for lv, is_loaded in levels_order if is_loaded and (d := days.get(lv))]
    started = [d for d in days.values() if d]
    return Timeline(min(started) if started else None, today, first_week_clean, last_week_clean,
                    days.get("wall_tap"), min(loaded) if loaded else None, expected)


def _improvement_line(t: Timeline) -> str:
    lo, hi = t.expected["improvement_weeks"]
    gain, first, last = t.improvement, t.first_week_clean, t.last_week_clean
    head = f"Expected: clear improvement within {lo}-{hi} weeks."
    if gain is None or first is None or last is None:
        return f"{head} Not measured yet (log filmed sets)."
    change = f"clean reps {100 * first:.0f}% in week 1 -> {100 * last:.0f}% now"
    if gain >= t.expected["improvement_min_gain"]:
        return f"{head} You: {change}: clear improvement."
    if t.weeks_in < hi:
        return f"{head} You: {change} after {t.weeks_in:.1f} weeks: keep going."
    if first >= 0.9:
        return f"{head} You: {change}: you started clean."
    return f"{head} You: {change}: slower than usual; focus on one cue at a time."


def _loaded_line(t: Timeline) -> str:
    lo, hi = t.expected["wall_tap_to_loaded_weeks"]
    head = f"Expected: wall taps to loaded hinges in {lo}-{hi} weeks."
    if t.wall_tap_day is None:
        return f"{head} You have not reached wall taps yet."
    if t.loaded_day is not None:
        weeks = (t.loaded_day - t.wall_tap_day).days / 7.0
        return f"{head} You took {weeks:.1f} weeks."
    weeks = (t.today - t.wall_tap_day).days / 7.0
    window = f"{t.wall_tap_day + timedelta(weeks=lo)} to {t.wall_tap_day + timedelta(weeks=hi)}"
    state = "on track" if weeks <= hi else "behind the usual pace, which is fine: master each level first"
    return f"{head} Week {weeks:.1f} since wall taps (window {window}): {state}."


def describe(t: Timeline) -> list[str]:
    """Two lines a person reads: improvement, and the road to loaded hinges."""
    if t.start_day is None:
        return ["No training logged yet."]
    return [_improvement_line(t), _loaded_line(t)]
