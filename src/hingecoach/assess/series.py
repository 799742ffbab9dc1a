"""Reading a kinematic series over a window of frames: medians that no single bad frame can
move, shared by the per-rep measures."""

from __future__ import annotations

import warnings

import numpy as np

from hingecoach.kinematics import Kinematics


def median(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def mean_finite(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def window(kin: Kinematics, name: str, lo: int, hi: int) -> float:
    """Median of series ``name`` over frames [lo, hi] (inclusive, clipped)."""
    lo, hi = max(lo, 0), min(hi, kin.n_frames - 1)
    if hi < lo:
        return float("nan")
    return median(kin[name][lo:hi + 1])


def running_median(x: np.ndarray, half: int) -> np.ndarray:
    """Median over +-``half`` frames (NaN-aware), so one wild frame cannot make an extreme."""
    if x.size == 0:
        return np.full(x.shape, np.nan)
    padded = np.pad(np.asarray(x, float), half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows stay NaN
        return np.nanmedian(windows, axis=1)


def window_values(x: np.ndarray, lo: int, hi: int) -> float:
    lo, hi = max(lo, 0), min(hi, x.size - 1)
    return median(x[lo:hi + 1]) if hi >= lo else float("nan")
