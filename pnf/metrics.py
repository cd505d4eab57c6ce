"""Scoring one restored item: every measure of pnf.measures in one flat record.

    >>> import numpy as np
    >>> from pnf.metrics import score_item
    >>> x = np.random.default_rng(0).standard_normal(22050).astype(np.float32)
    >>> rec = score_item(x, 0.5 * x, task="superres", dataset="piano", setting="x4",
    ...                  method="pnf", item="c000")               # flat dict, see RECORD_KEYS

The measures (definitions there) live in pnf.measures, records and their aggregation in
pnf.scores; both are re-exported here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pnf.measures import (  # noqa: F401  (re-exported)
    LSD_EPS,
    MAX_DB,
    METRICS,
    RATE,
    bss_eval,
    lsd,
    power_spectrogram,
    psnr,
    si_sdr,
    snr,
    spectral_gaps,
)
from pnf.scores import (  # noqa: F401  (re-exported)
    GROUP_KEYS,
    KEYS,
    LOWER_IS_BETTER,
    RECORD_KEYS,
    STATS,
    aggregate,
    bootstrap_ci,
    collect,
    read_records,
    to_nested,
    write_metrics,
    write_record,
)
from pnf.task_specs import TASK_SPECS


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

    Images (an image task's, or any 3-D array) get PSNR only; audio gets SNR, LSD, SI-SDR,
    the gate's spectral gaps and, for a mixture task given the mixture, SDR/SIR/SAR.
    """
    spec = TASK_SPECS.get(task)
    record = dict.fromkeys(RECORD_KEYS)
    record.update({"source": "", "task": task})
    unknown = set(meta) - set(RECORD_KEYS)
    if unknown:
        raise ValueError(f"unknown record keys {sorted(unknown)}; use some of {RECORD_KEYS}")
    record.update(meta)
    truth, estimate = np.asarray(truth), np.asarray(estimate)
    if (spec is not None and spec.image) or truth.ndim == 3:
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
                      si_sdr=si_sdr(truth, estimate), **spectral_gaps(truth, estimate, rate))
        if spec is not None and spec.mixture and mixture is not None:
            record.update(bss_eval(truth, estimate, mixture, rate))
    return {k: _clean(record[k]) for k in RECORD_KEYS}


def load_signal(path: str | Path, rate: int | None = RATE) -> np.ndarray:
    """A WAV (any soundfile format) as mono float32 at `rate` (None: the file's own), or an
    image `.npy` array."""
    path = Path(path)
    if path.suffix == ".npy":
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such image array; check the path")
        return np.load(path).astype(np.float32)
    from pnf.audio import read_audio

    return read_audio(path, rate=rate, allow_silent=True, quiet=True)


def evaluate_item(truth: str | Path, estimate: str | Path, task: str,
                  mixture: str | Path | None = None, rate: int | None = None, **meta) -> dict:
    """`score_item` on files: WAV for audio, NPY (3, H, W) in [-1, 1] for images. Audio is
    scored at `rate`, by default the truth file's own (the estimate is resampled to it)."""
    if rate is None:
        from pnf.audio import file_rate

        rate = RATE if Path(truth).suffix == ".npy" else file_rate(truth)
    mix = None if mixture is None else load_signal(mixture, rate)
    return score_item(load_signal(truth, rate), load_signal(estimate, rate), task,
                      mixture=mix, rate=rate, **meta)
