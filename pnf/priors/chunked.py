"""WaveNet head + smoothed log-likelihood in chunks along time: no (T, 256) tensor is kept.

    >>> skip = net.trunk(x, sigma)                         # (B·T, S) skip sum, before ReLU
    >>> terms = head_log_prob(skip, x, sigma, net.head_weights())   # (B, T)

The head (ReLU, 1x1 conv, ReLU, 1x1 conv to 256 classes) and the Gaussian smoothing of
its categorical output (pnf.priors.smoothing) are pointwise in time, so they are evaluated
on CHUNK rows at a time, which stay in the cache. When a gradient is wanted, each chunk
also computes the Jacobian of its terms with respect to its own inputs (the skip row and
x_t: each term depends only on its own row), so the backward pass is one multiply:

    ∂lp_t/∂logits = p_t − q_t,   ∂lp_t/∂x_t = (Σ_k p_tk k − x_t)/σ²,
    ∂lp_t/∂skip_t = [(((p_t − q_t) W2) ⊙ 1[u_t>0]) W1] ⊙ 1[skip_t>0]

(p: posterior over bins given x̃, q: softmax of the logits; u: the hidden pre-activation).
The head weights get no gradient here: training uses the plain path (WaveNet.forward).
"""

from __future__ import annotations

import math

import torch

from pnf.priors.smoothing import _softmax_lse

CHUNK = 2048   # rows per chunk: (CHUNK, 256) float32 is 2 MB


def _chunk(skip, x, var, w, want_grad: bool):
    """One chunk: skip (n, S), x (n,), var (n|1,) σ² -> lp (n,), d_skip (n, S), d_x (n,)."""
    w1, b1, w2, b2 = w
    a = skip.clamp_min(0)
    u = torch.addmm(b1, a, w1.T)                                       # (n, S)
    logits = torch.addmm(b2, u.clamp_min(0), w2.T)                     # (n, K)
    centres = torch.arange(logits.shape[1], dtype=x.dtype, device=x.device)
    d = (x.unsqueeze(1) - centres).mul_(torch.rsqrt(2 * var).view(-1, 1))  # (x − k)/σ√2
    scores = torch.addcmul(logits, d, d, value=-1)                     # (n, K)
    p, lse_inner = _softmax_lse(scores)
    q, lse_logits = _softmax_lse(logits)
    lp = (lse_inner - lse_logits).squeeze(1)
    if not want_grad:
        return lp, None, None
    d_x = (p @ centres - x) / var                                      # (n,)
    d_u = (p.sub_(q) @ w2).mul_(u > 0)                                 # (n, S)
    d_skip = (d_u @ w1).mul_(skip > 0)                                 # (n, S)
    return lp, d_skip, d_x


class _HeadLogProb(torch.autograd.Function):
    @staticmethod
    def forward(ctx, skip, x, var, w1, b1, w2, b2):
        """skip (N, S), x (N,), var (N|1,) -> lp (N,) without the −log σ√2π term."""
        want = ctx.needs_input_grad[0] or ctx.needs_input_grad[1]
        w = (w1, b1, w2, b2)
        lp = x.new_empty(x.shape)
        d_skip = torch.empty_like(skip) if want else None
        d_x = torch.empty_like(x) if want else None
        for a in range(0, x.shape[0], CHUNK):
            b = min(a + CHUNK, x.shape[0])
            v = var if var.numel() == 1 else var[a:b]
            out = _chunk(skip[a:b], x[a:b], v, w, want)
            lp[a:b] = out[0]
            if want:
                d_skip[a:b], d_x[a:b] = out[1], out[2]
        ctx.save_for_backward(d_skip, d_x)
        return lp

    @staticmethod
    def backward(ctx, g):
        d_skip, d_x = ctx.saved_tensors
        gs = d_skip * g.unsqueeze(1) if ctx.needs_input_grad[0] else None
        gx = d_x * g if ctx.needs_input_grad[1] else None
        return gs, gx, None, None, None, None, None


def head_log_prob(skip: torch.Tensor, x: torch.Tensor, sigma, weights) -> torch.Tensor:
    """Smoothed log-density terms (B, T) of x (B, T) from the trunk's skip sum (B·T, S).

    weights: (w1 (S, S), b1 (S,), w2 (K, S), b2 (K,)), detached (see module docstring);
    sigma: float or (B,) tensor (no gradient is taken in σ).
    """
    B, T = x.shape
    s = torch.as_tensor(sigma, dtype=x.dtype, device=x.device).detach().reshape(-1)
    var = s**2 if s.numel() == 1 else (s**2).repeat_interleave(T)
    lp = _HeadLogProb.apply(skip, x.reshape(-1), var, *weights).view(B, T)
    norm = torch.log(s) + 0.5 * math.log(2 * math.pi)                 # (B|1,)
    return lp - norm.view(-1, 1)
