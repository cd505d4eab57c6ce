"""The shared fetcher: resumable download, checksum check, a cache keyed by URL + checksum.

    >>> from pnf.datasets.fetch import Source, obtain
    >>> src = Source("cifar10", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    ...              md5="c58f30108f718f92721af3b95e74349a")
    >>> archive = obtain(src, "data/real/downloads")   # downloads/<key>/cifar-10-python.tar.gz

Downloads go to `downloads/<key>/NAME.part`, where <key> hashes the URL and the expected
checksum, so a corrected `--url` or `--sha256` never reuses an earlier (wrong) file. A cut
transfer resumes with an HTTP Range request; the file gets its final name only once
complete and verified; a checksum mismatch deletes it. The extracted tree and the
prepared set remember which archive they came from and are redone for another one.
Extraction (limits, safety) lives in `pnf.datasets.archive`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.client
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pnf.atomic import write_text_atomic
from pnf.datasets.archive import FetchError, Limits, extract
from pnf.datasets.manifest import is_complete
from pnf.progress import progress

__all__ = ["FetchError", "Limits", "Source", "download", "extract", "fetch_and_prepare",
           "obtain"]

CHUNK = 1 << 16
ATTEMPTS = 5


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
        return self.filename or PurePosixPath(self.url.split("?")[0]).name or "archive"

    @property
    def key(self) -> str:
        """The cache key: a hash of the URL and the expected checksum."""
        text = f"{self.url}\n{self.sha256 or ''}\n{self.md5 or ''}".encode()
        return hashlib.sha256(text).hexdigest()[:16]


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


def _transfer(url: str, part: Path, bar) -> bool:
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
        bar.total, bar.n = total, 0  # not reset(): that would draw before the delay
        bar.update(have)
        with open(part, "ab" if have else "wb") as f:
            while block := resp.read(CHUNK):
                f.write(block)
                bar.update(len(block))
    return total is None or part.stat().st_size >= total


def download(src: Source, dest: Path, url: str | None = None) -> Path:
    """Fetch `url` (default src.url) to `dest`, resuming cut transfers, then verify."""
    url = url or src.url
    if urllib.parse.urlsplit(url).scheme not in ("http", "https") or " " in url:
        raise FetchError(f"dataset {src.name}: {url!r} is not an http(s) URL; give one with "
                         "--url or a local file with --archive")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    with progress(desc=f"fetch {src.name}", unit="B", unit_scale=True, leave=False,
                  delay=2.0) as bar:  # small or failed fetches print no bar
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
    dest = Path(folder) / src.key / src.file
    if dest.is_file():
        try:
            verify(dest, src)
            return dest
        except FetchError:
            dest.unlink()
    return download(src, dest, url)


def check_sha256(sha256: str | None) -> str | None:
    """A user-given sha256, lower-cased, or a one-line error when it is not 64 hex digits."""
    if sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise ValueError(f"--sha256 {sha256!r} is not a sha256 checksum (64 hex digits, as "
                         "printed by `sha256sum FILE`)")
    return sha256 and sha256.lower()


def archive_identity(archive: Path) -> str:
    """Which archive a tree came from: its path, size and modification time."""
    st = archive.stat()
    return f"{archive.resolve()}:{st.st_size}:{st.st_mtime_ns}"


def _wanted(src: Source, archive) -> str | None:
    """What the prepared set must come from: the download's key or the given archive."""
    if archive is None:
        return src.key
    return archive_identity(Path(archive)) if Path(archive).is_file() else None


def fetch_and_prepare(name: str, src: Source, out: str | Path, archive, url, prepare,
                      sha256: str | None = None, limits: Limits | None = None) -> Path:
    """OUT/<name>/manifest.csv: kept if complete and from the same archive, else obtain,
    extract (within `limits`) and `prepare`; `sha256` overrides the expected sha256. A
    download must still match a published md5; a local `archive` with its own `sha256` is
    checked against that alone (the user names another file, e.g. a miniature one)."""
    out, sha256 = Path(out), check_sha256(sha256)
    own = archive is not None and sha256 is not None
    src = dataclasses.replace(src, url=url or src.url, sha256=sha256 or src.sha256,
                              md5=None if own else src.md5)
    stamp, wanted = out / name / "source.txt", _wanted(src, archive)
    if wanted and stamp.is_file() and stamp.read_text() == wanted \
            and is_complete(out / name, {"set": name}):
        return out / name / "manifest.csv"
    path = obtain(src, out / "downloads", archive)
    identity = archive_identity(path)
    stamp.unlink(missing_ok=True)
    try:
        raw = extract(path, out / f"{name}-raw" / "raw", limits, identity)
    except FetchError:
        if archive is None:  # a download that is no usable archive: never reuse it
            path.unlink(missing_ok=True)
        raise
    try:
        manifest = prepare(raw, out / name)
    except ValueError:  # not the dataset's layout: the extracted tree is of no use
        shutil.rmtree(raw.parent, ignore_errors=True)
        raise
    write_text_atomic(stamp, src.key if archive is None else identity)
    return manifest
