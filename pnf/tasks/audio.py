"""Audio tasks (PAPER.md §4); signals are waveforms in [-1, 1], states are bin units.

    >>> SuperResolution(y, factor=4, quantizer=q)           # y = x[::4], (B, n) or (n,)
    >>> Inpainting(x, gaps=[(0.5, 0.7)], rate=22050, quantizer=q)
    >>> Separation(m, quantizers=[q_lin, q_lin], c=15.0)     # m = s1 + s2
    >>> SpectrogramGeneration(mel, length=N, quantizer=q)   # mel: (B, 80, frames)
    >>> Unconditional(length=N, batch=4, quantizer=q)
"""

from __future__ import annotations

import torch

from pnf.audio import N_BINS, Quantizer
from pnf.tasks.base import Task, uniform_bins

TOP = N_BINS - 1.0


def _batch(x) -> torch.Tensor:
    x = torch.as_tensor(x, dtype=torch.float32)
    return x[None] if x.dim() == 1 else x          # (B, N)


class HardConstraint(Task):
    """Observed samples are held at their values; the free ones start from `fill`."""

    def __init__(self, wave, observed: torch.Tensor, quantizer: Quantizer, fill: str):
        self.wave = _batch(wave)                                   # (B, N)
        self.observed = observed.expand_as(self.wave)              # (B, N) bool
        self.free = ~self.observed[None]                           # (1, B, N)
        self.q, self.fill = quantizer, fill

    def init(self, generator):
        shape = (1, *self.wave.shape)
        start = (uniform_bins(shape, generator) if self.fill == "noise"
                 else torch.full(shape, self.q.silence, device=generator.device))
        return torch.where(self.free.to(start.device), start,
                           self.q.to_bins(self.wave).to(start.device)[None])

    def finish(self, x):
        """(B, N) waveform; observed samples are returned bit-identical."""
        out = self.q.from_bins(x[0].detach().cpu().clamp(0, TOP))
        return torch.where(self.observed, self.wave, out)


class SuperResolution(HardConstraint):
    """y = x[::factor]: every factor-th sample is known; the rest start as noise."""

    def __init__(self, y, factor: int, quantizer: Quantizer):
        if int(factor) != factor or factor < 2:
            raise ValueError(f"super-resolution factor must be an integer >= 2, got {factor}")
        y = _batch(y)
        wave = torch.zeros(y.shape[0], y.shape[1] * factor)
        wave[:, ::factor] = y
        observed = torch.zeros(wave.shape[1], dtype=torch.bool)
        observed[::factor] = True
        super().__init__(wave, observed, quantizer, fill="noise")
        self.factor = factor


class Inpainting(HardConstraint):
    """Gaps [(start_s, end_s), ...] are missing; they start as silence."""

    def __init__(self, x, gaps, rate: int, quantizer: Quantizer):
        x = _batch(x)
        n = x.shape[1]
        observed = torch.ones(n, dtype=torch.bool)
        if not gaps:
            raise ValueError("inpainting needs at least one gap START:END (seconds)")
        for start, end in gaps:
            a, b = round(start * rate), round(end * rate)
            if not 0 <= a < b <= n:
                raise ValueError(f"gap {start}:{end} s is outside the signal "
                                 f"(0:{n / rate:.3f} s) or empty; give START < END inside it")
            observed[a:b] = False
        super().__init__(x, observed, quantizer, fill="silence")


class Separation(Task):
    """m = Σ_s s_s; soft Gaussian likelihood with γ = c / σ², linear quantization."""

    def __init__(self, mixture, quantizers: list[Quantizer], c: float = 15.0):
        if any(q.kind != "linear" for q in quantizers):
            raise ValueError("separation needs linearly quantized priors (mu-law breaks "
                             "additivity); train them with model.quantization: linear")
        self.mix = _batch(mixture)                                  # (B, N)
        self.qs, self.c = quantizers, c
        self.n_sources = len(quantizers)
        self.free = torch.ones(1, 1, 1, dtype=torch.bool)
        self.mix_centred = self.mix * quantizers[0].half            # bins about silence

    def init(self, generator):
        """s_1 = m, the other sources silence."""
        dev = generator.device
        x = torch.full((self.n_sources, *self.mix.shape), self.qs[0].silence, device=dev)
        x[0] = self.qs[0].to_bins(self.mix).to(dev)
        return x

    def log_likelihood(self, x, sigma, span):
        m = self.mix_centred[:, span[0]: span[1]].to(x.device)      # (B, L)
        r = (x - self.qs[0].silence).sum(0) - m                     # (B, L)
        return -0.5 * (self.c / sigma**2) * (r * r).sum(-1)        # (B,)

    def finish(self, x):
        """(S, B, N) source waveforms."""
        return torch.stack([q.from_bins(s.detach().cpu()) for q, s in zip(self.qs, x,
                                                                           strict=True)])


class SpectrogramGeneration(Task):
    """Generate audio from a mel spectrogram through a mel-conditioned prior."""

    def __init__(self, mel: torch.Tensor, length: int, quantizer: Quantizer):
        self.mel = mel if mel.dim() == 3 else mel[None]             # (B, M, F)
        self.length, self.q = length, quantizer
        self.free = torch.ones(1, 1, 1, dtype=torch.bool)

    def init(self, generator):
        return uniform_bins((1, self.mel.shape[0], self.length), generator)

    def conditions(self):
        return [self.mel]

    def finish(self, x):
        return self.q.from_bins(x[0].detach().cpu().clamp(0, TOP))


class Unconditional(SpectrogramGeneration):
    """Sample from the prior alone."""

    def __init__(self, length: int, batch: int, quantizer: Quantizer):
        self.length, self.batch, self.q = length, batch, quantizer
        self.free = torch.ones(1, 1, 1, dtype=torch.bool)

    def init(self, generator):
        return uniform_bins((1, self.batch, self.length), generator)

    def conditions(self):
        return [None]
