"""The task interface and the hard-constraint mechanism shared by every task.

    >>> task = HardConstraint(observed, free, init=lambda g: uniform_noise(shape, g))
"""

from __future__ import annotations

import torch


class Task:
    """Default: one source, nothing observed, no likelihood, no conditioning."""

    n_sources: int = 1
    free: torch.Tensor            # bool, broadcastable to the state (S, B, *shape)

    def init(self, generator: torch.Generator) -> torch.Tensor:
        """The starting state (S, B, *shape); fixed entries hold their observed values."""
        raise TypeError(f"{type(self).__name__} must define init()")

    def log_likelihood(self, x: torch.Tensor, sigma: float, span: tuple[int, int]):
        """log p(y | x) of a segment x = state[..., a:b] (soft observations); (B,) or 0."""
        return x.new_zeros(())

    def conditions(self) -> list:
        """Raw conditioning per source (e.g. a mel spectrogram), None when unconditioned."""
        return [None] * self.n_sources

    def finish(self, x: torch.Tensor):
        """Map the final state back to the data domain."""
        return x


def uniform_bins(shape, generator: torch.Generator, high: float = 255.0) -> torch.Tensor:
    """Uniform noise in bin space, the paper's initialization of free samples."""
    return torch.rand(shape, generator=generator, device=generator.device) * high
