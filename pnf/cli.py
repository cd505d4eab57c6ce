"""The `pnf` command. Each concern registers its own verbs; this file only wires them.

    pnf --help
    pnf train prior --config experiments/models/wavenet-tiny.yaml --data data/embedded/piano \\
        --out prior.pt
    pnf restore superres --prior prior.pt --input in.wav --output out.wav --factor 4
"""

from __future__ import annotations

import argparse
import importlib
import sys

from pnf.allocator import retain_freed_memory

# Modules that define `register(subparsers)`; each adds its verbs (or sub-verbs).
COMMAND_MODULES = (
    "pnf.commands.train",
    "pnf.commands.restore",
    "pnf.commands.sample",
    "pnf.commands.bench",
    "pnf.commands.evaluate",
    "pnf.commands.describe",
    "pnf.datasets.cli",
    "pnf.baselines.cli",
    "pnf.report.cli",
    "pnf.commands.image",
)


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: `pnf: error: ...` (no usage dump), exit 2."""

    def error(self, message: str):
        verb = self.prog.removeprefix("pnf").strip()
        hint = f"; see `pnf {verb} --help`" if verb else "; see `pnf --help`"
        self.exit(2, f"pnf: error: {' '.join(message.split())}{hint}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="pnf",
        description="Parallel and Flexible sampling: restore audio and images by annealed "
                    "Langevin dynamics on smoothed autoregressive priors.",
        epilog="Run `pnf VERB --help` for each verb. Start with `make reproduce`.")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name and name.startswith(err.name):
                continue  # that part of the product is not installed yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    retain_freed_memory()
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, RuntimeError) as err:
        print(f"pnf: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
