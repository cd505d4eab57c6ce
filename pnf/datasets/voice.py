"""Embedded voice: real recorded English speech at 16 kHz (Asterisk prompts, LibriVox readings).

    >>> from pnf.datasets.voice import build_voice
    >>> build_voice("data/embedded/voice", seed=0, size="smoke")   # -> manifest.csv + WAVs

Material: `pnf.datasets.speech` (three real speakers: Allison Smith's Asterisk prompts,
two LibriVox readers). Split, so that no prompt text and no recording is on both sides:

- Asterisk prompts by text: a prompt key is test when the first byte of its sha1 is
  < 26 (about 10 %), independent of file order and seed;
- LibriVox by speaker: the Sonnet 1 reader trains, the "Sense and Sensibility" reader
  is a held-out test speaker.

`small` uses every utterance; `smoke` a seed-drawn handful of each side. WAVs are
written at 16 kHz (the material's rate; pnf resamples on reading). Each manifest row
has `synthetic=no`, its `package` and `license`; `piece` is the prompt key. Test rows
alternate between speakers, so the first test clips the tasks score cover both.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from pnf.datasets.manifest import Manifest, is_complete
from pnf.datasets.speech import SPEECH_RATE, Utterance, asterisk_prompts, librivox_readings

TEST_SPEAKERS = ("lv-sense",)
SIZES = {  # utterances per side (None: all)
    "smoke": dict(train=12, test=4),
    "small": dict(train=None, test=None),
}


def split_of(u: Utterance) -> str:
    """'test' for held-out speakers and for about 10 % of the Asterisk prompt texts."""
    if u.speaker.startswith("lv-"):
        return "test" if u.speaker in TEST_SPEAKERS else "train"
    return "test" if hashlib.sha1(u.prompt.encode()).digest()[0] < 26 else "train"


def choose(utts: list[Utterance], count: int | None, rng: np.random.Generator) -> list:
    """`count` utterances drawn by `rng` (all when None), alternating between speakers."""
    by_speaker: dict[str, list[Utterance]] = {}
    for u in utts:
        by_speaker.setdefault(u.speaker, []).append(u)
    queues = [[group[i] for i in rng.permutation(len(group))] if count else group
              for _, group in sorted(by_speaker.items())]
    out = [q[i] for i in range(max(map(len, queues))) for q in queues if i < len(q)]
    return out if count is None else out[:count]


def build_voice(out: str | Path, seed: int = 0, size: str = "smoke") -> Path:
    """Build the embedded real-voice set in `out` (kept if already complete)."""
    cfg, out = SIZES[size], Path(out)
    params = {"set": "voice", "seed": seed, "size": size, "rate": SPEECH_RATE, **cfg}
    if is_complete(out, params):
        return out / "manifest.csv"
    utts = asterisk_prompts() + librivox_readings()
    rng = np.random.default_rng(seed)
    manifest = Manifest(out)
    for split in ("train", "test"):
        for u in choose([u for u in utts if split_of(u) == split], cfg[split], rng):
            manifest.add_audio(f"{split}/{u.speaker}/{u.name}.wav", u.audio, SPEECH_RATE,
                               split=split, source="voice", piece=u.prompt, speaker=u.speaker,
                               clip=u.name, synthetic="no", package=u.package,
                               license=u.license)
    return manifest.finish(params)
