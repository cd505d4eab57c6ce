"""Atomic file writes: a killed process never leaves a half-written file under the real name.

    >>> with atomic_path("out.wav") as tmp:    # write to `tmp`; it becomes out.wav on success
    ...     soundfile.write(tmp, x, 22050)
    >>> write_json("score.json", {"snr": 3.1})

The temporary file sits beside the target as `.<name>.<random><suffix>` (same filesystem,
so the final rename is atomic) and is removed when the write fails. The result gets the
mode an ordinary `open()` would give it (0666 minus the umask: 0644 under umask 022),
not mkstemp's private 0600.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def current_umask() -> int:
    """The process umask, read without changing it where /proc allows (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it, then put it back
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | Path, suffix: str = ".part") -> Iterator[str]:
    """A temporary path beside `path` that replaces `path` when the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.fchmod(fd, 0o666 & ~current_umask())
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json(path: str | Path, data: dict) -> None:
    """Strict JSON (no NaN), one key per line."""
    write_text_atomic(path, json.dumps(data, indent=1, allow_nan=False) + "\n")
