"""The progress chart: score, clean-rep rate and depth by week, level changes marked.

Each plot function draws on the axes given (or new ones) and returns them; nothing calls
``show()``. Import this module only when a chart is wanted: matplotlib is slow to import.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hingecoach.program.history import History, Week
from hingecoach.store.queries import LevelChange


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=(8, 3)).add_subplot()


def _series(weeks: Sequence[Week], attr: str, scale: float = 1.0) -> tuple[list[date], list[float]]:
    pts = [(w.start, getattr(w, attr) * scale) for w in weeks if getattr(w, attr) is not None]
    return [p[0] for p in pts], [p[1] for p in pts]


def plot_score(weeks: Sequence[Week], ax: Any = None) -> Any:
    ax = _axes(ax)
    x, y = _series(weeks, "score")
    ax.plot(x, y, marker="o", ms=3, color="tab:blue")
    ax.set_ylabel("set score (0-100)")
    ax.set_ylim(0, 100)
    return ax


def plot_clean_rate(weeks: Sequence[Week], ax: Any = None) -> Any:
    ax = _axes(ax)
    x, y = _series(weeks, "clean_rep_rate", 100.0)
    ax.plot(x, y, marker="o", ms=3, color="tab:green")
    ax.axhline(90, color="tab:green", ls=":", lw=1, label="mastery: 90% clean")
    ax.set_ylabel("clean reps (%)")
    ax.set_ylim(0, 100)
    ax.legend(loc="lower right", fontsize=7)
    return ax


def plot_depth(weeks: Sequence[Week], ax: Any = None) -> Any:
    ax = _axes(ax)
    x, y = _series(weeks, "depth_hip_angle_deg")
    ax.plot(x, y, marker="o", ms=3, color="tab:purple")
    ax.set_ylabel("bottom hip angle (deg)\nlower = deeper")
    return ax


def mark_level_changes(changes: Sequence[LevelChange], ax: Any, labels: bool = True) -> Any:
    """A vertical line at every level change (red for a step back), optionally with the level name."""
    for change in changes:
        x = datetime.fromisoformat(change.changed_at).date()
        color = "tab:red" if change.kind == "step_back" else "tab:orange"
        ax.axvline(x, color=color, lw=1, alpha=0.7)
        if labels:
            ax.annotate(change.level.replace("_", " "), (x, 0.03), xycoords=("data", "axes fraction"),
                        rotation=90, fontsize=7, va="bottom", ha="right", color=color)
    return ax


def progress_figure(history: History) -> Any:
    """Three stacked panels sharing the week axis."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 7), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True)
    for plot, ax in zip((plot_score, plot_clean_rate, plot_depth), axes, strict=True):
        plot(history.weeks, ax)
        mark_level_changes(history.level_changes, ax, labels=ax is axes[0])
        ax.grid(alpha=0.3)
    axes[0].set_title(f"HingeCoach progress: {history.person} (by week; orange = level change, red = step back)")
    axes[-1].set_xlabel("week")
    return fig


def save_progress_chart(history: History, out: Path) -> Path:
    out = Path(out)
    progress_figure(history).savefig(out, dpi=100)
    return out
