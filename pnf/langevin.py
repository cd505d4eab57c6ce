"""Annealed Langevin dynamics on smoothed priors; knows nothing of audio.

The method: docs/method.md#annealed-langevin-dynamics.

    >>> from pnf.langevin import Schedule, anneal
    >>> sched = Schedule(sigmas=AUDIO_SIGMAS, delta=5e-4, iterations=256, window=20_000)
    >>> x = anneal([prior], task, sched, seed=0)          # (S, B, *shape) final state

At each level σ (high to low) it runs updates

    x <- x + η ∇x [Σ_s log p_σ(x_s) + log p(y | x)] + sqrt(2η) z,    η = δ σ² / σ_L²

only where `task.free` is True (hard constraints hold exactly: fixed entries are never
written). A task whose likelihood is Gaussian may set `exact_likelihood` (ours, not the
paper's): its term then leaves the gradient and `task.likelihood_step` integrates
dx = ∇log p(y|x) dt + √2 dW exactly over time η (same noise), after the explicit prior
step, so a stiff likelihood (large γ) can neither diverge nor over-disperse.
`iterations` is the average number of updates each sample gets per level.
With `window`, each update touches one random window of the last axis; the window's
gradient is computed on the window padded by the prior's receptive field on both sides,
which makes it exactly the full-signal gradient restricted to the window.

Schedules (`Schedule.kind`, the registry SCHEDULES; every one but "langevin" is ours):
- langevin: the paper's annealed Langevin ("PnF" in the tables).
- tweedie: the same, then one denoising step x <- x + σ_L² ∇x log p_σL(x) (Tweedie's formula:
  the posterior mean of the clean signal given x at noise σ_L) on the free entries.
- pc: predictor-corrector. Before each level after the first, one reverse-diffusion step
  from σ_k to σ_{k+1}: x <- x + Δ ∇x log p_σk(x) + sqrt(Δ) z, Δ = σ_k² − σ_{k+1}² (it moves the
  state by the whole variance gap in one network evaluation), then the level's Langevin
  updates as correctors.
- pc-tweedie: both.
With `n_levels`, the ladder becomes n_levels geometric levels between its ends (many levels,
few updates each). The predictor and denoising steps use the prior terms only when the task
integrates its likelihood exactly (`exact_likelihood`), and the whole signal (no window).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from pnf.priors.base import Prior
from pnf.progress import progress as progress_bar
from pnf.sigmas import AUDIO_SIGMAS, geometric_ladder, step_size

__all__ = ["AUDIO_SIGMAS", "SCHEDULES", "Schedule", "anneal", "gradient", "update"]


@dataclass(frozen=True)
class Plan:
    """What a schedule adds to the annealed Langevin levels."""
    predictor: bool     # a reverse-diffusion step σ_k -> σ_{k+1} before each later level
    denoise: bool       # a final Tweedie step x + σ_L² ∇log p_σL(x)
    label: str


SCHEDULES = {
    "langevin": Plan(False, False, "PnF"),
    "tweedie": Plan(False, True, "PnF + Tweedie step (ours)"),
    "pc": Plan(True, False, "PnF predictor-corrector (ours)"),
    "pc-tweedie": Plan(True, True, "PnF predictor-corrector + Tweedie step (ours)"),
}


@dataclass
class Schedule:
    sigmas: Sequence[float] = AUDIO_SIGMAS
    delta: float = 5e-4              # η = δ σ² / σ_L²
    iterations: int = 256            # average updates per sample per level (T)
    window: int | None = None        # samples per random window; None: whole signal
    kind: str = "langevin"           # a name in SCHEDULES
    n_levels: int | None = None      # re-space the ladder: this many geometric levels

    def __post_init__(self):
        s = list(self.sigmas)
        if not s or any(a <= b for a, b in zip(s, s[1:], strict=False)) or s[-1] <= 0:
            raise ValueError(f"sigmas must be positive and strictly decreasing, got {s}")
        if self.iterations < 1 or self.delta <= 0:
            raise ValueError("iterations must be >= 1 and delta > 0")
        if self.kind not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.kind!r}; use one of {list(SCHEDULES)}")
        if self.n_levels is not None:
            if self.n_levels < 2 or len(s) < 2:
                raise ValueError("n_levels needs at least 2 levels and a ladder of 2 or more")
            # re-spaced once: a copy (dataclasses.replace, e.g. a warm start dropping levels)
            # keeps this ladder as it is
            self.sigmas, self.n_levels = geometric_ladder(s[0], s[-1], self.n_levels), None

    @property
    def plan(self) -> Plan:
        return SCHEDULES[self.kind]

    def evaluations(self, length: int) -> int:
        """Network evaluations (gradient calls) of one run on a signal of `length`."""
        levels = len(self.sigmas)
        return (levels * self.steps_per_level(length)
                + (levels - 1) * self.plan.predictor + self.plan.denoise)

    def step_size(self, sigma: float) -> float:
        return step_size(self.delta, sigma, self.sigmas)

    def steps_per_level(self, length: int) -> int:
        """Updates per level so that each sample gets `iterations` updates on average."""
        if not self.window or self.window >= length:
            return self.iterations
        coverage = self.window * length / (length + self.window)  # mean window overlap
        return math.ceil(self.iterations * length / coverage)


def _window(length: int, width: int, gen: torch.Generator) -> tuple[int, int]:
    """A window [a, b) with start ~ U(-width, length), clipped so edges are visited.
    `gen` is a CPU generator (anneal keeps one for this on a GPU: no sync per update)."""
    s = int(torch.randint(-width, length, (1,), generator=gen, device=gen.device))
    return max(s, 0), min(s + width, length)


def gradient(priors: Sequence[Prior], task, x: torch.Tensor, sigma: float,
             conds: Sequence, span: tuple[int, int] | None = None) -> torch.Tensor:
    """∇ of [Σ_s log p_σ(x_s) + log p(y|x)] w.r.t. x[..., a:b] (all of x when span is None).

    The likelihood term is left out when `task.exact_likelihood` (see `update`).
    x: (S, B, *shape). With a span, terms are evaluated on [a - R, b + R) only.
    """
    S = x.shape[0]
    if span is None:
        lo, hi, seg = 0, x.shape[-1], x
    else:
        R = max(p.receptive_field or x.shape[-1] for p in priors)
        lo, hi = max(span[0] - R, 0), min(span[1] + R, x.shape[-1])
        seg = x[..., lo:hi]
    seg = seg.detach().requires_grad_(True)
    total = seg.new_zeros(()) if task.exact_likelihood else \
        task.log_likelihood(seg, sigma, (lo, hi)).sum()
    for s in range(S):
        cond = None if conds[s] is None else conds[s][..., lo:hi]
        total = total + priors[s].log_prob(seg[s], sigma, cond).sum()
    (grad,) = torch.autograd.grad(total, seg)
    if span is not None:
        grad = grad[..., span[0] - lo: span[1] - lo]
    return grad


def update(task, seg: torch.Tensor, grad: torch.Tensor, noise: torch.Tensor, eta: float,
           sigma: float, span: tuple[int, int]) -> torch.Tensor:
    """One Langevin proposal for seg = x[..., a:b]: explicit, or the task's exact likelihood."""
    if task.exact_likelihood:
        return task.likelihood_step(seg + eta * grad, noise, eta, sigma, span)
    return seg + eta * grad + math.sqrt(2 * eta) * noise


DIVERGED = 1e6   # |state| beyond this (bins are 0..255, pixels -1..1): the chain diverged


def _diverged(first_bad: int, steps: int, level: int, sigma: float, eta: float) -> None:
    """RuntimeError naming the level and step where the state left the finite range."""
    raise RuntimeError(f"the Langevin chain diverged at level {level + 1} (σ = {sigma:g}), "
                       f"step {first_bad + 1} of {steps}: the state became NaN, infinite "
                       f"or beyond {DIVERGED:g} (step η = {eta:.3g}); lower the step "
                       "(--delta, --lr) or the likelihood weight (--c); nothing was written")


def _level(priors, task, x, schedule: Schedule, level: int, conds, free, gens, bar) -> None:
    """The Langevin updates of one level, in place on x; gens = (noise, window) generators."""
    gen, wgen = gens
    sigma, length = schedule.sigmas[level], x.shape[-1]
    eta = schedule.step_size(sigma)
    windowed = schedule.window is not None and schedule.window < length
    steps = schedule.steps_per_level(length)
    bar.set_postfix(sigma=f"{sigma:.3g}", refresh=False)           # the level running now
    first_bad = torch.full((), steps, device=x.device)             # no sync per step
    for step in range(steps):
        a, b = _window(length, schedule.window, wgen) if windowed else (0, length)
        grad = gradient(priors, task, x, sigma, conds, (a, b) if windowed else None)
        noise = torch.randn(grad.shape, generator=gen, device=x.device, dtype=x.dtype)
        proposal = update(task, x[..., a:b], grad, noise, eta, sigma, (a, b))
        x[..., a:b] = torch.where(free[..., a:b], proposal, x[..., a:b])
        bad = ~(x[..., a:b].abs() <= DIVERGED).all()                 # NaN, inf or huge
        first_bad = torch.where(bad & (first_bad == steps), step, first_bad)
        bar.update(1)
    if int(first_bad) < steps:
        bar.close()                           # the error starts on a line of its own
        _diverged(int(first_bad), steps, level, sigma, eta)


def _shift(priors, task, x, sigma: float, to: float, conds, free, gen) -> torch.Tensor:
    """One step from noise σ to `to` < σ: x + Δ ∇log p_σ(x) + sqrt(Δ) z with Δ = σ² − to²;
    to = 0 is the Tweedie denoising step (no noise). Free entries only; prior terms only
    when the task integrates its likelihood exactly."""
    delta = sigma**2 - to**2
    grad = gradient(priors, task, x, sigma, conds)
    step = x + delta * grad
    if to > 0:
        step = step + math.sqrt(delta) * torch.randn(x.shape, generator=gen, device=x.device,
                                                     dtype=x.dtype)
    if not (step[free].abs() <= DIVERGED).all():
        raise RuntimeError(f"the {'predictor' if to > 0 else 'Tweedie'} step from σ = "
                           f"{sigma:g} diverged; use the 'langevin' schedule or more levels")
    return torch.where(free, step, x)


COMPILE_CUDA_ONLY = ("--compile is for CUDA devices (on the CPU it makes the update slower); "
                     "drop it or give --device cuda")


def compiled(priors: Sequence[Prior], device) -> list[Prior]:
    """The priors with log_prob under torch.compile (mode reduce-overhead: CUDA graphs for
    the update's fixed shapes). CUDA only: on the CPU, inductor made the update slower
    (0.57x, docs/performance.md), so `--compile` there is a one-line error."""
    if torch.device(device).type != "cuda":
        raise ValueError(COMPILE_CUDA_ONLY)
    out = []
    for p in priors:
        q = copy.copy(p)
        q.log_prob = torch.compile(p.log_prob, mode="reduce-overhead")
        out.append(q)
    return out


def anneal(priors: Sequence[Prior], task, schedule: Schedule, seed: int = 0,
           callback: Callable | None = None, device: str | torch.device = "cpu",
           progress: bool | None = None, init: torch.Tensor | None = None,
           compile: bool = False) -> torch.Tensor:
    """Run annealed Langevin dynamics for `task` under `priors` (one per source).

    init: a starting state (S, B, *shape) instead of task.init() (a warm start, ours).
    callback(level, sigma, x) is called after each level (for intermediate outputs).
    `schedule.kind` adds predictor and/or denoising steps (see the module docstring).
    Returns the final state (S, B, *shape) in the priors' units. A diverging chain (NaN,
    inf or |x| > DIVERGED) raises RuntimeError at the end of its level, naming σ and step.
    compile: the priors under torch.compile (CUDA only, see `compiled`). Nothing is read
    back to the host per update (tests/test_gpu_path.py): one read per level.
    """
    if len(priors) != task.n_sources:
        raise ValueError(f"the task has {task.n_sources} source(s) but {len(priors)} "
                         "prior(s) were given; pass one prior per source")
    gen = torch.Generator(device=device).manual_seed(seed)
    wgen = gen if gen.device.type == "cpu" else torch.Generator().manual_seed(seed)
    priors = compiled(priors, device) if compile else priors
    x = (task.init(gen) if init is None else init.clone()).to(device)  # (S, B, *shape)
    free = task.free.to(device).expand_as(x)
    length = x.shape[-1]
    conds = [p.condition(c, length) for p, c in zip(priors, task.conditions(), strict=True)]
    bar = progress_bar(total=schedule.steps_per_level(length) * len(schedule.sigmas),
                       desc="langevin", unit="step", disable=progress is False)
    for level, sigma in enumerate(schedule.sigmas):
        if level and schedule.plan.predictor:
            x = _shift(priors, task, x, schedule.sigmas[level - 1], sigma, conds, free, gen)
        _level(priors, task, x, schedule, level, conds, free, (gen, wgen), bar)
        if callback is not None:
            callback(level, sigma, x)
    if schedule.plan.denoise:
        x = _shift(priors, task, x, schedule.sigmas[-1], 0.0, conds, free, gen)
    bar.close()
    return x
