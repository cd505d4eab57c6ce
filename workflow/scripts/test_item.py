"""Write one test item: the INDEX-th test clip of a manifest, cut or zero-padded to SECONDS.

    python workflow/scripts/test_item.py --manifest data/embedded/piano/manifest.csv \
        --index 0 --seconds 0.5 --source piano --out results/items/piano/c000.wav
    python workflow/scripts/test_item.py --manifest data/embedded/mix/manifest.csv \
        --index 0 --seconds 0.5 --source mix piano voice --out m.wav p.wav v.wav

The first --source picks the clip (the INDEX-th test row with that source, manifest order);
each further source is the row of the same `clip` id, cut identically, so a mixture stays
the exact sum of its sources. Audio I/O is pnf's (atomic writes).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

from pnf.audio import RATE, read_audio, write_audio


def pick_rows(manifest: Path, index: int, sources: list[str]) -> list[dict]:
    with open(manifest, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["split"] == "test"]
    keys = [r for r in rows if r["source"] == sources[0]]
    if index >= len(keys):
        raise ValueError(f"{manifest}: only {len(keys)} test clips with source "
                         f"{sources[0]!r}; lower test_clips in the experiment config")
    clip = keys[index]
    picked = [clip]
    for source in sources[1:]:
        match = [r for r in rows if r["clip"] == clip["clip"] and r["source"] == source]
        if not match:
            raise ValueError(f"{manifest}: clip {clip['clip']!r} has no {source!r} row")
        picked.append(match[0])
    return picked


def fit(x: np.ndarray, length: int) -> np.ndarray:
    return x[:length] if len(x) >= length else np.pad(x, (0, length - len(x)))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--manifest", type=Path, required=True)
    p.add_argument("--index", type=int, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--source", nargs="+", required=True)
    p.add_argument("--out", nargs="+", required=True)
    args = p.parse_args(argv)
    if len(args.out) != len(args.source):
        p.error("give one --out per --source")
    length = round(args.seconds * RATE)
    for row, out in zip(pick_rows(args.manifest, args.index, args.source), args.out,
                        strict=True):
        x = read_audio(args.manifest.parent / row["path"], RATE, quiet=True)
        write_audio(out, fit(x, length), RATE)
        print(f"{out} <- {row['path']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ValueError, FileNotFoundError) as err:
        print(f"test_item: error: {err}", file=sys.stderr)
        sys.exit(2)
