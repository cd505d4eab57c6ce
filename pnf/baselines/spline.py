"""Cubic-spline super-resolution of a plainly decimated signal (docs/method.md#baselines).

    >>> import numpy as np
    >>> from pnf.baselines.spline import spline_upsample
    >>> y = np.sin(np.arange(100) * 0.1)          # y = x[::4]
    >>> spline_upsample(y, 4).shape
    (400,)

The observed samples sit at positions 0, k, 2k, ... of the output (y = x[::k], no
anti-alias filter), so the spline passes exactly through them. The k-1 samples after the
last observation have no right neighbour: they follow the last cubic piece, clipped to
the range of the observed signal so that a steep end cannot shoot off.
"""

from __future__ import annotations

import numpy as np


def check_factor(factor) -> int:
    if isinstance(factor, bool) or not isinstance(factor, int | np.integer) or factor < 1:
        raise ValueError(f"factor must be a positive integer, got {factor!r}; "
                         "pass --factor 2, 4, 8, ...")
    return int(factor)


def spline_upsample(y: np.ndarray, factor: int) -> np.ndarray:
    """(..., n) decimated signal -> (..., n * factor) cubic-spline interpolation."""
    factor = check_factor(factor)
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 0 or y.shape[-1] == 0:
        raise ValueError("the decimated signal is empty; give at least one sample")
    n = y.shape[-1]
    t = np.arange(n * factor)
    if n == 1:
        return np.repeat(y, factor, axis=-1).astype(np.float32)
    from scipy.interpolate import CubicSpline  # lazy: 0.7 s on every `pnf` start

    spline = CubicSpline(np.arange(n) * factor, y, axis=-1, extrapolate=True)
    out = spline(t)  # (..., n * factor)
    tail = slice((n - 1) * factor + 1, None)
    peak = np.abs(y).max(axis=-1, keepdims=True)
    out[..., tail] = np.clip(out[..., tail], -peak, peak)
    return out.astype(np.float32)
