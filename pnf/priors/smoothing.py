"""Gaussian smoothing of a categorical output over bin centres (docs/method.md#smoothing).

    log p_σ(x̃_t | x̃_<t) = log Σ_k π_k · N(x̃_t; k, σ²)

    >>> logits = net(x_noisy, sigma)                       # (B, 256, T)
    >>> lp = smoothed_log_prob(logits, x_noisy, sigma)     # (B, T) per-position terms
    >>> lp = smoothed_log_prob(net.logits_last(x, s), x, s, dim=-1)   # (B, T, 256) layout

This is the innermost term of every Langevin update, evaluated on (B, T, 256) values, so it
has a hand-written gradient: the forward pass keeps the two softmaxes and the backward is
    ∂/∂logits_k = g · (p_k − π_k),   ∂/∂x = −g/σ² · (x − Σ_k p_k k)
with p the posterior over bins given x̃ (softmax of logits − (x − k)²/2σ²). Exponents are
clamped at −EXP_FLOOR below the row maximum: terms that small (< e⁻⁶⁰ of the largest) do not
change a float32 or float64 sum, and the CPU's exp is some 30× slower where it underflows,
which at σ ≲ 10 is nearly every bin.
"""

from __future__ import annotations

import math

import torch

EXP_FLOOR = 60.0


def _softmax_lse(scores: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Softmax over the last dim and logsumexp (keepdim), reusing `scores` as the buffer."""
    top = scores.amax(-1, keepdim=True)
    probs = scores.sub_(top).clamp_(min=-EXP_FLOOR).exp_()
    total = probs.sum(-1, keepdim=True)
    return probs.div_(total), top + total.log()


class _Smoothed(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, x, sigma):
        """logits (B, T, K), x (B, T), sigma (B|1, 1, 1) -> (B, T)."""
        centres = torch.arange(logits.shape[-1], dtype=x.dtype, device=x.device)
        diff = x.unsqueeze(-1) - centres                                  # (B, T, K)
        p, lse_inner = _softmax_lse(torch.addcmul(logits, diff, diff * (-0.5 / sigma**2)))
        q, lse_logits = _softmax_lse(logits.clone())
        ctx.save_for_backward(p, q, x, sigma, centres)
        norm = torch.log(sigma) + 0.5 * math.log(2 * math.pi)            # (B|1, 1, 1)
        return (lse_inner - lse_logits - norm).squeeze(-1)

    @staticmethod
    def backward(ctx, g):
        p, q, x, sigma, centres = ctx.saved_tensors
        d_logits = d_x = None
        if ctx.needs_input_grad[0]:
            d_logits = (p - q).mul_(g.unsqueeze(-1))                      # (B, T, K)
        if ctx.needs_input_grad[1]:
            mean_bin = p @ centres                                        # (B, T)
            d_x = g * (mean_bin - x) / sigma.view(-1, 1) ** 2
        return d_logits, d_x, None


def smoothed_log_prob(logits: torch.Tensor, x: torch.Tensor, sigma, dim: int = 1):
    """Per-position log-density of `x` (B, T) under the σ-smoothed categorical `logits`.

    logits: scores for bins k = 0..K-1 along `dim` ((B, K, T) or (B, T, K) with dim=-1);
    x: (B, T) in bin units; sigma: float or (B,) tensor (no gradient is taken in σ).
    Returns (B, T) = logsumexp_k(logits_k − (x − k)²/2σ²) − logsumexp_k(logits_k) − log σ√2π.
    """
    if dim not in (-1, logits.dim() - 1):
        logits = logits.movedim(dim, -1)
    sigma = torch.as_tensor(sigma, dtype=x.dtype, device=x.device).detach().reshape(-1, 1, 1)
    return _Smoothed.apply(logits, x, sigma)
