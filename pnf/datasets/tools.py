"""The system programs behind the embedded sets: fluidsynth (+ a SoundFont) and espeak-ng.

    >>> from pnf.datasets.tools import render_midi, speak
    >>> render_midi("piece.mid", "piece.wav")                  # float WAV, 22 050 Hz, stereo
    >>> speak("Hello there.", "hello.wav", voice="en-us+f3", speed=160, pitch=50)

A missing program raises `ToolError` naming the Debian package that provides it.
Rendering runs with reverb and chorus off (`-R 0 -C 0`), so it is deterministic and
linear: rendering each part alone and summing equals rendering them together.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from pnf.audio import RATE

SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
)


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
    """A General-MIDI SoundFont: $PNF_SOUNDFONT, Debian's FluidR3, or pretty_midi's own."""
    candidates = [os.environ.get("PNF_SOUNDFONT", ""), *SOUNDFONTS]
    try:
        import pretty_midi
        candidates.append(str(Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"))
    except ImportError:  # pragma: no cover - pretty_midi is a dependency
        pass
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    raise ToolError("no General-MIDI SoundFont found; install the Debian package "
                    "`fluid-soundfont-gm` or set PNF_SOUNDFONT=/path/to/file.sf2")


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
    _run([exe, "-ni", "-q", "-R", "0", "-C", "0", "-O", "float", "-T", "wav",
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
