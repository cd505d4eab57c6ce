"""Gaussian smoothing of a categorical output over bin centres (PAPER.md §2).

    log p_σ(x̃_t | x̃_<t) = log Σ_k π_k · N(x̃_t; k, σ²)

    >>> logits = net(x_noisy, sigma)                       # (B, 256, T)
    >>> lp = smoothed_log_prob(logits, x_noisy, sigma)     # (B, T) per-position terms
    >>> lp = smoothed_log_prob(net.logits_last(x, s), x, s, dim=-1)   # (B, T, 256) layout
"""

from __future__ import annotations

import math

import torch


def smoothed_log_prob(logits: torch.Tensor, x: torch.Tensor, sigma, dim: int = 1):
    """Per-position log-density of `x` (B, T) under the σ-smoothed categorical `logits`.

    logits: scores for bins k = 0..K-1 along `dim` ((B, K, T) or (B, T, K) with dim=-1);
    x: (B, T) in bin units; sigma: float or (B,) tensor. Returns (B, T). Computed as
    logsumexp_k(logits_k - (x - k)² / 2σ²) - logsumexp_k(logits_k) - log(σ √(2π)),
    both stable, without materializing the normalized log-probabilities.
    """
    K = logits.shape[dim]
    last = dim in (-1, logits.dim() - 1)
    shape = (1, 1, K) if last else (1, K, 1)
    sigma = torch.as_tensor(sigma, dtype=x.dtype, device=x.device).reshape(-1, 1, 1)
    centres = torch.arange(K, dtype=x.dtype, device=x.device).view(shape)
    diff = x.unsqueeze(dim) - centres                                   # like logits
    inner = torch.addcmul(logits, diff, diff * (-0.5 / sigma**2))       # like logits
    norm = torch.log(sigma.view(-1, 1)) + 0.5 * math.log(2 * math.pi)  # (B|1, 1)
    return torch.logsumexp(inner, dim) - torch.logsumexp(logits, dim) - norm
