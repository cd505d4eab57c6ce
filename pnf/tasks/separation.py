"""Audio source separation (docs/method.md#tasks): m = Σ_s s_s, one prior per source.

    >>> Separation(m, quantizers=[q_lin, q_lin], c=15.0)     # m = s1 + s2, (B, N) or (N,)

    pnf restore separate --prior piano.pt --prior voice.pt --input mix.wav --output sep.wav \\
        --names piano voice                                  # sep-piano.wav, sep-voice.wav
"""

from __future__ import annotations

import math
from pathlib import Path

import torch

from pnf.audio import Quantizer
from pnf.tasks.audio import _batch
from pnf.tasks.audio_io import AudioIO
from pnf.tasks.base import Task
from pnf.tasks.registry import register_task


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


@register_task
class Separation(Task):
    """m = Σ_s s_s; soft Gaussian likelihood with γ = c / σ², linear quantization.

    exact=True (default, ours): the likelihood's Langevin step is integrated exactly
    (`mixture_step`), stable for any c; exact=False: the paper's explicit step.
    """

    name, io = "separate", AudioIO
    help = "split a mixture into one source per prior (soft likelihood, γ = c/σ²)"
    max_priors, shared_sources = None, 2
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

    @classmethod
    def add_options(cls, p):
        p.add_argument("--names", nargs="+", help="source names for the output files")
        p.add_argument("--c", type=float, default=15.0,
                       help="likelihood weight: γ = c/σ² (default 15, the paper's; any c > 0 "
                            "is stable)")

    @classmethod
    def from_args(cls, args, obs, priors):
        return cls(obs.signal, [p.quantizer for p in priors], c=args.c)

    @classmethod
    def baseline(cls, args, obs, rate):
        from pnf import baselines
        return baselines.apply(args.method, "separate", obs.signal, checkpoint=args.model)

    @classmethod
    def sources(cls, args) -> int:
        """S: one per --prior, or the sources a single shared prior (or a baseline) gives."""
        return len(args.prior) if len(args.prior) > 1 else cls.shared_sources

    @classmethod
    def validate(cls, args):
        if args.names and len(args.names) != cls.sources(args):
            raise ValueError(f"--names {' '.join(args.names)}: give {cls.sources(args)} "
                             f"names, one per source")

    @classmethod
    def check_run(cls, args, priors, schedule):
        """Equal rates. (No bound on c: the mixture term's step is exact, stable for any c.)"""
        rates = sorted({p.rate for p in priors})
        if len(rates) > 1:
            raise ValueError(f"the priors are trained at different rates {rates} Hz; "
                             "separation needs priors of one rate")

    @classmethod
    def output_paths(cls, args, output):
        """OUT-<name>.wav per source (names from --names, else source1, source2, ...)."""
        out = Path(output)
        names = args.names or [f"source{i + 1}" for i in range(cls.sources(args))]
        return [out.with_name(f"{out.stem}-{n}{out.suffix}") for n in names]

    @classmethod
    def outputs(cls, args, obs, result):
        """{OUT-<name>.wav: source}."""
        return dict(zip(cls.output_paths(args, args.output), result, strict=True))
