"""Running the sampler for the sampling verbs (restore, sample): their flags as values.

    >>> x, seconds = run_sampler(priors, task, schedule, args, shape=(1, 4, 88200))
    >>> sampling(args)          # Sampling(seed=0, device='auto', ..., chains=1, mean_of=1)

`shape` (S, B, *dims), the state's, is checked against the memory and time caps first
(pnf.resources.plan; a long signal may be sampled in windows); pnf.restoration runs it.
`sampling` and `check_compile` live in pnf.restore.request (the restore layer reads them too).
"""

from __future__ import annotations

from pnf.langevin import Schedule
from pnf.restoration import sample
from pnf.restore.request import check_compile, sampling

__all__ = ["check_compile", "run_sampler", "sampling"]


def run_sampler(priors, task, schedule: Schedule, args, shape: tuple, init=None,
                what: str = "sampling"):
    """Anneal on the chosen device (from `init` when given); returns (final state, seconds)."""
    return sample(priors, task, schedule, shape, sampling(args), init=init, what=what)
