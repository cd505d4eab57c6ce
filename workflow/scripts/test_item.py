"""Write one test item: the INDEX-th test clip of a manifest, cut or zero-padded to SECONDS.

    python workflow/scripts/test_item.py --manifest data/embedded/piano/manifest.csv \
        --index 0 --seconds 0.5 --source piano --out results/items/piano/c000.wav
    python workflow/scripts/test_item.py --manifest data/embedded/mix/manifest.csv \
        --index 0 --seconds 0.5 --source mix piano voice --out m.wav p.wav v.wav

The first --source picks the clip (the INDEX-th test row with that source, manifest order);
each further source is the row of the same `clip` id, cut identically, so a mixture stays
the exact sum of its sources (pnf.clips.pick_clip). Items are written at --rate
(default 22 050 Hz; an experiment's `datasets.<name>.rate`). Audio I/O is pnf's (atomic writes).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pnf.audio import RATE, write_audio
from pnf.clips import pick_clip, read_clip


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--manifest", type=Path, required=True)
    p.add_argument("--index", type=int, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--source", nargs="+", required=True)
    p.add_argument("--out", nargs="+", required=True)
    p.add_argument("--rate", type=int, default=RATE, help=f"sample rate (default {RATE} Hz)")
    args = p.parse_args(argv)
    if len(args.out) != len(args.source):
        p.error("give one --out per --source")
    rows = pick_clip(args.manifest, "test", args.index, args.source)
    waves = read_clip(args.manifest, rows, args.seconds, args.rate)
    for row, x, out in zip(rows, waves, args.out, strict=True):
        write_audio(out, x, args.rate)
        print(f"{out} <- {row['path']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ValueError, FileNotFoundError) as err:
        print(f"test_item: error: {err}", file=sys.stderr)
        sys.exit(2)
