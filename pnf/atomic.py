"""Atomic file writes: a killed process never leaves a half-written file under the real name.

    >>> with atomic_path("out.wav") as tmp:    # write to `tmp`; it becomes out.wav on success
    ...     soundfile.write(tmp, x, 22050)
    >>> write_json("score.json", {"snr": 3.1})
    >>> with all_or_nothing():                 # a run's outputs: every file, or none
    ...     write_audio("a.wav", x); write_json("a.json", {})

Inside `all_or_nothing()` every atomic write keeps its temporary until the block ends;
then all are renamed into place (SIGINT/SIGTERM held off meanwhile), or, on any error or
interrupt, all are removed. A failed write (a full disk, a read-only folder) is a
ValueError naming the file and the cause.

The temporary file sits beside the target as `.<name>.<random><suffix>` (same filesystem,
so the final rename is atomic) and is removed when the write fails. The result gets the
mode an ordinary `open()` would give it (0666 minus the umask: 0644 under umask 022),
not mkstemp's private 0600.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
import signal
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


_pending: list[tuple[str, Path]] | None = None   # (temporary, target) of an open group


def _write_failed(path: Path, err: Exception) -> ValueError:
    """A one-line error naming the file and the cause (a full disk says so)."""
    reason = getattr(err, "strerror", None) or str(err).strip() or type(err).__name__
    try:
        full = getattr(err, "errno", None) == errno.ENOSPC or \
            shutil.disk_usage(path.parent).free == 0
    except OSError:
        full = False
    if full:
        reason = "no space left on the device"
    return ValueError(f"{path}: could not be written ({reason}); free space or choose "
                      "another output path (no partial file was left)")


@contextmanager
def atomic_path(path: str | Path, suffix: str = ".part") -> Iterator[str]:
    """A temporary path beside `path` that replaces `path` when the block succeeds
    (inside `all_or_nothing()`: when the whole group succeeds)."""
    path = Path(path)
    tmp, deferred = None, False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # named before it exists, so an interrupt at any point after the file is created
        # still finds it to remove (mkstemp returns the name only after creating it)
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(4)}{suffix}")
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # 0666 - umask
        yield tmp
        if _pending is not None:
            _pending.append((tmp, path))
            deferred = True
        else:
            os.replace(tmp, path)
    except (OSError, RuntimeError) as err:   # soundfile's errors are RuntimeErrors
        raise _write_failed(path, err) from None
    finally:
        if not deferred and tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """Every atomic write in the block lands, or none does (nested blocks join the outer)."""
    global _pending
    if _pending is not None:
        yield
        return
    _pending = []
    try:
        yield
        _commit(_pending)
    finally:
        for tmp, _ in _pending:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _pending = None


def _commit(pending: list[tuple[str, Path]]) -> None:
    """Rename every temporary into place with SIGINT/SIGTERM held; undo on failure."""
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    done: list[Path] = []
    try:
        for tmp, path in pending:
            os.replace(tmp, path)
            done.append(path)
    except OSError as err:
        for path in done:
            path.unlink(missing_ok=True)
        raise _write_failed(path, err) from None
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json(path: str | Path, data: dict) -> None:
    """Strict JSON (no NaN), one key per line."""
    write_text_atomic(path, json.dumps(data, indent=1, allow_nan=False) + "\n")
