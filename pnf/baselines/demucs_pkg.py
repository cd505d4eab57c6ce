"""The maintained Demucs (PyPI `demucs`, Défossez et al.) as a pnf baseline, trained by us.

    pip install 'pnf[demucs]'     # demucs 4.1.0: no torchaudio for its model classes
    pnf train baseline --method demucs_pkg --config demucs.yaml \\
        --piano data/embedded/piano --voice data/embedded/voice --out demucs_pkg.pt

    >>> import torch
    >>> from pnf.baselines.demucs_pkg import PackageDemucs
    >>> net = PackageDemucs(PackageDemucs.Config(depth=2, channels=8, lstm_layers=1))
    >>> net(torch.randn(3, 1001)).shape            # mixture -> (B, sources, T)
    torch.Size([3, 2, 1001])

Wraps `demucs.demucs.Demucs` (the waveform U-Net of the package; its pretrained weights
are not used: it learns on our mixtures like every other baseline). The defaults are the
2019 paper's model in the package's own code: no residual DConv branches (dconv_mode 0),
a 2-layer BiLSTM, ReLU, no group norm, a decoder conv of kernel 3, no x2 resampling; mono
in, two sources (piano, voice) out, at our sample rate: 265 675 906 parameters at 64
channels, the same count as ours. The package's newer v3 choices (DConv
branches, GELU, group norm from layer `norm_starts`) are fields of the config. The
package pads any length to its valid length and trims back, so no chunk alignment is
needed here. The mixture is standardized here as in `pnf.baselines.demucs`, not by the
package (its sample standard deviation is NaN on a one-sample input).
`pnf.baselines.demucs` is our own implementation of the same paper's model.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from pnf.audio import RATE


@dataclass
class PackageDemucsConfig:
    channels: int = 64       # first encoder layer's channels
    depth: int = 6
    growth: float = 2.0
    lstm_layers: int = 2     # BiLSTM bottleneck (the package's v3 default is 0)
    context: int = 1         # the decoder conv's kernel is 1 + 2·context: 3, the paper's
    kernel_size: int = 8
    stride: int = 4
    gelu: bool = False       # v3: True
    norm_starts: int = 99    # layer where group norm starts (v3: 4; >= depth: none)
    dconv_mode: int = 0      # v3: 1 (residual DConv branches in the encoder)
    rescale: float = 0.1     # the package's init rescaling (pnf.training re-inits layers)
    sources: int = 2         # piano, voice

    def __post_init__(self):
        if self.depth < 1 or self.channels < 1 or self.sources < 1:
            raise ValueError("demucs_pkg: need depth, channels and sources >= 1; fix the "
                             "model config")


def _package_class():
    try:
        from demucs.demucs import Demucs
    except ImportError as e:
        raise ValueError("demucs_pkg needs the `demucs` package; install it with "
                         "pip install 'pnf[demucs]' (or train --method demucs, ours)") from e
    return Demucs


class PackageDemucs(nn.Module):
    kind = "demucs_pkg"   # its method name (pnf.methods): the checkpoint kind
    Config = PackageDemucsConfig

    def __init__(self, config: PackageDemucsConfig):
        super().__init__()
        c = self.config = config
        self.net = _package_class()(
            sources=[f"source{i}" for i in range(c.sources)], audio_channels=1,
            channels=c.channels, growth=c.growth, depth=c.depth, lstm_layers=c.lstm_layers,
            kernel_size=c.kernel_size, stride=c.stride, context=c.context, gelu=c.gelu,
            norm_starts=c.norm_starts, dconv_mode=c.dconv_mode, rescale=c.rescale,
            normalize=False, resample=False, samplerate=RATE)

    def forward(self, mix: torch.Tensor) -> torch.Tensor:
        """(B, T) mixture -> (B, sources, T) estimated sources."""
        mean = mix.mean(dim=-1, keepdim=True)
        scale = mix.std(dim=-1, correction=0, keepdim=True).clamp_min(1e-5)   # (B, 1)
        out = self.net(((mix - mean) / scale).unsqueeze(1))[:, :, 0]       # (B, S, T)
        return out * scale.unsqueeze(1)
