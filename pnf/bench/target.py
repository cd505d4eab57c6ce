"""What is benched: the WaveNet an experiment trains (`--config`) or a named size.

    >>> t = Target.from_args(config="experiments/small.yaml", size=None, seconds=None)
    >>> t.size, t.seconds, t.sigmas, t.net_config      # "small.yaml", 0.5, the ladder, ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pnf.experiments import read_experiment
from pnf.priors.train import WAVENET_SIZES, PriorConfig, sized_config
from pnf.priors.wavenet import WaveNet, WaveNetConfig


@dataclass
class Target:
    size: str                       # label: a size name or the experiment file's name
    net_config: WaveNetConfig
    seconds: float                  # signal length of an update
    sigmas: list = field(default_factory=lambda: [1.0])
    delta: float = 5e-4             # η = δσ²/σ_L² (for the η·∇ error of the guard)
    prior: PriorConfig | None = None

    @classmethod
    def from_args(cls, config: str | None, size: str | None, seconds: float | None) -> Target:
        """From an experiment file (its `priors.base` and clip length) or a size name."""
        if config is None:
            name = size or "small"
            net = sized_config(WaveNetConfig, WAVENET_SIZES, {"size": name}, "per_level")
            return cls(name, net, seconds or 1.0)
        exp = read_experiment(config)
        base = (exp.get("priors") or {}).get("base")
        if base is None:
            raise ValueError(f"{config}: no priors.base section; pass an experiment config "
                             "such as experiments/small.yaml")
        prior = PriorConfig.from_dict(base)
        sampler = exp.get("sampler") or {}
        return cls(Path(config).name, prior.net_config(),
                   seconds or float(exp.get("test_seconds", 1.0)),
                   list(sampler.get("levels", prior.sigmas)), sampler.get("delta", 5e-4), prior)

    @property
    def samples(self) -> int:
        return round(self.seconds * self.net_config.rate)

    def build(self, device) -> WaveNet:
        return WaveNet(self.net_config).to(device).eval().requires_grad_(False)

    def forward_flops(self, samples: int) -> float:
        """Matmul FLOPs of one forward pass over `samples` positions."""
        c = self.net_config
        R, G, S, k = c.residual_channels, c.gate_channels, c.skip_channels, c.kernel_size
        per_layer = k * R * G + (G // 2) * (R + S) + G * c.mel_channels
        return 2.0 * samples * (c.layers * per_layer + S * S + S * c.classes)
