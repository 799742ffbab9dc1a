"""Plots of an analysis, as a library: each function takes data and an optional matplotlib
Axes, draws on it and returns it, so the HTML report and the web app share one drawing.

Figures are made with :class:`matplotlib.figure.Figure` directly (no pyplot global state, no
GUI backend, nothing calls ``show()``); PNG output goes through Agg. Threshold bands come from
``data/thresholds.toml`` so a plot never disagrees with the checks that graded the rep.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from hingecoach.assess import RepAssessment
from hingecoach.assess.series import median
from hingecoach.assess.specs import fault_specs
from hingecoach.kinematics import Kinematics
from hingecoach.reps import Rep

#: Pattern colours, shared by the report's table and the overlay legend.
PATTERN_COLOURS = {"hinge": "#2e9e5b", "squat": "#d9822b", "stoop": "#c23b3b"}
SEVERITY_COLOURS = {"minor": "#f2b134", "major": "#d64541"}
SERIES_COLOURS = {"hip_angle_deg": "#1f6fb2", "knee_angle_deg": "#7a4fb0",
                  "shin_angle_deg": "#2a9d8f", "trunk_angle_deg": "#b5651d"}
SERIES_LABELS = {"hip_angle_deg": "Hip angle (°)\n180 = standing tall",
                 "knee_angle_deg": "Knee angle (°)\n180 = straight",
                 "shin_angle_deg": "Shin (° from vertical)\n+ = knee forward",
                 "trunk_angle_deg": "Trunk (° from vertical)\n+ = leaning forward"}
CURVE_SERIES = ("hip_angle_deg", "knee_angle_deg", "shin_angle_deg", "trunk_angle_deg")


@dataclass(frozen=True)
class Band:
    """A range of a per-frame series where a fault's limit is passed."""

    lo: float
    hi: float
    severity: str  # "minor" | "major"
    label: str


def _limits(code: str, measure: str, level: str | None) -> tuple[float, float, bool] | None:
    """(minor, major, above) of one signal of a fault in the thresholds file."""
    try:
        spec = fault_specs(level).get(code)
    except KeyError:
        return None
    for sig in spec.signals if spec else ():
        if sig.measure == measure:
            return sig.minor, sig.major, sig.above
    return None


def shin_limits(level: str | None) -> tuple[float, float]:
    """(minor, major) shin-angle limits of knees_too_bent at ``level``; (inf, inf) when that
    level does not grade the shin (loaded lifts from the floor are graded on knee bend)."""
    lim = _limits("knees_too_bent", "shin_angle_bottom_deg", level)
    return (lim[0], lim[1]) if lim is not None else (float("inf"), float("inf"))


def load_limits(level: str | None) -> tuple[float, float] | None:
    """(minor, major) of load_far_from_body's distance ahead of the mid-foot (foot lengths)
    where ``level``'s table checks it from the side; None where it does not."""
    try:
        spec = fault_specs(level).get("load_far_from_body")
    except KeyError:
        return None
    lim = _limits("load_far_from_body", "hands_ahead_bottom_frac_foot", level)
    return (lim[0], lim[1]) if lim is not None and spec is not None and spec.seen_from("side") else None


#: Which per-rep signal limits apply to which per-frame series, and how to convert them
#: (knee flexion -> knee angle is 180 - x). Only faults that are judged on that same angle.
_BAND_SOURCES = {
    "hip_angle_deg": [("too_deep", "depth_hip_angle_deg", 1.0, "too deep")],
    "knee_angle_deg": [("knees_too_bent", "knee_flexion_bottom_deg", -1.0, "knees too bent"),
                       ("knees_locked", "knee_flexion_bottom_deg", -1.0, "knees locked")],
    "shin_angle_deg": [],  # see shin_limits()
    "trunk_angle_deg": [("lockout_lean_back", "lockout_trunk_angle_deg", 1.0, "leaning back")],
}


def threshold_bands(series: str, level: str | None = None) -> list[Band]:
    """The fault bands of a per-frame series: minor from the minor limit to the major one,
    major beyond it (open ends at +-1000)."""
    bands = []
    for code, measure, scale, label in _BAND_SOURCES.get(series, []):
        lim = _limits(code, measure, level)
        if lim is None:
            continue
        minor, major, above = lim
        if scale < 0:  # flexion -> angle flips the direction
            minor, major, above = 180.0 - minor, 180.0 - major, not above
        far = 1000.0 if above else -1000.0
        lo, hi = sorted((minor, major))
        bands.append(Band(lo, hi, "minor", label))
        lo, hi = sorted((major, far))
        bands.append(Band(lo, hi, "major", label))
    if series == "shin_angle_deg":
        minor, major = shin_limits(level)
        if np.isfinite(minor):
            bands += [Band(minor, major, "minor", "shins forward"), Band(major, 1000.0, "major", "shins forward")]
    return bands


def shade_reps(ax: Axes, t_s: np.ndarray, reps: list[Rep],
               assessments: list[RepAssessment] | None = None, label: bool = True) -> Axes:
    """Shade each rep's time span (tinted by its pattern when assessments are given) and
    number it, so curves read rep by rep. One patch per pattern and completeness, not per
    rep: a set of 15 reps on four axes stays a handful of artists (report speed)."""
    groups: dict[tuple[str, bool], list[tuple[float, float]]] = {}
    for i, rep in enumerate(reps):
        pattern = assessments[i].pattern if assessments else ""
        groups.setdefault((pattern, rep.partial), []).append((rep.start_s, rep.end_s - rep.start_s))
        if label:
            ax.text((rep.start_s + rep.end_s) / 2, 1.0, f"{rep.index}{'*' if rep.partial else ''}",
                    transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8,
                    color="#444444")
    for (pattern, partial), spans in groups.items():
        ax.broken_barh(spans, (0, 1), transform=ax.get_xaxis_transform(), lw=0,
                       facecolors=PATTERN_COLOURS.get(pattern, "#888888"), alpha=0.06 if partial else 0.14)
    return ax


def plot_series(kin: Kinematics, series: str, reps: list[Rep] | None = None,
                assessments: list[RepAssessment] | None = None, ax: Axes | None = None,
                level: str | None = None, rep_labels: bool = True) -> Axes:
    """One per-frame angle over time with the rep spans, the bottom of each rep and the
    fault bands of that angle."""
    ax = ax if ax is not None else new_axes((8, 2.2), margins=(0.12, 0.98, 0.9, 0.2))
    y = kin[series]
    t = kin.t_s
    finite = y[np.isfinite(y)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 180.0)
    pad = max(5.0, 0.08 * (hi - lo))
    ylim = (lo - pad, hi + pad)
    for band in threshold_bands(series, level):
        if band.hi > ylim[0] and band.lo < ylim[1]:
            ax.axhspan(band.lo, band.hi, color=SEVERITY_COLOURS[band.severity], alpha=0.16, lw=0)
    shade_reps(ax, t, reps or [], assessments, label=rep_labels)
    ax.plot(t, y, color=SERIES_COLOURS.get(series, "#333333"), lw=1.6)
    if reps:
        bottoms = [r.bottom_frame for r in reps]
        ax.plot(t[bottoms], y[bottoms], "o", ms=3.5, color="#222222", ls="none")
    ax.set_ylim(*ylim)
    ax.set_xlim(float(t[0]), float(t[-1]) if len(t) > 1 else 1.0)
    ax.set_ylabel(SERIES_LABELS.get(series, series), fontsize=8)
    ax.tick_params(labelsize=8)
    ax.grid(True, axis="y", lw=0.4, alpha=0.5)
    return ax


def plot_angle_curves(kin: Kinematics, reps: list[Rep], assessments: list[RepAssessment] | None = None,
                      axes: list[Axes] | None = None, level: str | None = None) -> list[Axes]:
    """Hip, knee, shin and trunk angles over time, stacked with a shared time axis."""
    if axes is None:
        fig = Figure(figsize=(8, 7.2))
        axes = list(fig.subplots(len(CURVE_SERIES), 1, sharex=True))
        # fixed margins: constrained layout would draw the figure twice (half the time)
        fig.subplots_adjust(left=0.12, right=0.98, top=0.96, bottom=0.075, hspace=0.12)
    for i, (ax, series) in enumerate(zip(axes, CURVE_SERIES, strict=False)):
        plot_series(kin, series, reps, assessments, ax=ax, level=level, rep_labels=i == 0)
    axes[-1].set_xlabel("time (s)   ·   shaded: reps (green hinge, orange squat, red stoop)   "
                        "·   bands: fault zones", fontsize=8)
    return axes


def plot_hip_path(kin: Kinematics, reps: list[Rep], assessments: list[RepAssessment] | None = None,
                  ax: Axes | None = None, level: str | None = None) -> Axes:
    """Where the hips go in each rep, from its start: back (x) against down (y, downwards).
    A hinge travels mostly sideways (back), a squat mostly downwards; the dashed line marks
    'as much down as back'."""
    ax = ax if ax is not None else new_axes((4.6, 4.2), margins=(0.17, 0.97, 0.97, 0.13))
    back, down = kin["hip_back_frac_leg"], kin["hip_down_frac_leg"]
    reach = 0.05
    for i, rep in enumerate(reps):
        sl = slice(rep.start_frame, rep.end_frame + 1)
        x, y = back[sl] - _first_finite(back[sl]), down[sl] - _first_finite(down[sl])
        pattern = assessments[i].pattern if assessments else None
        colour = PATTERN_COLOURS.get(pattern or "", "#666666")
        ax.plot(x, y, color=colour, lw=1.4, alpha=0.45 if rep.partial else 0.9)
        b = rep.bottom_frame - rep.start_frame
        if 0 <= b < len(x) and np.isfinite(x[b]) and np.isfinite(y[b]):
            ax.plot(x[b], y[b], "o", ms=4, color=colour)
            ax.annotate(str(rep.index), (x[b], y[b]), textcoords="offset points", xytext=(4, 3),
                        fontsize=9, color="#333333")
        fin = np.isfinite(x) & np.isfinite(y)
        if fin.any() and not rep.partial:  # a partial rep (person leaving) must not set the scale
            reach = max(reach, float(np.abs(x[fin]).max()), float(np.abs(y[fin]).max()))
    lim = reach * 1.15
    # no "hinge side" and "squat side" of a line: the pattern is read from the trunk, the knees,
    # the shins and the hips' drop together (assess.pattern), and a lift from the floor drops
    # the hips by design; each path is coloured by its rep's own pattern instead
    ax.text(lim * 0.97, -0.08 * lim, "hips back →", ha="right", va="center", fontsize=9, color="#555555")
    ax.text(-0.12 * lim, lim * 0.97, "hips down ↓", ha="left", va="bottom", fontsize=9, color="#555555",
            rotation=90)
    ax.set_xlim(-0.15 * lim, lim)
    ax.set_ylim(lim, -0.15 * lim)  # downwards is down on the page
    ax.set_aspect("equal", adjustable="box")
    ax.axhline(0, color="#bbbbbb", lw=0.6)
    ax.axvline(0, color="#bbbbbb", lw=0.6)
    ax.set_xlabel("hips back (leg lengths)", fontsize=10)
    ax.set_ylabel("hips down (leg lengths)", fontsize=10)
    ax.tick_params(labelsize=9)
    ax.grid(True, lw=0.3, alpha=0.5)
    return ax


def hands_path(kin: Kinematics, rep: Rep) -> tuple[np.ndarray, np.ndarray, float]:
    """The hands' (the load's) path in ``rep`` against the mid-foot: (ahead, up) per frame in
    foot lengths, ``ahead`` of the heel-toe midpoint as :func:`hingecoach.assess.motion.
    load_path_measures` reads it (its check's measure is the median of this from the bottom
    through half the ascent), ``up`` above the heel point's height over the rep; and the rep's
    foot length in the kinematics' units."""
    heel, toe, wrist = kin.points["heel"], kin.points["toe"], kin.points["wrist"]
    sl = slice(rep.start_frame, rep.end_frame + 1)
    foot = median(np.linalg.norm(toe[sl] - heel[sl], axis=1))
    if not np.isfinite(foot) or foot <= 0:
        nan = np.full(wrist[sl].shape[0], np.nan)
        return nan, nan, float("nan")
    mid_u = (heel[sl, 0] + toe[sl, 0]) / 2
    return (wrist[sl, 0] - mid_u) / foot, (wrist[sl, 1] - median(heel[sl, 1])) / foot, foot


def plot_load_path(kin: Kinematics, reps: list[Rep], assessments: list[RepAssessment] | None = None,
                   ax: Axes | None = None, limits: tuple[float, float] | None = None,
                   cm_per_foot: float | None = None) -> Axes:
    """Each rep's hands path seen from the side: ahead of the mid-foot (x) against height above
    the heel (y), in foot lengths (cm with ``cm_per_foot``). ``limits``: the load_far_from_body
    check's (minor, major) distances ahead, drawn as dashed lines; a rep the check named is drawn
    in its severity's colour. The foot is drawn on the floor, heel to toe."""
    ax = ax if ax is not None else new_axes((4.6, 4.4), margins=(0.16, 0.97, 0.97, 0.12))
    k = cm_per_foot if cm_per_foot and np.isfinite(cm_per_foot) else 1.0
    unit = "cm" if k != 1.0 else "foot lengths"
    reach_x, back_x, top = 1.0, 0.7 * k, 1.0
    for i, rep in enumerate(reps):
        x, y, _ = hands_path(kin, rep)
        x, y = x * k, y * k
        named = [f.severity for f in assessments[i].faults if f.code == "load_far_from_body"] if assessments else []
        colour = SEVERITY_COLOURS[named[0]] if named else "#1f6fb2"
        ax.plot(x, y, color=colour, lw=1.3, alpha=0.45 if rep.partial else 0.85)
        b = rep.bottom_frame - rep.start_frame
        if 0 <= b < len(x) and np.isfinite(x[b]) and np.isfinite(y[b]):
            ax.plot(x[b], y[b], "o", ms=4, color=colour)
            ax.annotate(str(rep.index), (x[b], y[b]), textcoords="offset points", xytext=(4, -10),
                        fontsize=9, color="#333333")
        fin = np.isfinite(x) & np.isfinite(y)
        if fin.any() and not rep.partial:
            reach_x = max(reach_x, float(x[fin].max()))
            back_x = max(back_x, -float(x[fin].min()))
            top = max(top, float(y[fin].max()))
    for value, severity in zip(limits or (), ("minor", "major"), strict=False):
        ax.axvline(value * k, color=SEVERITY_COLOURS[severity], lw=1.1, ls="--")
        ax.text(value * k, 0.04 * top, f" {severity} limit", color=SEVERITY_COLOURS[severity], fontsize=8,
                rotation=90, va="bottom", ha="right")
        reach_x = max(reach_x, value * k * 1.1)
    ax.plot([-0.5 * k, 0.5 * k], [0, 0], color="#444444", lw=4, solid_capstyle="butt")  # the foot
    ax.axvline(0, color="#999999", lw=0.8)
    ax.text(0, -0.06 * top, "mid-foot", ha="center", va="top", fontsize=8, color="#555555")
    ax.set_xlim(-back_x * 1.1, reach_x * 1.15)
    ax.set_ylim(-0.14 * top, top * 1.08)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(f"hands ahead of the mid-foot ({unit}) →", fontsize=10)
    ax.set_ylabel(f"hands above the heel ({unit})", fontsize=10)
    ax.tick_params(labelsize=9)
    ax.grid(True, lw=0.3, alpha=0.5)
    return ax


def plot_rep_scores(reps: list[Rep], assessments: list[RepAssessment], ax: Axes | None = None) -> Axes:
    """Score of each rep as a bar coloured by its pattern (partial reps hatched)."""
    ax = ax if ax is not None else new_axes((8, 2.0), margins=(0.08, 0.98, 0.95, 0.2))
    for rep, a in zip(reps, assessments, strict=True):
        ax.bar(rep.index, a.score, color=PATTERN_COLOURS.get(a.pattern, "#888888"),
               hatch="//" if rep.partial else None, alpha=0.5 if rep.partial else 0.9)
    ax.set_ylim(0, 100)
    ax.set_xlabel("rep", fontsize=8)
    ax.set_ylabel("score", fontsize=8)
    ax.set_xticks([r.index for r in reps])
    ax.tick_params(labelsize=8)
    ax.grid(True, axis="y", lw=0.4, alpha=0.5)
    return ax


def _first_finite(x: np.ndarray) -> float:
    fin = x[np.isfinite(x)]
    return float(fin[0]) if fin.size else 0.0


def new_axes(figsize: tuple[float, float], margins: tuple[float, float, float, float]) -> Axes:
    """A single Axes on a fresh figure (no pyplot state), with fixed (left, right, top,
    bottom) margins: constrained layout would draw the figure twice."""
    fig = Figure(figsize=figsize)
    left, right, top, bottom = margins
    fig.subplots_adjust(left=left, right=right, top=top, bottom=bottom)
    return fig.add_subplot()


def figure_png(fig: Figure | SubFigure, dpi: int = 110) -> bytes:
    """PNG bytes of a figure (Agg); of a subfigure, its whole figure (an Axes' ``figure``)."""
    buf = io.BytesIO()
    root = fig if isinstance(fig, Figure) else fig.figure
    # zlib level 2: files ~15% larger than the default 6, written ~3x faster
    root.savefig(buf, format="png", dpi=dpi, facecolor="white", pil_kwargs={"compress_level": 2})
    return buf.getvalue()
