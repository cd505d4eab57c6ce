"""PixelCNN++'s discretized logistic mixture: the clean loss and its σ-smoothed density.

    >>> from pnf.priors.logistic import discretized_log_prob, smoothed_log_prob
    >>> out = net(x_noisy, sigma)                              # (B, 10K, H, W)
    >>> nll = -discretized_log_prob(out, x_clean, x_noisy).mean()   # nats per sub-pixel
    >>> terms = smoothed_log_prob(out, x_noisy, sigma, grid=256)    # (B, 3, H, W)

The mixture indicator k is shared by the three channels of a pixel; within component k
the channels are logistic with means  m_R = μ_R,  m_G = μ_G + α x̃_R,  m_B = μ_B + β x̃_R
+ γ x̃_G  (the R→G→B autoregression, on the *noisy* values the sampler sees), each
discretized on a grid of `grid` bins covering [-1, 1] (the outer bins reach ±∞). Per
channel we return chain-rule terms log p(R), log p(G | R), log p(B | R, G): their sum is
the pixel's log-probability, and each depends only on its own and earlier channels.

Smoothing (docs/method.md#smoothing): each channel's discrete pmf over grid values g_j is convolved
with N(0, σ²):  A_ck(x̃_c) = Σ_j P_ck(g_j) N(x̃_c; g_j, σ²), then combined over k as above.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

EDGE = 1e4          # "infinite" outer bin edges, finite so gradients stay clean
MIN_LOG_SCALE = -7.0


def n_outputs(mixtures: int) -> int:
    """Network output channels: K logits + 3·K means + 3·K log-scales + 3·K coefficients."""
    return 10 * mixtures


def split(out: torch.Tensor, x_context: torch.Tensor):
    """(B, 10K, H, W), (B, 3, H, W) -> logit_pi (B, K, H, W), means and log-scales (B, 3, K, H, W).

    `x_context` supplies the same-pixel R and G values the G and B means depend on.
    """
    B, C, H, W = out.shape
    K = C // 10
    logit_pi = out[:, :K]
    rest = out[:, K:].reshape(B, 3, 3, K, H, W)                   # (B, what, channel, K, H, W)
    mu, log_s = rest[:, 0], rest[:, 1].clamp_min(MIN_LOG_SCALE)
    coef = torch.tanh(rest[:, 2])
    r, g = x_context[:, 0:1], x_context[:, 1:2]                   # (B, 1, H, W)
    means = torch.stack([mu[:, 0],
                         mu[:, 1] + coef[:, 0] * r,
                         mu[:, 2] + coef[:, 1] * r + coef[:, 2] * g], dim=1)
    return logit_pi, means, log_s


def log_bin_prob(means, log_s, lower, upper):
    """log(σ((upper-m)/s) - σ((lower-m)/s)), stable for any bin width and scale."""
    inv = torch.exp(-log_s)
    a, b = (lower - means) * inv, (upper - means) * inv
    return F.logsigmoid(b) + F.logsigmoid(-a) + torch.log(-torch.expm1(a - b))


def grid_values(grid: int, device=None, dtype=torch.float32) -> torch.Tensor:
    """The `grid` bin centres spanning [-1, 1] (grid=256: the 8-bit pixel values)."""
    return torch.linspace(-1.0, 1.0, grid, device=device, dtype=dtype)


def bin_edges(values: torch.Tensor, grid: int):
    """Lower and upper edges of the bins centred at `values` (outer bins open)."""
    half = 1.0 / (grid - 1)
    lower = torch.where(values < -1 + half / 2, torch.full_like(values, -EDGE), values - half)
    upper = torch.where(values > 1 - half / 2, torch.full_like(values, EDGE), values + half)
    return lower, upper


def chain_terms(logit_pi: torch.Tensor, per_channel: torch.Tensor) -> torch.Tensor:
    """Mixture over k with a shared indicator, split by the chain rule.

    logit_pi: (B, K, H, W); per_channel: (B, 3, K, H, W) log-likelihoods of each channel
    under component k. Returns (B, 3, H, W): log p(R), log p(G|R), log p(B|R,G).
    """
    log_pi = torch.log_softmax(logit_pi, dim=1)                  # (B, K, H, W)
    cum = log_pi.unsqueeze(1) + per_channel.cumsum(dim=1)        # (B, 3, K, H, W)
    joint = torch.logsumexp(cum, dim=2)                          # log p(x_1..c)
    return torch.cat([joint[:, :1], joint[:, 1:] - joint[:, :-1]], dim=1)


def quantize(x: torch.Tensor, grid: int = 256) -> torch.Tensor:
    """Snap values in [-1, 1] to the nearest of the `grid` bin centres."""
    steps = grid - 1
    return torch.round((x.clamp(-1, 1) + 1) * steps / 2) * 2 / steps - 1


def discretized_log_prob(out, x, x_context=None, grid: int = 256) -> torch.Tensor:
    """(B, 3, H, W) chain terms of clean values `x` (snapped to the grid) given `out`.

    x_context: the values the G/B means depend on (the noisy input; default x itself).
    """
    x = quantize(x, grid)
    logit_pi, means, log_s = split(out, x if x_context is None else x_context)
    lower, upper = bin_edges(x, grid)
    per = log_bin_prob(means, log_s, lower.unsqueeze(2), upper.unsqueeze(2))
    return chain_terms(logit_pi, per)


def grid_log_pmf(means, log_s, grid: int) -> torch.Tensor:
    """(G, ...) log-probabilities of the `grid` bins, from one logsigmoid per inner edge.

    With z_e the scaled inner edges, bin j's mass is σ(z_j) - σ(z_{j-1}) whose log is
    logσ(z_j) + logσ(-z_{j-1}) + log(1 - e^{-w/s}) (w: bin width), the outer bins
    logσ(z_0) and logσ(-z_{G-2}); same values as `log_bin_prob`, a third of the work.
    """
    inner = grid_values(grid, means.device, means.dtype)[:-1] + 1.0 / (grid - 1)
    inv = torch.exp(-log_s)
    z = (inner.view(-1, *[1] * means.dim()) - means) * inv         # (G-1, ...)
    ls = F.logsigmoid(z)                                           # log σ(z)
    ls_neg = ls - z                                                # log σ(-z)
    width = torch.log(-torch.expm1(-(2.0 / (grid - 1)) * inv))     # (...)
    return torch.cat([ls[:1], ls[1:] + ls_neg[:-1] + width, ls_neg[-1:]], dim=0)


def smoothed_log_prob(out, x_noisy, sigma, grid: int = 256) -> torch.Tensor:
    """(B, 3, H, W) chain terms of log p_σ(x̃): the grid pmf convolved with N(0, σ²).

    sigma: float or (B,) tensor on the [-1, 1] scale. Differentiable w.r.t. x_noisy.
    """
    logit_pi, means, log_s = split(out, x_noisy)                 # (B, 3, K, H, W)
    log_p = grid_log_pmf(means, log_s, grid)                     # (G, B, 3, K, H, W)
    g = grid_values(grid, x_noisy.device, x_noisy.dtype).view(-1, 1, 1, 1, 1, 1)
    s = torch.as_tensor(sigma, dtype=x_noisy.dtype, device=x_noisy.device)
    s = s.reshape(-1, 1, 1, 1, 1) if s.dim() else s              # (B, 1, 1, 1, 1) or ()
    z = (x_noisy.unsqueeze(2) - g) / s                           # (G, B, 3, 1, H, W)
    log_gauss = -0.5 * z * z - torch.log(s) - 0.5 * math.log(2 * math.pi)
    per = torch.logsumexp(log_p + log_gauss, dim=0)              # (B, 3, K, H, W)
    return chain_terms(logit_pi, per)
