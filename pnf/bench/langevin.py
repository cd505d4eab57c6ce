"""Rows for the Langevin update: forward + smoothed log-likelihood + gradient to the input.

    >>> rows = update_rows(target, machine, precisions=("fp32", "bf16"), batches=(1, 4))
    >>> guard = precision_guard(target, net, "bf16", device)   # cosine, η·∇ error per σ

One update of B chains of one clip is one batched call (B, T); `seconds_per_chain` is
seconds_per_update / B. The guard compares the input gradient at every σ of the target's
ladder with the float32 one: cosine, relative L2 error, and the RMS of η·Δ∇ over the
Langevin noise std √(2η) (η = δσ²/σ_L²), the step's error against the noise it adds.
"""

from __future__ import annotations

import math

import torch

from pnf.bench.machine import Machine, median_seconds
from pnf.bench.target import Target


def input_gradient(net, x: torch.Tensor, sigma: float) -> torch.Tensor:
    """∇_x Σ_t log p_σ(x_t | x̃_<t) for x (B, T), as the sampler computes it."""
    seg = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(net.smoothed_terms(seg, sigma).sum(), seg)
    return grad


def grad_errors(ref: torch.Tensor, got: torch.Tensor, eta: float) -> dict:
    """Cosine, relative L2 and RMS(η·Δ∇)/√(2η) of `got` against `ref` (same shape)."""
    ref, got = ref.double().flatten(), got.double().flatten()
    diff = (got - ref).norm()
    return {"cosine": float(torch.nn.functional.cosine_similarity(ref, got, dim=0)),
            "rel_l2": float(diff / ref.norm()),
            "eta_err": float(eta * diff / math.sqrt(ref.numel()) / math.sqrt(2 * eta))}


def precision_guard(target: Target, net, precision: str, x: torch.Tensor) -> list[dict]:
    """Per σ of the ladder: the `precision` input gradient against float32's."""
    out = []
    for sigma in target.sigmas:
        eta = target.delta * sigma**2 / min(target.sigmas) ** 2
        net.precision = "fp32"
        ref = input_gradient(net, x, sigma)
        net.precision = precision
        out.append({"sigma": sigma, **grad_errors(ref, input_gradient(net, x, sigma), eta)})
    net.precision = "fp32"
    return out


def update_rows(target: Target, machine: Machine, precisions, batches, repeats: int,
                samples: int | None = None) -> list[dict]:
    """One row per (precision, batch): the update's time, FLOPs and same-run ceilings."""
    device = machine.device
    net = target.build(device)
    T = samples or target.samples
    gen = torch.Generator(device).manual_seed(0)
    clip = torch.rand(1, T, generator=gen, device=device) * 255
    rows = []
    for precision in precisions:
        guard = precision_guard(target, net, precision, clip) if precision != "fp32" else []
        net.precision = precision
        for batch in batches:
            x = clip.expand(batch, T).contiguous()        # B chains of one clip
            sec = median_seconds(lambda x=x: input_gradient(net, x, 1.0), device, repeats)
            row = {"impl": "pnf", "kind": "update", "size": target.size,
                   "precision": precision, "batch": batch, "samples": T,
                   **machine.row_fields(2 * target.forward_flops(T * batch) / 1e9, sec),
                   "seconds_per_chain": round(sec / batch, 5),
                   "grad_cosine": min((g["cosine"] for g in guard), default=None),
                   "grad_eta_err": max((g["eta_err"] for g in guard), default=None)}
            rows.append(row)
    net.precision = "fp32"
    return rows
