"""Training clips: load a set of audio clips and draw deterministic random crops.

    >>> from pnf.clips import load_clips, random_crops
    >>> clips = load_clips("data/embedded/piano/manifest.csv", split="train")
    >>> batch = random_crops(clips, length=4096, batch=8, generator=g)   # (8, 4096)

A data source is either a manifest CSV (columns path, split, duration, source, piece;
paths relative to the manifest's folder) or a folder of audio files (all used as one
split). Mixtures for separation are sums of sources at equal peak level (`mix`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import torch

from pnf.audio import AUDIO_SUFFIXES, RATE, read_audio

SOURCE_PEAK = 0.5  # each source of a mixture is peak-normalized to this, so |mix| <= 1


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
    with open(data, newline="") as f:
        rows = list(csv.DictReader(f))
    paths = [data.parent / r["path"] for r in rows
             if (split is None or r.get("split") == split)
             and (source is None or r.get("source") == source)]
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


def heldout_paths(data: str | Path, split: str, source: str | None, clips: int) -> list[Path]:
    """The held-out clip files: a manifest's validation split when it has one, else the
    last `clips` test clips for `validation` and the first ones for `test`."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {list(SPLITS)}")
    if split == "validation" and _has_split(data, "validation"):
        return list_clips(data, "validation", source)[:clips]
    paths = list_clips(data, "test", source)
    return paths[:clips] if split == "test" else paths[-clips:]


def _has_split(data: str | Path, split: str) -> bool:
    manifest = Path(data) / "manifest.csv" if Path(data).is_dir() else Path(data)
    if not manifest.is_file():
        return False
    with open(manifest, newline="") as f:
        return any(r.get("split") == split for r in csv.DictReader(f))
