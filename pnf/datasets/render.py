"""Render many MIDI takes with few fluidsynth runs: takes laid end to end, then cut apart.

    >>> from pnf.datasets.render import render_takes
    >>> waves = render_takes([midi_a, midi_b], workdir)   # [(T_a,), (T_b,)] mono, 22 050 Hz

Loading a large SoundFont costs seconds per fluidsynth run, so takes (pretty_midi
objects) are concatenated into one MIDI file per batch of up to `batch_seconds`: each
take starts after the previous one's end plus `gap` seconds of release, with every
pedal lifted at its end, and is cut back out of the render. Starts lie on a grid of
1.28 s = 28 224 samples = 1 280 ms = 2 560 ticks (resolution 1000 at 120 bpm): a whole
number of fluidsynth's 64-sample blocks, of milliseconds (its player's clock) and of
ticks, so a take's notes land on the same samples wherever it sits in the batch (the
parts of a chorale, rendered apart, still sum to its full render). Notes
keep their velocity; sustain, sostenuto and soft pedal (CC 64, 66, 67) are kept; every
track plays program 0 (acoustic grand piano). Rendering is deterministic (reverb and
chorus off), so the same takes give the same samples.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from pnf.audio import RATE, read_audio
from pnf.datasets.tools import render_midi

PEDALS = (64, 66, 67)   # sustain, sostenuto, soft
GRID = 1.28             # seconds: lcm(64 samples, 1 ms) at 22 050 Hz, 2 560 ticks


def _place(take, into, start: float, gap: float) -> float:
    """Copy `take`'s tracks into `into` shifted by `start`; returns where the next may start."""
    import pretty_midi

    end = take.get_end_time()
    for inst in take.instruments:
        if inst.is_drum:
            continue
        track = pretty_midi.Instrument(program=0, name=inst.name)
        track.notes = [pretty_midi.Note(velocity=n.velocity, pitch=n.pitch,
                                        start=n.start + start, end=n.end + start)
                       for n in inst.notes]
        track.control_changes = [pretty_midi.ControlChange(c.number, c.value, c.time + start)
                                 for c in inst.control_changes if c.number in PEDALS]
        track.control_changes += [pretty_midi.ControlChange(n, 0, start + end) for n in PEDALS]
        into.instruments.append(track)
    return math.ceil((start + end + gap) / GRID) * GRID


def render_batch(takes: list, workdir: Path, gap: float = 2.0, rate: int = RATE) -> list:
    """Render `takes` in one fluidsynth run -> [(T_k,) float32], each with its release tail."""
    import pretty_midi

    song = pretty_midi.PrettyMIDI(resolution=1000, initial_tempo=120.0)  # 1 tick = 0.5 ms
    starts = [0.0]
    for take in takes:
        starts.append(_place(take, song, starts[-1], gap))
    marker = pretty_midi.Instrument(program=0, name="end")   # keeps the last tail rendered
    marker.control_changes = [pretty_midi.ControlChange(64, 0, starts[-1])]
    song.instruments.append(marker)
    mid = workdir / "batch.mid"
    song.write(str(mid))
    wave = read_audio(render_midi(mid, workdir / "batch.wav", rate), rate,
                      allow_silent=True, quiet=True)
    bounds = [round(s * rate) for s in starts]   # multiples of 64 (rate 22 050)
    return [np.ascontiguousarray(wave[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def render_takes(takes: list, workdir: Path, batch_seconds: float = 900.0) -> list:
    """Render every take, in batches of about `batch_seconds` of music."""
    out, batch, length = [], [], 0.0
    for take in takes:
        if batch and length + take.get_end_time() > batch_seconds:
            out += render_batch(batch, workdir)
            batch, length = [], 0.0
        batch.append(take)
        length += take.get_end_time()
    return out + (render_batch(batch, workdir) if batch else [])
