"""The restore side of the audio hard-constraint tasks: `pnf restore superres` / `inpaint`.

    pnf restore superres --prior piano.pt --input clip.wav --output up.wav --factor 4
    pnf restore inpaint --prior piano.pt --input clip.wav --output filled.wav --gap 1.0:1.2

    >>> SuperResolutionRestore.build(Namespace(factor=4), Observed(y, 4 * len(y)), [prior])
    SuperResolution(...)                                   # the sampler's task (pnf.tasks)

Each class reads its observation from the input file, builds the sampler's task
(pnf.tasks.audio), runs its baselines (pnf.baselines) and writes what the method saw.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf

from pnf.audio import read_audio, resample
from pnf.restore.audio_io import AudioIO, Observed
from pnf.restore.base import Restore
from pnf.restore.registry import register_task
from pnf.tasks.audio import Inpainting, SuperResolution
from pnf.validate import parse_gap


@register_task
class SuperResolutionRestore(Restore):
    """y = x[::factor] from the input file (decimated at the prior's rate, or taken at rate/K)."""

    name, io, sampler = "superres", AudioIO, SuperResolution
    help = "fill in the samples between every FACTOR-th one (hard constraint)"

    @classmethod
    def add_options(cls, p):
        p.add_argument("--factor", type=int, required=True,
                       help="upsampling factor K >= 2; an input at the prior's rate is "
                            "decimated first (y = x[::K]), as in the paper; an input at "
                            "rate/K is upsampled as it is")
        p.add_argument("--resample", action="store_true",
                       help="accept an input at any other rate: resample it to rate/K first")

    @classmethod
    def observe(cls, req, rate):
        """The decimated signal at rate/K; an input at full rate keeps its own length."""
        x, file_rate = read_audio(req.input, None), sf.info(req.input).samplerate
        k = req.setting.factor
        low = Fraction(rate, k)
        if file_rate == rate:
            obs = Observed(x[::k], len(x))
        elif abs(file_rate - low) < 1 or req.setting.resample:
            if abs(file_rate - low) >= 1:
                print(f"pnf: resampling input from {file_rate} Hz to {float(low):g} Hz",
                      file=sys.stderr)
                x = resample(x, file_rate, low)
            obs = Observed(x, len(x) * k)   # K·len at the prior's rate
        else:
            raise ValueError(f"{req.input} is at {file_rate} Hz; super-resolution x"
                             f"{k} takes the prior's rate {rate} Hz (decimated) or "
                             f"rate/K = {float(low):g} Hz; add --resample to resample it to "
                             f"{float(low):g} Hz anyway")
        if len(obs.signal) < 2:
            raise ValueError(f"--factor {k} leaves {len(obs.signal)} observed "
                             f"sample(s) of {req.input}; give a factor of at most "
                             f"{max(len(x) // 2, 2)}")
        if file_rate == rate:
            print(f"pnf: input is at the prior's rate; decimating by {k}", file=sys.stderr)
        return obs

    @classmethod
    def build(cls, setting, obs, priors):
        return SuperResolution(obs.signal, setting.factor, priors[0].quantizer)

    @classmethod
    def baseline(cls, req, obs, rate):
        from pnf import baselines
        return baselines.apply(req.method, cls.name, obs.signal, factor=req.setting.factor,
                               checkpoint=req.model)

    @classmethod
    def observation(cls, req, obs, rate):
        return np.repeat(obs.signal, req.setting.factor)   # each observed sample held K times


@register_task
class InpaintingRestore(Restore):
    """The input with --gap spans missing, at the prior's rate (the output at the input's)."""

    name, io, sampler = "inpaint", AudioIO, Inpainting
    help = "fill one or more gaps given in seconds (hard constraint)"

    @classmethod
    def add_options(cls, p):
        p.add_argument("--gap", action="append", required=True, metavar="START:END",
                       help="missing span in seconds; repeat for several gaps")

    @classmethod
    def observe(cls, req, rate):
        """At the prior's rate; an input at another rate is kept to splice the gaps into."""
        x, file_rate = read_audio(req.input, None), sf.info(req.input).samplerate
        cls.mask(req.setting, x, file_rate)                           # gaps inside the input
        if file_rate == rate:
            return Observed(x, len(x))
        print(f"pnf: resampling {Path(req.input).name} from {file_rate} Hz to {rate} Hz; "
              f"the output stays at {file_rate} Hz", file=sys.stderr)
        return Observed(resample(x, file_rate, rate), len(x), x, file_rate, rate)

    @classmethod
    def outputs(cls, req, obs, result):
        """The input with its gaps filled; at another rate the gaps come back resampled."""
        if obs.original is None:
            return super().outputs(req, obs, result)
        back = resample(np.asarray(result, np.float32), obs.signal_rate, obs.out_rate)
        back = np.pad(back, (0, max(len(obs.original) - len(back), 0)))[:len(obs.original)]
        keep = cls.mask(req.setting, obs.original, obs.out_rate)
        return super().outputs(req, obs, np.where(keep, obs.original, back))

    @classmethod
    def build(cls, setting, obs, priors):
        return Inpainting(obs.signal, [parse_gap(g) for g in setting.gap], priors[0].rate,
                          priors[0].quantizer)

    @classmethod
    def mask(cls, setting, y, rate) -> np.ndarray:
        """True where the signal is observed (outside every --gap); validates the gaps."""
        gaps = [parse_gap(g) for g in setting.gap]
        return Inpainting(y, gaps, rate, None).observed[0].numpy()

    @classmethod
    def baseline(cls, req, obs, rate):
        from pnf import baselines
        mask = cls.mask(req.setting, obs.signal, rate)
        return baselines.apply(req.method, cls.name, np.where(mask, obs.signal, 0), mask=mask)

    @classmethod
    def observation(cls, req, obs, rate):
        x, r = (obs.signal, rate) if obs.original is None else (obs.original, obs.out_rate)
        return np.where(cls.mask(req.setting, x, r), x, 0.0)             # gap silenced
