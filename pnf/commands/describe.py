"""`pnf describe FILE...`: one line per checkpoint: what it holds (kind, step, levels, config).

    pnf describe results/priors/piano.pt results/baselines/kee-x4.pt
"""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("describe", help="say what a checkpoint file holds (one line each)",
                       description="Read checkpoints safely (tensors and plain values only) "
                                   "and print one line per file.")
    p.add_argument("files", nargs="+", metavar="FILE", help="checkpoint files (.pt)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pnf.checkpoints import describe

    lines = [describe(path) for path in args.files]   # every file checked before printing
    print("\n".join(lines))
    return 0
