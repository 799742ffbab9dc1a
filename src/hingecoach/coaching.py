"""Coaching: the guide's cue, fix and drill for each fault; a set summary (what went well,
what to fix first, which drill); and a rate-limited one-cue-at-a-time coach for live use."""

from __future__ import annotations

import functools
import math
import statistics
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from hingecoach.assess import RepAssessment, hinge_asked
from hingecoach.assess.checks import NAMED, PASSED
from hingecoach.assess.measures import BACK_SHAPE_MEASURES
from hingecoach.assess.specs import fault_specs
from hingecoach.config import section
from hingecoach.reps import Rep


@functools.lru_cache(maxsize=1)
def _coaching_file() -> dict[str, Any]:
    return tomllib.loads(resources.files("hingecoach").joinpath("data/coaching.toml").read_text())


@functools.lru_cache(maxsize=1)
def advice_table() -> dict[str, dict[str, str]]:
    """Fault code (or ``pattern:squat`` / ``pattern:stoop``) -> title, why, cue, fix, drill."""
    raw = _coaching_file()
    table = {k: v for k, v in raw.items() if not k.startswith("_")}
    for pattern, entry in raw.get("_pattern", {}).items():
        table[f"pattern:{pattern}"] = entry
    return table


def praise_cue() -> str:
    """What the live coach says after a clean rep (rate-limited like any cue)."""
    return _coaching_file()["_praise"]["cue"]


def advice(code: str) -> dict[str, str]:
    return advice_table()[code]


def issues_of(a: RepAssessment) -> list[tuple[str, str]]:
    """(code, severity) of everything to coach in one rep, most important first: a wrong
    pattern counts as major and comes after spine faults (safety first)."""
    items = [(f.code, f.severity) for f in a.faults]
    if a.wrong_pattern is not None:
        spine = [i for i in items if i[0].startswith("spine")]
        rest = [i for i in items if not i[0].startswith("spine")]
        items = spine + [(f"pattern:{a.wrong_pattern}", "major")] + rest
    return items


@dataclass(frozen=True)
class SetSummary:
    reps: int
    partial_reps: int
    score: float | None
    pattern: str | None
    clean_reps: int
    fix_first: str | None  # a fault code or "pattern:squat"
    went_well: list[str] = field(default_factory=list)
    fault_counts: dict[str, int] = field(default_factory=dict)
    #: every check of the standard: named / passed / not checked with its reason (:func:`checklist`)
    checks: list[dict[str, Any]] = field(default_factory=list)
    #: the set's tempo (:func:`set_tempo`): mean phases, speed loss and its note
    tempo: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "reps": self.reps, "partial_reps": self.partial_reps, "score": self.score,
            "pattern": self.pattern, "clean_reps": self.clean_reps,
            "fault_counts": dict(self.fault_counts), "went_well": list(self.went_well),
            "fix_first": None, "checks": [dict(c) for c in self.checks], "tempo": dict(self.tempo),
        }
        if self.fix_first:
            a = advice(self.fix_first)
            out["fix_first"] = {"code": self.fix_first, "title": a["title"], "cue": a["cue"],
                                "fix": a["fix"], "drill": a["drill"]}
        return out


#: What went well: (text, fault codes that must all be absent from every rep). A strength is
#: only claimed when its faults could be seen from the camera view and every rep was a hinge
#: where it speaks of the hinge itself. Some must also be shown by the measures (:func:`_shown`):
#: with the hands at the shoulders the back's shape is set aside, and praise for a back nobody
#: saw, or for shins at 40 degrees, would be a guess.
_BACK = "Your back stayed long and neutral."
_SHINS = "Your shins stayed close to vertical."
_SOFT_KNEES = "Your knees stayed soft: not locked, not squatting."
_STRENGTHS = (
    (_BACK, ("spine_rounded", "spine_overarched")),
    ("Your hips led the movement back.", ("torso_leads", "pattern:stoop", "pattern:squat")),
    (_SHINS, ("knees_too_bent", "pattern:squat")),
    (_SOFT_KNEES, ("knees_locked", "knees_too_bent", "pattern:squat", "pattern:stoop")),
    ("Your weight stayed over your heels and mid-foot.", ("weight_on_toes",)),
    ("You stood tall at the top of every rep.", ("incomplete_lockout", "lockout_lean_back")),
)


def _shown(text: str, measures: list[dict[str, float]], level: str | None) -> bool:
    """The measures show the strength, beyond its faults' absence: the back's shape was read on
    every rep, the shins were near vertical (``strength_shin_max_deg``) and the knees soft
    (``strength_soft_knee_max_deg``)."""
    if text == _BACK:
        return all(any(math.isfinite(m.get(k, math.nan)) for k in BACK_SHAPE_MEASURES) for m in measures)
    if text in (_SHINS, _SOFT_KNEES):
        name, limit = (("shin_angle_bottom_deg", "strength_shin_max_deg") if text == _SHINS
                       else ("knee_flexion_bottom_deg", "strength_soft_knee_max_deg"))
        values = [v for m in measures if math.isfinite(v := m.get(name, math.nan))]
        if not values:
            return False
        cfg, typical = section("scoring", level), statistics.median(values)
        return typical <= cfg[limit] and (text != _SOFT_KNEES or typical >= cfg["strength_soft_knee_min_deg"])
    return True


def _strengths(counts: Counter[str], checks: list[dict[str, Any]], level: str | None,
               measures: list[dict[str, float]]) -> list[str]:
    """What went well: a strength is said only where each of its checks was judged and passed
    (the checklist: not "not checked" for the view, the standard, a stand-in the live coach
    does not trust, or measures not read), no rep showed its faults, and the measures show it."""
    status = {c["code"]: c["status"] for c in checks}
    out = []
    for text, codes in _STRENGTHS:
        judged = all(status[c] == "passed" for c in codes if c in status)
        if judged and not any(counts[c] for c in codes) and _shown(text, measures, level):
            out.append(text)
    return out


def strong(calls: list[tuple[str, float]], n_reps: int) -> bool:
    """The set names an issue only on strong evidence (``[evidence]``): seen on a fair share of
    the reps, or a major call whose reading is clear. ``calls``: (severity, confidence) of the
    reps that show it."""
    cfg = section("evidence")
    share = len(calls) >= max(1, math.ceil(cfg["min_share_of_reps"] * n_reps))
    return share or any(sev == "major" and sure >= cfg["major_confidence"] for sev, sure in calls)


def checklist(assessments: list[RepAssessment], level: str | None) -> list[dict[str, Any]]:
    """Every check of the standard ``level`` on the set: ``named`` (on strong evidence, with the
    reps that show it), ``passed`` (judged on at least one rep, not named), or ``not checked``
    with the reason most reps gave (the view, the hands at the shoulders, a measure that could
    not be read, not part of this exercise's standard). The pattern check comes first."""
    n = len(assessments)
    seen = [a for a in assessments if a.seen_pattern]
    # a rep of another pattern is one reading: the set names it on a share of its reps
    off = [("minor", a.pattern_confidence) for a in seen if a.wrong_pattern]
    unseen = ("a squat meant as one is graded as a squat" if not hinge_asked(level)
              else None if seen else "the pattern cannot be seen from this camera view")
    out = [{"code": "pattern", "title": "Hinge, not a squat or a stoop",
            "status": "not checked" if unseen else ("named" if off and strong(off, n) else "passed"),
            "reason": unseen, "reps_named": len(off)}]
    for code, spec in fault_specs(level).items():
        outcomes = [a.checks.get(code, "not checked: not part of this exercise's standard") for a in assessments]
        calls = [(f.severity, f.confidence) for a in assessments for f in a.faults if f.code == code]
        calls += [("major", a.pattern_confidence) for a, o in zip(assessments, outcomes, strict=True)
                  if o == NAMED and spec.named_by_pattern and a.pattern == spec.named_by_pattern
                  and not any(f.code == code for f in a.faults)]
        judged = [o for o in outcomes if o in (NAMED, PASSED)]
        if not judged:
            reason = Counter(o.removeprefix("not checked: ") for o in outcomes).most_common(1)
            status, why = "not checked", (reason[0][0] if reason else "no completed rep")
        else:
            status, why = ("named" if calls and strong(calls, n) else "passed"), None
        entry: dict[str, Any] = {"code": code, "title": advice(code)["title"], "status": status, "reason": why,
                 "reps_named": len(calls)}
        if calls:
            entry["confidence"] = round(statistics.mean(c for _, c in calls), 2)
        out.append(entry)
    return out


def speed_loss_pct(speeds: list[float]) -> float:
    """The slowest rep of the set's second half against its fastest, in percent, each rep's
    speed the median of it and its neighbours (one rep's reading varies by +-10%)."""
    mids = [min(max(i, 1), len(speeds) - 2) for i in range(len(speeds))]
    smooth = [statistics.median(speeds[j - 1:j + 2]) for j in mids]
    return 100.0 * (max(smooth) - min(smooth[len(smooth) // 2:])) / max(smooth)


def set_tempo(measures: list[dict[str, float]], views: list[str] | None = None) -> dict[str, Any]:
    """The set's tempo: mean descent, pause at the bottom and ascent (s), mean ascent speed of
    the hips (leg lengths/s), and the speed loss of the slowest late rep (second half of the
    set) against the fastest rep, each rep's speed the median of it and its neighbours, in
    percent. The velocity-training note (a note, not a fault) needs the loss past ``[tempo]
    speed_loss_note_pct`` and the late half's median speed ``speed_trend_note_pct`` under the
    early half's (``late_vs_early_pct``): one rep's reading carries about 10% of noise, which a
    fastest-against-slowest reading alone turns into a loss. With each rep's camera ``views``,
    speeds are compared only within the view most reps had (the front sees only the hips' drop)."""
    cfg = section("tempo")

    def mean(name: str) -> float | None:
        values = [v for m in measures if math.isfinite(v := m.get(name, math.nan))]
        return round(statistics.mean(values), 2) if values else None

    out: dict[str, Any] = {k: mean(k) for k in ("descent_s", "bottom_pause_s", "ascent_s", "ascent_speed_leg_per_s")}
    main_view = Counter(views).most_common(1)[0][0] if views else None
    raw = [m.get("ascent_speed_leg_per_s", math.nan) for i, m in enumerate(measures)
           if views is None or views[i] == main_view]
    out["speed_loss_pct"], out["late_vs_early_pct"], out["note"] = None, None, None
    if len(raw) >= cfg["min_reps"] and all(math.isfinite(v) and v > 0 for v in raw):
        loss = speed_loss_pct(raw)
        half = len(raw) // 2
        trend = 100.0 * (1.0 - statistics.median(raw[-half:]) / statistics.median(raw[:half]))
        out["speed_loss_pct"], out["late_vs_early_pct"] = round(loss, 1), round(trend, 1)
        if loss >= cfg["speed_loss_note_pct"] and trend >= cfg["speed_trend_note_pct"]:
            out["note"] = (f"Your late reps slowed by {loss:.0f}% against your fastest. Velocity-based "
                           "training stops a set when reps slow by 20-25%: rest, or end the set here next time.")
    return out


def summarise_set(reps: list[Rep], assessments: list[RepAssessment], view: str = "side",
                  level: str | None = None) -> SetSummary:
    """Set score = mean rep score of the completed reps; fix first = the issue that costs the
    most (severity weight x reps affected), ties broken by coaching priority, among the issues
    the set names on strong evidence (:func:`strong`); the checklist of every check."""
    done = [(r, a) for r, a in zip(reps, assessments, strict=True) if not r.partial]
    if not done:
        return SetSummary(0, len(reps), None, None, 0, None)
    scores = [a.score for _, a in done]
    seen = Counter(a.seen_pattern for _, a in done if a.seen_pattern)  # the set's pattern: what was seen
    weights = section("scoring")
    cost: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for _, a in done:
        for code, sev in issues_of(a):
            cost[code] += weights[f"{sev}_penalty"]
            counts[code] += 1
    order = list(advice_table())
    checks = checklist([a for _, a in done], level)
    named = {c["code"] for c in checks if c["status"] == "named"}
    named_pattern = "pattern" in named
    strong_codes = [c for c in cost if c in named or (c.startswith("pattern:") and named_pattern)]
    fix_first = min(strong_codes, key=lambda c: (-cost[c], order.index(c))) if strong_codes else None
    went_well = _strengths(counts, checks, level, [a.measures for _, a in done])
    if seen.get("hinge", 0) == len(done):
        went_well.insert(0, "Every rep was a true hinge: hips back, not down.")
    return SetSummary(
        reps=len(done), partial_reps=len(reps) - len(done),
        score=round(sum(scores) / len(scores), 1),
        pattern=seen.most_common(1)[0][0] if seen else None,
        clean_reps=sum(a.clean for _, a in done), fix_first=fix_first,
        went_well=went_well[:3], fault_counts=dict(counts), checks=checks,
        tempo=set_tempo([a.measures for _, a in done], [a.view for _, a in done]),
    )


class LiveCoach:
    """One cue at a time, the most important first, no more often than ``min_interval_s``,
    and the same cue not repeated within ``repeat_after_s``. A clean rep earns praise (also
    rate-limited), so the person hears that the rep was good, not only what was wrong."""

    def __init__(self, min_interval_s: float | None = None, repeat_after_s: float | None = None):
        cfg = section("cues")  # thresholds.toml [cues]: the defaults, with their reason
        self.min_interval_s = cfg["min_interval_s"] if min_interval_s is None else min_interval_s
        self.repeat_after_s = cfg["repeat_after_s"] if repeat_after_s is None else repeat_after_s
        self._last_t: float | None = None
        self._said: dict[str, float] = {}

    def cue_for(self, a: RepAssessment, now_s: float) -> str | None:
        """The cue to say after a rep at time ``now_s``, or None to stay quiet."""
        if self._last_t is not None and now_s - self._last_t < self.min_interval_s:
            return None
        items = [code for code, _ in issues_of(a)] or ["_praise"]
        for code in items:
            last = self._said.get(code)
            if last is not None and now_s - last < self.repeat_after_s:
                continue
            self._last_t = now_s
            self._said[code] = now_s
            return praise_cue() if code == "_praise" else advice(code)["cue"]
        return None
