"""Verb groups shared by the modules that add CLI verbs (no import of pnf.cli needed).

    >>> train = verb_group(sub, "train", "train a model")   # `pnf train ...`
    >>> p = train.add_parser("baseline", help="...")
"""

from __future__ import annotations

import argparse


def verb_group(sub: argparse._SubParsersAction, name: str, help: str) -> argparse._SubParsersAction:
    """The sub-verbs of `pnf NAME` (e.g. `train`), shared by every module that adds to it."""
    groups = vars(sub).setdefault("_pnf_groups", {})  # on the parser: main() may run twice
    if name not in groups:
        parser = sub.add_parser(name, help=help, description=help)
        groups[name] = parser.add_subparsers(dest=f"{name}_what", metavar="WHAT", required=True)
    return groups[name]
