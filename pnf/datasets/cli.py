"""`pnf data ...`: build the embedded sets, fetch the real ones, list them all.

    pnf data build all --out data/embedded --size smoke
    pnf data fetch cifar10 --out data/real [--archive cifar-10-python.tar.gz]
    pnf data list
"""

from __future__ import annotations

import argparse

from pnf.datasets import CATALOG, EMBEDDED, REAL, build, fetch


def catalog_text() -> str:
    lines = []
    for name, info in CATALOG.items():
        kind = "embedded, offline" if name in EMBEDDED else "real, needs internet once"
        lines += [f"{name} ({kind}): {info.summary}",
                  f"    size: {info.size}; license: {info.license}", f"    get: {info.get}"]
    return "\n".join(lines)


def _build(args) -> int:
    for manifest in build(args.what, args.out, args.seed, args.size):
        print(manifest)
    return 0


def _fetch(args) -> int:
    print(fetch(args.what, args.out, args.archive, args.url))
    return 0


def _list(args) -> int:
    print(catalog_text())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    data = sub.add_parser("data", help="build the embedded datasets, fetch the real ones",
                          description="Datasets for pnf. The embedded sets are built on this "
                          "machine from installed packages (no internet); the paper's sets are "
                          "fetched once from the internet (or from an archive you place).",
                          epilog="datasets:\n" + catalog_text(), formatter_class=fmt)
    what = data.add_subparsers(dest="data_what", metavar="WHAT", required=True)

    b = what.add_parser("build", help="build embedded sets (offline, deterministic)",
                        epilog="datasets:\n" + catalog_text(), formatter_class=fmt)
    b.add_argument("what", choices=(*EMBEDDED, "all"))
    b.add_argument("--out", default="data/embedded", help="output folder (default %(default)s)")
    b.add_argument("--seed", type=int, default=0, help="random seed (default %(default)s)")
    b.add_argument("--size", choices=("smoke", "small"), default="smoke",
                   help="smoke: seconds, a few clips; small: more pieces/clips")
    b.set_defaults(func=_build)

    f = what.add_parser("fetch", help="download and prepare a real dataset (internet)",
                        epilog="datasets:\n" + catalog_text(), formatter_class=fmt)
    f.add_argument("what", choices=REAL)
    f.add_argument("--out", default="data/real", help="output folder (default %(default)s)")
    f.add_argument("--archive", help="use this already-downloaded archive instead")
    f.add_argument("--url", help="download from this URL instead of the default")
    f.set_defaults(func=_fetch)

    lst = what.add_parser("list", help="what each dataset is, its size, license, how to get it")
    lst.set_defaults(func=_list)
