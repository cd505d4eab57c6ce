"""`pnf data ...`: build the embedded sets, fetch the real ones, list them all.

    pnf data build all --out data/embedded --size smoke
    pnf data fetch cifar10 --out data/real [--archive cifar-10-python.tar.gz]
    pnf data list
    pnf data miniature vctk --out archives/VCTK-Corpus-0.92.zip   # + .sha256 beside it
    pnf data stats data/embedded/voice/manifest.csv data/embedded/voice-synthetic/manifest.csv
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from pnf.datasets import CATALOG, EMBEDDED, REAL, build, fetch_dataset


def catalog_text() -> str:
    lines = []
    for name, info in CATALOG.items():
        kind = "embedded, offline" if name in EMBEDDED else "real, needs internet once"
        lines += [f"{name} ({kind}): {info.summary}",
                  f"    size: {info.size}; license: {info.license}", f"    get: {info.get}"]
    return "\n".join(lines)


def _build(args) -> int:
    for manifest in build(args.what, args.out, args.seed, args.size, args.allow_noncommercial):
        print(manifest)
    return 0


def _fetch(args) -> int:
    from pnf.datasets.archive import GIB, Limits

    caps = (args.max_gb, args.max_files, args.max_ratio)
    if not all(math.isfinite(v) and v > 0 for v in caps):
        raise ValueError(f"--max-gb, --max-files and --max-ratio must be finite numbers > 0, "
                         f"got {caps[0]}, {caps[1]}, {caps[2]}")
    limits = Limits(max_bytes=int(args.max_gb * GIB), max_files=args.max_files,
                    max_ratio=args.max_ratio)
    print(fetch_dataset(args.what, args.out, args.archive, args.url, sha256=args.sha256,
                        limits=limits))
    return 0


def _stats(args) -> int:
    import json

    from pnf.atomic import write_json
    from pnf.datasets.stats import set_stats

    for m in args.manifests:   # checked before the work
        if not Path(m).is_file():
            raise FileNotFoundError(f"{m}: no such manifest; build the set first "
                                    "(`pnf data build NAME`)")
    table = {str(m): set_stats(m, args.source, args.split) for m in args.manifests}
    print(json.dumps(table, indent=1))
    if args.json:
        write_json(args.json, table)
    return 0


def _miniature(args) -> int:
    from pnf.datasets.miniature import write_miniature

    print(f"{write_miniature(args.what, args.out)}  {args.out}")
    return 0


def _list(args) -> int:
    print(catalog_text())
    return 0


def _register_more(what: argparse._SubParsersAction) -> None:
    """`pnf data miniature` and `pnf data list`."""
    from pnf.datasets.miniature import WRITERS

    mini = what.add_parser("miniature", help="write a small archive shaped like a real one "
                           "(for `pnf data fetch --archive`)",
                           description="A few clips or images of the embedded material in the "
                           "published layout of VCTK 0.92, SUPRA or CIFAR-10 (python), and its "
                           "sha256 beside it in OUT.sha256 (pnf/datasets/miniature.py).")
    mini.add_argument("what", choices=sorted(WRITERS))
    mini.add_argument("--out", required=True, help="archive to write, e.g. "
                      "data/paper-mini/archives/VCTK-Corpus-0.92.zip")
    mini.set_defaults(func=_miniature)
    lst = what.add_parser("list", help="what each dataset is, its size, license, how to get it")
    lst.set_defaults(func=_list)


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
    b.add_argument("--allow-noncommercial", action="store_true",
                   help="add the MAESTRO performances (CC BY-NC-SA 4.0: non-commercial use "
                   "only) to piano")
    b.set_defaults(func=_build)

    f = what.add_parser("fetch", help="download and prepare a real dataset (internet)",
                        epilog="datasets:\n" + catalog_text(), formatter_class=fmt)
    f.add_argument("what", choices=REAL)
    f.add_argument("--out", default="data/real", help="output folder (default %(default)s)")
    f.add_argument("--archive", help="use this already-downloaded archive instead")
    f.add_argument("--url", help="download from this URL instead of the default")
    f.add_argument("--sha256", help="expected sha256 of the archive (64 hex digits); "
                   "checked after the download, a mismatch deletes the file")
    f.add_argument("--max-gb", type=float, default=32.0,
                   help="refuse archives that unpack to more GiB (default %(default)s)")
    f.add_argument("--max-files", type=int, default=500_000,
                   help="refuse archives with more members (default %(default)s)")
    f.add_argument("--max-ratio", type=float, default=100.0,
                   help="refuse archives whose unpacked/packed size ratio is higher "
                   "(default %(default)s; a zip bomb)")
    f.set_defaults(func=_fetch)

    st = what.add_parser("stats", help="spectral statistics of sets (rolloff, centroid, "
                         "high band, F0 range)", description="Per manifest, on active frames "
                         "at 16 kHz: median 85%% rolloff and centroid, power above/below 4 kHz, "
                         "5-95%% F0 range in semitones (pnf.datasets.stats)")
    st.add_argument("manifests", nargs="+", help="manifest.csv files to compare")
    st.add_argument("--source", help="only rows with this source (e.g. voice, piano)")
    st.add_argument("--split", choices=("train", "test"), help="only this split")
    st.add_argument("--json", help="also write the table to this JSON file")
    st.set_defaults(func=_stats)

    _register_more(what)
