"""The prior interface the sampler uses, and the smoothed-network prior behind it.

    >>> prior = pnf.checkpoints.load_prior("prior.pt", device="cpu")
    >>> prior.log_prob_terms(x, sigma=1.6)        # (B, T) terms log p_σ(x_t | x_<t)
    >>> prior.log_prob(x, sigma=1.6)              # (B,)

A prior file ("kind": "prior", see pnf.checkpoints) packs one network per σ level
(`sigma_mode: per_level`, the paper) or one σ-conditioned network (`sigma_mode: input`),
with the config that rebuilds them. Networks map (B, T) noisy bins -> (B, 256, T) logits
of the clean bin.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import torch

from pnf.audio import Quantizer
from pnf.sigmas import AUDIO_SIGMAS


class Prior(ABC):
    """What the Langevin sampler needs of a prior (audio: x is (B, T) in bin units)."""

    receptive_field: int | None = None   # past context of each term; None: unbounded
    quantizer: Quantizer | None = None
    rate: int | None = None

    @abstractmethod
    def log_prob_terms(self, x: torch.Tensor, sigma: float, cond=None) -> torch.Tensor:
        """Per-position log p_σ(x_t | x_<t): (B, T)."""

    def log_prob(self, x: torch.Tensor, sigma: float, cond=None) -> torch.Tensor:
        """Whole-signal log p_σ(x): (B,)."""
        return self.log_prob_terms(x, sigma, cond).flatten(1).sum(1)

    def ladder(self) -> list[float]:
        """The default σ ladder (high to low) to sample with: the paper's audio ladder."""
        return AUDIO_SIGMAS

    def condition(self, raw, length: int):
        """Turn raw conditioning (e.g. a mel spectrogram) into per-sample features."""
        return raw

    def to(self, device):
        return self


class NetworkPrior(Prior):
    """A smoothed categorical network prior: one net per level, or one σ-conditioned net."""

    def __init__(self, nets: list[torch.nn.Module], levels: list[float], sigma_input: bool):
        if not nets:
            raise ValueError("a prior needs at least one network")
        self.nets, self.levels, self.sigma_input = nets, list(levels), sigma_input
        cfg = nets[0].config
        self.quantizer, self.rate = Quantizer(cfg.quantization), cfg.rate
        self.receptive_field = nets[0].receptive_field
        for net in nets:
            net.eval().requires_grad_(False)

    def net_for(self, sigma: float) -> torch.nn.Module:
        """The σ-conditioned net, or the per-level net nearest to σ on a log scale."""
        if self.sigma_input:
            return self.nets[0]
        i = min(range(len(self.levels)),
                key=lambda j: abs(math.log(self.levels[j]) - math.log(sigma)))
        return self.nets[i]

    def ladder(self):
        """Per-level nets: their own levels; a σ-conditioned net: the paper's ladder."""
        return AUDIO_SIGMAS if self.sigma_input else sorted(self.levels, reverse=True)

    def log_prob_terms(self, x, sigma, cond=None):
        return self.net_for(sigma).smoothed_terms(x, sigma, cond)  # (B, T), chunked head

    def condition(self, raw, length):
        return None if raw is None else self.nets[0].condition(raw, length)

    def set_precision(self, precision: str) -> NetworkPrior:
        """Trunk matmul precision of every net: "fp32" or "bf16" (see pnf.precision)."""
        for net in self.nets:
            net.precision = precision
        return self

    def to(self, device):
        self.nets = [net.to(device) for net in self.nets]
        return self

    @property
    def config(self):
        return self.nets[0].config

    def bytes_per_position(self) -> int:
        """Memory of one position (sample) of one chain in a gradient pass (pnf.resources)."""
        return self.nets[0].bytes_per_position()

    def weights(self) -> int:
        """Weights of the network used at one level (FLOPs per position ≈ 2x this)."""
        return sum(p.numel() for p in self.nets[0].parameters())
