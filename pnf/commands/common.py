"""Running the sampler for the sampling verbs (restore, sample): their flags as values.

    >>> x, seconds = run_sampler(priors, task, schedule, args, shape=(1, 4, 88200))
    >>> sampling(args)          # Sampling(seed=0, device='auto', ..., chains=1, mean_of=1)

`shape` (S, B, *dims), the state's, is checked against the memory and time caps first
(pnf.resources.plan; a long signal may be sampled in windows); pnf.restoration runs it.
"""

from __future__ import annotations

from pnf.langevin import COMPILE_CUDA_ONLY, Schedule
from pnf.restoration import Sampling, sample
from pnf.runtime import pick_device


def check_compile(args) -> None:
    """--compile asks for torch.compile of the update: CUDA only (checked before any work)."""
    if getattr(args, "compile", False) and pick_device(args.device).type != "cuda":
        raise ValueError(COMPILE_CUDA_ONLY)


def sampling(args) -> Sampling:
    """How a verb's chains run, from its flags (those it lacks at their defaults)."""
    return Sampling(seed=args.seed, device=args.device,
                    precision=getattr(args, "precision", "auto"),
                    compile=getattr(args, "compile", False), chains=getattr(args, "batch", 1),
                    mean_of=getattr(args, "mean_of", 1),
                    warm_start=getattr(args, "warm_start", False),
                    start_sigma=getattr(args, "start_sigma", None))


def run_sampler(priors, task, schedule: Schedule, args, shape: tuple, init=None,
                what: str = "sampling"):
    """Anneal on the chosen device (from `init` when given); returns (final state, seconds)."""
    return sample(priors, task, schedule, shape, sampling(args), init=init, what=what)
