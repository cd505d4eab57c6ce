"""SUPRA piano rolls (real performances as MIDI), rendered like the embedded piano.

    >>> from pnf.datasets.supra import fetch_supra
    >>> fetch_supra("data/real", url="https://.../SUPRA.zip")   # or archive=PATH

SUPRA (Stanford University Piano Roll Archive) ships MIDI transcriptions of
reproducing-piano rolls. Where its archive lives is not fixed, so the URL is a config
value: `--url`, else $PNF_SUPRA_URL, else DEFAULT_URL (unverified; no checksum known,
the archive is checked by its structure: it must hold .mid files). Each MIDI file is
rendered with fluidsynth (reverb/chorus off, 22 050 Hz), trimmed (60 dB),
peak-normalized and cut into 10 s clips. Split by piece: a piece is test when the first
byte of sha1(file stem) is below 26 (about 10 %), so the split never depends on order.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from tqdm import tqdm

from pnf.audio import RATE, peak_normalize, read_audio, trim_silence
from pnf.datasets.fetch import Source, fetch_and_prepare
from pnf.datasets.manifest import Manifest, cut
from pnf.datasets.tools import render_midi

DEFAULT_URL = "https://github.com/pianoroll/SUPRA/archive/refs/heads/main.zip"
CLIP_SECONDS = 10.0


def source(url: str | None = None) -> Source:
    return Source("supra", url or os.environ.get("PNF_SUPRA_URL") or DEFAULT_URL,
                  filename="supra.zip")


def split_of(stem: str) -> str:
    return "test" if hashlib.sha1(stem.encode()).digest()[0] < 26 else "train"


def prepare_supra(root: str | Path, out: str | Path) -> Path:
    """Render every MIDI file under `root` into clips in `out` (+ manifest.csv)."""
    midis = sorted(p for p in Path(root).rglob("*") if p.suffix.lower() in (".mid", ".midi"))
    if not midis:
        raise ValueError(f"{root}: no .mid files; is this the SUPRA archive?")
    manifest, length = Manifest(out), int(CLIP_SECONDS * RATE)
    with tempfile.TemporaryDirectory() as tmp:
        for midi in tqdm(midis, desc="supra", unit="piece"):
            wav = render_midi(midi, Path(tmp) / "piece.wav")
            x = peak_normalize(trim_silence(read_audio(wav, RATE, allow_silent=True,
                                                       quiet=True), 60.0), 0.95)
            split = split_of(midi.stem)
            for c, clip in enumerate(cut(x, length)):
                cid = f"{midi.stem}_{c:03d}"
                manifest.add_audio(f"{split}/{cid}.wav", clip, split=split, source="piano",
                                   piece=midi.stem, part="all", clip=cid, synthetic="no")
    return manifest.finish({"set": "supra"})


def fetch_supra(out: str | Path, archive: str | Path | None = None,
                url: str | None = None, **options) -> Path:
    """Download (or take `archive`), extract, render and cut SUPRA into OUT/supra."""
    return fetch_and_prepare("supra", source(url), out, archive, url, prepare_supra, **options)
