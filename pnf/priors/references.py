"""Reference models a prior must beat, in the prior's own 8-bit bins (ours).

    >>> import numpy as np
    >>> from pnf.priors.references import Histogram, LinearPredictor
    >>> train = [np.random.default_rng(0).integers(100, 156, 4000)]   # clips as (T,) bins
    >>> Histogram.fit(train).bits(train) < 8                            # bits per sample
    True
    >>> lp = LinearPredictor.fit(train, order=32)
    >>> lp.bits(train) > 0
    True

- `Histogram`: order 0, the training bins' frequencies (add-one smoothed): what a model
  that ignores the past can reach.
- `LinearPredictor`: x_t ≈ c + Σ_{j=1..order} a_j x_{t−j} fitted by least squares on the
  training bins, the residual a Laplace distribution (scale = mean |residual| on the
  training clips, its maximum-likelihood value), discretized on the bins: P(k) is the
  Laplace mass of [k − ½, k + ½], the outer bins open to ±∞. The history before a clip's
  first sample is the silence bin.
Both report −mean log2 P(x_t) over every sample of the clips they are given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_BINS = 256
SILENCE = 127.5
MAX_ROWS = 400_000   # training rows of the least-squares fit (evenly spaced subsample)


@dataclass
class Histogram:
    log_p: np.ndarray   # (256,) natural log-probabilities

    @classmethod
    def fit(cls, clips: list[np.ndarray]) -> Histogram:
        counts = np.bincount(np.concatenate(clips).astype(np.int64), minlength=N_BINS) + 1.0
        return cls(np.log(counts / counts.sum()))

    def bits(self, clips: list[np.ndarray]) -> float:
        x = np.concatenate(clips).astype(np.int64)
        return float(-self.log_p[x].mean() / np.log(2))


def _design(clip: np.ndarray, order: int) -> np.ndarray:
    """(T, order) history matrix: row t holds x_{t−1}, ..., x_{t−order} (silence before 0)."""
    padded = np.concatenate([np.full(order, SILENCE), np.asarray(clip, np.float64)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, order)[: len(clip)]
    return windows[:, ::-1]


def _log_cdf(z: np.ndarray) -> np.ndarray:
    """log of the standard Laplace CDF at z."""
    return np.where(z <= 0, np.log(0.5) + np.minimum(z, 0), np.log1p(-0.5 * np.exp(-np.abs(z))))


def laplace_bin_log_prob(k: np.ndarray, mean: np.ndarray, scale: float) -> np.ndarray:
    """log of the Laplace(mean, scale) mass of bin k = [k − ½, k + ½] (outer bins open)."""
    lo, hi = (k - 0.5 - mean) / scale, (k + 0.5 - mean) / scale
    inner = np.log1p(-np.exp(-1.0 / scale))           # log(1 − e^{−width/scale}), width 1
    below = np.log(0.5) + np.minimum(hi, 0) + inner    # bin wholly below the mean
    above = np.log(0.5) - np.maximum(lo, 0) + inner    # bin wholly above the mean
    around = np.log(np.maximum(1 - 0.5 * np.exp(-np.abs(hi)) - 0.5 * np.exp(-np.abs(lo)),
                               1e-300))
    out = np.where(hi <= 0, below, np.where(lo >= 0, above, around))
    out = np.where(k <= 0, _log_cdf(hi), out)          # all mass below ½
    return np.where(k >= N_BINS - 1, _log_cdf(-lo), out)   # all mass above 254.5


@dataclass
class LinearPredictor:
    coef: np.ndarray     # (order + 1,): intercept, then a_1 .. a_order
    scale: float         # Laplace scale of the residual, in bins

    @classmethod
    def fit(cls, clips: list[np.ndarray], order: int = 32) -> LinearPredictor:
        """Least squares on at most MAX_ROWS evenly spaced training rows, the scale from every
        row; one clip's history matrix at a time (memory: MAX_ROWS rows, not all N)."""
        ends = np.cumsum([len(c) for c in clips])                         # (clips,)
        keep = np.linspace(0, ends[-1] - 1, min(ends[-1], MAX_ROWS)).astype(np.int64)
        which = np.searchsorted(ends, keep, side="right")                 # clip of each row
        rows = [(np.asarray(c, np.float64), keep[which == i] - (ends[i] - len(c)))
                for i, c in enumerate(clips)]
        X = np.concatenate([_design(c, order)[at] for c, at in rows])     # (rows, order)
        A = np.hstack([np.ones((len(X), 1)), X])
        coef = np.linalg.lstsq(A, np.concatenate([c[at] for c, at in rows]), rcond=None)[0]
        fitted = cls(coef, 1.0)
        resid = sum(np.abs(c - fitted.predict(c)).sum() for c, _ in rows) / ends[-1]
        return cls(coef, max(float(resid), 1e-3))

    @property
    def order(self) -> int:
        return len(self.coef) - 1

    def predict(self, clip: np.ndarray) -> np.ndarray:
        return self.coef[0] + _design(clip, self.order) @ self.coef[1:]

    def bits(self, clips: list[np.ndarray]) -> float:
        logs = [laplace_bin_log_prob(np.asarray(c, np.float64), self.predict(c), self.scale)
                for c in clips]
        return float(-np.concatenate(logs).mean() / np.log(2))
