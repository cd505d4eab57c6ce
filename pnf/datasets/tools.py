"""The system programs behind the embedded sets: fluidsynth (+ a SoundFont) and espeak-ng.

    >>> from pnf.datasets.tools import render_midi, speak
    >>> render_midi("piece.mid", "piece.wav")                  # float WAV, 22 050 Hz, stereo
    >>> soundfont()        # MuseScore General (Debian musescore-general-soundfont)
    >>> speak("Hello there.", "hello.wav", voice="en-us+f3", speed=160, pitch=50)

A missing program raises `ToolError` naming the Debian package that provides it.
Rendering runs with reverb and chorus off (`-R 0 -C 0`), so it is deterministic and
linear: rendering each part alone and summing equals rendering them together. Samples
are loaded on demand (`synth.dynamic-sample-loading`): the same audio, but a run loads
the 86 MB compressed SoundFont in ~1.5 s instead of ~8 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from pnf.audio import RATE

# MuseScore General, program 0: "Splendid Grand", AKAI S5000 samples of a close-miked
# Steinway model D (the package's sample-sources list); MIT, its samples public domain.
PIANO_FONT = ("/usr/share/sounds/sf3/MuseScore_General_Full.sf3", "musescore-general-soundfont",
              "MuseScore General SoundFont, Steinway D samples (MIT)")


class ToolError(RuntimeError):
    """A system program or file the embedded sets need is missing or failed."""


def require(program: str, package: str) -> str:
    """Path of `program`, or a ToolError that says which Debian package to install."""
    path = shutil.which(program)
    if path is None:
        raise ToolError(f"`{program}` is not installed; install the Debian package "
                        f"`{package}` (apt-get install {package}) or run `make install`")
    return path


def soundfont() -> Path:
    """The piano SoundFont: $PNF_SOUNDFONT, else MuseScore General (no silent fallback)."""
    chosen = os.environ.get("PNF_SOUNDFONT", "")
    if chosen:
        if not Path(chosen).is_file():
            raise ToolError(f"PNF_SOUNDFONT={chosen} is not a file; unset it or point it to "
                            "a .sf2/.sf3 SoundFont")
        return Path(chosen)
    path, package, _ = PIANO_FONT
    if not Path(path).is_file():
        raise ToolError(f"{path} is missing; install the Debian package `{package}` "
                        f"(apt-get install {package}) or run `make install`")
    return Path(path)


def soundfont_source(font: Path) -> tuple[str, str]:
    """(package, license note) of the SoundFont in use (or pointers for another one)."""
    path, package, note = PIANO_FONT
    if str(font) == path:
        return package, note
    return f"SoundFont {font.name}", f"SoundFont {font.name} (see its own license)"


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ToolError(f"{what} failed (exit {proc.returncode}): {tail[0]}")


def render_midi(midi: str | Path, wav: str | Path, rate: int = RATE,
                font: str | Path | None = None) -> Path:
    """Render a MIDI file to a 32-bit float WAV with fluidsynth (no reverb, no chorus)."""
    exe = require("fluidsynth", "fluidsynth")
    font = Path(font) if font else soundfont()
    _run([exe, "-ni", "-q", "-R", "0", "-C", "0", "-o", "synth.dynamic-sample-loading=1",
          "-O", "float", "-T", "wav",
          "-F", str(wav), "-r", str(rate), str(font), str(midi)], f"fluidsynth on {midi}")
    if not Path(wav).is_file():
        raise ToolError(f"fluidsynth wrote no audio for {midi}; check the MIDI file")
    return Path(wav)


def speak(text: str, wav: str | Path, voice: str = "en-us", speed: int = 160,
          pitch: int = 50) -> Path:
    """Synthesize `text` with espeak-ng (22 050 Hz, 16-bit mono WAV)."""
    exe = require("espeak-ng", "espeak-ng")
    _run([exe, "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(wav), text],
         f"espeak-ng voice {voice}")
    return Path(wav)
