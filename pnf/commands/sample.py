"""`pnf sample {pnf,ancestral}`: unconditional (or mel-conditioned) generation.

    pnf sample pnf --prior piano.pt --seconds 1 --output pnf.wav --iterations 64
    pnf sample ancestral --prior piano.pt --seconds 1 --output ar.wav
    pnf sample ancestral --prior mel.pt --mel-from clip.wav --output ar.wav
"""

from __future__ import annotations

import sys
import time

import torch

from pnf.atomic import all_or_nothing, write_json
from pnf.audio import check_mel_source, mel_spectrogram, read_audio, write_audio
from pnf.checkpoints import load_prior
from pnf.commands.common import run_sampler
from pnf.priors.ancestral import ancestral_sample
from pnf.resources import Need, check, plan
from pnf.restore.audio_io import AudioIO, add_schedule_args, chain_paths, schedule_for
from pnf.runtime import pick_device
from pnf.tasks import SpectrogramGeneration, Unconditional
from pnf.validate import check_args, check_outputs


def register(sub) -> None:
    sample = sub.add_parser("sample", help="generate audio from a prior",
                            description="Generate audio in parallel (pnf: annealed Langevin) "
                                        "or sequentially (ancestral: cached WaveNet steps).")
    how = sample.add_subparsers(dest="how", metavar="HOW", required=True)
    for name, text in [("pnf", "parallel sampling by annealed Langevin dynamics"),
                       ("ancestral", "sequential sampling, one sample at a time")]:
        p = how.add_parser(name, help=text, description=text)
        p.add_argument("--prior", required=True, help="prior file (.pt)")
        p.add_argument("--output", required=True, help="audio file to write (batch > 1: "
                                                       "OUT-1.wav ... OUT-N.wav)")
        p.add_argument("--seconds", type=float, default=1.0, help="length (default 1 s)")
        p.add_argument("--mel-from", help="condition on the mel spectrogram of this audio "
                                          "(mel prior); sets the length")
        p.add_argument("--timing", help="write the run record (method, levels, iterations, "
                                        "seed, seconds, code version) to this JSON file")
        if name == "pnf":
            add_schedule_args(p, eta=0.1)
        else:
            p.add_argument("--seed", type=int, default=0)
            p.add_argument("--batch", type=int, default=1,
                           help="independent samples: N > 1 writes OUT-1.wav ... OUT-N.wav")
        p.set_defaults(func=run)


def run(args) -> int:
    check_args(args)
    outs = chain_paths(args.output, args.batch)
    check_outputs([*outs, args.timing], inputs=[args.prior, args.mel_from])
    prior = load_prior(args.prior, model_kinds=AudioIO.model_kinds)
    mel, length = None, round(args.seconds * prior.rate)
    if length < 1 and not args.mel_from:
        raise ValueError(f"--seconds {args.seconds:g} is less than one sample at "
                         f"{prior.rate} Hz; give a length in seconds, e.g. 1.0")
    if args.mel_from:
        wave = read_audio(args.mel_from, prior.rate)
        length = len(wave)
        check_mel_source(args.mel_from, length, rate=prior.rate)
        mel = mel_spectrogram(wave, rate=prior.rate).expand(args.batch, -1, -1)
    shape = (1, args.batch, length)
    if args.how == "pnf":
        schedule = plan([prior], schedule_for(args, prior), shape, f"sampling {length} samples",
                        pick_device(args.device))
    else:
        check(Need(f"sampling {length} samples x {args.batch}", memory=24 * length * args.batch,
                   flops=2 * prior.weights() * length * args.batch), "lower --seconds or --batch")
    start = time.perf_counter()
    if args.how == "pnf":
        task = (Unconditional(length, args.batch, prior.quantizer) if mel is None
                else SpectrogramGeneration(mel, length, prior.quantizer))
        x, _ = run_sampler([prior], task, schedule, args, shape)
        waves = task.finish(x)
    else:
        sigma = min(prior.levels)
        net = prior.net_for(sigma)
        cond = None if mel is None else net.condition(mel, length)
        bins = ancestral_sample(net, length, args.batch, sigma, args.seed, cond)
        waves = prior.quantizer.from_bins(torch.from_numpy(bins).float())
    seconds = time.perf_counter() - start
    with all_or_nothing():                     # every output of the run, or none
        for path, wave in zip(outs, waves, strict=True):
            write_audio(path, wave, prior.rate)
        if args.timing:
            write_json(args.timing, _record(args, prior, schedule if args.how == "pnf"
                                            else None, length, seconds))
    print(f"pnf: {args.how} sampling of {length} samples x {args.batch} took {seconds:.1f} s",
          file=sys.stderr)
    return 0


def _record(args, prior, schedule, length: int, seconds: float) -> dict:
    """The run record of one sampling (pnf.restore.record): `schedule` None for ancestral
    sampling, which runs at the prior's lowest σ and has no iterations."""
    from pnf.restore.record import run_record

    ancestral = schedule is None
    info = {"levels": [min(prior.levels)] if ancestral else list(schedule.sigmas),
            "iterations": None if ancestral else schedule.iterations, "seed": args.seed}
    setting = {"samples": length, "batch": args.batch, "mel_from": args.mel_from}
    return run_record("sample", setting, args.how, info, seconds)
