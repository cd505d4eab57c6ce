"""Quality metrics for restored audio and images, one flat record per item, and their aggregate.

    >>> import numpy as np
    >>> from pnf.metrics import snr, lsd, score_item
    >>> x = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
    >>> round(snr(x, 0.5 * x), 2)                                  # 20·log10(2)
    6.02
    >>> rec = score_item(x, 0.5 * x, task="superres", dataset="piano", setting="x4",
    ...                  method="pnf", item="c000")               # flat dict, see RECORD_KEYS

Definitions (audio at 22 050 Hz; images in [-1, 1]):
- SNR    = 10·log10(‖x‖² / ‖x − x̂‖²).
- LSD    = mean over frames of sqrt(mean over frequency of (ln(|X|² + ε) − ln(|X̂|² + ε))²),
           natural log, Hann-windowed STFT with n_fft 2048 and hop 512 (Kuleshov, Enam &
           Ermon's definition), signal zero-padded by n_fft/2 at both ends, ε = 1e-10 added to
           the power |X|² so that silent bins stay finite.
- SI-SDR = SNR of x̂ against its projection α·x after removing both means (scale-invariant).
- SDR/SIR/SAR: BSS Eval v4 via `museval.evaluate`, window = hop = 1 s (22 050 samples,
           museval's "1 s at its rate" convention), median over windows. The interfering
           reference is mixture − truth, so scoring one source needs the mixture.
- PSNR   = 10·log10(2² / MSE) for images in [-1, 1] (peak-to-peak 2).
Decibel values are clipped to ±MAX_DB so that a perfect estimate stays finite in JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from pnf.atomic import write_json, write_text_atomic

RATE = 22050
MAX_DB = 300.0
LSD_EPS = 1e-10
METRICS = ("snr", "lsd", "si_sdr", "sdr", "sir", "sar", "psnr")
LOWER_IS_BETTER = {"lsd", "seconds"}
KEYS = ("dataset", "task", "setting", "method", "item", "source")
RECORD_KEYS = (*KEYS, "factor", "gap_ms", "iterations", "seconds", "duration", *METRICS)
GROUP_KEYS = ("dataset", "task", "setting", "method", "source")
STATS = ("mean", "median", "ci_low", "ci_high", "n")


# ---------------------------------------------------------------- metrics on arrays


def _db(num: float, den: float) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 10.0 * np.log10(np.float64(num) / np.float64(den))
    return float(np.clip(value, -MAX_DB, MAX_DB)) if not np.isnan(value) else float("nan")


def snr(x: np.ndarray, x_hat: np.ndarray) -> float:
    x, x_hat = np.asarray(x, np.float64), np.asarray(x_hat, np.float64)
    return _db(np.sum(x**2), np.sum((x - x_hat) ** 2))


def si_sdr(x: np.ndarray, x_hat: np.ndarray) -> float:
    x = np.asarray(x, np.float64) - np.mean(x)
    x_hat = np.asarray(x_hat, np.float64) - np.mean(x_hat)
    alpha = np.dot(x_hat, x) / max(np.dot(x, x), 1e-300)
    target = alpha * x
    return _db(np.sum(target**2), np.sum((x_hat - target) ** 2))


def psnr(x: np.ndarray, x_hat: np.ndarray, peak_to_peak: float = 2.0) -> float:
    mse = np.mean((np.asarray(x, np.float64) - np.asarray(x_hat, np.float64)) ** 2)
    return _db(peak_to_peak**2, mse)


def power_spectrogram(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    x = np.pad(np.asarray(x, np.float64), n_fft // 2)
    if len(x) < n_fft:
        x = np.pad(x, (0, n_fft - len(x)))
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop]  # (F, n_fft)
    return np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) ** 2  # (F, n_fft/2+1)


def lsd(x: np.ndarray, x_hat: np.ndarray, n_fft: int = 2048, hop: int = 512) -> float:
    log_x = np.log(power_spectrogram(x, n_fft, hop) + LSD_EPS)
    log_y = np.log(power_spectrogram(x_hat, n_fft, hop) + LSD_EPS)
    return float(np.mean(np.sqrt(np.mean((log_x - log_y) ** 2, axis=1))))


def bss_eval(truth: np.ndarray, estimate: np.ndarray, mixture: np.ndarray,
             rate: int = RATE) -> dict[str, float]:
    """SDR, SIR, SAR of one source's estimate; the other reference is mixture − truth."""
    import museval  # slow import (pulls musdb/stempeg); needs ffmpeg on PATH

    refs = np.stack([truth, mixture - truth])[..., None]  # (2, T, 1)
    ests = np.stack([estimate, mixture - estimate])[..., None]  # (2, T, 1)
    sdr_, _isr, sir_, sar_ = museval.evaluate(refs, ests, win=rate, hop=rate)
    out = {}
    for name, frames in (("sdr", sdr_), ("sir", sir_), ("sar", sar_)):
        finite = frames[0][~np.isnan(frames[0])]
        out[name] = float(np.clip(np.median(finite), -MAX_DB, MAX_DB)) if finite.size else None
    return out


# ---------------------------------------------------------------- one item


def _match_lengths(truth, estimate, mixture):
    n = min(len(truth), len(estimate))
    if abs(len(truth) - len(estimate)) > max(1, len(truth) // 100):
        raise ValueError(f"estimate has {len(estimate)} samples but the truth has {len(truth)}; "
                         "restore to the ground truth's length")
    mixture = None if mixture is None else np.asarray(mixture, np.float64)[:n]
    return np.asarray(truth, np.float64)[:n], np.asarray(estimate, np.float64)[:n], mixture


def _clean(value):
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def score_item(truth: np.ndarray, estimate: np.ndarray, task: str, mixture=None,
               rate: int = RATE, **meta) -> dict:
    """One flat record (RECORD_KEYS): the metadata given in `meta` plus every metric.

    Images (task "images" or a 3-D array) get PSNR only; audio gets SNR, LSD, SI-SDR and,
    for task "separate" with a mixture, SDR/SIR/SAR.
    """
    record = dict.fromkeys(RECORD_KEYS)
    record.update({"source": "", "task": task})
    unknown = set(meta) - set(RECORD_KEYS)
    if unknown:
        raise ValueError(f"unknown record keys {sorted(unknown)}; use some of {RECORD_KEYS}")
    record.update(meta)
    truth, estimate = np.asarray(truth), np.asarray(estimate)
    if task == "images" or truth.ndim == 3:
        if truth.shape != estimate.shape:
            raise ValueError(f"image estimate has shape {estimate.shape} but the truth has "
                             f"{truth.shape}; give arrays of the same shape")
        record["psnr"] = psnr(truth, estimate)
    else:
        truth, estimate, mixture = _match_lengths(truth.reshape(-1), estimate.reshape(-1),
                                                  mixture)
        if record["duration"] is None:
            record["duration"] = len(truth) / rate
        record.update(snr=snr(truth, estimate), lsd=lsd(truth, estimate),
                      si_sdr=si_sdr(truth, estimate))
        if task == "separate" and mixture is not None:
            record.update(bss_eval(truth, estimate, mixture, rate))
    return {k: _clean(record[k]) for k in RECORD_KEYS}


def load_signal(path: str | Path, rate: int = RATE) -> np.ndarray:
    """A WAV (any soundfile format) as mono float32 at `rate`, or an image `.npy` array."""
    path = Path(path)
    if path.suffix == ".npy":
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such image array; check the path")
        return np.load(path).astype(np.float32)
    from pnf.audio import read_audio

    return read_audio(path, rate=rate, allow_silent=True, quiet=True)


def evaluate_item(truth: str | Path, estimate: str | Path, task: str,
                  mixture: str | Path | None = None, rate: int = RATE, **meta) -> dict:
    """`score_item` on files: WAV for audio, NPY (3, H, W) in [-1, 1] for images."""
    mix = None if mixture is None else load_signal(mixture, rate)
    return score_item(load_signal(truth, rate), load_signal(estimate, rate), task,
                      mixture=mix, rate=rate, **meta)


# ---------------------------------------------------------------- files and aggregation


def write_record(path: str | Path, record: dict) -> None:
    write_json(path, record)


def collect(scores: str | Path | Sequence[str | Path]) -> pd.DataFrame:
    """Per-item JSON records as one DataFrame (columns RECORD_KEYS): every record under the
    folder `scores`, or exactly the listed record files (the pipeline's own, so records left
    by an earlier configuration do not leak into the tables)."""
    if isinstance(scores, (str, Path)):
        files = sorted(Path(scores).rglob("*.json"))
    else:
        files = [Path(f) for f in scores]
    if not files:
        raise FileNotFoundError(f"{scores}: no score records (*.json) found; run "
                                "`pnf evaluate item` first")
    rows = []
    for f in tqdm(files, desc="collect scores", unit="file", disable=None):
        try:
            rows.append(json.loads(f.read_text()))
        except json.JSONDecodeError as err:
            raise ValueError(f"{f}: not a JSON score record ({err}); delete and re-score it") \
                from None
    return read_records(pd.DataFrame(rows))


def read_records(records: pd.DataFrame | str | Path) -> pd.DataFrame:
    """Normalise a record table (or a metrics CSV path): every RECORD_KEYS column present."""
    if not isinstance(records, pd.DataFrame):
        if not Path(records).is_file():
            raise FileNotFoundError(f"{records}: no metrics CSV; run `pnf evaluate collect`")
        records = pd.read_csv(records, keep_default_na=False, na_values=[""],
                              dtype=dict.fromkeys(KEYS, str))
    df = records.copy()
    for key in RECORD_KEYS:
        if key not in df:
            df[key] = None
    for key in KEYS:
        df[key] = df[key].astype("string").fillna("").astype(str)
    for key in RECORD_KEYS[len(KEYS):]:
        df[key] = pd.to_numeric(df[key], errors="coerce")
    return df.sort_values(list(KEYS)).reset_index(drop=True)


def bootstrap_ci(values: np.ndarray, resamples: int = 1000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (fixed seed: reruns give the same numbers)."""
    values = np.asarray(values, np.float64)
    if len(values) == 1:
        return float(values[0]), float(values[0])
    idx = np.random.default_rng(seed).integers(0, len(values), (resamples, len(values)))
    means = values[idx].mean(axis=1)  # (resamples,)
    tail = 100 * (1 - level) / 2
    return float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail))


def aggregate(records: pd.DataFrame, resamples: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Long table: one row per (GROUP_KEYS, metric) with mean, median, 95% CI and n.

    Also carries factor, gap_ms and iterations (first value in the group). `seconds` and
    `duration` are aggregated like metrics.
    """
    df = read_records(records)
    rows = []
    for key, group in df.groupby(list(GROUP_KEYS), sort=True):
        meta = {k: group[k].dropna().iloc[0] if group[k].notna().any() else None
                for k in ("factor", "gap_ms", "iterations")}
        for metric in (*METRICS, "seconds", "duration"):
            values = group[metric].dropna().to_numpy()
            if len(values) == 0:
                continue
            low, high = bootstrap_ci(values, resamples, seed)
            rows.append({**dict(zip(GROUP_KEYS, key, strict=True)), **meta, "metric": metric,
                         "mean": float(values.mean()), "median": float(np.median(values)),
                         "ci_low": low, "ci_high": high, "n": int(len(values))})
    return pd.DataFrame(rows, columns=[*GROUP_KEYS, "factor", "gap_ms", "iterations",
                                       "metric", *STATS])


def to_nested(summary: pd.DataFrame) -> dict:
    """dataset → task → setting → method → source ("all" when none) → metric → stats."""
    out: dict = {}
    for row in summary.itertuples(index=False):
        node = out
        for key in (row.dataset, row.task, row.setting, row.method, row.source or "all"):
            node = node.setdefault(key, {})
        node[row.metric] = {s: (int(row.n) if s == "n" else round(float(getattr(row, s)), 6))
                            for s in STATS}
    return out


def write_metrics(records: pd.DataFrame, out_csv: str | Path, out_json: str | Path) -> None:
    """All per-item records as CSV and the hierarchical summary as JSON (for DVC), atomically."""
    df = read_records(records)
    write_text_atomic(out_csv, df[list(RECORD_KEYS)].to_csv(index=False))
    nested = to_nested(aggregate(df))
    write_text_atomic(out_json, json.dumps(nested, indent=1, sort_keys=True) + "\n")
