"""Held-out negative log-likelihood of a smoothed prior, in bits per sample (ours).

    >>> from pnf.priors.heldout import heldout_bits
    >>> bits = heldout_bits(prior, [bins0, bins1], sigma=1.0)   # bins: (T,) integer bins
    >>> bits["clean"], bits["sigma"]

Two numbers per prior, both averaged over every sample of the clips:
- clean: −log2 π(x_t | x_<t), the network's categorical over the 256 bins given the clean
  history, with σ = the prior's lowest level (the net the sampler ends on). Directly
  comparable with the histogram and linear predictor of pnf.priors.references.
- sigma: the smoothed model on the data it is trained for, x̃ = x + σε (σ the lowest level,
  ε from `seed`): −log2 p_σ(x̃_t | x̃_<t) through `log_prob_terms`, minus the differential
  entropy of the added noise, log2(σ·√(2πe)). This is a density, not a probability; the
  subtraction puts it in bits of the clean signal (it tends to the clean number as σ → 0,
  and is lower where σ ≳ 1 bin blurs the bins together).
A mel-conditioned prior is conditioned on each clip's own mel spectrogram.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from pnf.audio import mel_spectrogram

LN2 = math.log(2)


def lowest_sigma(prior) -> float:
    """The lowest σ the prior was trained at (the last level it is sampled with)."""
    return float(min(prior.levels))


def clip_condition(prior, wave: np.ndarray):
    """Per-sample conditioning of a mel prior from the clip itself (None otherwise)."""
    if not prior.config.mel_channels:
        return None
    mel = mel_spectrogram(torch.from_numpy(wave)[None], rate=prior.rate)
    return prior.condition(mel, len(wave))


@torch.no_grad()
def clean_terms(net, x: torch.Tensor, sigma: float, cond=None) -> torch.Tensor:
    """(B, T) log π(x_t | x_<t) of the net's categorical at integer bins x (B, T), nats."""
    logits = net(x, sigma, cond)                                                # (B, 256, T)
    return torch.log_softmax(logits, 1).gather(1, x.long()[:, None])[:, 0]


@torch.no_grad()
def clip_terms(prior, bins: np.ndarray, sigma: float, cond=None, seed: int = 0):
    """(clean, smoothed) per-sample log terms of one clip (nats), each (T,)."""
    x = torch.as_tensor(bins, dtype=torch.float32)[None]                       # (1, T)
    clean = clean_terms(prior.net_for(sigma), x, sigma, cond)                  # (1, T)
    g = torch.Generator().manual_seed(seed)
    noisy = x + sigma * torch.randn(x.shape, generator=g)
    smooth = prior.log_prob_terms(noisy, sigma, cond)                          # (1, T)
    return clean[0].numpy(), smooth[0].numpy()


def heldout_bits(prior, clips: list[np.ndarray], sigma: float | None = None,
                 waves: list[np.ndarray] | None = None, seed: int = 0) -> dict[str, float]:
    """{"clean", "sigma"} bits per sample over `clips` ((T,) bins; `waves`: for mel priors)."""
    sigma = lowest_sigma(prior) if sigma is None else float(sigma)
    clean, smooth = [], []
    for i, bins in enumerate(clips):
        cond = clip_condition(prior, waves[i]) if waves is not None else None
        c, s = clip_terms(prior, bins, sigma, cond, seed + i)
        clean.append(c)
        smooth.append(s)
    noise_bits = math.log2(sigma * math.sqrt(2 * math.pi * math.e))
    return {"clean": float(-np.concatenate(clean).mean() / LN2),
            "sigma": float(-np.concatenate(smooth).mean() / LN2 - noise_bits)}
