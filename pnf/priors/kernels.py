"""Hand-written autograd functions for the WaveNet hot path (fewer passes over memory).

    >>> z = gated_tanh(g)                 # (N, G) -> (N, G/2): tanh(g[:, :G/2]) * σ(g[:, G/2:])
    >>> X = dilated_taps(h, B, d, k)      # (B·T, R) -> (B·T, k·R): [h_{t-(k-1)d} … h_t]
    >>> g = dilated_gate(h, B, d, w, bias)  # Σ_j h_{t-(k-1-j)d} @ w[jR:(j+1)R] + bias: (B·T, G)

All return contiguous tensors and give contiguous gradients, so no strided slice views
reach autograd (which would zero-fill and copy whole activations in the backward pass).
`dilated_gate` (inputs only, no weight gradient: the sampler's path) does not stack the
taps at all: each tap is one GEMM accumulated into row-shifted slices of the output.
"""

from __future__ import annotations

import torch


class GatedTanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, g):
        """g (N, G) in float32, or bfloat16 (then computed in float32, z returned in bf16)."""
        half = g.shape[1] // 2
        if g.dtype == torch.bfloat16:   # bf16 tanh/sigmoid are slower than fp32 on CPUs
            t, s = g[:, :half].float().tanh_(), g[:, half:].float().sigmoid_()
        else:
            t, s = torch.tanh(g[:, :half]), torch.sigmoid(g[:, half:])
        ctx.save_for_backward(t, s)
        return torch.mul(t, s, out=g.new_empty(t.shape))

    @staticmethod
    def backward(ctx, gz):
        t, s = ctx.saved_tensors
        half = t.shape[1]
        dg = gz.new_empty(gz.shape[0], 2 * half)
        gs = gz * s                                              # gz · ∂z/∂t
        gts = gs * t                                             # gz · z
        torch.addcmul(gs, gts, t, value=-1, out=dg[:, :half])    # gz·s·(1 - t²)
        torch.addcmul(gts, gts, s, value=-1, out=dg[:, half:])   # gz·t·s·(1 - s)
        return dg


class DilatedTaps(torch.autograd.Function):
    @staticmethod
    def forward(ctx, h, batch: int, dilation: int, kernel: int, dtype):
        N, R = h.shape
        T = N // batch
        h3 = h.view(batch, T, R)
        X = h.new_empty(batch, T, kernel * R, dtype=dtype)       # cast while copying
        X[..., (kernel - 1) * R:] = h3
        for j in range(kernel - 1):
            shift = (kernel - 1 - j) * dilation
            X[:, :shift, j * R:(j + 1) * R] = 0
            X[:, shift:, j * R:(j + 1) * R] = h3[:, : max(T - shift, 0)]
        ctx.shape, ctx.dtype = (batch, T, R, dilation, kernel), h.dtype
        return X.view(N, kernel * R)

    @staticmethod
    def backward(ctx, dX):
        batch, T, R, dilation, kernel = ctx.shape
        dX = dX.view(batch, T, kernel * R)
        dh = dX[..., (kernel - 1) * R:].to(ctx.dtype, copy=True)  # (B, T, R)
        for j in range(kernel - 1):
            shift = (kernel - 1 - j) * dilation
            if shift < T:
                dh[:, : T - shift] += dX[:, shift:, j * R:(j + 1) * R]
        return dh.view(batch * T, R), None, None, None, None


class DilatedGate(torch.autograd.Function):
    @staticmethod
    def forward(ctx, h, batch: int, dilation: int, w, bias):
        """h (B·T, R), w (k·R, G) in the GEMM dtype, bias (B|1, G) -> g (B·T, G)."""
        N, R = h.shape
        T, k = N // batch, w.shape[0] // R
        last = w[(k - 1) * R:]
        g = torch.addmm(bias, h, last) if bias.shape[0] == 1 else \
            (h @ last).view(batch, T, -1).add_(bias.unsqueeze(1)).view(N, -1)
        for j, b, shift in _taps(batch, T, dilation, k):
            rows = slice(b * T + shift, (b + 1) * T)
            g[rows].addmm_(h[b * T: (b + 1) * T - shift], w[j * R:(j + 1) * R])
        ctx.save_for_backward(w)
        ctx.shape = (batch, T, dilation, k, R)
        return g

    @staticmethod
    def backward(ctx, dg):
        (w,) = ctx.saved_tensors
        batch, T, dilation, k, R = ctx.shape
        dg = dg.to(w.dtype)
        dh = dg @ w[(k - 1) * R:].T                                # (B·T, R)
        for j, b, shift in _taps(batch, T, dilation, k):
            rows = slice(b * T, (b + 1) * T - shift)
            dh[rows].addmm_(dg[b * T + shift: (b + 1) * T], w[j * R:(j + 1) * R].T)
        return dh, None, None, None, None


def _taps(batch: int, T: int, dilation: int, k: int):
    """(tap j, batch item b, shift (k-1-j)·d) for every earlier tap that reaches inside T."""
    for j in range(k - 1):
        shift = (k - 1 - j) * dilation
        if shift < T:
            yield from ((j, b, shift) for b in range(batch))


def dilated_gate(h: torch.Tensor, batch: int, dilation: int, w: torch.Tensor,
                 bias: torch.Tensor) -> torch.Tensor:
    """Gate pre-activations of a causal dilated conv over h (B·T, R), no taps stacked.

    w: (k·R, G) taps weights, earliest tap first; bias: (B|1, G). The GEMMs run in w's
    dtype (h is cast once if it differs); no gradient is taken to w or bias.
    """
    return DilatedGate.apply(h.to(w.dtype), batch, dilation, w.detach(), bias.detach())


def gated_tanh(g: torch.Tensor) -> torch.Tensor:
    return GatedTanh.apply(g)


def dilated_taps(h: torch.Tensor, batch: int, dilation: int, kernel: int,
                 dtype: torch.dtype | None = None) -> torch.Tensor:
    """Stacked taps in `dtype` (default h's: bf16 for bf16 GEMMs); gradient in h's dtype."""
    return DilatedTaps.apply(h, batch, dilation, kernel, dtype or h.dtype)
