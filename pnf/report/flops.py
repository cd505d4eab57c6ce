"""FLOPs of a Langevin update and of a training step, counted by torch.utils.flop_counter on a
short input (every network here is linear in its input length, so a per-position count scales).

    >>> from pnf.report.flops import wavenet, update_flops_per_sample
    >>> net = wavenet("tiny")
    >>> round(update_flops_per_sample(net) / 1e3)  # kFLOP per audio sample, forward + input grad
    54

A Langevin update is a forward pass plus the gradient with respect to the input (weights
frozen); a training step is a forward pass plus the full backward (weights and activations).
"""

from __future__ import annotations

import torch
from torch.utils.flop_counter import FlopCounterMode

COUNT_LENGTH = 2048  # audio positions the count runs over


def wavenet(size: str = "tiny", **overrides) -> torch.nn.Module:
    """A random-init WaveNet of a named size (tiny, small, paper), in eval mode."""
    from pnf.priors.train import WAVENET_SIZES
    from pnf.priors.wavenet import WaveNet, WaveNetConfig

    if size not in WAVENET_SIZES:
        raise ValueError(f"unknown WaveNet size {size!r}; use one of {list(WAVENET_SIZES)}")
    torch.manual_seed(0)
    return WaveNet(WaveNetConfig(**{**WAVENET_SIZES[size], **overrides})).eval()


def pixelcnn(size: str = "tiny", **overrides) -> torch.nn.Module:
    """A random-init PixelCNN++ of a named size, in eval mode."""
    from pnf.priors.image import PIXELCNN_SIZES
    from pnf.priors.pixelcnn import PixelCNN, PixelCNNConfig

    if size not in PIXELCNN_SIZES:
        raise ValueError(f"unknown PixelCNN++ size {size!r}; use one of {list(PIXELCNN_SIZES)}")
    torch.manual_seed(0)
    return PixelCNN(PixelCNNConfig(**{**PIXELCNN_SIZES[size], **overrides})).eval()


def _addmm_inplace(acc, a, b, *args, out_val=None, **kwargs) -> int:
    """FLOPs of acc.addmm_(a, b): a (M, K) @ b (K, N), as for addmm."""
    return 2 * a.shape[0] * a.shape[1] * b.shape[1]


_addmm_inplace._get_raw = True  # called with tensors, not shapes


def _count(step) -> float:
    # in-place addmm_ (the sampler's per-tap GEMMs, pnf.priors.kernels) is not in torch's
    # registry; it costs what addmm does
    inplace = {torch.ops.aten.addmm_: _addmm_inplace}
    with FlopCounterMode(display=False, custom_mapping=inplace) as counter:
        step()
    return float(counter.get_total_flops())


def audio_update(net: torch.nn.Module, x: torch.Tensor, train: bool = False) -> None:
    """One update's work on bins x (B, T): forward, then backward to the input (and to the
    weights when `train`)."""
    x = x.detach().requires_grad_(not train)
    for p in net.parameters():
        p.requires_grad_(train)
    cfg = net.config
    cond = None  # (B, M, T) upsampled mel when the net is mel-conditioned
    if cfg.mel_channels:
        cond = torch.zeros(x.shape[0], cfg.mel_channels, x.shape[1], device=x.device)
    sigma = 1.0 if cfg.sigma_input else None
    net(x, sigma, cond).logsumexp(1).sum().backward()  # logits (B, classes, T)


def image_update(net: torch.nn.Module, x: torch.Tensor, train: bool = False) -> None:
    """As `audio_update` for a PixelCNN++ on images x (B, 3, H, W) in [-1, 1]."""
    x = x.detach().requires_grad_(not train)
    for p in net.parameters():
        p.requires_grad_(train)
    sigma = 0.1 if net.config.sigma_input else None
    net(x, sigma).square().mean().backward()


def update_flops_per_sample(net: torch.nn.Module, train: bool = False) -> float:
    """FLOPs per audio sample of one Langevin update (or, `train`, one training step)."""
    x = torch.rand(1, COUNT_LENGTH) * 255  # (1, T) bins
    return _count(lambda: audio_update(net, x, train)) / COUNT_LENGTH


def image_flops_per_image(net: torch.nn.Module, side: int = 32, train: bool = False) -> float:
    """FLOPs per (3, side, side) image of one Langevin update (or training step)."""
    x = torch.rand(1, 3, side, side) * 2 - 1  # (1, 3, H, W)
    return _count(lambda: image_update(net, x, train))


def baseline_train_flops_per_sample(kind: str, config: dict) -> float:
    """FLOPs per input sample of one training step of a learned baseline (pnf.methods):
    forward on a (1, T) signal and the full backward."""
    from pnf.checkpoints import build_model

    net = build_model(kind, config).train()
    x = torch.randn(1, COUNT_LENGTH * 4)  # (1, T): long enough for every baseline's stride

    def step():
        out = net(x)
        out = out[0] if isinstance(out, tuple) else out
        out.square().mean().backward()
    return _count(step) / x.shape[1]
