"""The live WebSocket protocol: JSON messages from the page, checked before any work is done.

Page -> server::

    {"type": "frame", "t": 1234.5, "w": 640, "h": 480, "lm": [[x, y, z, v] x 33] | null,
     "wl": [[x, y, z] x 33] | null}
    {"type": "start", "level": "wall_tap" | null}
    {"type": "end_set", "log": true}

Server -> page: ``{"type": "update", ...LiveUpdate}``, ``{"type": "summary", ...}`` or
``{"type": "error", "message": ...}``. ``t`` is milliseconds (the page's clock); ``wl`` (optional)
are MediaPipe's world landmarks in metres, from which oblique and front views are read as offline.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

#: A frame is ~33 x 4 + 33 x 3 numbers (~4.5 kB as JSON); 16 kB leaves room and refuses floods.
MAX_MESSAGE_BYTES = 16 * 1024
#: Frames per second one connection may send (cameras give <= 60); beyond it frames are dropped.
MAX_FRAMES_PER_S = 60.0
BURST_FRAMES = 30.0
#: Refused messages tolerated per connection before it is closed (policy violation).
MAX_ERRORS = 50
MESSAGE_TYPES = ("frame", "start", "end_set")


class ProtocolError(ValueError):
    """A message that is refused; the text is sent back to the page."""


@dataclass
class Frame:
    t_s: float
    size: tuple[int, int]
    landmarks: list | None
    world: list | None = None


def parse_message(text: str | bytes) -> dict[str, Any]:
    if len(text) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"Expected a message of at most {MAX_MESSAGE_BYTES} bytes, but got {len(text)}.")
    try:
        msg = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("Expected a JSON message.") from None
    if not isinstance(msg, dict) or msg.get("type") not in MESSAGE_TYPES:
        raise ProtocolError(f"Expected an object with type in {MESSAGE_TYPES}.")
    return msg


def _number(value: Any, what: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ProtocolError(f"Expected {what} to be a number, but got {value!r:.40}.")
    if not lo <= value <= hi:
        raise ProtocolError(f"Expected {what} between {lo:g} and {hi:g}, but got {value:g}.")
    return float(value)


def parse_frame(msg: dict[str, Any]) -> Frame:
    """Shape and range checks of a frame message (the engine checks the rest)."""
    t_ms = _number(msg.get("t"), "t (ms)", 0, 1e12)
    w = int(_number(msg.get("w"), "w", 1, 10000))
    h = int(_number(msg.get("h"), "h", 1, 10000))
    lm = _rows(msg.get("lm"), "lm", 4, "[x, y, z, visibility]")
    wl = _rows(msg.get("wl"), "wl", 3, "[x, y, z] in metres")
    return Frame(t_s=t_ms / 1000.0, size=(w, h), landmarks=lm, world=wl)


def _rows(rows: Any, name: str, width: int, shape: str) -> list | None:
    """33 rows of ``width`` numbers (None allowed for a value), or None."""
    if rows is None:
        return None
    if not isinstance(rows, list) or len(rows) != 33:
        raise ProtocolError(f"Expected {name} to be 33 landmarks or null.")
    for row in rows:
        if not isinstance(row, list) or len(row) != width:
            raise ProtocolError(f"Expected each landmark of {name} as {shape}.")
        for v in row:
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise ProtocolError("Expected landmark values to be numbers.")
    return rows


class RateLimiter:
    """Token bucket: ``rate`` messages a second on average, bursts up to ``burst``."""

    def __init__(self, rate: float = MAX_FRAMES_PER_S, burst: float = BURST_FRAMES, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = burst
        self.last = clock()

    def allow(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False
