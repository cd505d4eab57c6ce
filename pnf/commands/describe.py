"""`pnf describe FILE...`: one line per checkpoint: what it holds (kind, step, levels, config).

    pnf describe results/priors/piano.pt results/baselines/kee-x4.pt

A checkpoint whose weights hold NaN/inf, or do not fit its stored config, gets
`PROBLEMS: ...` on its line, and the exit status is 1.
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

    described = [describe(path) for path in args.files]   # every file read before printing
    print("\n".join(line for line, _ in described))
    return 1 if any(found for _, found in described) else 0
