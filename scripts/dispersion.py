"""How far the default sampler is from closed-form posteriors at T updates per level.

    PYTHONPATH=. python scripts/dispersion.py 256 1024 --chains 2000

Runs the paper's audio schedule (24 levels 175.9 -> 0.1 bins, η = 0.05·σ²) on smoothed
Gaussian AR(1) priors (pnf.priors.gaussian) for three targets with exact answers: the prior,
an inpainting posterior and a two-source separation posterior (c = 15). Prints, per target
and T, the sampled variance over the exact one, averaged over the free entries, with its
Monte-Carlo standard error per entry, sqrt(2/chains).

Measured 2026-11-30 (2 000 chains, the command above): prior 1.049 / 1.013, inpainting
1.069 / 1.010, separation 1.057 / 1.011 at T = 256 / 1024 (s.e. per entry 0.032).
"""

from __future__ import annotations

import argparse

import torch

from pnf.audio import Quantizer
from pnf.langevin import Schedule, anneal
from pnf.priors.gaussian import GaussianAR
from pnf.sigmas import AUDIO_SIGMAS, audio_delta
from pnf.tasks import Inpainting, Separation, Unconditional

LIN = Quantizer("linear")
MID = LIN.silence


def targets(chains: int):
    """name -> (priors, task, extract(out) -> (B, d) samples, exact (d,) variances)."""
    p = GaussianAR(a=0.7, q=4.0, mean=MID)
    p2 = GaussianAR(a=-0.5, q=2.0, mean=MID)
    sl = AUDIO_SIGMAS[-1]
    _, cov = p.moments(8, sl)
    yield "prior", [p], Unconditional(length=8, batch=chains, quantizer=LIN), \
        lambda o: o[0], torch.diag(cov)
    _, cov = p.moments(24, sl)
    wave = torch.full((chains, 24), 0.0)                    # observed silence around the gap
    task = Inpainting(wave, gaps=[(0.8, 1.6)], rate=10, quantizer=LIN)
    f = ~task.observed[0]
    o = ~f
    post = cov[f][:, f] - cov[f][:, o] @ torch.linalg.inv(cov[o][:, o]) @ cov[o][:, f]
    yield "inpainting", [p], task, lambda out: out[0][:, f], torch.diag(post)
    n, gamma = 6, 15.0 / sl**2
    c1, c2 = p.moments(n, sl)[1], p2.moments(n, sl)[1]
    both = torch.cat([torch.eye(n), torch.eye(n)], 1).double()
    prec = torch.block_diag(torch.linalg.inv(c1), torch.linalg.inv(c2)) + gamma * both.T @ both
    task = Separation(torch.zeros(chains, n), [LIN, LIN], c=15.0)
    yield "separation", [p, p2], task, lambda out: torch.cat([out[0], out[1]], 1), \
        torch.diag(torch.linalg.inv(prec))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("T", type=int, nargs="+", help="updates per level")
    ap.add_argument("--chains", type=int, default=2000)
    args = ap.parse_args()
    for name, priors, task, extract, exact in targets(args.chains):
        for T in args.T:
            sched = Schedule(AUDIO_SIGMAS, audio_delta(0.05, AUDIO_SIGMAS), T)
            out = anneal(priors, task, sched, seed=0, progress=False).double()
            ratio = extract(out).var(0) / exact                     # (d,)
            se = (2 / args.chains) ** 0.5                            # per entry
            print(f"{name:11s} T={T:5d}: variance / exact = {ratio.mean():.3f} over "
                  f"{len(ratio)} entries ({ratio.min():.3f}..{ratio.max():.3f}; "
                  f"s.e. per entry {se:.3f})", flush=True)


if __name__ == "__main__":
    main()
