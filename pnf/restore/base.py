"""A task's restore side: what `pnf restore NAME` needs besides the sampler's model.

    >>> @register_task                                  # pnf.restore.registry
    ... class DeclipRestore(Restore):
    ...     name, io, sampler = "declip", AudioIO, Declipping   # Declipping: a pnf.tasks.Task
    ...     help = "restore samples clipped at ±LEVEL"
    ...     @classmethod
    ...     def add_options(cls, p):
    ...         p.add_argument("--level", type=float, required=True)
    ...     @classmethod
    ...     def build(cls, setting, obs, priors):
    ...         return Declipping(obs.signal, setting.level, priors[0].quantizer)

The sampler's side (pnf.tasks) is the model the Langevin update sees; this side declares
the verb's own flags (`add_options`), reads the observation, builds the sampler's task,
runs a baseline and says what is written. Its classmethods take the typed request
(pnf.restore.request.Request: `req.setting` holds the task's own options, e.g.
`req.setting.factor`); `io` (pnf.restore.audio_io.AudioIO or pnf.restore.image_io.ImageIO)
reads the input, loads the priors, picks the schedule and writes the files.
"""

from __future__ import annotations

import argparse


class Restore:
    """Default: one prior, the io class's reader and writer, no baseline."""

    name: str | None = None       # `pnf restore NAME`
    help: str = ""
    io: type | None = None        # reads the input, writes the outputs, picks the schedule
    sampler: type | None = None   # the pnf.tasks.Task class `build` makes
    eta: float = 0.05             # audio step rule default: η = eta·σ²
    max_priors: int | None = 1    # --prior files accepted (None: any number)
    shared_sources: int = 1       # sources that one --prior file is shared by

    @classmethod
    def add_options(cls, parser: argparse.ArgumentParser) -> None:
        """The task's own flags (e.g. --factor); the io class adds the common ones."""

    @classmethod
    def validate(cls, req) -> None:
        """Consistency of the task's options, before any model loads (ValueError)."""

    @classmethod
    def check_run(cls, req, priors: list, schedule) -> None:
        """Checks that need the loaded priors and schedule, before sampling (ValueError)."""

    @classmethod
    def output_paths(cls, req, output) -> list:
        """The files one chain writing to `output` creates (checked before sampling)."""
        return [output]

    @classmethod
    def observe(cls, req, rate: int):
        """What was observed, as the task reads it (default: the io class's reader)."""
        return cls.io.read(req, rate)

    @classmethod
    def build(cls, setting: argparse.Namespace, obs, priors: list):
        """The sampler's task (a pnf.tasks.Task) for observation `obs` under `setting`."""
        raise TypeError(f"{cls.__name__} must define build()")

    @classmethod
    def baseline(cls, req, obs, rate: int):
        """The result of baseline req.method (same form as the first item of finish())."""
        raise ValueError(f"no baseline for {cls.name}; use --method pnf")

    @classmethod
    def outputs(cls, req, obs, result) -> dict:
        """{output name or path: data} to write (the io class writes them)."""
        return cls.io.single_output(req, result)

    @classmethod
    def observation(cls, req, obs, rate: int):
        """What the method saw, in the output's form (for --save-input / input.npy)."""
        return obs.signal
