"""Safe archive extraction: member checks, size / ratio / count limits, all-or-nothing.

    >>> from pnf.datasets.archive import Limits, extract
    >>> root = extract("cifar-10-python.tar.gz", "data/real/cifar10-raw/raw")
    >>> extract("big.zip", "raw", limits=Limits(max_bytes=2 * 2**30))     # a tighter cap

Every member is checked before a byte is written: no absolute path, no `..`, no link or
device file; the declared uncompressed total, the file count and the ratio total/archive
size must stay within `Limits`. The declared sizes bound what is written (zipfile stops
at a member's declared size and checks its CRC; a tar member is exactly its header's
size). Members are unpacked into a hidden temporary folder beside the target, renamed
into place only when complete; any failure removes it, so nothing is left behind.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pnf.atomic import current_umask

GIB = 2**30
MARK = ".extracted"  # holds the identity of the archive the tree came from
RATIO_FLOOR = 2**20  # the ratio is not checked below 1 MiB uncompressed (tiny trees)


class FetchError(RuntimeError):
    """A download, checksum or archive problem; the message says what to do."""


@dataclass(frozen=True)
class Limits:
    """Caps on one extraction. The defaults fit the real sets with room to spare:
    VCTK 0.92 (11 GB zip of FLAC, ratio ~1, ~133k members with its texts), CIFAR-10
    (163 MB tar.gz -> 178 MB, 8 files), SUPRA (a few thousand small MIDI files)."""

    max_bytes: int = 32 * GIB     # declared uncompressed total
    max_files: int = 500_000      # members, folders included
    max_ratio: float = 100.0      # uncompressed total / archive size (text ~3-10, media ~1)

    def __post_init__(self):
        if not (self.max_bytes > 0 and self.max_files > 0 and self.max_ratio > 0):
            raise ValueError("archive limits must be > 0 (--max-gb, --max-files, --max-ratio)")


def _check_member(name: str, target: Path, bad_kind: bool) -> None:
    path = PurePosixPath(name)
    resolved = (target / name).resolve()
    if path.is_absolute() or ".." in path.parts or not resolved.is_relative_to(target):
        raise FetchError(f"archive member {name!r} would land outside {target}; "
                         "refusing to extract an unsafe archive")
    if bad_kind:
        raise FetchError(f"archive member {name!r} is a link or device file; "
                         "refusing to extract an unsafe archive")


def _members(archive: Path):
    """(opened archive, iterator of (name, declared size, is a link/device), extractor)."""
    if zipfile.is_zipfile(archive):
        z = zipfile.ZipFile(archive)
        infos = ((i.filename, i.file_size, (i.external_attr >> 16) & 0o170000 == 0o120000)
                 for i in z.infolist())
        return z, infos, z.extractall
    if tarfile.is_tarfile(archive):
        t = tarfile.open(archive)
        infos = ((m.name, m.size, not (m.isfile() or m.isdir())) for m in t)
        return t, infos, lambda dest: t.extractall(dest, filter="data")
    raise FetchError(f"{archive}: not a zip or tar archive; give the dataset's original "
                     "archive")


def _too_much(archive: Path, total: int, count: int, limits: Limits) -> str | None:
    size = max(archive.stat().st_size, 1)
    if count > limits.max_files:
        return f"more than {limits.max_files} members (raise --max-files)"
    if total > limits.max_bytes:
        return (f"more than {limits.max_bytes / GIB:g} GiB uncompressed (raise --max-gb)")
    if total > RATIO_FLOOR and total / size > limits.max_ratio:
        return (f"a compression ratio of {total / size:.0f} (above {limits.max_ratio:g}; a "
                "zip bomb? raise --max-ratio if you trust it)")
    return None


def _unpack(archive: Path, tmp: Path, limits: Limits) -> None:
    handle, infos, extract_all = _members(archive)
    with handle:
        total = count = 0
        for name, size, bad_kind in infos:
            _check_member(name, tmp, bad_kind)
            total, count = total + size, count + 1
            if problem := _too_much(archive, total, count, limits):
                raise FetchError(f"{archive}: refusing to extract {problem}")
        free = shutil.disk_usage(tmp).free
        if total > free:
            raise FetchError(f"{archive}: needs {total / GIB:.1f} GiB to extract but "
                             f"{tmp.parent} has {free / GIB:.1f} GiB free; make room")
        extract_all(tmp)


def extract(archive: str | Path, target: str | Path, limits: Limits | None = None,
            identity: str = "") -> Path:
    """Unpack a zip or tar(.gz/.bz2/.xz) into `target` (kept if it holds `identity`)."""
    archive, target, limits = Path(archive), Path(target), limits or Limits()
    mark = target / MARK
    if mark.is_file() and mark.read_text() == identity:
        return target
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.extracting-"))
        os.chmod(tmp, 0o777 & ~current_umask())
        _unpack(archive, tmp.resolve(), limits)
        (tmp / MARK).write_text(identity)
        shutil.rmtree(target, ignore_errors=True)
        tmp.replace(target)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as err:
        raise FetchError(f"{archive}: broken archive or failed write ({err}); delete it and "
                         "fetch again") from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return target
