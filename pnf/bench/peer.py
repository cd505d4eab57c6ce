"""The peer row: the same update through the `wavenet_vocoder` package's WaveNet.

    >>> row = peer_row(target, machine, repeats=3)   # None (with a message) when absent

`wavenet_vocoder` (PyPI wavenet-vocoder 0.1.1, r9y9) is the WaveNet the paper's reference
code builds on; it is an optional extra (`pip install -e '.[bench]'`). The peer net has
the same layers, cycles, channels and kernel, a scalar input and a 256-way output; its
logits go through the same smoothed log-likelihood (pnf.priors.smoothing), and the
gradient is taken to the input, as in a Langevin update. It has no σ input.
"""

from __future__ import annotations

import sys
import warnings

import torch

from pnf.bench.machine import Machine, median_seconds
from pnf.bench.target import Target
from pnf.priors.smoothing import smoothed_log_prob


def build_peer(target: Target, device):
    """The wavenet_vocoder WaveNet of the target's shape, or None when not installed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from wavenet_vocoder import WaveNet as PeerNet
    except ImportError:
        return None
    c = target.net_config
    net = PeerNet(out_channels=c.classes, layers=c.layers, stacks=c.cycles,
                  residual_channels=c.residual_channels, gate_channels=c.gate_channels,
                  skip_out_channels=c.skip_channels, kernel_size=c.kernel_size,
                  dropout=0.0, weight_normalization=False, scalar_input=True)
    return net.to(device).eval().requires_grad_(False)


def peer_row(target: Target, machine: Machine, repeats: int, samples: int | None = None):
    net = build_peer(target, machine.device)
    if net is None:
        print("pnf bench: wavenet_vocoder is not installed, so the peer row is skipped "
              "(install it with pip install -e '.[bench]')", file=sys.stderr)
        return None
    T = samples or target.samples
    x = torch.rand(1, T, generator=torch.Generator().manual_seed(0)).to(machine.device) * 255

    def update():
        seg = x.detach().requires_grad_(True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            logits = net(seg.unsqueeze(1) / 127.5 - 1.0)              # (1, 256, T)
        lp = smoothed_log_prob(logits, seg, 1.0).sum()
        return torch.autograd.grad(lp, seg)

    sec = median_seconds(update, machine.device, repeats)
    return {"impl": "wavenet_vocoder", "kind": "update", "size": target.size,
            "precision": "fp32", "batch": 1, "samples": T,
            **machine.row_fields(2 * target.forward_flops(T) / 1e9, sec),
            "seconds_per_chain": round(sec, 5), "grad_cosine": None, "grad_eta_err": None}
