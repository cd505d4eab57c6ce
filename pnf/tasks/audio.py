"""Audio tasks (docs/method.md#tasks); signals are waveforms in [-1, 1], states are bin units.

    >>> SuperResolution(y, factor=4, quantizer=q)           # y = x[::4], (B, n) or (n,)
    >>> Inpainting(x, gaps=[(0.5, 0.7)], rate=22050, quantizer=q)

Separation: pnf.tasks.separation; spectrogram and unconditional generation:
pnf.tasks.generation.
"""

from __future__ import annotations

import numpy as np
import torch

from pnf.audio import N_BINS, Quantizer
from pnf.tasks.base import Task, uniform_bins
from pnf.variants import fill_error, spline_error

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

    def warm_start(self):
        """(ours) Free samples from reference() (B, N), observed ones held; its error."""
        est = torch.as_tensor(self.reference(), dtype=torch.float32)
        start = torch.where(self.free, self.q.to_bins(est)[None],
                            self.q.to_bins(self.wave)[None])               # (1, B, N)
        return start, self.reference_error()

    def finish(self, x):
        """(B, N) waveform; observed samples are returned bit-identical."""
        out = self.q.from_bins(x[0].detach().cpu().clamp(0, TOP))
        return torch.where(self.observed, self.wave, out)


class SuperResolution(HardConstraint):
    """y = x[::factor]: every factor-th sample is known; the rest start as noise."""

    warm_reference = "cubic spline"

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

    def reference(self) -> np.ndarray:
        """(B, N) the spline through the observed samples."""
        from pnf.baselines.spline import spline_upsample  # lazy: pnf.baselines loads models

        return spline_upsample(self.wave[:, :: self.factor].numpy(), self.factor)

    def reference_error(self) -> float:
        return spline_error(self.wave[:, :: self.factor].numpy(), self.q.to_bins)


class Inpainting(HardConstraint):
    """Gaps [(start_s, end_s), ...] are missing; they start as silence."""

    warm_fill = "zero"   # best SNR of the reference fills at every gap (smoke tables)
    warm_reference = "zero fill"

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

    def reference(self) -> np.ndarray:
        """(B, N) the input with every gap filled by `warm_fill`."""
        from pnf.baselines.gapfill import fill_gaps  # lazy: pnf.baselines loads models

        obs = self.observed.numpy()
        return np.stack([fill_gaps(x * m, m, self.warm_fill)
                         for x, m in zip(self.wave.numpy(), obs, strict=True)])

    def reference_error(self) -> float:
        return fill_error(self.wave.numpy(), self.observed.numpy(), self.warm_fill,
                          self.q.to_bins)
