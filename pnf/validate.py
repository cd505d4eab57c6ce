"""Every sampling option checked in one place, before models load or outputs are touched.

    >>> from pnf.validate import check_args, check_outputs
    >>> check_args(args)                          # ranges, finiteness, the device, by option
    >>> check_outputs(["out.wav", "t.json"], inputs=["in.wav"])   # writable, not an input

`RULES` maps an argparse `dest` to its check, so a new option with a known name is
covered by construction; each check raises ValueError with a one-line message saying
what is wrong and what is allowed (pnf.cli prints it as `pnf: error: ...`, exit 2).
"""

from __future__ import annotations

import math
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def _number(dest: str, value, low: float, *, integer: bool = False, allowed: str = ""):
    """Finite, >= low (an int when `integer`)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{_flag(dest)} {value}: not a finite number; allowed: {allowed}")
    if value < low or (integer and int(value) != value):
        raise ValueError(f"{_flag(dest)} {value}: out of range; allowed: {allowed}")


def at_least(low: float, allowed: str, integer: bool = True, below: float = math.inf):
    """A finite number in [low, below) (an int when `integer`)."""
    def check(dest, value):
        _number(dest, value, low, integer=integer, allowed=allowed)
        if value >= below:
            raise ValueError(f"{_flag(dest)} {value}: out of range; allowed: {allowed}")
    return check


def positive(allowed: str) -> Callable:
    """A finite number > 0."""
    def check(dest, value):
        _number(dest, value, 0.0, allowed=allowed)
        if value == 0:
            raise ValueError(f"{_flag(dest)} 0: out of range; allowed: {allowed}")
    return check


def ladder(dest: str, levels) -> None:
    """σ levels: finite, > 0, strictly decreasing (high to low)."""
    text = " ".join(f"{s:g}" for s in levels)
    if not all(math.isfinite(s) and s > 0 for s in levels):
        raise ValueError(f"--levels {text}: every σ must be a finite number > 0")
    if any(a <= b for a, b in zip(levels, levels[1:], strict=False)):
        raise ValueError(f"--levels {text}: give the σ ladder strictly decreasing, high to low")


def parse_gap(text: str) -> tuple[float, float]:
    """"1.0:1.2" -> (1.0, 1.2) seconds."""
    try:
        start, end = (float(v) for v in text.split(":"))
    except ValueError:
        raise ValueError(f"--gap {text!r}: give START:END in seconds, e.g. 1.0:1.2") from None
    return start, end


def gaps(dest: str, values) -> None:
    """Each --gap START:END: finite seconds with 0 <= START < END."""
    for text in values:
        start, end = parse_gap(text)
        if not (math.isfinite(start) and math.isfinite(end) and 0 <= start < end):
            raise ValueError(f"--gap {text}: give finite seconds START:END with "
                             "0 <= START < END, e.g. 1.0:1.2")


def names(dest: str, values) -> None:
    """--names: distinct, usable inside a file name."""
    if len(set(values)) != len(values):
        raise ValueError(f"--names {' '.join(values)}: names must differ (each names a file)")
    for n in values:
        if not n or "/" in n or n in (".", "..") or "\0" in n:
            raise ValueError(f"--names {n!r}: give a plain name (no '/'), e.g. piano")


def sigma_or_auto(dest: str, value) -> None:
    """--start-sigma: auto, or a finite σ > 0 in bins."""
    allowed = "auto or a finite σ > 0 in bins, e.g. 5"
    try:
        sigma = math.inf if value == "auto" else float(value)
    except ValueError:
        raise ValueError(f"{_flag(dest)} {value}: not a number; allowed: {allowed}") from None
    if value != "auto" and not (math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"{_flag(dest)} {value}: out of range; allowed: {allowed}")


def _device(name: str):
    from pnf.runtime import pick_device  # torch: only for verbs that pick a device

    return pick_device(name)


RULES: dict[str, Callable] = {  # argparse dest -> check(dest, value); None is not checked
    "iterations": at_least(1, "a whole number from 1 to 10**9", below=10**9 + 1),
    "levels": ladder,
    "delta": positive("a finite step δ > 0"),
    "window": at_least(1, "a whole number of samples from 1 to 2**31", below=2**31 + 1),
    "n_levels": at_least(2, "a whole number of levels from 2 to 10**4", below=10**4 + 1),
    "seed": at_least(0, "a whole number from 0 to 2**63 - 1", below=2**63),
    "batch": at_least(1, "a whole number of chains from 1 to 4096", below=4097),
    "mean_of": at_least(1, "a whole number of chains from 1 to 4096", below=4097),
    "count": at_least(1, "a whole number of images from 1 to 4096", below=4097),
    "size": at_least(2, "a whole number of pixels from 2 to 4096", below=4097),
    "start_sigma": sigma_or_auto,
    "seconds": positive("a finite length in seconds > 0, e.g. 1.0"),
    "factor": at_least(2, "a whole factor >= 2"),
    "c": positive("a finite likelihood weight c > 0 (the paper's is 15)"),
    "lr": positive("a finite step lr > 0"),
    "grid": at_least(2, "a whole number of grid points from 2 to 4096", below=4097),
    "device": lambda dest, v: _device(v),
    "gap": gaps,
    "names": names,
}


def check_args(args) -> None:
    """Apply RULES to every option of `args` that has a rule and a value."""
    for dest, value in sorted(vars(args).items()):
        if dest in RULES and value is not None:
            RULES[dest](dest, value)


NOT_REGULAR = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISSOCK, "a socket"))


def regular_file(path: str | Path, what: str, hint: str) -> Path:
    """`path` as a Path when it is a regular file (or a link to one), else a one-line error.

    >>> regular_file("fifo", "audio", "give an audio file")
    ValueError: fifo: is a FIFO (named pipe), not an audio file; give an audio file
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such {what} file; {hint}") from None
    except OSError as err:
        raise ValueError(f"{path}: cannot read the {what} file ({err.strerror}); {hint}") \
            from None
    if stat.S_ISREG(mode):
        return path
    kind = next((name for test, name in NOT_REGULAR if test(mode)), "not a regular file")
    raise ValueError(f"{path}: is {kind}, not a{'n' if what[0] in 'aeiou' else ''} {what} "
                     f"file; {hint}")


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _probe(folder: Path) -> None:
    """Create and delete a file in `folder` (os.access is not enough for root or /proc)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".pnf-probe-")
        os.close(fd)
        os.unlink(tmp)
    except OSError as err:
        raise ValueError(f"{folder}: cannot write there ({err.strerror}); choose another "
                         "output path") from None


def check_output(path: str | Path) -> None:
    """`path` can be written: not a folder, every existing parent a writable folder."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path}: is a folder; give a file name for the output")
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"{path}: exists and is read-only; choose another output path")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"{path}: {parent} is a file, not a folder; choose another output "
                         "path")
    _probe(parent)


def check_outputs(outputs: Iterable, inputs: Iterable = ()) -> None:
    """Every output writable, none twice, none the same file as an input."""
    outputs = [Path(p) for p in outputs if p is not None]
    seen = set()
    for out in outputs:
        key = os.path.abspath(out)
        if key in seen:
            raise ValueError(f"{out}: given as two outputs; each output needs its own path")
        seen.add(key)
        for src in (Path(p) for p in inputs if p is not None):
            if _same(out, src) or key == os.path.abspath(src):
                raise ValueError(f"{out}: is also the input {src}; write the output "
                                 "elsewhere (the input is never overwritten)")
        check_output(out)
