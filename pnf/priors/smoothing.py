"""Gaussian smoothing of a categorical output over bin centres (PAPER.md §2).

    log p_σ(x̃_t | x̃_<t) = log Σ_k π_k · N(x̃_t; k, σ²)

    >>> logits = net(x_noisy, sigma)                # (B, 256, T)
    >>> lp = smoothed_log_prob(logits, x_noisy, sigma)   # (B, T) per-position terms
"""

from __future__ import annotations

import math

import torch


def smoothed_log_prob(logits: torch.Tensor, x: torch.Tensor, sigma) -> torch.Tensor:
    """Per-position log-density of `x` (B, T) under the σ-smoothed categorical `logits`.

    logits: (B, K, T) unnormalized scores for bins k = 0..K-1; x: (B, T) in bin units;
    sigma: float or (B,) tensor. Returns (B, T). Stable: one logsumexp over k.
    """
    K = logits.shape[1]
    sigma = torch.as_tensor(sigma, dtype=x.dtype, device=x.device).reshape(-1, 1, 1)
    centres = torch.arange(K, dtype=x.dtype, device=x.device).view(1, K, 1)
    z = (x.unsqueeze(1) - centres) / sigma                    # (B, K, T)
    log_gauss = -0.5 * z * z - torch.log(sigma) - 0.5 * math.log(2 * math.pi)
    log_pi = torch.log_softmax(logits, dim=1)                 # (B, K, T)
    return torch.logsumexp(log_pi + log_gauss, dim=1)        # (B, T)
