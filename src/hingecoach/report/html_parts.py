"""Small pieces of the HTML report shared by its sections: numbers, embedded images, the
pattern pill and a fault's title. Every string from outside is escaped by the caller's template."""

from __future__ import annotations

import base64
import math
from html import escape

from hingecoach.coaching import advice


def fmt(v: float | None, nd: int = 0, unit: str = "") -> str:
    if v is None or not math.isfinite(v):
        return "–"
    return f"{v:.{nd}f}{unit}"


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def img(uri: str, alt: str, img_id: str, cls: str = "plot") -> str:
    return f'<img id="{escape(img_id)}" class="{cls}" src="{uri}" alt="{escape(alt)}">'


def pill(pattern: str | None) -> str:
    if not pattern:
        return "–"
    return f'<span class="pill {escape(pattern)}">{escape(pattern)}</span>'


def title_of(code: str) -> str:
    try:
        return advice(code)["title"]
    except KeyError:
        return code.replace("_", " ")
