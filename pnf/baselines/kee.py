"""The KEE audio super-resolution U-Net (Kuleshov, Enam & Ermon 2017; docs/method.md#baselines).

    >>> import torch
    >>> from pnf.baselines.kee import KEE
    >>> net = KEE(KEE.Config(factor=4, filters=(8, 16), kernels=(9, 5)))
    >>> net(torch.randn(2, 1000)).shape          # spline-upsampled input, any length
    torch.Size([2, 1000])

Down blocks halve the length (stride-2 conv + LeakyReLU 0.2), a stride-2 bottleneck
with dropout follows, and mirrored up blocks (conv to 2·F channels, dropout, ReLU,
sub-pixel shuffle doubling the length, concatenation with the matching down block's
output) climb back; a last conv + shuffle gives one channel that is added to the input
(the network predicts the residual to the spline). The input is padded to a multiple of
2^(blocks+1) and cropped back. One model per factor: `config.factor` is checked when
the model is applied.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class KEEConfig:
    factor: int = 4                         # the super-resolution factor it is trained for
    filters: tuple = (128, 384, 512, 512)   # channels of each down block (paper size)
    kernels: tuple = (65, 33, 17, 9)        # kernel of each down block (odd)
    final_kernel: int = 9
    dropout: float = 0.5                    # bottleneck and up blocks, as in KEE
    slope: float = 0.2                      # LeakyReLU slope of the down blocks

    def __post_init__(self):
        self.filters, self.kernels = tuple(self.filters), tuple(self.kernels)
        if not self.filters or len(self.filters) != len(self.kernels):
            raise ValueError(f"kee: filters {self.filters} and kernels {self.kernels} must be "
                             "non-empty and of equal length (one per block)")
        if any(k % 2 == 0 for k in (*self.kernels, self.final_kernel)):
            raise ValueError("kee: kernel sizes must be odd (same padding); fix the model config")
        if self.factor < 1:
            raise ValueError(f"kee: factor must be >= 1, got {self.factor}")


def pixel_shuffle_1d(x: torch.Tensor, r: int = 2) -> torch.Tensor:
    """(B, C*r, L) -> (B, C, L*r): the r channel groups interleave along time."""
    b, c, n = x.shape
    return x.view(b, c // r, r, n).permute(0, 1, 3, 2).reshape(b, c // r, n * r)


def _conv(c_in: int, c_out: int, k: int, stride: int = 1) -> nn.Conv1d:
    return nn.Conv1d(c_in, c_out, k, stride=stride, padding=k // 2)


class KEE(nn.Module):
    kind = "kee"   # its method name (pnf.methods): the checkpoint kind
    Config = KEEConfig

    def __init__(self, config: KEEConfig):
        super().__init__()
        c = self.config = config
        ins = (1, *c.filters[:-1])
        self.down = nn.ModuleList(_conv(i, f, k, 2) for i, f, k in zip(ins, c.filters,
                                                                          c.kernels, strict=True))
        self.bottleneck = _conv(c.filters[-1], c.filters[-1], c.kernels[-1], 2)
        # up block i sees the bottleneck (i = last) or the previous up block's concat
        up_ins = [*(2 * f for f in c.filters[1:]), c.filters[-1]]
        self.up = nn.ModuleList(_conv(i, 2 * f, k) for i, f, k in zip(up_ins, c.filters,
                                                                       c.kernels, strict=True))
        self.final = _conv(2 * c.filters[0], 2, c.final_kernel)
        self.drop = nn.Dropout(c.dropout)

    @property
    def multiple(self) -> int:
        return 2 ** (len(self.config.filters) + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T) spline-upsampled signal -> (B, T) restored signal."""
        length = x.shape[-1]
        pad = -length % self.multiple
        h = F.pad(x, (0, pad)).unsqueeze(1)  # (B, 1, T')
        inp, skips = h, []
        for conv in self.down:
            h = F.leaky_relu(conv(h), self.config.slope)  # (B, F_i, T'/2^(i+1))
            skips.append(h)
        h = F.leaky_relu(self.drop(self.bottleneck(h)), self.config.slope)
        for conv, skip in zip(reversed(self.up), reversed(skips), strict=True):
            h = pixel_shuffle_1d(F.relu(self.drop(conv(h))))  # (B, F_i, 2L)
            h = torch.cat([h, skip], dim=1)                  # (B, 2 F_i, 2L)
        h = pixel_shuffle_1d(self.final(h)) + inp            # (B, 1, T')
        return h[:, 0, :length]
