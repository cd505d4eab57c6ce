"""Hand-written autograd functions for the WaveNet hot path (fewer passes over memory).

    >>> z = gated_tanh(g)                 # (N, G) -> (N, G/2): tanh(g[:, :G/2]) * σ(g[:, G/2:])
    >>> X = dilated_taps(h, B, d, k)      # (B·T, R) -> (B·T, k·R): [h_{t-(k-1)d} … h_t]

Both return contiguous tensors and give contiguous gradients, so no strided slice views
reach autograd (which would zero-fill and copy whole activations in the backward pass).
"""

from __future__ import annotations

import torch


class GatedTanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, g):
        """g (N, G) in float32, or bfloat16 (then computed in float32, z returned in bf16)."""
        half = g.shape[1] // 2
        if g.dtype == torch.float32:
            t, s = torch.tanh(g[:, :half]), torch.sigmoid(g[:, half:])
        else:       # bf16 tanh/sigmoid are slower than fp32 on CPUs; convert once
            t, s = g[:, :half].float().tanh_(), g[:, half:].float().sigmoid_()
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


def gated_tanh(g: torch.Tensor) -> torch.Tensor:
    return GatedTanh.apply(g)


def dilated_taps(h: torch.Tensor, batch: int, dilation: int, kernel: int,
                 dtype: torch.dtype | None = None) -> torch.Tensor:
    """Stacked taps in `dtype` (default h's: bf16 for bf16 GEMMs); gradient in h's dtype."""
    return DilatedTaps.apply(h, batch, dilation, kernel, dtype or h.dtype)
