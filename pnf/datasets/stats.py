"""Spectral statistics of an audio set: how bright it is, how much its pitch moves.

    >>> from pnf.datasets.stats import set_stats
    >>> set_stats("data/embedded/voice/manifest.csv", source="voice")
    {'clips': 16, 'seconds': 86.9, 'rolloff85_hz': 593.8, 'centroid_hz': 431.0, ...}

Every clip is read at 16 kHz (resampled if stored otherwise) and cut into 1 024-sample
Hann frames (hop 256). Only active frames count: within 30 dB of the clip's loudest.

- `rolloff85_hz`: frequency below which 85 % of a frame's power (energy) lies;
- `centroid_hz`: power-weighted mean frequency of a frame;
  (both: median over the set's active frames)
- `high_low_db`: 10 log10 of the power above 4 kHz over the power below, all active
  frames pooled;
- `f0_range_st`: pitch movement, 12 log2(F0 95th / 5th percentile) in semitones, per
  group (`speaker`, else `piece`), median over groups (min and max beside it). F0 is
  YIN's cumulative-mean-normalized difference on 40 ms frames (hop 10 ms, 60-400 Hz),
  voiced where it dips below 0.15 (the dip's minimum, parabola-refined). Meaningful
  for speech, not for polyphonic piano.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from pnf.audio import read_audio

RATE = 16000
FRAME, HOP, ACTIVE_DB = 1024, 256, 30.0
F0_FRAME, F0_HOP, F0_MIN, F0_MAX, YIN_THRESHOLD = 640, 160, 60.0, 400.0, 0.15


def frames(x: np.ndarray, size: int, hop: int) -> np.ndarray:
    """(n, size) overlapping frames of x (none if x is shorter than one frame)."""
    if len(x) < size:
        return np.zeros((0, size), np.float32)
    return np.lib.stride_tricks.sliding_window_view(x, size)[::hop]


def active(fr: np.ndarray) -> np.ndarray:
    """Rows within ACTIVE_DB of the loudest row."""
    rms = np.sqrt(np.mean(fr.astype(np.float64) ** 2, axis=1) + 1e-20)
    return fr[rms >= rms.max(initial=0.0) * 10 ** (-ACTIVE_DB / 20)]


def spectral(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Per active frame: rolloff, centroid (Hz); pooled power above and below 4 kHz."""
    fr = active(frames(x, FRAME, HOP))
    power = np.abs(np.fft.rfft(fr * np.hanning(FRAME), axis=1)) ** 2   # (n, 513)
    freqs = np.fft.rfftfreq(FRAME, 1 / RATE)
    total = power.sum(axis=1, keepdims=True) + 1e-20
    rolloff = freqs[np.argmax(np.cumsum(power, axis=1) >= 0.85 * total, axis=1)]
    centroid = (power * freqs).sum(axis=1) / total[:, 0]
    return rolloff, centroid, float(power[:, freqs > 4000].sum()), \
        float(power[:, freqs <= 4000].sum())


def f0(x: np.ndarray) -> np.ndarray:
    """F0 in Hz of the voiced active frames (YIN, no interpolation)."""
    fr = active(frames(x, F0_FRAME, F0_HOP)).astype(np.float64)
    if not len(fr):
        return np.zeros(0)
    spec = np.fft.rfft(fr, 2 * F0_FRAME, axis=1)
    lags = np.arange(F0_FRAME // 2)
    acf = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, lags]               # (n, lags)
    energy = np.concatenate([np.zeros((len(fr), 1)), np.cumsum(fr ** 2, axis=1)], axis=1)
    head = energy[:, F0_FRAME - lags]                                  # sum x_j^2, j < N-tau
    tail = energy[:, -1:] - energy[:, lags]                            # sum x_j^2, j >= tau
    diff = np.maximum(head + tail - 2 * acf, 0.0)                      # d(tau), YIN eq. 7
    cmnd = diff * lags / np.maximum(np.cumsum(diff, axis=1), 1e-20)
    lo, hi = int(RATE / F0_MAX), int(RATE / F0_MIN)
    window = cmnd[:, lo:hi]
    below = window < YIN_THRESHOLD
    voiced = np.flatnonzero(below.any(axis=1))
    taus = []
    for i in voiced:   # from the first dip below the threshold down to its minimum
        k = int(below[i].argmax())
        while k + 1 < window.shape[1] and window[i, k + 1] < window[i, k]:
            k += 1
        a, b, c = window[i, max(k - 1, 0)], window[i, k], window[i, min(k + 1, hi - lo - 1)]
        shift = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c > 0 else 0.0
        taus.append(k + lo + shift)   # parabolic refinement of the minimum
    return RATE / np.asarray(taus, dtype=np.float64)


def set_stats(manifest: str | Path, source: str | None = None,
              split: str | None = None) -> dict:
    """The statistics above for the rows of `manifest` (filtered by source and split)."""
    manifest = Path(manifest)
    with open(manifest, newline="") as f:
        rows = [r for r in csv.DictReader(f) if (source is None or r["source"] == source)
                and (split is None or r["split"] == split)]
    if not rows:
        raise ValueError(f"{manifest}: no rows with source={source!r} split={split!r}; "
                         "check --source and --split")
    roll, cent, high, low, pitch, seconds = [], [], 0.0, 0.0, {}, 0.0
    for r in rows:
        x = read_audio(manifest.parent / r["path"], RATE, quiet=True)
        seconds += len(x) / RATE
        ro, ce, hi, lo = spectral(x)
        roll.append(ro)
        cent.append(ce)
        high, low = high + hi, low + lo
        pitch.setdefault(r.get("speaker") or r.get("piece", ""), []).append(f0(x))
    ranges = [12 * np.log2(np.percentile(v, 95) / np.percentile(v, 5))
              for v in (np.concatenate(p) for p in pitch.values()) if len(v) >= 20]
    return {"clips": len(rows), "seconds": round(seconds, 1),
            "rolloff85_hz": round(float(np.median(np.concatenate(roll))), 1),
            "centroid_hz": round(float(np.median(np.concatenate(cent))), 1),
            "high_low_db": round(10 * np.log10(high / max(low, 1e-20)), 2),
            "f0_range_st": round(float(np.median(ranges)), 1) if ranges else None,
            "f0_range_min_max_st": [round(float(min(ranges)), 1), round(float(max(ranges)), 1)]
            if ranges else None, "f0_groups": len(ranges)}
