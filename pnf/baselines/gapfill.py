"""Inpainting references: fill each gap with zeros, a straight line, or a cubic spline.

    >>> import numpy as np
    >>> from pnf.baselines.gapfill import fill_gaps
    >>> x = np.sin(np.arange(2000) * 0.01); mask = np.ones(2000, bool); mask[900:1100] = False
    >>> y = fill_gaps(x * mask, mask, method="linear")     # (2000,), gap bridged

A gap is a run of unobserved samples (mask False). "linear" joins the last observed
sample before the gap to the first one after it. "spline" fits a cubic spline through
`context_ms` of observed signal on each side and evaluates it in the gap, clipped to the
peak of that context (a cubic across a long gap overshoots otherwise). A gap touching
either end of the signal has context on one side only: it is held at the edge value.
"""

from __future__ import annotations

import numpy as np

from pnf.audio import RATE

FILLS = ("zero", "linear", "spline")


def find_gaps(mask: np.ndarray) -> list[tuple[int, int]]:
    """[(start, stop), ...] of the runs where `mask` is False."""
    edges = np.diff(np.concatenate([[1], mask.astype(np.int8), [1]]))
    return list(zip(np.flatnonzero(edges == -1).tolist(),
                    np.flatnonzero(edges == 1).tolist(), strict=True))


def _context(x: np.ndarray, mask: np.ndarray, start: int, stop: int, width: int):
    """Positions and values of the observed samples within `width` of the gap."""
    lo, hi = max(start - width, 0), min(stop + width, len(x))
    pos = np.concatenate([np.arange(lo, start), np.arange(stop, hi)])
    pos = pos[mask[pos]]
    return pos, x[pos]


def _fill_one(x, mask, start, stop, method, width) -> np.ndarray:
    gap = np.arange(start, stop)
    if method == "zero":
        return np.zeros(len(gap))
    pos, val = _context(x, mask, start, stop, width)
    one_sided = not (np.any(pos < start) and np.any(pos >= stop))
    if method == "linear" or one_sided or len(pos) < 4:
        if method == "linear" and not one_sided:
            pos = np.array([pos[pos < start][-1], pos[pos >= stop][0]])
            val = x[pos]
        return np.interp(gap, pos, val)  # one-sided: held at the edge value
    from scipy.interpolate import CubicSpline  # lazy: 0.7 s on every `pnf` start

    peak = np.abs(val).max()
    return np.clip(CubicSpline(pos, val)(gap), -peak, peak)


def fill_gaps(observed: np.ndarray, mask: np.ndarray, method: str = "linear",
              context_ms: float = 5.0, rate: int = RATE) -> np.ndarray:
    """(T,) signal with unobserved samples (mask False) filled by `method`."""
    if method not in FILLS:
        raise ValueError(f"unknown gap fill {method!r}; valid: {list(FILLS)}")
    x = np.asarray(observed, dtype=np.float64)
    mask = np.asarray(mask)
    if x.ndim != 1 or mask.shape != x.shape or mask.dtype != bool:
        raise ValueError(f"inpainting needs a 1-D signal and a bool mask of the same shape, "
                         f"got {x.shape} and {mask.shape} {mask.dtype}; fix the inputs")
    if not mask.any():
        raise ValueError("the mask observes no sample; nothing to interpolate from")
    width = max(int(round(context_ms * rate / 1000)), 2)
    out = np.where(mask, x, 0.0)
    for start, stop in find_gaps(mask):
        out[start:stop] = _fill_one(x, mask, start, stop, method, width)
    return out.astype(np.float32)
