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

# Verb -> (its one-line help, the modules that add its sub-verbs: each has
# `register(subparsers)`). `pnf --help` reads only this table; `pnf VERB ...` imports only
# VERB's modules, so verbs that need no network never import torch (tests/test_cli_imports.py
# checks this, and that each help here is the one its module gives).
VERBS = {
    "train": ("train a model (a prior, or a baseline)", ("pnf.commands.train",
                                                         "pnf.baselines.cli")),
    "restore": ("restore audio or images with a prior (or a baseline)",
                ("pnf.commands.restore",)),
    "sample": ("generate audio from a prior", ("pnf.commands.sample",)),
    "bench": ("measure sampling speed against the matmul ceiling", ("pnf.commands.bench",)),
    "evaluate": ("score restorations (SNR, LSD, SI-SDR, BSS Eval, PSNR)",
                 ("pnf.commands.evaluate",)),
    "describe": ("say what a checkpoint file holds (one line each)", ("pnf.commands.describe",)),
    "data": ("build the embedded datasets, fetch the real ones", ("pnf.datasets.cli",)),
    "report": ("tables, figures and the demo page", ("pnf.report.cli",)),
    "image": ("PixelCNN++ prior and PnF on images", ("pnf.commands.image",)),
}


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: `pnf: error: ...` (no usage dump), exit 2."""

    def error(self, message: str):
        verb = self.prog.removeprefix("pnf").strip()
        hint = f"; see `pnf {verb} --help`" if verb else "; see `pnf --help`"
        self.exit(2, f"pnf: error: {' '.join(message.split())}{hint}\n")


def called_verb(argv: list[str]) -> str | None:
    """The verb `argv` names (its first word, before any option), or None."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in VERBS else None


def build_parser(argv: list[str] | None = None, verbs=None) -> argparse.ArgumentParser:
    """The parser with `verbs` (default: the one argv names) fully registered; every other
    verb is a stub with its help line, enough for `pnf --help` and to name it."""
    parser = Parser(
        prog="pnf",
        description="Parallel and Flexible sampling: restore audio and images by annealed "
                    "Langevin dynamics on smoothed autoregressive priors.",
        epilog="Run `pnf VERB --help` for each verb. Start with `make reproduce`.")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    if verbs is None:
        verbs = [called_verb(sys.argv[1:] if argv is None else argv)]
    for verb, (help, modules) in VERBS.items():
        if verb in verbs:
            for name in modules:
                register(sub, name)
        else:
            sub.add_parser(verb, help=help, description=help)
    return parser


def register(sub: argparse._SubParsersAction, name: str) -> None:
    """Let module `name` add its verbs (skipped when that part is not installed)."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name and name.startswith(err.name):
            return  # that part of the product is not installed yet
        raise
    module.register(sub)


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
        args = build_parser(argv).parse_args(argv)   # may import torch: interruptible too
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
