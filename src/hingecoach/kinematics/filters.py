"""Signal conditioning: short-gap interpolation, zero-phase low-pass (offline), One-Euro (live).

Pure numpy/scipy; every function takes and returns plain arrays along axis 0 (time).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import butter, sosfiltfilt


def finite_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index pairs of the runs where ``mask`` is True."""
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(m.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def interpolate_gaps(values: np.ndarray, t_s: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Linearly fill NaN gaps no longer than ``max_gap_s`` between finite samples; columns
    independently. Longer gaps and gaps at either end stay NaN (no invention of motion)."""
    out = np.array(values, dtype=np.float64, copy=True)
    cols = out.reshape(out.shape[0], int(np.prod(out.shape[1:])))  # -1 fails on 0 frames
    for j in range(cols.shape[1]):
        col = cols[:, j]
        bad = np.isnan(col)
        if not bad.any() or bad.all():
            continue
        for start, stop in finite_runs(bad):
            if start == 0 or stop == len(col):
                continue
            if t_s[stop] - t_s[start - 1] > max_gap_s:
                continue
            col[start:stop] = np.interp(t_s[start:stop], [t_s[start - 1], t_s[stop]],
                                        [col[start - 1], col[stop]])
    return cols.reshape(out.shape)


def lowpass_zero_phase(values: np.ndarray, fps: float, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Butterworth low-pass run forwards and backwards (no lag), over each finite run of each
    column. Runs too short for the filter's padding are left as they are."""
    out = np.array(values, dtype=np.float64, copy=True)
    nyquist = fps / 2.0
    if cutoff_hz >= 0.95 * nyquist:
        return out
    sos = butter(order, cutoff_hz / nyquist, output="sos")
    padlen = 3 * (2 * len(sos) + 1)
    cols = out.reshape(out.shape[0], int(np.prod(out.shape[1:])))  # -1 fails on 0 frames
    finite = np.isfinite(cols)
    if finite.all():
        if cols.shape[0] > padlen:
            cols[:] = sosfiltfilt(sos, cols, axis=0)
        return cols.reshape(out.shape)
    for j in range(cols.shape[1]):
        for start, stop in finite_runs(finite[:, j]):
            if stop - start > padlen:
                cols[start:stop, j] = sosfiltfilt(sos, cols[start:stop, j])
    return cols.reshape(out.shape)


class OneEuroFilter:
    """Causal adaptive low-pass for live use (Casiez et al., CHI 2012): smooth when slow,
    responsive when fast. Works on arrays of any fixed shape; NaN samples pass through and
    do not disturb the state."""

    def __init__(self, min_cutoff_hz: float = 1.5, beta: float = 0.02, d_cutoff_hz: float = 1.0):
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff_hz: np.ndarray | float, dt: float) -> np.ndarray | float:
        tau = 1.0 / (2 * math.pi * np.asarray(cutoff_hz))
        return 1.0 / (1.0 + tau / dt)

    def __call__(self, x: np.ndarray, t_s: float) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._dx is None or self._t is None or t_s <= self._t:
            self._x = x.copy()
            self._dx = np.zeros_like(x)
            self._t = t_s
            return x.copy()
        dt = t_s - self._t
        self._t = t_s
        prev = np.where(np.isfinite(self._x), self._x, x)
        dx = (x - prev) / dt
        a_d = self._alpha(self.d_cutoff_hz, dt)
        dx_hat = np.where(np.isfinite(dx), a_d * dx + (1 - a_d) * self._dx, self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        a = self._alpha(cutoff, dt)
        x_hat = np.where(np.isfinite(x), a * x + (1 - a) * prev, prev)
        self._x, self._dx = x_hat, dx_hat
        return x_hat.copy()
