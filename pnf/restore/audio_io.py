"""How an audio restore task meets the CLI: flags, reading the input, schedule, writing.

    pnf restore superres --prior piano.pt --input clip.wav --output up.wav --factor 4

An audio task's restore side (pnf.restore.audio, ...) sets `io = AudioIO`; the restore
layer calls these functions and never looks at the task's name. They read the typed
request (pnf.restore.request.Request). Signals are mono float arrays at `rate`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pnf import variants
from pnf.atomic import write_json
from pnf.audio import file_rate, read_audio, write_audio
from pnf.checkpoints import load_prior
from pnf.langevin import SCHEDULES, Schedule
from pnf.methods import methods_for
from pnf.precision import PRECISIONS
from pnf.restore.record import record_path, run_record
from pnf.sigmas import audio_delta
from pnf.validate import check_outputs


@dataclass
class Observed:
    signal: np.ndarray        # (n,) what the task observes, at its own rate
    length: int               # samples of each output (at out_rate)
    original: np.ndarray | None = None   # (m,) the input as read, when kept at its rate
    out_rate: int | None = None          # the outputs' rate; None: the prior's
    signal_rate: int | None = None       # the rate of `signal` when out_rate is set


def add_schedule_args(p, eta: float = 0.05) -> None:
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
    g.add_argument("--schedule", default="langevin", choices=list(SCHEDULES),
                   help="langevin: the paper's annealed Langevin; tweedie: plus a final "
                        "denoising step; pc: a reverse-diffusion predictor before each level; "
                        "pc-tweedie: both (ours; see pnf/langevin.py)")
    g.add_argument("--n-levels", type=int,
                   help="re-space the ladder into this many geometric levels (ours: many "
                        "levels, few --iterations each)")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda")
    g.add_argument("--precision", default="auto", choices=["auto", *PRECISIONS],
                   help="WaveNet trunk matmuls (auto: fp32; see pnf.precision)")
    g.add_argument("--compile", action="store_true",
                   help="CUDA only: the prior under torch.compile with CUDA graphs (off by "
                        "default; on the CPU it makes the update slower)")
    g.add_argument("--batch", type=int, default=1,
                   help="independent chains, run as one batch: N = 1 writes OUT.wav, N > 1 "
                        "writes OUT-1.wav ... OUT-N.wav")


def chain_paths(output: str | Path, n: int) -> list[Path]:
    """Where chain i's output goes: OUT itself for one chain, else OUT-1 ... OUT-N."""
    out = Path(output)
    if n == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i + 1}{out.suffix}") for i in range(n)]


def schedule_for(args, prior) -> Schedule:
    """The audio schedule: --levels or the prior's ladder; δ from --delta or the η rule.
    `args`: the schedule flags (a request's `schedule`, or a parsed command line)."""
    levels = args.levels if args.levels is not None else prior.ladder()
    delta = args.delta if args.delta is not None else audio_delta(args.eta, levels)
    return Schedule(sigmas=levels, delta=delta, iterations=args.iterations,
                    window=args.window, kind=getattr(args, "schedule", "langevin"),
                    n_levels=getattr(args, "n_levels", None))


class AudioIO:
    """Audio files in, audio files out (WAV/FLAC/OGG of any rate in; WAV at the prior's rate,
    or for a baseline at the input's)."""

    model_kinds = ("wavenet",)      # the prior networks an audio task can use

    @staticmethod
    def add_arguments(p, task: type) -> None:
        p.add_argument("--prior", action="append", default=[],
                       help="prior file (.pt)" + ("; give one per source (one is shared)"
                                                  if task.max_priors != 1 else ""))
        p.add_argument("--input", required=True, help="audio file (WAV/FLAC/OGG, any rate)")
        p.add_argument("--output", required=True, help="audio file to write")
        p.add_argument("--method", default="pnf",
                       help="pnf (default) or a baseline: " + (", ".join(methods_for(task.name))
                                                               or "none for this task"))
        p.add_argument("--model", help="baseline checkpoint (a learned method's)")
        p.add_argument("--timing", metavar="RECORD",
                       help="write the run record (task, setting, levels, iterations, seed, "
                            "'seconds': wall time, ...) here instead of OUT.run.json")
        p.add_argument("--save-input", metavar="PATH",
                       help="also write what the method saw, as listenable audio (decimated "
                            "signal held, gap silenced, the mixture, the mel's source)")
        task.add_options(p)
        add_schedule_args(p, eta=task.eta)
        variants.add_arguments(p, task.sampler)

    @staticmethod
    def load_priors(req, task: type) -> list:
        """The --prior files; a single one is shared by `task.shared_sources` sources."""
        if not req.priors or (task.max_priors and len(req.priors) > task.max_priors):
            many = "one per source" if task.max_priors != 1 else "exactly one"
            raise ValueError(f"`restore {task.name}` needs --prior ({many})")
        priors = [load_prior(p, model_kinds=AudioIO.model_kinds) for p in req.priors]
        return priors * task.shared_sources if len(priors) == 1 else priors

    @staticmethod
    def check_paths(req, task: type) -> None:
        """Every output (per chain, per source, --save-input, the run record) writable, no
        input."""
        outs = [p for chain in chain_paths(req.output, req.sampling.chains)
                for p in task.output_paths(req, chain)]
        check_outputs([*outs, req.save_input, req.record or record_path(req.output)],
                      inputs=[req.input, req.model, *req.priors])

    @staticmethod
    def batched(obs: Observed, n: int) -> Observed:
        """The observation repeated for n chains: signal (n, len)."""
        return obs if n == 1 else Observed(np.tile(obs.signal, (n, 1)), obs.length,
                                           obs.original, obs.out_rate, obs.signal_rate)

    @staticmethod
    def state_shape(obs: Observed, chains: int, sources: int) -> tuple:
        """The sampler's state: (sources, chains, samples)."""
        return sources, chains, obs.length

    @staticmethod
    def rate(priors, req) -> int:
        """The prior's rate; without one (a baseline), the input file's own."""
        return priors[0].rate if priors else file_rate(req.input)

    schedule = staticmethod(schedule_for)

    @staticmethod
    def read(req, rate: int) -> Observed:
        y = read_audio(req.input, rate)
        return Observed(y, len(y))

    @staticmethod
    def single_output(req, result) -> dict:
        return {Path(req.output): result}

    @staticmethod
    def write(req, task: type, obs: Observed, outputs: dict, rate: int, run: dict) -> None:
        """The outputs, --save-input and the run record (`run`: what the sampler reported,
        with the wall time `seconds`)."""
        if req.save_input:
            outputs[Path(req.save_input)] = task.observation(req, obs, rate)
        for path, wave in outputs.items():
            write_audio(path, wave[:obs.length], obs.out_rate or rate)   # superres: K·len(y)
            # may pass the end
        record = run_record(task.name, vars(req.setting), req.method, run, run["seconds"])
        write_json(req.record or record_path(req.output), record)
        print(f"pnf: {task.name} with {req.method} took {run['seconds']:.1f} s -> "
              f"{', '.join(map(str, outputs))}", file=sys.stderr)
