"""Atomic file writes: a killed process never leaves a half-written file under the real name.

    >>> with atomic_path("out.wav") as tmp:    # write to `tmp`; it becomes out.wav on success
    ...     soundfile.write(tmp, x, 22050)
    >>> write_json("score.json", {"snr": 3.1})

The temporary file sits beside the target as `.<name>.<random><suffix>` (same filesystem,
so the final rename is atomic) and is removed when the write fails.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: str | Path, suffix: str = ".part") -> Iterator[str]:
    """A temporary path beside `path` that replaces `path` when the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
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
