"""Spectral statistics of audio that say whether it sounds like the data or like hiss (ours).

    >>> import numpy as np
    >>> from pnf.spectral import audio_stats, highband_db, flatness
    >>> noise = np.random.default_rng(0).standard_normal(22050)
    >>> round(flatness(noise), 1)                       # white noise: near 1
    0.6
    >>> highband_db(noise, 22050) > 0                   # 4-11 kHz holds more than 0-4 kHz
    True
    >>> stats = audio_stats([noise], 22050)             # {"highband_db", "flatness", ...}

Definitions (all on a Welch power spectrum: Hann windows of N_FFT samples, hop N_FFT/2, the
periodogram of each window averaged over the windows of a signal):
- highband_db: 10·log10(power above CUT_HZ / power below), the "energy above 4 kHz relative
  to below"; speech and piano sit near −20 dB, white noise above 0 dB.
- flatness: geometric over arithmetic mean of that power spectrum (Wiener entropy), 1 for
  white noise, ~0.001 for tonal music.
- frechet_logmel: the Fréchet distance between Gaussians fitted to the log-mel frames
  (N_MELS bands, mean and covariance over every frame of every signal) of two sets of
  signals: ‖μ₁ − μ₂‖² + tr(C₁ + C₂ − 2 (C₁C₂)^½). No pretrained network: a statistic of
  the spectral envelope only.
"""

from __future__ import annotations

import numpy as np

N_FFT = 1024
CUT_HZ = 4000.0
N_MELS = 20
EPS = 1e-12


def welch_power(x: np.ndarray, n_fft: int = N_FFT) -> np.ndarray:
    """(n_fft/2 + 1,) mean periodogram over Hann windows with hop n_fft/2 (short x: padded)."""
    x = np.asarray(x, np.float64).reshape(-1)
    if len(x) < n_fft:
        x = np.pad(x, (0, n_fft - len(x)))
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[:: n_fft // 2]  # (F, n_fft)
    return np.mean(np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) ** 2, axis=0)


def highband_db(x: np.ndarray, rate: int, cut_hz: float = CUT_HZ) -> float:
    """10·log10(power above `cut_hz` / power below) of x's Welch spectrum."""
    power = welch_power(x)
    freqs = np.linspace(0, rate / 2, len(power))
    high, low = power[freqs >= cut_hz].sum(), power[(freqs > 0) & (freqs < cut_hz)].sum()
    return float(10 * np.log10((high + EPS) / (low + EPS)))


def flatness(x: np.ndarray) -> float:
    """Spectral flatness (geometric / arithmetic mean) of x's Welch spectrum, DC left out."""
    power = welch_power(x)[1:] + EPS
    return float(np.exp(np.mean(np.log(power))) / np.mean(power))


def logmel_frames(x: np.ndarray, rate: int, n_mels: int = N_MELS) -> np.ndarray:
    """(frames, n_mels) natural-log mel band energies (bands up to min(7600 Hz, rate/2))."""
    import torch

    from pnf.audio import mel_filterbank

    fb = mel_filterbank(n_mels, N_FFT, rate, 60.0, min(7600.0, rate / 2)).numpy()  # (M, K)
    x = np.asarray(x, np.float64).reshape(-1)
    x = np.pad(x, (0, max(N_FFT - len(x), 0)))
    spec = torch.stft(torch.from_numpy(x), N_FFT, N_FFT // 4, window=torch.hann_window(
        N_FFT, dtype=torch.float64), center=False, return_complex=True).abs().numpy() ** 2
    return np.log(fb @ spec + 1e-10).T                                            # (F, M)


def frechet_logmel(a: list[np.ndarray], b: list[np.ndarray], rate: int) -> float:
    """Fréchet distance between the log-mel frame Gaussians of signal sets `a` and `b`."""
    from scipy.linalg import sqrtm

    fa = np.concatenate([logmel_frames(x, rate) for x in a])
    fb = np.concatenate([logmel_frames(x, rate) for x in b])
    mu_a, mu_b = fa.mean(0), fb.mean(0)
    ca, cb = np.cov(fa, rowvar=False), np.cov(fb, rowvar=False)
    root = sqrtm(ca @ cb)
    root = root.real if np.iscomplexobj(root) else root
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(ca + cb - 2 * root))


def audio_stats(waves: list[np.ndarray], rate: int) -> dict[str, float]:
    """Mean high-band ratio (dB) and mean flatness over a set of signals."""
    return {"highband_db": float(np.mean([highband_db(w, rate) for w in waves])),
            "flatness": float(np.mean([flatness(w) for w in waves]))}
