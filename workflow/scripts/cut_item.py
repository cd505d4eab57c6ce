"""Cut a test item to its task's clip length: its first SECONDS, samples unchanged.

    python workflow/scripts/cut_item.py items/piano/c000.wav restored/.../truth/c000.wav \\
        --seconds 0.25

An item no longer than SECONDS is hard-linked (copied where links fail), as before tasks had
their own lengths. The cut is read and written in the file's own sample format, so the kept
samples are bit-identical, and it is written to a temporary beside OUT, then renamed.
No torch: this runs once per item and task (rules `truth`, `mixture_input`).
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import soundfile as sf

DTYPES = {"PCM_16": "int16", "PCM_32": "int32", "FLOAT": "float32", "DOUBLE": "float64"}


def cut(src: Path, out: Path, seconds: float) -> None:
    info = sf.info(str(src))
    frames = round(seconds * info.samplerate)
    out.unlink(missing_ok=True)
    if info.frames <= frames:
        try:
            os.link(src, out)
        except OSError:
            shutil.copyfile(src, out)
        return
    data, rate = sf.read(str(src), frames=frames, dtype=DTYPES.get(info.subtype, "float64"))
    tmp = out.with_name(f".{out.name}.part")
    sf.write(str(tmp), data, rate, subtype=info.subtype, format=info.format)
    os.replace(tmp, out)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("input", type=Path, help="the test item (any soundfile format)")
    p.add_argument("output", type=Path, help="where its cut goes")
    p.add_argument("--seconds", type=float, required=True, help="length to keep")
    args = p.parse_args(argv)
    cut(args.input, args.output, args.seconds)


if __name__ == "__main__":
    main()
