"""The restore side of audio source separation: `pnf restore separate`.

    pnf restore separate --prior piano.pt --prior voice.pt --input mix.wav --output sep.wav \\
        --names piano voice                                  # sep-piano.wav, sep-voice.wav

One prior per source (a single one is shared by both); the sampler's task is
pnf.tasks.separation.Separation.
"""

from __future__ import annotations

from pathlib import Path

from pnf.restore.audio_io import AudioIO
from pnf.restore.base import Restore
from pnf.restore.registry import register_task
from pnf.tasks.separation import Separation


@register_task
class SeparationRestore(Restore):
    """The mixture file in, OUT-<name>.wav per source out."""

    name, io, sampler = "separate", AudioIO, Separation
    help = "split a mixture into one source per prior (soft likelihood, γ = c/σ²)"
    max_priors, shared_sources = None, 2

    @classmethod
    def add_options(cls, p):
        p.add_argument("--names", nargs="+", help="source names for the output files")
        p.add_argument("--c", type=float, default=15.0,
                       help="likelihood weight: γ = c/σ² (default 15, the paper's; any c > 0 "
                            "is stable)")

    @classmethod
    def build(cls, setting, obs, priors):
        return Separation(obs.signal, [p.quantizer for p in priors], c=setting.c)

    @classmethod
    def baseline(cls, req, obs, rate):
        from pnf import baselines
        return baselines.apply(req.method, cls.name, obs.signal, checkpoint=req.model)

    @classmethod
    def sources(cls, req) -> int:
        """S: one per --prior, or the sources a single shared prior (or a baseline) gives."""
        return len(req.priors) if len(req.priors) > 1 else cls.shared_sources

    @classmethod
    def validate(cls, req):
        names = req.setting.names
        if names and len(names) != cls.sources(req):
            raise ValueError(f"--names {' '.join(names)}: give {cls.sources(req)} "
                             f"names, one per source")

    @classmethod
    def check_run(cls, req, priors, schedule):
        """Equal rates. (No bound on c: the mixture term's step is exact, stable for any c.)"""
        rates = sorted({p.rate for p in priors})
        if len(rates) > 1:
            raise ValueError(f"the priors are trained at different rates {rates} Hz; "
                             "separation needs priors of one rate")

    @classmethod
    def output_paths(cls, req, output):
        """OUT-<name>.wav per source (names from --names, else source1, source2, ...)."""
        out = Path(output)
        names = req.setting.names or [f"source{i + 1}" for i in range(cls.sources(req))]
        return [out.with_name(f"{out.stem}-{n}{out.suffix}") for n in names]

    @classmethod
    def outputs(cls, req, obs, result):
        """{OUT-<name>.wav: source}."""
        return dict(zip(cls.output_paths(req, req.output), result, strict=True))
