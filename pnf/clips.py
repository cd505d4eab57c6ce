"""Clips from a manifest: the one place that selects train, test and validation clips.

    >>> from pnf.clips import load_clips, pick_clip, random_crops
    >>> clips = load_clips("data/embedded/piano/manifest.csv", split="train")
    >>> batch = random_crops(clips, length=4096, batch=8, generator=g)   # (8, 4096)
    >>> pick_clip("data/embedded/mix/manifest.csv", "test", 0, ["mix", "piano", "voice"])
    [{'path': 'test/...', 'clip': 'c000', 'source': 'mix', ...}, {...piano}, {...voice}]

A data source is either a manifest CSV (columns path, split, duration, source, piece;
paths relative to the manifest's folder) or a folder of audio files (all used as one
split). Held-out clips (`heldout_rows`): the test split's first clips are the scored
items; validation clips are the manifest's validation split when it has one, else the
test split's LAST clips (never among the scored ones). Mixtures for separation are sums
of sources at equal peak level (`mix`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import torch

from pnf.audio import AUDIO_SUFFIXES, RATE, read_audio

SOURCE_PEAK = 0.5  # each source of a mixture is peak-normalized to this, so |mix| <= 1


def manifest_rows(manifest: str | Path, split: str | None = None,
                  source: str | None = None) -> list[dict]:
    """The rows of a manifest CSV in file order, those of `split` and `source` (None: any)."""
    with open(manifest, newline="") as f:
        return [r for r in csv.DictReader(f) if (split is None or r.get("split") == split)
                and (source is None or r.get("source") == source)]


def list_clips(data: str | Path, split: str | None = "train",
               source: str | None = None) -> list[Path]:
    """Paths of the clips in a manifest (filtered by split/source) or a folder."""
    data = Path(data)
    if data.is_dir():
        manifest = data / "manifest.csv"
        if not manifest.exists():
            paths = sorted(p for p in data.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
            if not paths:
                raise FileNotFoundError(f"{data}: no audio files or manifest.csv; build the "
                                        "data with `pnf data build`")
            return paths
        data = manifest
    if not data.is_file():
        raise FileNotFoundError(f"{data}: no such manifest or folder; build the data with "
                                "`pnf data build`")
    paths = [data.parent / r["path"] for r in manifest_rows(data, split, source)]
    if not paths:
        raise ValueError(f"{data}: no clips with split={split!r} source={source!r}; "
                         "check the manifest")
    return paths


def load_clips(data: str | Path, split: str | None = "train", source: str | None = None,
               rate: int = RATE) -> list[np.ndarray]:
    """Read every selected clip as mono float32 at `rate`."""
    return [read_audio(p, rate, quiet=True) for p in list_clips(data, split, source)]


def random_crops(clips: list[np.ndarray], length: int, batch: int,
                 generator: torch.Generator) -> torch.Tensor:
    """(batch, length) crops, clip and offset drawn from `generator` (short clips padded)."""
    idx = torch.randint(len(clips), (batch,), generator=generator, device=generator.device)
    out = torch.zeros(batch, length)
    for row, i in enumerate(idx.tolist()):
        clip = clips[i]
        span = max(len(clip) - length, 0)
        start = int(torch.randint(span + 1, (1,), generator=generator,
                                  device=generator.device))
        piece = clip[start: start + length]
        out[row, : len(piece)] = torch.from_numpy(piece)
    return out


def mix(sources: torch.Tensor | np.ndarray, peak: float = SOURCE_PEAK):
    """Peak-normalize each source (..., S, T) to `peak`; return (mixture, sources)."""
    lib = torch if isinstance(sources, torch.Tensor) else np
    m = lib.abs(sources).max(-1, keepdims=True)
    m = m.values if isinstance(sources, torch.Tensor) else m
    scaled = sources * (peak / lib.where(m > 0, m, 1.0))
    return scaled.sum(-2), scaled


SPLITS = ("test", "validation")


def _manifest(data: str | Path) -> Path:
    return Path(data) / "manifest.csv" if Path(data).is_dir() else Path(data)


def _held_out(items: list, split: str, clips: int) -> list:
    """The first `clips` items for `test`, the last ones for `validation`."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {list(SPLITS)}")
    return items[:clips] if split == "test" else items[-clips:]


def heldout_rows(data: str | Path, split: str, source: str | None, clips: int) -> list[dict]:
    """Up to `clips` held-out rows of a manifest (or a set's folder), in manifest order: its
    validation split for `validation` when it has one, else the last `clips` test rows;
    the first `clips` test rows for `test`."""
    manifest = _manifest(data)
    if split == "validation" and manifest_rows(manifest, "validation"):
        return manifest_rows(manifest, "validation", source)[:clips]
    return _held_out(manifest_rows(manifest, "test", source), split, clips)


def heldout_paths(data: str | Path, split: str, source: str | None, clips: int) -> list[Path]:
    """The files of `heldout_rows`; a folder without a manifest is one split of files."""
    manifest = _manifest(data)
    if not manifest.is_file():
        return _held_out(list_clips(data, None, source), split, clips)
    rows = heldout_rows(manifest, split, source, clips)
    if not rows:
        raise ValueError(f"{manifest}: no clips with split={split!r} source={source!r}; "
                         "check the manifest")
    return [manifest.parent / r["path"] for r in rows]


def pick_clip(manifest: str | Path, split: str, index: int, sources: list[str]) -> list[dict]:
    """The rows of one held-out clip with source sources[0], then the row of the same
    `clip` id for each further source (a mixture's own sources). `test`: the `index`-th
    test clip; `validation`: index 0, the first of `heldout_rows` (the last test clip of
    a manifest without a validation split)."""
    if split == "validation" and index:
        raise ValueError(f"validation clip {index}: one validation clip is picked (index 0); "
                         "use heldout_rows for several")
    rows = heldout_rows(manifest, split, sources[0], index + 1)
    if index >= len(rows):
        raise ValueError(f"{manifest}: only {len(rows)} {split} clips with source "
                         f"{sources[0]!r}; ask for fewer (test_clips in the experiment config)")
    clip = rows[index]
    picked = [clip]
    for source in sources[1:]:
        match = [r for r in manifest_rows(manifest, clip["split"], source)
                 if r["clip"] == clip["clip"]]
        if not match:
            raise ValueError(f"{manifest}: clip {clip['clip']!r} has no {source!r} row")
        picked.append(match[0])
    return picked


def read_clip(manifest: str | Path, rows: list[dict], seconds: float,
              rate: int = RATE) -> list[np.ndarray]:
    """The audio of `rows` (pick_clip's), each cut or zero-padded to `seconds`: (n,) each."""
    n = round(seconds * rate)
    waves = [read_audio(Path(manifest).parent / r["path"], rate, quiet=True) for r in rows]
    return [x[:n] if len(x) >= n else np.pad(x, (0, n - len(x))) for x in waves]
