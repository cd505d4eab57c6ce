"""Conv-TasNet (Luo & Mesgarani 2019): a learned filterbank masked by a dilated TCN.

    >>> import torch
    >>> from pnf.baselines.convtasnet import ConvTasNet
    >>> net = ConvTasNet(ConvTasNet.Config(N=16, L=8, B=8, H=16, X=2, R=1))
    >>> net(torch.randn(3, 1001)).shape            # mixture -> (B, sources, T)
    torch.Size([3, 2, 1001])

Encoder: Conv1d(1, N, L, stride L/2) + ReLU. Separator: gLN, 1x1 conv N -> B, then R
repeats of X blocks with dilations 1, 2, ..., 2^(X-1); each block is 1x1 conv B -> H,
PReLU, gLN, depthwise conv (kernel P, dilated), PReLU, gLN, and 1x1 convs back to the
residual path (B) and the skip path (Sc). The summed skips go through PReLU and a 1x1
conv to one mask per source (sigmoid or ReLU). Decoder: ConvTranspose1d(N, 1, L, L/2)
of each masked representation. Non-causal, as in the paper's best configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class ConvTasNetConfig:
    N: int = 512        # encoder filters
    L: int = 16         # filter length in samples (even; hop L/2)
    B: int = 128        # bottleneck channels (residual path)
    Sc: int = 128       # skip-path channels
    H: int = 512        # channels inside each conv block
    P: int = 3          # depthwise kernel size (odd)
    X: int = 8          # blocks per repeat (dilations 1 .. 2^(X-1))
    R: int = 3          # repeats
    sources: int = 2    # piano, voice
    mask: str = "sigmoid"  # or "relu"

    def __post_init__(self):
        if self.L < 2 or self.L % 2:
            raise ValueError(f"convtasnet: L must be even and >= 2, got {self.L}")
        if self.P % 2 == 0:
            raise ValueError(f"convtasnet: P must be odd, got {self.P}")
        if self.mask not in ("sigmoid", "relu"):
            raise ValueError(f"convtasnet: mask must be 'sigmoid' or 'relu', got {self.mask!r}")


class GlobalLayerNorm(nn.Module):
    """gLN: normalize each item over channels and time, then per-channel scale and shift."""

    def __init__(self, channels: int, eps: float = 1e-8):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(1, channels, 1))
        self.beta = nn.Parameter(torch.zeros(1, channels, 1))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, T)
        mean = x.mean(dim=(1, 2), keepdim=True)
        var = (x - mean).pow(2).mean(dim=(1, 2), keepdim=True)
        return self.gamma * (x - mean) / torch.sqrt(var + self.eps) + self.beta


class ConvBlock(nn.Module):
    """1x1 conv -> PReLU -> gLN -> dilated depthwise conv -> PReLU -> gLN -> res, skip."""

    def __init__(self, c: ConvTasNetConfig, dilation: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(c.B, c.H, 1), nn.PReLU(), GlobalLayerNorm(c.H),
            nn.Conv1d(c.H, c.H, c.P, dilation=dilation, padding=dilation * (c.P - 1) // 2,
                      groups=c.H),
            nn.PReLU(), GlobalLayerNorm(c.H))
        self.res = nn.Conv1d(c.H, c.B, 1)
        self.skip = nn.Conv1d(c.H, c.Sc, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.net(x)  # (B, H, F)
        return x + self.res(h), self.skip(h)


class ConvTasNet(nn.Module):
    kind = "convtasnet"   # its method name (pnf.methods): the checkpoint kind
    Config = ConvTasNetConfig

    def __init__(self, config: ConvTasNetConfig):
        super().__init__()
        c = self.config = config
        self.encoder = nn.Conv1d(1, c.N, c.L, stride=c.L // 2, bias=False)
        self.norm = GlobalLayerNorm(c.N)
        self.lift = nn.Conv1d(c.N, c.B, 1)
        self.blocks = nn.ModuleList(ConvBlock(c, 2 ** x) for _ in range(c.R) for x in range(c.X))
        self.mask_out = nn.Sequential(nn.PReLU(), nn.Conv1d(c.Sc, c.sources * c.N, 1))
        self.decoder = nn.ConvTranspose1d(c.N, 1, c.L, stride=c.L // 2, bias=False)

    def bytes_per_position(self) -> int:
        """Activations one mixture sample keeps for backward (pnf.resources): per frame
        (2/L of a sample), each block's 8 H-channel and 4 B/Sc-channel tensors, plus the
        encoder's and masks'. The paper's size: 58 kB a sample, 20 GB for 8 x 44 100."""
        c = self.config
        per_frame = c.X * c.R * (8 * c.H + 2 * c.B + 2 * c.Sc) + 4 * c.N + 3 * c.sources * c.N
        return 4 * per_frame * 2 // c.L

    def forward(self, mix: torch.Tensor) -> torch.Tensor:
        """(B, T) mixture -> (B, sources, T) estimated sources."""
        c, (batch, length) = self.config, mix.shape
        hop = c.L // 2
        frames = max(-(-(length - c.L) // hop), 0) + 1       # enough frames to cover T
        x = F.pad(mix, (0, (frames - 1) * hop + c.L - length)).unsqueeze(1)
        w = F.relu(self.encoder(x))                           # (B, N, F)
        h, skips = self.lift(self.norm(w)), 0
        for block in self.blocks:
            h, s = block(h)
            skips = skips + s                                 # (B, Sc, F)
        m = self.mask_out(skips).view(batch, c.sources, c.N, -1)
        m = torch.sigmoid(m) if c.mask == "sigmoid" else F.relu(m)
        masked = (w.unsqueeze(1) * m).flatten(0, 1)           # (B*S, N, F)
        out = self.decoder(masked).view(batch, c.sources, -1)  # (B, S, T')
        return out[..., :length]
