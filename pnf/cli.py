"""The `pnf` command. Each concern registers its own verbs; this file only wires them.

    pnf --help
    pnf train prior --config experiments/models/wavenet-tiny.yaml --data data/embedded/piano \\
        --out prior.pt
    pnf restore superres --prior prior.pt --input in.wav --output out.wav --factor 4
"""

from __future__ import annotations

import argparse
import importlib
import signal
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


class Terminated(BaseException):
    """SIGTERM, raised in the main thread like KeyboardInterrupt is for SIGINT, so that
    every `finally` (temporaries of pnf.atomic) runs on the way out."""


def _terminate(signum, frame):
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """Run one verb: 0 on success; 2 and one `pnf: error:` line for bad input; 130 / 143
    and one line for SIGINT / SIGTERM (no partial output is left: pnf.atomic)."""
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:       # not the main thread: leave signals alone
        previous = None
    try:
        args = build_parser().parse_args(argv)   # imports torch: interruptible too
        retain_freed_memory()
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, RuntimeError) as err:
        print(f"pnf: error: {' '.join(str(err).split())}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Terminated) as stop:
        name, status = (("SIGINT", 130) if isinstance(stop, KeyboardInterrupt)
                        else ("SIGTERM", 143))
        print(f"pnf: interrupted by {name}; no partial output was left (a training run "
              "resumes from OUT.parts)", file=sys.stderr)
        return status
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
