"""Arguments and helpers shared by the sampling verbs (restore, sample)."""

from __future__ import annotations

import argparse
import time

import torch

from pnf.langevin import AUDIO_SIGMAS, Schedule, anneal
from pnf.precision import PRECISIONS, resolve_precision
from pnf.training import pick_device


def add_schedule_args(p: argparse.ArgumentParser, eta: float = 0.05) -> None:
    """Schedule flags; without --delta the step is η = `eta`·σ² at every level (the paper's)."""
    g = p.add_argument_group("Langevin schedule")
    g.add_argument("--iterations", type=int, default=256,
                   help="average updates per sample per noise level (T); default 256")
    g.add_argument("--levels", type=float, nargs="+",
                   help="σ ladder in bin units, high to low (default: the prior's own "
                        "levels for a per-level prior, else the paper's 24 levels)")
    g.add_argument("--delta", type=float,
                   help=f"step size: η = δ·σ²/σ_L² (default δ = {eta}·σ_L², i.e. η = {eta}·σ² "
                        "as in the paper, whatever the ladder)")
    p.set_defaults(eta=eta)
    g.add_argument("--window", type=int,
                   help="update random windows of this many samples (padded with the "
                        "receptive field) instead of the whole signal: bounds memory")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda")
    g.add_argument("--precision", default="auto", choices=["auto", *PRECISIONS],
                   help="WaveNet trunk matmuls (auto: fp32; see pnf.precision)")
    g.add_argument("--batch", type=int, default=1, help="independent samples to draw")


def schedule_for(args, prior) -> Schedule:
    levels = args.levels
    if levels is None:
        levels = (sorted(prior.levels, reverse=True) if not prior.sigma_input
                  else AUDIO_SIGMAS)
    delta = args.delta if args.delta is not None else args.eta * min(levels) ** 2
    return Schedule(sigmas=levels, delta=delta, iterations=args.iterations,
                    window=args.window)


def run_sampler(priors, task, args):
    """Anneal on the chosen device; returns (final state, seconds)."""
    device = pick_device(args.device)
    priors = [p.to(device) for p in priors]
    for p in priors:
        if hasattr(p, "set_precision"):
            p.set_precision(resolve_precision(args.precision, device))
    start = time.perf_counter()
    x = anneal(priors, task, schedule_for(args, priors[0]), seed=args.seed, device=device)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return x, time.perf_counter() - start
