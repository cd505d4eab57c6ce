"""`pnf evaluate`: score one restored item, or collect every score into metrics CSV + JSON.

    pnf evaluate item --truth truth/c000.wav --estimate pnf/c000.wav --dataset piano \\
        --task superres --setting x4 --method pnf --item c000 --factor 4 --out c000.json
    pnf evaluate collect --scores results/smoke/scores --out-csv results/smoke/metrics.csv \\
        --out-json results/smoke/metrics.json
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
    item.add_argument("--iterations", type=int, help="Langevin iterations per noise level")
    item.add_argument("--seconds", type=float, help="wall time spent restoring this item")
    item.add_argument("--out", required=True, help="score record to write (JSON)")
    item.set_defaults(func=_item)

    collect = what.add_parser("collect", help="gather score records into metrics CSV + JSON")
    collect.add_argument("--scores", default="results/smoke/scores", help="folder of score records")
    collect.add_argument("--out-csv", default="results/smoke/metrics.csv")
    collect.add_argument("--out-json", default="results/smoke/metrics.json")
    collect.set_defaults(func=_collect)


def _item(args: argparse.Namespace) -> int:
    from pnf.metrics import evaluate_item, write_record

    meta = {k: getattr(args, k) for k in ("dataset", "setting", "method", "item", "source",
                                          "factor", "gap_ms", "iterations", "seconds")}
    record = evaluate_item(args.truth, args.estimate, args.task, mixture=args.mixture, **meta)
    write_record(args.out, record)
    return 0


def _collect(args: argparse.Namespace) -> int:
    from pnf.atomic import all_or_nothing
    from pnf.metrics import collect, write_metrics

    records = collect(args.scores)
    with all_or_nothing():                     # both files, or neither
        write_metrics(records, args.out_csv, args.out_json)
    print(f"pnf: {len(records)} records -> {args.out_csv}, {args.out_json}", file=sys.stderr)
    return 0
