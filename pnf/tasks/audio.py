"""Audio tasks (docs/method.md#tasks); signals are waveforms in [-1, 1], states are bin units.

    >>> SuperResolution(y, factor=4, quantizer=q)           # y = x[::4], (B, n) or (n,)
    >>> Inpainting(x, gaps=[(0.5, 0.7)], rate=22050, quantizer=q)

Separation: pnf.tasks.separation; spectrogram and unconditional generation:
pnf.tasks.generation.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from pnf.audio import N_BINS, Quantizer, read_audio, resample
from pnf.tasks.audio_io import AudioIO, Observed
from pnf.tasks.base import Task, uniform_bins
from pnf.tasks.registry import register_task
from pnf.validate import parse_gap
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


@register_task
class SuperResolution(HardConstraint):
    """y = x[::factor]: every factor-th sample is known; the rest start as noise."""

    name, io = "superres", AudioIO
    help = "fill in the samples between every FACTOR-th one (hard constraint)"
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

    @classmethod
    def add_options(cls, p):
        p.add_argument("--factor", type=int, required=True,
                       help="upsampling factor K >= 2; an input at the prior's rate is "
                            "decimated first (y = x[::K]), as in the paper; an input at "
                            "rate/K is upsampled as it is")
        p.add_argument("--resample", action="store_true",
                       help="accept an input at any other rate: resample it to rate/K first")

    @classmethod
    def observe(cls, args, rate):
        """The decimated signal at rate/K; an input at full rate keeps its own length."""
        x, file_rate = read_audio(args.input, None), sf.info(args.input).samplerate
        low = Fraction(rate, args.factor)
        if file_rate == rate:
            obs = Observed(x[:: args.factor], len(x))
        elif abs(file_rate - low) < 1 or args.resample:
            if abs(file_rate - low) >= 1:
                print(f"pnf: resampling input from {file_rate} Hz to {float(low):g} Hz",
                      file=sys.stderr)
                x = resample(x, file_rate, low)
            obs = Observed(x, len(x) * args.factor)   # K·len at the prior's rate
        else:
            raise ValueError(f"{args.input} is at {file_rate} Hz; super-resolution x"
                             f"{args.factor} takes the prior's rate {rate} Hz (decimated) or "
                             f"rate/K = {float(low):g} Hz; add --resample to resample it to "
                             f"{float(low):g} Hz anyway")
        if len(obs.signal) < 2:
            raise ValueError(f"--factor {args.factor} leaves {len(obs.signal)} observed "
                             f"sample(s) of {args.input}; give a factor of at most "
                             f"{max(len(x) // 2, 2)}")
        if file_rate == rate:
            print(f"pnf: input is at the prior's rate; decimating by {args.factor}",
                  file=sys.stderr)
        return obs

    @classmethod
    def from_args(cls, args, obs, priors):
        return cls(obs.signal, args.factor, priors[0].quantizer)

    @classmethod
    def baseline(cls, args, obs, rate):
        from pnf import baselines
        return baselines.apply(args.method, "superres", obs.signal, factor=args.factor,
                               checkpoint=args.model)

    @classmethod
    def observation(cls, args, obs, rate):
        return np.repeat(obs.signal, args.factor)       # each observed sample held K times


@register_task
class Inpainting(HardConstraint):
    """Gaps [(start_s, end_s), ...] are missing; they start as silence."""

    name, io = "inpaint", AudioIO
    help = "fill one or more gaps given in seconds (hard constraint)"
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

    @classmethod
    def add_options(cls, p):
        p.add_argument("--gap", action="append", required=True, metavar="START:END",
                       help="missing span in seconds; repeat for several gaps")

    @classmethod
    def observe(cls, args, rate):
        """At the prior's rate; an input at another rate is kept to splice the gaps into."""
        x, file_rate = read_audio(args.input, None), sf.info(args.input).samplerate
        cls.mask(args, x, file_rate)                                  # gaps inside the input
        if file_rate == rate:
            return Observed(x, len(x))
        print(f"pnf: resampling {Path(args.input).name} from {file_rate} Hz to {rate} Hz; "
              f"the output stays at {file_rate} Hz", file=sys.stderr)
        return Observed(resample(x, file_rate, rate), len(x), x, file_rate, rate)

    @classmethod
    def outputs(cls, args, obs, result):
        """The input with its gaps filled; at another rate the gaps come back resampled."""
        if obs.original is None:
            return super().outputs(args, obs, result)
        back = resample(np.asarray(result, np.float32), obs.signal_rate, obs.out_rate)
        back = np.pad(back, (0, max(len(obs.original) - len(back), 0)))[:len(obs.original)]
        keep = cls.mask(args, obs.original, obs.out_rate)
        return super().outputs(args, obs, np.where(keep, obs.original, back))

    @classmethod
    def from_args(cls, args, obs, priors):
        return cls(obs.signal, [parse_gap(g) for g in args.gap], priors[0].rate,
                   priors[0].quantizer)

    @classmethod
    def mask(cls, args, y, rate) -> np.ndarray:
        """True where the signal is observed (outside every --gap); validates the gaps."""
        return cls(y, [parse_gap(g) for g in args.gap], rate, None).observed[0].numpy()

    @classmethod
    def baseline(cls, args, obs, rate):
        from pnf import baselines
        mask = cls.mask(args, obs.signal, rate)
        return baselines.apply(args.method, "inpaint", np.where(mask, obs.signal, 0), mask=mask)

    @classmethod
    def observation(cls, args, obs, rate):
        x, r = (obs.signal, rate) if obs.original is None else (obs.original, obs.out_rate)
        return np.where(cls.mask(args, x, r), x, 0.0)                     # gap silenced
