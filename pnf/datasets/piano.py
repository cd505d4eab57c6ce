"""Embedded piano: Bach chorales from the music21 corpus rendered through a GM piano.

    >>> from pnf.datasets.piano import build_piano
    >>> build_piano("data/embedded/piano", seed=0, size="smoke")   # -> manifest.csv + WAVs

Each chorale's four voices (soprano, alto, tenor, bass) are written as MIDI (acoustic
grand piano, program 0) at a seed-drawn tempo and rendered by fluidsynth at 22 050 Hz,
all together and each part alone. The full render is trimmed (60 dB) and cut into
clips; every part gets the same trim and the same gain as the full render (peak 0.95
over full and parts), so the four part clips sum to the full clip (up to fluidsynth's
float rounding and 16-bit storage). Train and test are split by piece.
Manifest `source`: `piano` (full render) or the part name; `part`: all/soprano/...
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from tqdm import tqdm

from pnf.audio import RATE, read_audio, trim_silence
from pnf.datasets.manifest import Manifest, cut, is_complete
from pnf.datasets.tools import render_midi

PARTS = ("soprano", "alto", "tenor", "bass")
SIZES = {  # pieces (of which test), seconds rendered per piece, clip seconds
    "smoke": dict(pieces=3, test=1, seconds=8.0, clip=2.0),
    "small": dict(pieces=24, test=4, seconds=48.0, clip=4.0),
}
PEAK = 0.95


def chorale_notes(path) -> dict[str, list[tuple[int, float, float]]] | None:
    """{part: [(midi pitch, start, end) in quarter notes]} of an SATB chorale, else None."""
    from music21 import corpus

    score = corpus.parse(str(path))
    by_name = {(p.partName or "").strip().lower(): p for p in score.parts}
    if not all(name in by_name for name in PARTS):
        return None
    notes = {}
    for name in PARTS:
        flat = by_name[name].stripTies().flatten()
        notes[name] = [(int(p.midi), float(n.offset), float(n.offset + n.quarterLength))
                       for n in flat.notes for p in n.pitches if n.quarterLength > 0]
    return notes


def write_midi(notes: dict[str, list[tuple[int, float, float]]], path, bpm: float,
               velocity: dict[str, int], seconds: float | None = None) -> Path:
    """Write the given parts as piano tracks (program 0); times scaled by `bpm`.

    Each part gets its own track (MIDI channel): on a shared channel a unison between
    two parts would retrigger one key, and the parts would no longer sum to the whole.
    """
    import pretty_midi

    beat = 60.0 / bpm
    midi = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    for name, part in notes.items():
        piano = pretty_midi.Instrument(program=0, name=name)
        midi.instruments.append(piano)
        for pitch, start, end in part:
            start, end = start * beat, end * beat
            if seconds is not None and start >= seconds:
                continue
            end = min(end, seconds) if seconds is not None else end
            piano.notes.append(pretty_midi.Note(velocity=velocity[name], pitch=pitch,
                                                start=start, end=end))
    midi.write(str(path))
    return Path(path)


def render_parts(notes, bpm: float, velocity: dict[str, int], seconds: float | None,
                 workdir: Path) -> tuple[np.ndarray, np.ndarray]:
    """Render full and each part -> full (T,), parts (4, T), mono float32 at 22 050 Hz."""
    takes = {}
    for name in ("all", *notes):
        chosen = notes if name == "all" else {name: notes[name]}
        mid = write_midi(chosen, workdir / f"{name}.mid", bpm, velocity, seconds)
        wav = render_midi(mid, workdir / f"{name}.wav")
        takes[name] = read_audio(wav, RATE, allow_silent=True, quiet=True)
    full = takes.pop("all")
    parts = np.zeros((len(takes), len(full)), np.float32)  # (4, T)
    for i, x in enumerate(takes.values()):
        parts[i, : min(len(x), len(full))] = x[: len(full)]
    return full, parts


def trim_together(full: np.ndarray, parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Trim `full` (60 dB) and cut the same span out of every part."""
    kept = trim_silence(full, top_db=60.0)
    start = 0 if kept.base is None else (kept.ctypes.data - full.ctypes.data) // full.itemsize
    return kept, parts[:, start: start + len(kept)]


def pick_chorales(count: int, rng: np.random.Generator) -> list[tuple[str, dict]]:
    """`count` SATB chorales, drawn in a seed-fixed order from the corpus."""
    from music21 import corpus

    paths = sorted(corpus.getComposer("bach"), key=lambda p: Path(p).name)
    chosen = []
    for i in rng.permutation(len(paths)):
        notes = chorale_notes(paths[i])
        if notes is not None:
            chosen.append((Path(paths[i]).stem, notes))
        if len(chosen) == count:
            return chosen
    raise RuntimeError(f"only {len(chosen)} SATB chorales in the music21 corpus; "
                       f"ask for at most that many pieces")


def build_piano(out: str | Path, seed: int = 0, size: str = "smoke") -> Path:
    """Build the embedded piano set in `out`; a complete build with the same args is kept."""
    cfg = SIZES[size]
    params = {"set": "piano", "seed": seed, "size": size, **cfg}
    out = Path(out)
    if is_complete(out, params):
        return out / "manifest.csv"
    rng = np.random.default_rng(seed)
    pieces = pick_chorales(cfg["pieces"], rng)
    manifest, clip_len = Manifest(out), int(cfg["clip"] * RATE)
    with tempfile.TemporaryDirectory() as tmp:
        for k, (piece, notes) in enumerate(tqdm(pieces, desc="piano", unit="piece")):
            split = "test" if k < cfg["test"] else "train"
            bpm = float(rng.integers(72, 101))
            velocity = {p: int(rng.integers(70, 96)) for p in PARTS}
            full, parts = render_parts(notes, bpm, velocity, cfg["seconds"], Path(tmp))
            full, parts = trim_together(full, parts)
            gain = PEAK / max(np.abs(full).max(), np.abs(parts).max())
            full, parts = full * gain, parts * gain
            for c, clip in enumerate(cut(np.arange(len(full)), clip_len)):
                a, b = clip[0], clip[-1] + 1
                if np.abs(full[a:b]).max() < 1 / 32768:   # a long rest: silent in 16 bits
                    continue
                cid = f"{piece}_{c:03d}"
                manifest.add_audio(f"{split}/{cid}.wav", full[a:b], split=split,
                                   source="piano", piece=piece, part="all", clip=cid)
                for name, x in zip(PARTS, parts[:, a:b], strict=True):
                    manifest.add_audio(f"{split}/parts/{cid}_{name}.wav", x, split=split,
                                       source=name, piece=piece, part=name, clip=cid)
    return manifest.finish(params)
