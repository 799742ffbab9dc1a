"""The loader registry: registration (:func:`register_loader`) and lookup (:func:`find_loader`).

It imports no loader: the loader modules import it to register, and
:mod:`hingecoach.sources.loading` imports them and does the loading."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hingecoach.errors import HingeInputError
from hingecoach.pose import PoseSequence

Loader = Callable[..., PoseSequence]
Sniffer = Callable[[Path], bool]


@dataclass(frozen=True)
class LoaderEntry:
    name: str
    suffixes: tuple[str, ...]
    loader: Loader
    sniff: Sniffer | None
    priority: int


_REGISTRY: list[LoaderEntry] = []


def register_loader(name: str, suffixes: tuple[str, ...], sniff: Sniffer | None = None,
                    priority: int = 0):
    """Decorator: register ``func(path, **options) -> PoseSequence`` for file suffixes. Where
    several loaders share a suffix, higher ``priority`` sniffs first (our own format before
    lookalikes), whatever order the modules were imported in."""

    def wrap(func: Loader) -> Loader:
        _REGISTRY.append(LoaderEntry(name, tuple(s.lower() for s in suffixes), func, sniff, priority))
        _REGISTRY.sort(key=lambda e: -e.priority)  # stable: equal priorities keep their order
        return func

    return wrap


def entries() -> list[LoaderEntry]:
    """The registered loaders, in the order their sniffs run (only those imported so far:
    :func:`hingecoach.sources.loading.registered` imports them all first)."""
    return list(_REGISTRY)


def find_loader(path: Path) -> LoaderEntry:
    """The first registered loader for the path's suffix whose sniff accepts the file."""
    suffix = path.suffix.lower()
    candidates = [e for e in _REGISTRY if suffix in e.suffixes]
    for entry in candidates:
        if entry.sniff is None or entry.sniff(path):
            return entry
    known = sorted({s for e in _REGISTRY for s in e.suffixes})
    if candidates:
        raise HingeInputError(
            f"{path.name}: the file's content matches none of the known {suffix} formats.",
            "Use a video, an image, or a keypoint file as documented in the README.",
        )
    raise HingeInputError(
        f"{path.name}: unknown input type {suffix or '(no extension)'}.",
        f"Give a video, an image or a keypoint file ({', '.join(known)}).",
    )
