"""Quality measures on arrays: SNR, LSD, SI-SDR, BSS Eval (SDR/SIR/SAR) and PSNR.

    >>> import numpy as np
    >>> from pnf.measures import snr
    >>> x = np.random.default_rng(0).standard_normal(22050)
    >>> round(snr(x, 0.5 * x), 2)                                  # 20·log10(2)
    6.02

Definitions (audio at 22 050 Hz; images in [-1, 1]):
- SNR    = 10·log10(‖x‖² / ‖x − x̂‖²).
- LSD    = mean over frames of sqrt(mean over frequency of (ln(|X|² + ε) − ln(|X̂|² + ε))²),
           the formula as Kuleshov, Enam & Ermon (KEE) and the paper write it. The STFT is
           KEE's code's (librosa.stft(x, 2048) there): n_fft 2048, hop 512, periodic Hann
           window, frames centred by reflect-padding n_fft/2 at both ends (librosa < 0.10),
           power |X|², natural log, ε = 1e-8. KEE's code itself averages over time first
           (its array is frequency × frames), adds 1e-8 inside the sqrt and clips at 10;
           we keep the written order (frequency inside the sqrt) and no clip.
- SI-SDR = SNR of x̂ against its projection α·x after removing both means (scale-invariant).
- SDR/SIR/SAR: BSS Eval v4 via `museval.evaluate`, window = hop = 1 s (22 050 samples,
           museval's "1 s at its rate" convention), median over windows. The interfering
           reference is mixture − truth, so scoring one source needs the mixture.
- PSNR   = 10·log10(2² / MSE) for images in [-1, 1] (peak-to-peak 2).
- highband_gap = the estimate's >4 kHz / <4 kHz energy ratio minus the truth's, in dB, and
  flatness_gap = log10(the estimate's spectral flatness / the truth's) (pnf.spectral; ours):
  not quality scores but the adequacy gate's evidence that an output is not broadband noise
  (pnf.report.gate). White noise against piano: about +20 dB and +2.5 decades.
Decibel values are clipped to ±MAX_DB so that a perfect estimate stays finite in JSON.
"""

from __future__ import annotations

import numpy as np

RATE = 22050
MAX_DB = 300.0
LSD_EPS = 1e-8       # KEE's code: log(|X|² + 1e-8)
METRICS = ("snr", "lsd", "si_sdr", "sdr", "sir", "sar", "psnr", "highband_gap", "flatness_gap")


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
    """|STFT|² (F, n_fft/2+1): periodic Hann, frames centred by reflect padding."""
    x = np.pad(np.asarray(x, np.float64), n_fft // 2, mode="reflect")  # len(x) + n_fft
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)  # periodic Hann
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop]  # (F, n_fft)
    return np.abs(np.fft.rfft(frames * window, axis=1)) ** 2


def lsd(x: np.ndarray, x_hat: np.ndarray, n_fft: int = 2048, hop: int = 512) -> float:
    log_x = np.log(power_spectrogram(x, n_fft, hop) + LSD_EPS)
    log_y = np.log(power_spectrogram(x_hat, n_fft, hop) + LSD_EPS)
    return float(np.mean(np.sqrt(np.mean((log_x - log_y) ** 2, axis=1))))


def spectral_gaps(x: np.ndarray, x_hat: np.ndarray, rate: int = RATE) -> dict[str, float]:
    """{"highband_gap": dB, "flatness_gap": decades} of the estimate against the truth."""
    from pnf.spectral import flatness, highband_db

    return {"highband_gap": highband_db(x_hat, rate) - highband_db(x, rate),
            "flatness_gap": float(np.log10(flatness(x_hat) / max(flatness(x), 1e-300)))}


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
