"""Demucs (Défossez et al. 2019): a waveform U-Net with a BiLSTM bottleneck.

    >>> import torch
    >>> from pnf.baselines.demucs import Demucs
    >>> net = Demucs(Demucs.Config(depth=2, channels=8, lstm_layers=1))
    >>> net(torch.randn(3, 1001)).shape            # mixture -> (B, sources, T)
    torch.Size([3, 2, 1001])

Encoder layer: Conv1d(kernel 8, stride 4) + ReLU + 1x1 conv to twice the channels + GLU;
channels grow by `growth` per layer. Bottleneck: bidirectional LSTM over time and a
linear map back to the channel count. Decoder layer (mirrored): add the encoder's skip,
conv of kernel `context` (3 in the paper) to twice the channels + GLU,
ConvTranspose1d(kernel 8, stride 4), ReLU except after the last layer, which outputs one
waveform per source. The strided convolutions are unpadded, so the input is padded to the
next length that every layer divides exactly and the output cropped back. The mixture is
standardized per item and the sources scaled back, as Demucs does.
Ours, not the paper's: mono input and two sources; the context conv is zero-padded to
keep its length (the reference code leaves it unpadded and center-trims the skips); no
rescaling of the initial weights.

At the paper's configuration (the defaults: depth 6, 64 channels, growth 2, 2 BiLSTM
layers, context 3) the network has 265.7 M parameters, ~1 GiB in float32 as its
authors state (tests/test_baselines.py::test_published_parameter_counts).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class DemucsConfig:
    depth: int = 6
    channels: int = 64      # channels of the first encoder layer
    growth: float = 2.0     # channel multiplier per layer
    lstm_layers: int = 2
    kernel: int = 8
    stride: int = 4
    context: int = 3        # kernel of the decoder's conv before the GLU (odd; paper 3)
    sources: int = 2        # piano, voice
    normalize: bool = True  # standardize the mixture, rescale the outputs

    def __post_init__(self):
        if self.depth < 1 or self.channels < 1 or self.stride < 1 or self.kernel < self.stride:
            raise ValueError("demucs: need depth >= 1, channels >= 1 and kernel >= stride >= 1; "
                             "fix the model config")
        if self.context < 1 or self.context % 2 == 0:
            raise ValueError(f"demucs: context must be odd and >= 1, got {self.context}")


class Demucs(nn.Module):
    kind = "demucs"   # its method name (pnf.methods): the checkpoint kind
    Config = DemucsConfig

    def __init__(self, config: DemucsConfig):
        super().__init__()
        c = self.config = config
        widths = [1] + [int(c.channels * c.growth ** i) for i in range(c.depth)]
        self.encoder = nn.ModuleList(nn.Sequential(
            nn.Conv1d(i, o, c.kernel, c.stride), nn.ReLU(), nn.Conv1d(o, 2 * o, 1), nn.GLU(1))
            for i, o in zip(widths[:-1], widths[1:], strict=True))
        outs = [c.sources, *widths[1:-1]]  # decoder layer i maps widths[i+1] -> outs[i]
        self.decoder = nn.ModuleList(nn.Sequential(
            nn.Conv1d(i, 2 * i, c.context, padding=c.context // 2), nn.GLU(1),
            nn.ConvTranspose1d(i, o, c.kernel, c.stride),
            *([nn.ReLU()] if k > 0 else []))
            for k, (i, o) in enumerate(zip(widths[1:], outs, strict=True)))
        top = widths[-1]
        self.lstm = nn.LSTM(top, top, c.lstm_layers, bidirectional=True, batch_first=True)
        self.lstm_out = nn.Linear(2 * top, top)

    def valid_length(self, length: int) -> int:
        """The smallest length >= `length` that every strided layer divides exactly."""
        c = self.config
        for _ in range(c.depth):
            length = max(-(-(length - c.kernel) // c.stride), 0) + 1
        for _ in range(c.depth):
            length = (length - 1) * c.stride + c.kernel
        return length

    def forward(self, mix: torch.Tensor) -> torch.Tensor:
        """(B, T) mixture -> (B, sources, T) estimated sources."""
        length = mix.shape[-1]
        mean, scale = 0.0, 1.0
        if self.config.normalize:
            mean = mix.mean(dim=-1, keepdim=True)
            scale = mix.std(dim=-1, correction=0, keepdim=True).clamp_min(1e-5)
        h = F.pad((mix - mean) / scale, (0, self.valid_length(length) - length)).unsqueeze(1)
        skips = []
        for layer in self.encoder:
            h = layer(h)                                 # (B, C_i, T_i)
            skips.append(h)
        h, _ = self.lstm(h.transpose(1, 2))              # (B, T_d, 2 C)
        h = self.lstm_out(h).transpose(1, 2)             # (B, C, T_d)
        for k in reversed(range(len(self.decoder))):
            h = self.decoder[k](h + skips[k])            # (B, C_{k-1}, T_{k-1})
        scale = scale.unsqueeze(1) if torch.is_tensor(scale) else scale
        return h[..., :length] * scale                   # (B, S, T)
