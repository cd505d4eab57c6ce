"""The shared fetcher: resumable download, checksum check, safe archive extraction.

    >>> from pnf.datasets.fetch import Source, obtain, extract
    >>> src = Source("cifar10", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    ...              md5="c58f30108f718f92721af3b95e74349a")
    >>> archive = obtain(src, "data/real/downloads")          # or obtain(src, ..., archive=PATH)
    >>> root = extract(archive, "data/real/cifar10/raw")

Downloads go to `NAME.part` and resume with an HTTP Range request after a cut
connection; the file gets its final name only once complete and verified. A checksum
mismatch deletes the download. Extraction refuses absolute paths, `..` members, links
and device files, and unpacks into a temp folder renamed into place when done.
"""

from __future__ import annotations

import hashlib
import http.client
import shutil
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tqdm import tqdm

from pnf.datasets.manifest import is_complete

CHUNK = 1 << 16
ATTEMPTS = 5


class FetchError(RuntimeError):
    """A download, checksum or archive problem; the message says what to do."""


@dataclass(frozen=True)
class Source:
    """Where a dataset's archive comes from and how to check it (None: not known)."""

    name: str
    url: str
    sha256: str | None = None
    md5: str | None = None
    filename: str | None = None

    @property
    def file(self) -> str:
        return self.filename or PurePosixPath(self.url.split("?")[0]).name


def digest(path: Path, algo: str) -> str:
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(path: Path, src: Source) -> None:
    """Raise FetchError (after deleting a download) when a known checksum differs."""
    for algo, want in (("sha256", src.sha256), ("md5", src.md5)):
        if want and digest(path, algo) != want.lower():
            raise FetchError(f"{path}: {algo} checksum mismatch for dataset {src.name} "
                             f"(expected {want}); the file is corrupt or not the right "
                             "archive: delete it and fetch again")


def _offline(src: Source, dest: Path, err: Exception) -> FetchError:
    return FetchError(f"dataset {src.name} needs internet ({err}); run `pnf data fetch "
                      f"{src.name}` on a machine with access or place the archive at {dest}")


def _transfer(url: str, part: Path, bar: tqdm) -> bool:
    """Append the rest of `url` to `part`; True when the server says it is all there."""
    have = part.stat().st_size if part.exists() else 0
    req = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        resp = urllib.request.urlopen(req, timeout=30)
    except urllib.error.HTTPError as err:
        if err.code == 416 and have:  # nothing left to send
            return True
        raise
    with resp:
        if have and resp.status != 206:  # the server ignored Range: start over
            have = 0
        length = resp.headers.get("Content-Length")
        total = have + int(length) if length is not None else None
        bar.reset(total=total)
        bar.update(have)
        with open(part, "ab" if have else "wb") as f:
            while block := resp.read(CHUNK):
                f.write(block)
                bar.update(len(block))
    return total is None or part.stat().st_size >= total


def download(src: Source, dest: Path, url: str | None = None) -> Path:
    """Fetch `url` (default src.url) to `dest`, resuming cut transfers, then verify."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    url = url or src.url
    with tqdm(desc=f"fetch {src.name}", unit="B", unit_scale=True, leave=False) as bar:
        for attempt in range(ATTEMPTS):
            try:
                if _transfer(url, part, bar):
                    break
            except urllib.error.HTTPError as err:
                part.unlink(missing_ok=True)
                raise FetchError(f"dataset {src.name}: {url} answered HTTP {err.code}; "
                                 "check the URL (`--url`) or use `--archive PATH`") from None
            except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
                if not (part.exists() and part.stat().st_size > 0):
                    raise _offline(src, dest, err) from None  # never got a byte
            time.sleep(0.2 * attempt)
        else:
            raise FetchError(f"dataset {src.name}: download kept breaking off after "
                             f"{ATTEMPTS} tries; run the fetch again to resume it")
    try:
        verify(part, src)
    except FetchError:
        part.unlink(missing_ok=True)
        raise
    part.replace(dest)
    return dest


def obtain(src: Source, folder: str | Path, archive: str | Path | None = None,
           url: str | None = None) -> Path:
    """The verified archive: `archive` if given, else a finished download, else fetch it."""
    if archive is not None:
        archive = Path(archive)
        if not archive.is_file():
            raise FileNotFoundError(f"{archive}: no such archive for dataset {src.name}; "
                                    "check the --archive path")
        verify(archive, src)
        return archive
    dest = Path(folder) / src.file
    if dest.is_file():
        try:
            verify(dest, src)
            return dest
        except FetchError:
            dest.unlink()
    return download(src, dest, url)


def _check_member(name: str, target: Path, bad_kind: bool) -> None:
    path = PurePosixPath(name)
    resolved = (target / name).resolve()
    if path.is_absolute() or ".." in path.parts or not resolved.is_relative_to(target):
        raise FetchError(f"archive member {name!r} would land outside {target}; "
                         "refusing to extract an unsafe archive")
    if bad_kind:
        raise FetchError(f"archive member {name!r} is a link or device file; "
                         "refusing to extract an unsafe archive")


def extract(archive: str | Path, target: str | Path) -> Path:
    """Unpack a zip or tar(.gz/.bz2/.xz) into `target` after checking every member."""
    archive, target = Path(archive), Path(target)
    if target.is_dir() and (target / ".extracted").is_file():
        return target
    tmp = target.with_name(target.name + ".extracting")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    base = tmp.resolve()
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                for info in z.infolist():
                    is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
                    _check_member(info.filename, base, is_link)
                z.extractall(tmp)
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive) as t:
                members = t.getmembers()
                for m in members:
                    _check_member(m.name, base, not (m.isfile() or m.isdir()))
                t.extractall(tmp, members=members, filter="data")
        else:
            raise FetchError(f"{archive}: not a zip or tar archive; give the dataset's "
                             "original archive")
    except (zipfile.BadZipFile, tarfile.TarError, EOFError) as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise FetchError(f"{archive}: broken archive ({err}); delete it and fetch again") \
            from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (tmp / ".extracted").touch()
    shutil.rmtree(target, ignore_errors=True)
    tmp.replace(target)
    return target


def fetch_and_prepare(name: str, src: Source, out: str | Path, archive, url,
                      prepare) -> Path:
    """OUT/<name>/manifest.csv: skip if complete, else obtain, extract and `prepare`."""
    out = Path(out)
    if is_complete(out / name, {"set": name}):
        return out / name / "manifest.csv"
    path = obtain(src, out / "downloads", archive, url)
    raw = extract(path, out / f"{name}-raw" / "raw")
    return prepare(raw, out / name)
