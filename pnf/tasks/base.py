"""The task interface: what the annealed Langevin sampler needs of a task.

    >>> task = SuperResolution(y, factor=4, quantizer=q)     # y: (B, n) observed samples
    >>> x = task.finish(anneal([prior], task, schedule))     # (B, 4n) waveform

An instance gives `n_sources`, `init(generator)`, a boolean `free` mask,
`log_likelihood(x, sigma, span)`, `conditions()`, `finish(x)`; optionally
`exact_likelihood = True` with `likelihood_step(...)` for a Gaussian likelihood, and for a
warm start (ours) `warm_reference` and `warm_start()`. The command line, the files and the
baselines are the restore layer's (pnf.restore.base.Restore, one per `pnf restore NAME`).
"""

from __future__ import annotations

import torch


class Task:
    """Default: one source, nothing observed, no likelihood, no conditioning."""

    n_sources: int = 1
    free: torch.Tensor            # bool, broadcastable to the state (S, B, *shape)
    exact_likelihood: bool = False    # True: likelihood_step integrates log p(y|x) exactly
    warm_reference: str | None = None   # what warm_start() starts from (ours); None: none

    def init(self, generator: torch.Generator) -> torch.Tensor:
        """The starting state (S, B, *shape); fixed entries hold their observed values."""
        raise TypeError(f"{type(self).__name__} must define init()")

    def log_likelihood(self, x: torch.Tensor, sigma: float, span: tuple[int, int]):
        """log p(y | x) of a segment x = state[..., a:b] (soft observations); (B,) or 0."""
        return x.new_zeros(())

    def likelihood_step(self, x: torch.Tensor, noise: torch.Tensor, eta: float, sigma: float,
                        span: tuple[int, int]) -> torch.Tensor:
        """x = state[..., a:b] after the prior's drift, advanced by time η under
        dx = ∇log p(y|x) dt + √2 dW exactly, the increment W being √η·noise (same shape)."""
        raise TypeError(f"{type(self).__name__} sets exact_likelihood without likelihood_step()")

    def warm_start(self) -> tuple[torch.Tensor, float]:
        """(ours, not the paper's) (state (S, B, *shape) started from `warm_reference`, its
        RMS error in bins estimated from the observation alone); see pnf.variants."""
        raise ValueError(f"{type(self).__name__} has no reference estimate to start from")

    def conditions(self) -> list:
        """Raw conditioning per source (e.g. a mel spectrogram), None when unconditioned."""
        return [None] * self.n_sources

    def finish(self, x: torch.Tensor):
        """Map the final state back to the data domain."""
        return x


def uniform_bins(shape, generator: torch.Generator, high: float = 255.0) -> torch.Tensor:
    """Uniform noise in bin space, the paper's initialization of free samples."""
    return torch.rand(shape, generator=generator, device=generator.device) * high
