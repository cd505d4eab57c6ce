"""Training losses of the learned baselines: `LOSSES[spec.loss](model, batch, generator)`,
the loss named by each method's spec (`pnf.methods`).

    >>> import torch
    >>> from pnf.baselines.losses import CRITERIA, si_sdr
    >>> s = torch.randn(4, 2, 1000)                      # (B, sources, T) targets
    >>> bool(CRITERIA["neg_snr"](-s, s) > CRITERIA["neg_snr"](0 * s, s))
    True
    >>> bool((si_sdr(-s, s) == si_sdr(s, s)).all())      # why SI-SDR is not the loss
    True

KEE: L2 error to the clean signal (as in KEE). Demucs: L1 error of each source (as in
Demucs). Conv-TasNet: negative SNR of each audible source. The Conv-TasNet paper trains on
negative SI-SNR, but SI-SNR projects the estimate onto the target with a signed gain, so
-s scores exactly as well as s: nothing in that loss fixes the sign (or the gain) of an
output, and our decoder (a learned linear map) is free to settle on either. On `small`
that gave a piano whose SI-SDR was 8.0 dB while its SDR was -5.0. SNR,
10·log10(‖s‖² / ‖s - ŝ‖²), rewards the estimate itself: -s scores -6 dB, worse than
silence (0 dB). Both sources are scaled parts of the mixture the model sees, so the gain
is identifiable and SNR asks for nothing the input does not determine. Ours, not the paper's.
"""

from __future__ import annotations

import torch

EPS = 1e-8


def si_sdr(estimate: torch.Tensor, target: torch.Tensor, eps: float = EPS) -> torch.Tensor:
    """Scale-invariant SDR in dB over the last axis (both zero-meaned first)."""
    estimate = estimate - estimate.mean(-1, keepdim=True)
    target = target - target.mean(-1, keepdim=True)
    alpha = (estimate * target).sum(-1, keepdim=True) / (target.pow(2).sum(-1, keepdim=True)
                                                         + eps)
    proj = alpha * target
    return 10 * torch.log10((proj.pow(2).sum(-1) + eps) / ((estimate - proj).pow(2).sum(-1)
                                                           + eps))


def snr(estimate: torch.Tensor, target: torch.Tensor, eps: float = EPS) -> torch.Tensor:
    """SNR in dB over the last axis: sensitive to the estimate's sign and gain."""
    return 10 * torch.log10((target.pow(2).sum(-1) + eps)
                            / ((target - estimate).pow(2).sum(-1) + eps))


def neg_snr(estimate: torch.Tensor, sources: torch.Tensor) -> torch.Tensor:
    """Mean negative SNR over the (B, S) sources that are not silent in the crop."""
    loss = -snr(estimate, sources)                                     # (B, S)
    audible = sources.pow(2).sum(-1) > 1e-6
    if not audible.any():
        return loss.sum() * 0.0
    return loss[audible].mean()


def l1(estimate: torch.Tensor, sources: torch.Tensor) -> torch.Tensor:
    return (estimate - sources).abs().mean()


CRITERIA = {"neg_snr": neg_snr, "l1": l1}  # (estimate, sources) -> loss of a separator


def _on(model, batch):
    device = next(model.parameters()).device
    return [b.to(device) for b in batch]


def l2_loss(model, batch, gen):
    inp, target = _on(model, batch)
    return (model(inp) - target).pow(2).mean()


def separation_loss(criterion):
    """loss_fn for `pnf.training.train`: criterion(model(mixture), sources)."""
    def loss_fn(model, batch, gen):
        mixture, sources = _on(model, batch)                           # (B, T), (B, S, T)
        return criterion(model(mixture), sources)
    return loss_fn


LOSSES = {"l2": l2_loss, **{name: separation_loss(c) for name, c in CRITERIA.items()}}
