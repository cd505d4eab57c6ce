"""Ancestral (sequential) sampling of a WaveNet with cached incremental convolutions.

    >>> from pnf.priors.ancestral import ancestral_sample
    >>> bins = ancestral_sample(net, length=22050, batch=1, sigma=0.1, seed=0)  # (1, 22050)

Each dilated layer keeps a ring buffer of its last (kernel-1)·dilation inputs, so a step
costs one small matmul per layer instead of a pass over the whole history. The step runs
in NumPy (microsecond-scale calls beat per-op framework overhead at batch 1). The history
the net sees is the sampled bin plus N(0, σ²) noise, as the smoothed model was trained.
`naive_sample` recomputes the full forward pass at each step; for the same seed both
return the same samples (tested).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from pnf.progress import progress as progress_bar


def _draws(batch: int, length: int, seed: int):
    """The random numbers both samplers consume: uniforms for the category, normals for σ."""
    g = torch.Generator().manual_seed(seed)
    u = torch.rand(batch, length, generator=g, dtype=torch.float64).numpy()
    eps = torch.randn(batch, length, generator=g, dtype=torch.float64).numpy()
    return u, eps


def _pick(logits: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw of one category per row: logits (B, K), u (B,) -> (B,)."""
    p = np.exp(logits - logits.max(1, keepdims=True))
    cdf = np.cumsum(p, axis=1)
    k = (cdf < (u * cdf[:, -1])[:, None]).sum(1)
    return np.minimum(k, logits.shape[1] - 1)


class _Weights:
    """The net's weights laid out for per-step matmuls, in `dtype`."""

    def __init__(self, net, dtype, sigma, cond, batch):
        def a(t):
            return t.detach().cpu().numpy().astype(dtype)

        c = net.config
        self.k, self.R = c.kernel_size, c.residual_channels
        self.lift_w, self.lift_b = a(net.lift.weight[:, 0, 0]), a(net.lift.bias)
        # conv weight (G, R, k): tap j multiplies h_{t-(k-1-j)d}; stack taps along inputs
        self.convs = [a(cv.weight.permute(2, 1, 0).reshape(self.k * self.R, -1))
                      for cv in net.convs]
        self.conv_b = [a(cv.bias) for cv in net.convs]
        if c.sigma_input:
            bias = net.sigma_biases(sigma, batch, net.lift.weight.device)  # (B, L, G)
            self.conv_b = [b + a(bias[:, i]) for i, b in enumerate(self.conv_b)]
        self.cond = None
        if cond is not None:  # (B, M, T) -> per layer (B, T, G)
            self.cond = [a(proj(cond).transpose(1, 2)) for proj in net.cond_proj]
        self.outs = [a(o.weight[:, :, 0].T) for o in net.outs]
        self.out_b = [a(o.bias) for o in net.outs]
        self.h1, self.h1_b = a(net.head1.weight[:, :, 0].T), a(net.head1.bias)
        self.h2, self.h2_b = a(net.head2.weight[:, :, 0].T), a(net.head2.bias)
        self.half = c.gate_channels // 2


@torch.no_grad()
def ancestral_sample(net, length: int, batch: int = 1, sigma: float = 0.1, seed: int = 0,
                     cond: torch.Tensor | None = None, dtype=np.float32,
                     progress: bool | None = None) -> np.ndarray:
    """Sample `length` bins per row, one step at a time. Returns (batch, length) int64."""
    w = _Weights(net, dtype, sigma, cond, batch)
    u, eps = _draws(batch, length, seed)
    dil = net.dilations
    rings = [np.zeros(((w.k - 1) * d, batch, w.R), dtype) for d in dil]
    out = np.zeros((batch, length), np.int64)
    prev = np.zeros(batch, dtype)                       # normalized input x_{t-1}; 0 at t=0
    root = dtype(math.sqrt(0.5))
    steps = progress_bar(range(length), desc="ancestral", unit="sample", disable=progress is False)
    for t in steps:
        h = prev[:, None] * w.lift_w + w.lift_b                        # (B, R)
        skip = 0
        for i, d in enumerate(dil):
            ring, size = rings[i], (w.k - 1) * d
            taps = [ring[(t - (w.k - 1 - j) * d) % size] for j in range(w.k - 1)]
            g = np.concatenate([*taps, h], axis=1) @ w.convs[i] + w.conv_b[i]  # (B, G)
            if w.cond is not None:
                g += w.cond[i][:, t]
            z = np.tanh(g[:, : w.half]) * (0.5 + 0.5 * np.tanh(0.5 * g[:, w.half:]))
            rs = z @ w.outs[i] + w.out_b[i]                              # (B, R+S)
            ring[t % size] = h
            h = (h + rs[:, : w.R]) * root
            skip = skip + rs[:, w.R:]
        hid = np.maximum(np.maximum(skip, 0) @ w.h1 + w.h1_b, 0)
        out[:, t] = _pick(hid @ w.h2 + w.h2_b, u[:, t])
        prev = ((out[:, t] + sigma * eps[:, t]) / 127.5 - 1).astype(dtype)
    return out


@torch.no_grad()
def naive_sample(net, length: int, batch: int = 1, sigma: float = 0.1, seed: int = 0,
                 cond: torch.Tensor | None = None, dtype=torch.float32) -> np.ndarray:
    """Reference sampler: a full forward pass over the history at every step (O(T²))."""
    u, eps = _draws(batch, length, seed)
    net = net.to(dtype)
    noisy = torch.zeros(batch, length, dtype=dtype)
    out = np.zeros((batch, length), np.int64)
    for t in range(length):
        c = None if cond is None else cond[..., : t + 1].to(dtype)
        logits = net(noisy[:, : t + 1], sigma, c)[:, :, t].double().numpy()  # (B, K)
        out[:, t] = _pick(logits, u[:, t])
        noisy[:, t] = torch.from_numpy(out[:, t] + sigma * eps[:, t]).to(dtype)
    return out
