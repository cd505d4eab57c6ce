"""Progress bars for long work that also read well in a Snakemake log file.

    >>> for step in progress(range(n), desc="train", unit="step"): ...

On a terminal the bar redraws ten times a second; in a log (stderr not a TTY) it writes a
line every 10 s, so `results/logs/...` shows how far a job is.
"""

from __future__ import annotations

import sys

from tqdm import tqdm


def progress(iterable=None, *, disable: bool = False, **kwargs) -> tqdm:
    tty = sys.stderr.isatty()
    log_style = {} if tty else {"bar_format": "{l_bar}{bar:20}{r_bar}\n", "ascii": True}
    return tqdm(iterable, file=sys.stderr, disable=disable, dynamic_ncols=tty,
                mininterval=0.1 if tty else 10.0, **log_style, **kwargs)
