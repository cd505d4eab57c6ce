"""Audio source separation (docs/method.md#tasks): m = Σ_s s_s, one prior per source.

    >>> Separation(m, quantizers=[q_lin, q_lin], c=15.0)     # m = s1 + s2, (B, N) or (N,)

`pnf restore separate`: pnf.restore.separation.
"""

from __future__ import annotations

import math

import torch

from pnf.audio import Quantizer
from pnf.tasks.audio import _batch
from pnf.tasks.base import Task


def mixture_step(x: torch.Tensor, noise: torch.Tensor, eta: float, gamma: float,
                 r: torch.Tensor) -> torch.Tensor:
    """Exact time-η flow of dx_s = -γ·r dt + √2 dW_s, r = Σ_s x_s − m (ours, not the paper's).

    x, noise: (S, B, *, L); r: (B, *, L), the residual of x. The residual is an OU process
    dr = -Sγ·r dt + √(2S) dW' with a closed-form transition; the S − 1 directions orthogonal
    to the sum are plain Brownian motion. For small ηγ this is the explicit step; for any
    ηγ it is stable and leaves N(0, 1/γ) along the sum invariant.
    """
    S = x.shape[0]
    z_sum = noise.mean(0)                                       # (B, *, L), variance 1/S
    decay = math.exp(-S * gamma * eta)
    spread = math.sqrt(-math.expm1(-2 * S * gamma * eta) / gamma * S)   # std of r's kick
    r_new = decay * r + spread * z_sum                          # √S·z_sum ~ N(0, 1)
    return x + math.sqrt(2 * eta) * (noise - z_sum) + (r_new - r) / S


class Separation(Task):
    """m = Σ_s s_s; soft Gaussian likelihood with γ = c / σ², linear quantization.

    exact=True (default, ours): the likelihood's Langevin step is integrated exactly
    (`mixture_step`), stable for any c; exact=False: the paper's explicit step.
    """

    warm_reference = "mixture / S per source"

    def __init__(self, mixture, quantizers: list[Quantizer], c: float = 15.0,
                 exact: bool = True):
        if any(q.kind != "linear" for q in quantizers):
            raise ValueError("separation needs linearly quantized priors (mu-law breaks "
                             "additivity); train them with model.quantization: linear")
        self.mix = _batch(mixture)                                  # (B, N)
        if not c > 0:
            raise ValueError(f"the likelihood weight c must be positive, got {c}")
        self.qs, self.c, self.exact_likelihood = quantizers, c, exact
        self.n_sources = len(quantizers)
        self.free = torch.ones(1, 1, 1, dtype=torch.bool)
        self.mix_centred = self.mix * quantizers[0].half            # bins about silence

    def init(self, generator):
        """s_1 = m, the other sources silence."""
        dev = generator.device
        x = torch.full((self.n_sources, *self.mix.shape), self.qs[0].silence, device=dev)
        x[0] = self.qs[0].to_bins(self.mix).to(dev)
        return x

    def warm_start(self):
        """(ours) Every source starts at m/S. With S uncorrelated sources of equal power
        (an assumption), its RMS error is RMS(m)·sqrt(S - 1)/S in bins."""
        S = self.n_sources
        x = (self.qs[0].silence + self.mix_centred / S).expand(S, *self.mix.shape)
        rms = float(self.mix_centred.pow(2).mean().sqrt())
        return x.clone(), rms * math.sqrt(S - 1) / S

    def residual(self, x, span):
        """Σ_s s_s − m on the segment x = state[..., a:b] (S, B, L), in bins: (B, L)."""
        m = self.mix_centred[:, span[0]: span[1]].to(x.device)      # (B, L)
        return (x - self.qs[0].silence).sum(0) - m

    def log_likelihood(self, x, sigma, span):
        r = self.residual(x, span)                                  # (B, L)
        return -0.5 * (self.c / sigma**2) * (r * r).sum(-1)        # (B,)

    def likelihood_step(self, x, noise, eta, sigma, span):
        return mixture_step(x, noise, eta, self.c / sigma**2, self.residual(x, span))

    def finish(self, x):
        """(S, B, N) source waveforms."""
        return torch.stack([q.from_bins(s.detach().cpu()) for q, s in zip(self.qs, x,
                                                                           strict=True)])
