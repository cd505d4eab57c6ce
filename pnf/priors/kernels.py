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
        half = g.shape[1] // 2
        t, s = torch.tanh(g[:, :half]), torch.sigmoid(g[:, half:])
        ctx.save_for_backward(t, s)
        return t * s

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
    def forward(ctx, h, batch: int, dilation: int, kernel: int):
        N, R = h.shape
        T = N // batch
        h3 = h.view(batch, T, R)
        X = h.new_empty(batch, T, kernel * R)
        X[..., (kernel - 1) * R:] = h3
        for j in range(kernel - 1):
            shift = (kernel - 1 - j) * dilation
            X[:, :shift, j * R:(j + 1) * R] = 0
            X[:, shift:, j * R:(j + 1) * R] = h3[:, : max(T - shift, 0)]
        ctx.shape = (batch, T, R, dilation, kernel)
        return X.view(N, kernel * R)

    @staticmethod
    def backward(ctx, dX):
        batch, T, R, dilation, kernel = ctx.shape
        dX = dX.view(batch, T, kernel * R)
        dh = dX[..., (kernel - 1) * R:].contiguous()             # (B, T, R)
        for j in range(kernel - 1):
            shift = (kernel - 1 - j) * dilation
            if shift < T:
                dh[:, : T - shift] += dX[:, shift:, j * R:(j + 1) * R]
        return dh.view(batch * T, R), None, None, None


def gated_tanh(g: torch.Tensor) -> torch.Tensor:
    return GatedTanh.apply(g)


def dilated_taps(h: torch.Tensor, batch: int, dilation: int, kernel: int) -> torch.Tensor:
    return DilatedTaps.apply(h, batch, dilation, kernel)
