"""`pnf evaluate`: score one restored item, or collect every score into metrics CSV + JSON.

    pnf evaluate item --truth truth/c000.wav --estimate pnf/c000.wav --dataset piano \\
        --task superres --setting x4 --method pnf --item c000 --factor 4 \
        --run pnf/c000.run.json --out c000.json      # iterations, seconds: the run record
    pnf evaluate collect --scores results/smoke/scores --out-csv results/smoke/metrics.csv \\
        --out-json results/smoke/metrics.json
    pnf evaluate prior --prior results/smoke/priors/piano-mulaw.pt --data data/embedded/piano \\
        --split test --clips 4 --out-json piano-mulaw.json --out-csv piano-mulaw.csv
"""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("evaluate", help="score restorations (SNR, LSD, SI-SDR, BSS Eval, "
                            "PSNR)", description="Score restorations and aggregate the scores.")
    what = parser.add_subparsers(dest="evaluate_what", metavar="WHAT", required=True)

    item = what.add_parser("item", help="score one restored item into a JSON record")
    item.add_argument("--truth", required=True, help="ground truth WAV (or image .npy)")
    item.add_argument("--estimate", required=True, help="restored WAV (or image .npy)")
    item.add_argument("--mixture", help="the mixture WAV (separation: needed for SDR/SIR/SAR)")
    for key in ("dataset", "task", "setting", "method", "item"):
        item.add_argument(f"--{key}", required=True)
    item.add_argument("--source", default="", help="separated source name, e.g. piano")
    item.add_argument("--factor", type=int, help="super-resolution factor")
    item.add_argument("--gap-ms", type=float, help="inpainting gap length in ms")
    item.add_argument("--run", metavar="RECORD",
                      help="the restoration's run record (pnf restore's OUT.run.json or "
                           "--timing, pnf image restore's run.json): iterations and seconds")
    item.add_argument("--iterations", type=int,
                      help="Langevin iterations per noise level (default: --run's)")
    item.add_argument("--seconds", type=float,
                      help="wall time spent restoring this item (default: --run's)")
    item.add_argument("--out", required=True, help="score record to write (JSON)")
    item.set_defaults(func=_item)

    collect = what.add_parser("collect", help="gather score records into metrics CSV + JSON")
    collect.add_argument("--scores", default="results/smoke/scores", help="folder of score records")
    collect.add_argument("--out-csv", default="results/smoke/metrics.csv")
    collect.add_argument("--out-json", default="results/smoke/metrics.json")
    collect.set_defaults(func=_collect)
    _register_prior(what)


def _register_prior(what: argparse._SubParsersAction) -> None:
    p = what.add_parser("prior", help="held-out bits per sample of a prior beside a histogram "
                        "and a linear predictor; its ancestral samples' spectra against the data",
                        description="Prior quality (pnf/priors/quality.py): held-out NLL in bits "
                        "per sample (clean, and at the lowest σ) beside an order-0 histogram and "
                        "a linear predictor fitted on the training clips, in the prior's bins; "
                        "ancestral samples' high-band energy, spectral flatness and log-mel "
                        "Fréchet distance against the held-out audio.")
    p.add_argument("--prior", required=True, help="prior file (.pt) of `pnf train prior`")
    p.add_argument("--data", required=True, help="data set folder with manifest.csv")
    p.add_argument("--split", default="test", choices=["test", "validation"],
                   help="test: the first test clips; validation: the validation split, or "
                   "else the last test clips (never the scored ones)")
    p.add_argument("--clips", type=int, default=4, help="held-out clips (default 4)")
    p.add_argument("--seconds", type=float, default=0.5, help="seconds of each clip used")
    p.add_argument("--samples", type=int, default=2, help="ancestral samples (0: none)")
    p.add_argument("--sample-seconds", type=float, default=0.5, help="length of each sample")
    p.add_argument("--order", type=int, default=32, help="linear predictor order")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out-json", help="write the record here (JSON)")
    p.add_argument("--out-csv", help="write the record here (one-row CSV)")
    p.add_argument("--samples-out", metavar="DIR", help="also write the ancestral samples "
                   "into DIR (sample0.wav, …, at the prior's rate)")
    p.set_defaults(func=_prior)


def _item(args: argparse.Namespace) -> int:
    from pnf.metrics import evaluate_item, write_record
    from pnf.restore.record import read_record

    meta = {k: getattr(args, k) for k in ("dataset", "setting", "method", "item", "source",
                                          "factor", "gap_ms", "iterations", "seconds")}
    if args.run:
        meta.update(_from_record(args, read_record(args.run)))
    record = evaluate_item(args.truth, args.estimate, args.task, mixture=args.mixture, **meta)
    write_record(args.out, record)
    return 0


def _from_record(args: argparse.Namespace, run: dict) -> dict:
    """iterations and seconds of a run record, unless given as flags."""
    from pnf.methods import METHODS

    if "iterations" not in run and args.iterations is None and args.method not in METHODS:
        raise ValueError(f"--run {args.run}: holds no iterations (a timing file written "
                         "before run records); re-run its restoration or give --iterations")
    return {key: run.get(key) for key in ("iterations", "seconds")
            if getattr(args, key) is None}


def _collect(args: argparse.Namespace) -> int:
    from pnf.atomic import all_or_nothing
    from pnf.metrics import collect, write_metrics

    records = collect(args.scores)
    with all_or_nothing():                     # both files, or neither
        write_metrics(records, args.out_csv, args.out_json)
    print(f"pnf: {len(records)} records -> {args.out_csv}, {args.out_json}", file=sys.stderr)
    return 0


def _prior(args: argparse.Namespace) -> int:
    from pnf.priors.quality import evaluate_prior, print_record, write_record

    for name in ("clips", "order"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
    if args.samples < 0 or args.seconds <= 0 or args.sample_seconds <= 0:
        raise ValueError("--samples must be ≥ 0 and --seconds, --sample-seconds above 0")
    record = evaluate_prior(args.prior, args.data, args.split, args.clips, args.seconds,
                            args.samples, args.sample_seconds, args.order, args.seed,
                            args.samples_out)
    write_record(record, args.out_json, args.out_csv)
    print_record(record)
    return 0
