"""Manifests, build stamps and the clip cutter shared by every dataset builder.

    >>> from pnf.datasets.manifest import Manifest, is_complete
    >>> m = Manifest("data/embedded/piano")
    >>> m.add_audio("train/bwv1.6_000.wav", x, split="train", source="piano", piece="bwv1.6")
    >>> m.finish(params={"seed": 0, "size": "smoke"})      # manifest.csv + build.json
    >>> is_complete("data/embedded/piano", {"seed": 0, "size": "smoke"})
    True

A set is complete when its `build.json` holds the same parameters and every file the
manifest lists exists; `finish` writes the manifest last, so a killed build is never
taken for a complete one. Files not in the new manifest (and `.part` temp files left
by a killed write) are removed by `finish`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from pnf.atomic import write_bytes_atomic
from pnf.audio import RATE, write_audio
from pnf.clips import manifest_rows

COLUMNS = ("path", "split", "duration", "source", "piece", "part", "speaker", "clip",
           "synthetic", "package", "license")
DATA_SUFFIXES = {".wav", ".flac", ".npy", ".mid"}


def save_npy(path: str | Path, array: np.ndarray) -> None:
    """np.save, atomically; a float array holding NaN or inf is refused (ValueError)."""
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        raise ValueError(f"{path}: not written: the array holds NaN or infinite values")
    buf = io.BytesIO()
    np.save(buf, array)
    write_bytes_atomic(path, buf.getvalue())


def is_complete(folder: str | Path, params: dict) -> bool:
    """True when `folder` holds a finished build with these exact parameters."""
    folder = Path(folder)
    stamp, manifest = folder / "build.json", folder / "manifest.csv"
    if not (stamp.is_file() and manifest.is_file()):
        return False
    try:
        if json.loads(stamp.read_text()) != params:
            return False
        return all((folder / r["path"]).is_file() for r in manifest_rows(manifest))
    except (ValueError, KeyError, OSError):
        return False


def cut(x: np.ndarray, length: int) -> list[np.ndarray]:
    """Non-overlapping (length,) pieces of x; the remainder is dropped."""
    return [x[i: i + length] for i in range(0, len(x) - length + 1, length)]


class Manifest:
    """Collects rows while a builder writes files into `folder`."""

    def __init__(self, folder: str | Path, columns: tuple[str, ...] = COLUMNS):
        self.folder, self.columns, self.rows = Path(folder), columns, []
        self.folder.mkdir(parents=True, exist_ok=True)
        # A stale stamp must not survive a rebuild that gets killed half-way.
        for name in ("build.json", "manifest.csv"):
            (self.folder / name).unlink(missing_ok=True)

    def add(self, path: str, **fields) -> None:
        row = {c: "" for c in self.columns}
        row.update(path=path, **{k: v for k, v in fields.items() if k in self.columns})
        self.rows.append(row)

    def add_audio(self, path: str, x: np.ndarray, rate: int = RATE, **fields) -> None:
        """Write a WAV (atomically) and record it."""
        write_audio(self.folder / path, x, rate)
        self.add(path, duration=f"{len(x) / rate:.4f}", **fields)

    def finish(self, params: dict) -> Path:
        """Remove stray files, then write manifest.csv and build.json (atomically)."""
        keep = {self.folder / r["path"] for r in self.rows}
        for p in sorted(self.folder.rglob("*")):
            stray = p.suffix in DATA_SUFFIXES and p not in keep
            if p.is_file() and (stray or p.name.endswith(".part")):
                p.unlink()
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=self.columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        write_bytes_atomic(self.folder / "manifest.csv", buf.getvalue().encode())
        stamp = json.dumps(params, sort_keys=True, indent=1) + "\n"
        write_bytes_atomic(self.folder / "build.json", stamp.encode())
        return self.folder / "manifest.csv"
