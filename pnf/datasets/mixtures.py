"""Embedded piano + voice mixtures for source separation, with their exact sources.

    >>> from pnf.datasets.mixtures import build_mix
    >>> build_mix("data/embedded/mix", "data/embedded/piano", "data/embedded/voice", seed=0)

Level convention (`pnf.clips.mix`): each source is peak-normalized to 0.5, then snapped
to the 16-bit grid (k / 32768, |k| <= 16383), and the mixture is their sum. Because
every value is on the grid, `mix == piano + voice` holds exactly for the WAVs as
written and read back. Piano clips (full renders) and voice utterances are paired
within a split by a seed-drawn permutation; voice shorter than the piano clip is
zero-padded, longer is cut (voice is read at 22 050 Hz whatever its stored rate). Rows
share a `clip` id; `source` is mix, piano or voice; each row keeps its source's
`synthetic`, `package` and `license` (a mix row: both, `|`-separated).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pnf.audio import RATE, read_audio
from pnf.clips import manifest_rows, mix
from pnf.datasets.manifest import Manifest, is_complete

GRID = 32768  # 16-bit PCM: a float x is stored as round(x * 32768)


def snap(x: np.ndarray) -> np.ndarray:
    """Round to the 16-bit grid, within +-16383/32768, so sums of two stay exact."""
    return (np.clip(np.round(x * GRID), -16383, 16383) / GRID).astype(np.float32)


def provenance(row) -> dict:
    """synthetic/package/license of a source row, or of a (piano, voice) pair for a mix."""
    if isinstance(row, dict):
        return {k: row.get(k, "") for k in ("synthetic", "package", "license")}
    p, v = row
    return {"synthetic": "yes" if "yes" in (p.get("synthetic"), v.get("synthetic")) else "no",
            "package": f"{p.get('package', '')} | {v.get('package', '')}",
            "license": f"{p.get('license', '')} | {v.get('license', '')}"}


def _pairs(piano: Path, voice: Path, split: str, rng: np.random.Generator):
    p_rows = manifest_rows(piano / "manifest.csv", split, "piano")
    v_rows = manifest_rows(voice / "manifest.csv", split)
    if not p_rows or not v_rows:
        raise ValueError(f"no {split} clips in {piano} or {voice}; build them first "
                         "with `pnf data build piano` and `pnf data build voice`")
    order = rng.permutation(len(v_rows))
    return [(p, v_rows[order[i % len(v_rows)]]) for i, p in enumerate(p_rows)]


def build_mix(out: str | Path, piano: str | Path, voice: str | Path, seed: int = 0,
              size: str = "smoke") -> Path:
    """Build the mixture set in `out` from finished piano and voice sets."""
    out, piano, voice = Path(out), Path(piano), Path(voice)
    params = {"set": "mix", "seed": seed, "size": size,
              "piano": (piano / "build.json").read_text() if piano.exists() else "",
              "voice": (voice / "build.json").read_text() if voice.exists() else ""}
    if is_complete(out, params):
        return out / "manifest.csv"
    rng = np.random.default_rng(seed)
    manifest = Manifest(out)
    for split in ("train", "test"):
        for p_row, v_row in _pairs(piano, voice, split, rng):
            p = read_audio(piano / p_row["path"], RATE, quiet=True)
            v = np.zeros_like(p)
            spoken = read_audio(voice / v_row["path"], RATE, quiet=True)[: len(p)]
            v[: len(spoken)] = spoken
            _, sources = mix(np.stack([p, v]))  # (2, T), each at peak 0.5
            sources = snap(sources)
            cid = f"{p_row['clip']}__{v_row['clip']}"
            common = dict(split=split, piece=p_row["piece"], speaker=v_row["speaker"], clip=cid)
            for name, x, row in (("mix", sources.sum(0), None), ("piano", sources[0], p_row),
                                 ("voice", sources[1], v_row)):
                manifest.add_audio(f"{split}/{cid}_{name}.wav", x, source=name, **common,
                                   **provenance(row or (p_row, v_row)))
    return manifest.finish(params)
