"""Running the sampler for the sampling verbs (restore, sample).

    >>> x, seconds = run_sampler(priors, task, schedule, args, shape=(1, 4, 88200))

`shape` (S, B, *dims), the state's, is checked against the memory and time caps first
(pnf.resources.plan; a long signal may be sampled in windows).
"""

from __future__ import annotations

import time

import torch

from pnf.langevin import COMPILE_CUDA_ONLY, Schedule, anneal
from pnf.precision import resolve_precision
from pnf.resources import plan
from pnf.runtime import pick_device


def check_compile(args) -> None:
    """--compile asks for torch.compile of the update: CUDA only (checked before any work)."""
    if getattr(args, "compile", False) and pick_device(args.device).type != "cuda":
        raise ValueError(COMPILE_CUDA_ONLY)


def run_sampler(priors, task, schedule: Schedule, args, shape: tuple, init=None,
                what: str = "sampling"):
    """Anneal on the chosen device (from `init` when given); returns (final state, seconds)."""
    device = pick_device(args.device)
    schedule = plan(priors, schedule, shape, what, device)
    priors = [p.to(device) for p in priors]
    precision = resolve_precision(getattr(args, "precision", "auto"), device)
    for p in priors:
        if hasattr(p, "set_precision"):
            p.set_precision(precision)
    start = time.perf_counter()
    x = anneal(priors, task, schedule, seed=args.seed, device=device, init=init,
               compile=getattr(args, "compile", False))
    if device.type == "cuda":
        torch.cuda.synchronize()
    return x, time.perf_counter() - start
