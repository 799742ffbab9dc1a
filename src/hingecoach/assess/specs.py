"""Fault specs: each ``[faults.<code>]`` table of the thresholds file parsed once into a typed
record, so every reader (the checks, the set evidence, the overlay, the plots, the praise)
reads the same fields and a misspelt key fails loudly instead of never firing.

A *signal* is a per-rep measure, the direction that is bad and its ``minor`` and ``major``
limits; :meth:`Signal.passes` is the one comparison every check uses.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

from hingecoach.config import section

#: Every view a check can be seen from; a fault without ``views`` is seen from all of them.
ALL_VIEWS = ("side", "oblique", "front", "unknown")
_FAULT_KEYS = {"guide", "views", "window", "patterns", "signals", "gate", "set_evidence", "requires",
               "compensation", "personal", "named_by_pattern"}
_SIGNAL_KEYS = {"measure", "above", "minor", "major", "fallback_for"}
_EVIDENCE_KEYS = _SIGNAL_KEYS | {"rep_floor", "views", "by_view", "compensation_from_set"}


@dataclass(frozen=True)
class Signal:
    measure: str
    above: bool
    minor: float
    major: float
    #: a stand-in, read only when this better measure is missing
    fallback_for: str | None = None

    def passes(self, value: Any, limit: float) -> Any:
        """``value`` (a number, or an array element-wise) is past ``limit`` on the bad side (NaN
        never passes)."""
        return value > limit if self.above else value < limit

    def severity(self, value: float) -> str | None:
        """'major', 'minor' or None for a reading of this signal's measure."""
        if not math.isfinite(value):
            return None
        if self.passes(value, self.major):
            return "major"
        return "minor" if self.passes(value, self.minor) else None

    def confidence(self, value: float) -> float:
        """How clear a reading past the minor limit is: 0.5 at the minor limit, 1 at the major
        limit and beyond (a reading right at a limit could as well be noise)."""
        span = abs(self.major - self.minor)
        past = (value - self.minor) if self.above else (self.minor - value)
        return 0.5 + 0.5 * min(1.0, max(0.0, past / span)) if span > 0 else 1.0

    @classmethod
    def parse(cls, raw: dict[str, Any], where: str) -> Signal:
        _no_unknown(raw, _SIGNAL_KEYS, where)
        return cls(measure=raw["measure"], above=bool(raw.get("above", True)), minor=float(raw["minor"]),
                   major=float(raw["major"]), fallback_for=raw.get("fallback_for"))


@dataclass(frozen=True)
class SetEvidence:
    """The set's median of ``signal.measure`` names the fault on every rep whose own reading
    passes ``rep_floor`` (from the ``views`` given, each with its own limits in ``by_view``)."""

    signal: Signal
    rep_floor: float
    views: tuple[str, ...] | None = None
    by_view: dict[str, dict[str, float]] = field(default_factory=dict)
    compensation_from_set: bool = False

    def for_view(self, view: str) -> Signal:
        over = self.by_view.get(view, {})
        s = self.signal
        return Signal(s.measure, s.above, float(over.get("minor", s.minor)), float(over.get("major", s.major)))

    @classmethod
    def parse(cls, raw: dict[str, Any], where: str) -> SetEvidence:
        _no_unknown(raw, _EVIDENCE_KEYS, where)
        sig: dict[str, Any] = {k: raw[k] for k in ("measure", "above", "minor", "major") if k in raw}
        views = raw.get("views")
        return cls(signal=Signal.parse(sig, where), rep_floor=float(raw["rep_floor"]),
                   views=tuple(views) if views is not None else None, by_view=dict(raw.get("by_view", {})),
                   compensation_from_set=bool(raw.get("compensation_from_set", False)))


@dataclass(frozen=True)
class FaultSpec:
    code: str
    guide: str
    views: tuple[str, ...]
    window: str
    signals: tuple[Signal, ...]
    patterns: tuple[str, ...] | None = None
    gate: tuple[Signal, ...] = ()
    set_evidence: SetEvidence | None = None
    requires: tuple[str, ...] = ()
    compensation: dict[str, float] = field(default_factory=dict)
    personal: dict[str, float] = field(default_factory=dict)
    #: a rep of this pattern names the fault by its pattern (read by the simulator bench)
    named_by_pattern: str | None = None

    def seen_from(self, view: str) -> bool:
        return view in self.views

    @property
    def in_standard(self) -> bool:
        """False when this table turns the check off (no view sees it)."""
        return bool(self.views)

    def measures(self) -> set[str]:
        """Every measure the spec reads."""
        out = {s.measure for s in self.signals + self.gate}
        if self.set_evidence:
            out.add(self.set_evidence.signal.measure)
        return out

    @classmethod
    def parse(cls, code: str, raw: dict[str, Any]) -> FaultSpec:
        where = f"[faults.{code}]"
        _no_unknown(raw, _FAULT_KEYS, where)
        ev = raw.get("set_evidence")
        patterns = raw.get("patterns")
        return cls(code=code, guide=raw.get("guide", ""), views=tuple(raw.get("views", ALL_VIEWS)),
                   window=raw.get("window", "bottom"),
                   signals=tuple(Signal.parse(s, where) for s in raw.get("signals", [])),
                   patterns=tuple(patterns) if patterns is not None else None,
                   gate=tuple(Signal.parse(s, where) for s in raw.get("gate", [])),
                   set_evidence=SetEvidence.parse(ev, where) if ev else None,
                   requires=tuple(raw.get("requires", ())), compensation=dict(raw.get("compensation", {})),
                   personal=dict(raw.get("personal", {})), named_by_pattern=raw.get("named_by_pattern"))


def _no_unknown(raw: dict[str, Any], known: set[str], where: str) -> None:
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"{where} in thresholds.toml: expected keys among {sorted(known)}, "
                         f"but got {sorted(unknown)}.")


@functools.lru_cache(maxsize=32)
def _specs(level: str | None) -> tuple[FaultSpec, ...]:
    return tuple(FaultSpec.parse(code, raw) for code, raw in section("faults", level).items())


def fault_specs(level: str | None = None) -> dict[str, FaultSpec]:
    """The fault specs of the table ``level`` (None: the base table), in coaching priority
    order (the file's order: safety first)."""
    return {s.code: s for s in _specs(level)}
