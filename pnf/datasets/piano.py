"""Embedded piano: pieces rendered through a sampled Steinway D (MuseScore General).

    >>> from pnf.datasets.piano import build_piano
    >>> build_piano("data/embedded/piano", seed=0, size="smoke")   # -> manifest.csv + WAVs
    >>> build_piano("data/embedded/piano", size="small", allow_noncommercial=True)

Three kinds of piece, all played as acoustic grand piano (program 0) by fluidsynth at
22 050 Hz through MuseScore General's "Splendid Grand" (`pnf.datasets.tools`):

- Bach chorales (music21 corpus): each voice (soprano, alto, tenor, bass) on its own
  track at a seed-drawn tempo and velocity; rendered all together and each part alone.
  Every part clip gets the trim and gain of the full render, so the parts sum to it.
- piano music from the music21 corpus (`SCORES`): exported to MIDI by music21, so the
  velocities follow the score's dynamics and the tempo its markings;
- human performances (MAESTRO v3, 10 files shipped in the miditok 3.1.0 source
  archive), with their own velocities and pedalling. CC BY-NC-SA 4.0: built only with
  `allow_noncommercial=True` (`data.allow_noncommercial` in the experiment config).

The first `seconds` (`performance_seconds`) of each piece are rendered (`render_takes`,
a few fluidsynth runs), trimmed (60 dB), scaled to peak 0.95 and cut into clips.
Train and test are split by piece. Test rows alternate between pieces (first clips
first), so the first test clips the tasks score come from different pieces.
Manifest `source`: `piano` (full render) or the part name; `part`: all/soprano/...
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from pnf.audio import RATE, trim_silence
from pnf.datasets.manifest import Manifest, cut, is_complete
from pnf.datasets.render import render_takes
from pnf.datasets.tools import soundfont, soundfont_source

PARTS = ("soprano", "alto", "tenor", "bass")
SIZES = {  # chorales (of which test), music21 scores, performances; seconds; clip seconds
    "smoke": dict(pieces=3, test=1, scores=2, performances=1, seconds=8.0,
                  performance_seconds=8.0, clip=2.0),
    "small": dict(pieces=24, test=4, scores=8, performances=10, seconds=48.0,
                  performance_seconds=60.0, clip=4.0),
}
# (music21 corpus path, split); smoke takes the first `scores`
SCORES = (("schoenberg/opus19/movement2.mxl", "train"), ("schoenberg/opus19/movement6.mxl", "test"),
          ("joplin/maple_leaf_rag.mxl", "train"), ("schumann_clara/polonaise_op1n1.mxl", "train"),
          ("schumann_clara/polonaise_op1n2.mxl", "train"),
          ("schumann_clara/polonaise_op1n3.mxl", "train"),
          ("schumann_clara/polonaise_op1n4.mxl", "test"), ("cpebach/h186.mxl", "train"))
# MAESTRO files in the miditok archive; smoke takes the first `performances`
PERFORMANCES = tuple((f"Maestro_{k}", "test" if k in (2, 9) else "train") for k in
                     (1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
MUSIC21 = ("pypi:music21 (corpus)", "music21 corpus encoding (BSD/LGPL; the music is "
           "public domain)")
MAESTRO = ("pypi:miditok==3.1.0 (MAESTRO v3)", "MAESTRO v3 MIDI: CC BY-NC-SA 4.0, "
           "non-commercial")
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


def chorale_midi(notes: dict[str, list[tuple[int, float, float]]], bpm: float,
                 velocity: dict[str, int], seconds: float | None = None):
    """The given parts as piano tracks (program 0) of a PrettyMIDI; times scaled by `bpm`.

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
    return midi


def write_midi(notes, path, bpm: float, velocity: dict[str, int],
               seconds: float | None = None) -> Path:
    """`chorale_midi` written to `path`."""
    chorale_midi(notes, bpm, velocity, seconds).write(str(path))
    return Path(path)


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



@dataclass
class Piece:
    name: str
    split: str
    takes: dict   # {"all": PrettyMIDI, and for chorales each part name: PrettyMIDI}
    package: str
    license: str


def chorale_pieces(cfg: dict, rng: np.random.Generator) -> list[Piece]:
    """Seed-drawn chorales, the first `test` of them test, full and part takes each."""
    pieces = []
    for k, (name, notes) in enumerate(pick_chorales(cfg["pieces"], rng)):
        bpm = float(rng.integers(72, 101))
        velocity = {p: int(rng.integers(70, 96)) for p in PARTS}
        takes = {part: chorale_midi(notes if part == "all" else {part: notes[part]}, bpm,
                                    velocity, cfg["seconds"]) for part in ("all", *PARTS)}
        pieces.append(Piece(name, "test" if k < cfg["test"] else "train", takes, *MUSIC21))
    return pieces


def excerpt(midi, seconds: float):
    """The first `seconds` of a PrettyMIDI: notes starting before, cut there; pedals too."""
    import pretty_midi

    out = pretty_midi.PrettyMIDI(resolution=960, initial_tempo=120.0)
    for inst in midi.instruments:
        track = pretty_midi.Instrument(program=0, name=inst.name, is_drum=inst.is_drum)
        track.notes = [pretty_midi.Note(n.velocity, n.pitch, n.start, min(n.end, seconds))
                       for n in inst.notes if n.start < seconds]
        track.control_changes = [c for c in inst.control_changes if c.time < seconds]
        out.instruments.append(track)
    return out


def score_pieces(cfg: dict) -> list[Piece]:
    """The music21 corpus piano scores, exported to MIDI by music21 (dynamics, tempo)."""
    import pretty_midi
    from music21 import corpus
    from music21.midi.translate import streamToMidiFile

    pieces = []
    for path, split in SCORES[: cfg["scores"]]:
        data = streamToMidiFile(corpus.parse(path)).writestr()
        midi = excerpt(pretty_midi.PrettyMIDI(io.BytesIO(data)), cfg["seconds"])
        name = path.removesuffix(".mxl").replace("/", "-")
        pieces.append(Piece(name, split, {"all": midi}, *MUSIC21))
    return pieces


def performance_pieces(cfg: dict) -> list[Piece]:
    """MAESTRO performances from the miditok source archive (velocities and pedals kept)."""
    import pretty_midi

    from pnf.datasets.packages import sdist, sdist_member

    archive, pieces = sdist("miditok"), []
    for name, split in PERFORMANCES[: cfg["performances"]]:
        data = sdist_member(archive, f"tests/MIDIs_one_track/{name}.mid")
        midi = excerpt(pretty_midi.PrettyMIDI(io.BytesIO(data)), cfg["performance_seconds"])
        pieces.append(Piece(name.lower(), split, {"all": midi}, *MAESTRO))
    return pieces


def trim_together(full: np.ndarray, parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Trim `full` (60 dB) and cut the same span out of every part."""
    kept = trim_silence(full, top_db=60.0)
    start = 0 if kept.base is None else (kept.ctypes.data - full.ctypes.data) // full.itemsize
    return kept, parts[:, start: start + len(kept)]


def write_piece(manifest: Manifest, piece: Piece, waves: dict, clip_len: int,
                font: tuple[str, str]) -> list[dict]:
    """Trim, scale and cut one rendered piece into clips; returns its manifest rows."""
    full = waves["all"]
    parts = np.zeros((len(waves) - 1, len(full)), np.float32)  # (parts, T)
    for i, name in enumerate(n for n in waves if n != "all"):
        parts[i, : min(len(full), len(waves[name]))] = waves[name][: len(full)]
    full, parts = trim_together(full, parts)
    gain = PEAK / max(np.abs(full).max(), np.abs(parts).max(initial=0.0))
    full, parts, first = full * gain, parts * gain, len(manifest.rows)
    common = dict(split=piece.split, piece=piece.name, synthetic="no",
                  package=f"{piece.package} + {font[0]}", license=f"{piece.license}; {font[1]}")
    for c, clip in enumerate(cut(np.arange(len(full)), clip_len)):
        a, b = clip[0], clip[-1] + 1
        if np.abs(full[a:b]).max() < 1 / 32768:   # a long rest: silent in 16 bits
            continue
        cid = f"{piece.name}_{c:03d}"
        manifest.add_audio(f"{piece.split}/{cid}.wav", full[a:b], source="piano",
                           part="all", clip=cid, **common)
        for name, x in zip([n for n in waves if n != "all"], parts[:, a:b], strict=True):
            manifest.add_audio(f"{piece.split}/parts/{cid}_{name}.wav", x, source=name,
                               part=name, clip=cid, **common)
    return manifest.rows[first:]


def interleave(groups: list[list[dict]]) -> list[dict]:
    """Train rows piece by piece; test rows clip by clip across pieces (round robin)."""
    train = [r for g in groups for r in g if r["split"] == "train"]
    tests = [[r for r in g if r["split"] == "test"] for g in groups]
    clips = [sorted({r["clip"] for r in g}) for g in tests]
    order = [c for i in range(max(map(len, clips), default=0)) for c in
             (cl[i] for cl in clips if i < len(cl))]
    rank = {c: i for i, c in enumerate(order)}
    test = sorted((r for g in tests for r in g), key=lambda r: rank[r["clip"]])
    return train + test


def build_piano(out: str | Path, seed: int = 0, size: str = "smoke",
                allow_noncommercial: bool = False) -> Path:
    """Build the embedded piano set in `out`; a complete build with the same args is kept."""
    cfg, out, font = SIZES[size], Path(out), soundfont()
    params = {"set": "piano", "seed": seed, "size": size, **cfg, "font": font.name,
              "allow_noncommercial": allow_noncommercial}
    if is_complete(out, params):
        return out / "manifest.csv"
    rng = np.random.default_rng(seed)
    pieces = chorale_pieces(cfg, rng)   # listed last: test rows start with real music
    pieces = (performance_pieces(cfg) if allow_noncommercial else []) + score_pieces(cfg) + pieces
    takes = [(k, name, midi) for k, p in enumerate(pieces) for name, midi in p.takes.items()]
    with tempfile.TemporaryDirectory() as tmp:
        waves = render_takes([m for _, _, m in takes], Path(tmp))
    rendered = [{} for _ in pieces]
    for (k, name, _), wave in zip(takes, waves, strict=True):
        rendered[k][name] = wave
    manifest, clip_len = Manifest(out), int(cfg["clip"] * RATE)
    groups = [write_piece(manifest, p, w, clip_len, soundfont_source(font))
              for p, w in zip(tqdm(pieces, desc="piano", unit="piece"), rendered, strict=True)]
    manifest.rows = interleave(groups)
    return manifest.finish(params)
