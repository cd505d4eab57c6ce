"""`pnf restore TASK`: super-resolution, inpainting, separation, spectrogram conditioning.

    pnf restore superres --prior piano.pt --input clip.wav --output up.wav --factor 4
    pnf restore inpaint --prior piano.pt --input clip.wav --output filled.wav --gap 1.0:1.2
    pnf restore separate --prior piano-lin.pt --prior voice-lin.pt --input mix.wav \\
        --output sep.wav --names piano voice           # writes sep-piano.wav, sep-voice.wav
    pnf restore superres --method spline --input clip.wav --output up.wav --factor 4
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from pnf.atomic import write_json
from pnf.audio import RATE, read_audio, write_audio
from pnf.commands.common import add_schedule_args, run_sampler
from pnf.priors.base import load_prior
from pnf.tasks import Inpainting, Separation, SpectrogramGeneration, SuperResolution

TASK_HELP = {
    "superres": "fill in the samples between every FACTOR-th one (hard constraint)",
    "inpaint": "fill one or more gaps given in seconds (hard constraint)",
    "separate": "split a mixture into one source per prior (soft likelihood, γ = c/σ²)",
    "spectrogram": "generate audio from the mel spectrogram of the input (mel prior)",
}


def register(sub) -> None:
    restore = sub.add_parser("restore", help="restore audio with a prior (or a baseline)",
                             description="Restore audio by annealed Langevin dynamics on "
                                         "smoothed WaveNet priors, or with a baseline "
                                         "(--method). Inputs of any rate are resampled.")
    tasks = restore.add_subparsers(dest="task", metavar="TASK", required=True)
    for name, text in TASK_HELP.items():
        p = tasks.add_parser(name, help=text, description=text)
        p.add_argument("--prior", action="append", default=[],
                       help="prior file (.pt); give one per source for `separate`")
        p.add_argument("--input", required=True, help="audio file (WAV/FLAC/OGG, any rate)")
        p.add_argument("--output", required=True, help="audio file to write")
        p.add_argument("--method", default="pnf",
                       help="pnf (default) or a baseline: spline, kee (superres); zero, "
                            "linear, spline (inpaint); convtasnet, demucs (separate)")
        p.add_argument("--model", help="baseline checkpoint (kee, convtasnet, demucs)")
        p.add_argument("--timing", help="write {'seconds': wall time} to this JSON file")
        p.add_argument("--save-input", metavar="PATH",
                       help="also write what the method saw, as listenable audio (decimated "
                            "signal held, gap silenced, the mixture, the mel's source)")
        if name == "superres":
            p.add_argument("--factor", type=int, required=True,
                           help="upsampling factor K >= 2; an input at the prior's rate is "
                                "decimated first (y = x[::K]), as in the paper")
        if name == "inpaint":
            p.add_argument("--gap", action="append", required=True, metavar="START:END",
                           help="missing span in seconds; repeat for several gaps")
        if name == "separate":
            p.add_argument("--names", nargs="+", help="source names for the output files")
            p.add_argument("--c", type=float, default=15.0,
                           help="likelihood weight: γ = c/σ² (default 15, the paper's)")
        add_schedule_args(p, eta=0.1 if name == "spectrogram" else 0.05)
        p.set_defaults(func=run)


def parse_gap(text: str) -> tuple[float, float]:
    try:
        start, end = (float(v) for v in text.split(":"))
    except ValueError:
        raise ValueError(f"--gap {text!r}: give START:END in seconds, e.g. 1.0:1.2") from None
    return start, end


def read_observed(args, rate: int) -> tuple[np.ndarray, int]:
    """The input as the task sees it (superres: the decimated signal at rate/K), and the
    length of the output at `rate` (an input at full rate keeps its own length)."""
    if args.task != "superres":
        y = read_audio(args.input, rate)
        return y, len(y)
    if args.factor < 2:
        raise ValueError(f"--factor {args.factor}: super-resolution needs a factor >= 2")
    x = read_audio(args.input, None)
    import soundfile as sf

    file_rate = sf.info(args.input).samplerate
    if file_rate == rate:
        print(f"pnf: input is at the prior's rate; decimating by {args.factor}", file=sys.stderr)
        return x[:: args.factor], len(x)
    low = rate / args.factor
    if file_rate != low:
        from pnf.audio import resample

        print(f"pnf: resampling input from {file_rate} Hz to {low:g} Hz", file=sys.stderr)
        x = resample(x, file_rate, round(low))
    return x, len(x) * args.factor


def run(args) -> int:
    start = time.perf_counter()
    priors = load_priors(args) if args.method == "pnf" else None
    rate = priors[0].rate if priors else RATE
    y, length = read_observed(args, rate)
    outputs = (restore_pnf(args, priors, y, rate) if priors
               else restore_baseline(args, y, rate))
    seconds = time.perf_counter() - start
    if args.save_input:
        outputs[Path(args.save_input)] = listenable_input(args, y, rate)
    for path, wave in outputs.items():
        write_audio(path, wave[:length], rate)     # superres: K·len(y) may pass the input end
    if args.timing:
        write_json(args.timing, {"seconds": seconds})
    print(f"pnf: {args.task} with {args.method} took {seconds:.1f} s -> "
          f"{', '.join(map(str, outputs))}", file=sys.stderr)
    return 0


def listenable_input(args, y: np.ndarray, rate: int) -> np.ndarray:
    """The observation at full rate: y held K samples, or the gap silenced, or as read."""
    if args.task == "superres":
        return np.repeat(y, args.factor)
    if args.task == "inpaint":
        return np.where(gap_mask(args, y, rate), y, 0.0)
    return y


def gap_mask(args, y: np.ndarray, rate: int) -> np.ndarray:
    """True where the signal is observed (outside every --gap); validates the gaps."""
    return Inpainting(y, [parse_gap(g) for g in args.gap], rate, None).observed[0].numpy()


def source_outputs(args, sources) -> dict:
    """{OUT-<name>.wav: source} for separation (names from --names, else source1, ...)."""
    out = Path(args.output)
    names = args.names or [f"source{i + 1}" for i in range(len(sources))]
    return {out.with_name(f"{out.stem}-{n}{out.suffix}"): s
            for n, s in zip(names, sources, strict=True)}


def load_priors(args) -> list:
    """The --prior files; `separate` with a single prior shares it between both sources."""
    if not args.prior or (args.task != "separate" and len(args.prior) != 1):
        raise ValueError(f"`restore {args.task}` needs --prior (one per source for separate)")
    priors = [load_prior(p) for p in args.prior]
    return priors * 2 if args.task == "separate" and len(priors) == 1 else priors


def restore_pnf(args, priors, y, rate) -> dict:
    task = make_task(args, y, priors, rate)
    x, _ = run_sampler(priors, task, args)
    out = task.finish(x)
    if args.task == "separate":
        return source_outputs(args, out[:, 0])
    return {Path(args.output): out[0]}


def make_task(args, y, priors, rate):
    q = priors[0].quantizer
    if args.task == "superres":
        return SuperResolution(y, args.factor, q)
    if args.task == "inpaint":
        return Inpainting(y, [parse_gap(g) for g in args.gap], rate, q)
    if args.task == "separate":
        return Separation(y, [p.quantizer for p in priors], c=args.c)
    from pnf.audio import mel_spectrogram

    return SpectrogramGeneration(mel_spectrogram(y), len(y), q)


def restore_baseline(args, y, rate) -> dict:
    from pnf import baselines

    if args.task == "superres":
        out = baselines.apply(args.method, "superres", y, factor=args.factor,
                              checkpoint=args.model)
    elif args.task == "inpaint":
        mask = gap_mask(args, y, rate)
        out = baselines.apply(args.method, "inpaint", np.where(mask, y, 0), mask=mask)
    elif args.task == "separate":
        return source_outputs(args, baselines.apply(args.method, "separate", y,
                                                    checkpoint=args.model))
    else:
        raise ValueError(f"no baseline for {args.task}; use --method pnf")
    return {Path(args.output): out}
