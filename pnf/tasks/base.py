"""The task interface: what the sampler needs, and what `pnf restore NAME` needs.

    >>> task = SuperResolution(y, factor=4, quantizer=q)     # the sampler's side
    >>> SuperResolution.add_options(parser)                  # the CLI's side (classmethods)

Sampler side (instances): `n_sources`, `init(generator)`, a boolean `free` mask,
`log_likelihood(x, sigma, span)`, `conditions()`, `finish(x)`; optionally
`exact_likelihood = True` with `likelihood_step(...)` for a Gaussian likelihood, and for a
warm start (ours) `warm_reference` and `warm_start()`.
Restore side (classmethods, read by pnf.commands.restore): `name`, `help`, `io` (how the
input is read, outputs written and the schedule chosen: pnf.tasks.audio_io.AudioIO or
pnf.tasks.image_io.ImageIO), `add_options(parser)`, `observe(args, rate)`,
`from_args(args, obs, priors)`, `baseline(args, obs, rate)`, `outputs(args, obs, result)`
and `observation(args, obs, rate)`. A new task is one class plus `register_task(cls)`.
"""

from __future__ import annotations

import argparse

import torch


class Task:
    """Default: one source, nothing observed, no likelihood, no conditioning."""

    n_sources: int = 1
    free: torch.Tensor            # bool, broadcastable to the state (S, B, *shape)

    name: str | None = None       # `pnf restore NAME`; None: not a restore task
    help: str = ""
    io: type | None = None        # reads the input, writes the outputs, picks the schedule
    eta: float = 0.05             # audio step rule default: η = eta·σ²
    max_priors: int | None = 1    # --prior files accepted (None: any number)
    shared_sources: int = 1       # sources that one --prior file is shared by
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

    # ------------------------------------------------------------ `pnf restore NAME`

    @classmethod
    def add_options(cls, parser: argparse.ArgumentParser) -> None:
        """The task's own flags (e.g. --factor); the io class adds the common ones."""

    @classmethod
    def validate(cls, args) -> None:
        """Consistency of the task's options, before any model loads (ValueError)."""

    @classmethod
    def check_run(cls, args, priors: list, schedule) -> None:
        """Checks that need the loaded priors and schedule, before sampling (ValueError)."""

    @classmethod
    def output_paths(cls, args, output) -> list:
        """The files one chain writing to `output` creates (checked before sampling)."""
        return [output]

    @classmethod
    def observe(cls, args, rate: int):
        """What was observed, as the task reads it (default: the io class's reader)."""
        return cls.io.read(args, rate)

    @classmethod
    def from_args(cls, args, obs, priors: list) -> Task:
        """The task instance for the sampler."""
        raise TypeError(f"{cls.__name__} must define from_args()")

    @classmethod
    def baseline(cls, args, obs, rate: int):
        """The result of baseline --method (same form as the first item of finish())."""
        raise ValueError(f"no baseline for {cls.name}; use --method pnf")

    @classmethod
    def outputs(cls, args, obs, result) -> dict:
        """{output name or path: data} to write (the io class writes them)."""
        return cls.io.single_output(args, result)

    @classmethod
    def observation(cls, args, obs, rate: int):
        """What the method saw, in the output's form (for --save-input / input.npy)."""
        return obs.signal


def uniform_bins(shape, generator: torch.Generator, high: float = 255.0) -> torch.Tensor:
    """Uniform noise in bin space, the paper's initialization of free samples."""
    return torch.rand(shape, generator=generator, device=generator.device) * high
