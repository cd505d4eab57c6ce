"""One restoration in memory: priors, a registered task, its observation, a schedule and how
the chains run -> the restored signals. `pnf restore`, `pnf image restore`, the
convergence study and scripts/validate_variants.py all restore through `restore`.

    >>> from pnf.restoration import Sampling, restore, task_options
    >>> from pnf.restore.audio_io import Observed
    >>> obs = Observed(x[::4], len(x))                    # x (n,): keep every 4th sample
    >>> results, info = restore([prior], "superres", obs, schedule,
    ...                         Sampling(seed=0, device="cpu", progress=False),
    ...                         task_options("superres", ["--factor", "4"]))
    >>> results[0].shape                                  # (n,): one chain's waveform
    >>> info        # {'sampling': s, 'levels': [...], 'iterations': T, 'seed': 0, 'precision': ...}

`Sampling` is how the chains run (seed, device, precision, chains, and the variants of
ours: mean of K chains, warm start); `task_options` the task's own `pnf restore NAME`
flags (e.g. --factor), parsed with their defaults. A task is its restore side
(pnf.restore.base.Restore, registered by name), which builds the sampler's pnf.tasks.Task.
`sample` is the one call of the annealed Langevin sampler for the sampling verbs: device,
precision and resource plan.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import torch

from pnf import variants
from pnf.langevin import Schedule, anneal
from pnf.precision import resolve_precision
from pnf.resources import plan
from pnf.restore.registry import restore_tasks
from pnf.runtime import pick_device


@dataclass(frozen=True)
class Sampling:
    """How the chains run (not what they restore)."""

    seed: int = 0
    device: str = "auto"              # auto (CUDA when present), cpu, cuda
    precision: str = "auto"           # WaveNet trunk matmuls (pnf.precision)
    compile: bool = False             # torch.compile of the update (CUDA only)
    chains: int = 1                   # independent results
    mean_of: int = 1                  # (ours) each result the mean of K chains
    warm_start: bool = False          # (ours) start from the task's reference estimate
    start_sigma: str | float | None = None   # with warm_start: σ, or None/"auto": estimated
    progress: bool | None = None      # the progress bar (None: when stderr is a terminal)


def task_class(task: str | type) -> type:
    """A registered task's class by name (a class is returned as it is)."""
    if not isinstance(task, str):
        return task
    if task not in restore_tasks():
        raise ValueError(f"unknown task {task!r}; use one of {sorted(restore_tasks())}")
    return restore_tasks()[task]


class _OptionParser(argparse.ArgumentParser):
    def error(self, message):
        raise ValueError(f"{self.prog}: {message}")


def task_options(task: str | type, flags=()) -> argparse.Namespace:
    """The options `task` (a registered name or its class) declares for `pnf restore NAME`
    (its add_options flags), parsed from `flags` with their defaults:
    task_options("separate").c == 15.0; a bad or missing flag is a ValueError."""
    cls = task_class(task)
    p = _OptionParser(prog=f"pnf restore {cls.name}", add_help=False)
    cls.add_options(p)
    return p.parse_args(list(flags))


def sample(priors, task, schedule: Schedule, shape: tuple, run: Sampling, init=None,
           what: str = "sampling"):
    """Anneal on run.device (from `init` when given); returns (final state, seconds).

    shape: the state's (S, B, *dims), checked against the memory and time caps first
    (pnf.resources.plan; a long signal may be sampled in windows).
    """
    device = pick_device(run.device)
    schedule = plan(priors, schedule, shape, what, device)
    priors = [p.to(device) for p in priors]
    precision = resolve_precision(run.precision, device)
    for p in priors:
        if hasattr(p, "set_precision"):
            p.set_precision(precision)
    start = time.perf_counter()
    x = anneal(priors, task, schedule, seed=run.seed, device=device, init=init,
               compile=run.compile, progress=run.progress)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return x, time.perf_counter() - start


def chain_items(out, n_sources: int) -> list:
    """Each chain's result from task.finish(): (*shape) or, for several sources, (S, *shape)."""
    return list(out.unbind(1)) if n_sources > 1 else list(out)


def restore(priors, task: str | type, obs, schedule: Schedule, run: Sampling | None = None,
            options: argparse.Namespace | None = None, what: str = "restoring"):
    """PnF with `task` (a registered name or its class) on observation `obs` (its io
    class's form, e.g. pnf.restore.audio_io.Observed): `run.chains` results, each the mean
    of run.mean_of chains run in the same batch (ours; 1: the chain itself), from a warm
    start (ours) when asked. Returns (results, {"sampling": seconds, "levels": the σ's run,
    "iterations": T per level, "seed", "precision": the one used}).

    run: Sampling() when None; options: the task's options (`task_options`, or the parsed
    `pnf restore` flags), its defaults when None.
    """
    cls, run = task_class(task), run or Sampling()
    n = run.chains * run.mean_of
    options = task_options(cls) if options is None else options
    shape = cls.io.state_shape(obs, n, len(priors))
    schedule = plan(priors, schedule, shape, what, pick_device(run.device))
    model = cls.build(options, cls.io.batched(obs, n), priors)
    init = None
    if run.warm_start:
        init, schedule = variants.warm(model, schedule, run.start_sigma)
    x, seconds = sample(priors, model, schedule, shape, run, init=init)
    items = chain_items(model.finish(x), model.n_sources)[:n]
    precision = resolve_precision(run.precision, pick_device(run.device))
    return variants.mean_of(items, run.mean_of), {
        "sampling": seconds, "levels": list(schedule.sigmas), "iterations": schedule.iterations,
        "seed": run.seed, "precision": precision}
