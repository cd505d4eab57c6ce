"""Checks on an audio file before it is read: a truncated WAV/AIFF, a file too long to read.

    >>> check_not_truncated(Path("cut.wav"))   # AudioError: truncated audio file (...)
    >>> check_fits(Path("ten-hours.wav"))      # AudioError: ... more than the memory cap

Every error is an `AudioError`: a one-line message that says what to do.
"""

from __future__ import annotations

import struct
from pathlib import Path

import soundfile as sf


class AudioError(ValueError):
    """A bad audio input; the message is one line naming the problem and the fix."""


# container magic -> (byte order of chunk sizes, form types, the chunk holding the samples)
CONTAINERS = {b"RIFF": ("<", (b"WAVE",), b"data"), b"RIFX": (">", (b"WAVE",), b"data"),
              b"FORM": (">", (b"AIFF", b"AIFC"), b"SSND")}
UNKNOWN_SIZE = {0, 0xFFFFFFFF}  # streaming writers and RF64 leave the size open


def check_not_truncated(path: Path) -> None:
    """AudioError when a WAV/AIFF header promises more sample bytes than the file holds.

    libsndfile silently shortens such a file to the frames present (a cut download would
    otherwise become a few-sample input), so the sample chunk's size is checked here.
    """
    try:
        f = open(path, "rb")
    except OSError:
        return  # unreadable: soundfile says so next
    with f:
        head = f.read(12)
        if len(head) < 12 or head[:4] not in CONTAINERS or head[8:12] not in \
                CONTAINERS[head[:4]][1]:
            return
        order, _, wanted = CONTAINERS[head[:4]]
        size_of_file = path.stat().st_size
        while len(chunk := f.read(8)) == 8:
            (size,) = struct.unpack(order + "I", chunk[4:])
            if chunk[:4] == wanted:
                held = size_of_file - f.tell()
                if size not in UNKNOWN_SIZE and held < size:
                    raise AudioError(f"{path}: truncated audio file (the header promises "
                                     f"{size} bytes of samples, the file holds {held}); "
                                     "copy or download it again")
                return
            f.seek(size + (size & 1), 1)  # chunks are padded to an even length


def check_fits(path: Path) -> None:
    """AudioError when reading the whole file (as float32, mixed, resampled) would pass
    the memory cap of pnf.resources: a file that long has to be split first."""
    from pnf.resources import GB, memory_cap

    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError, OSError, EOFError):
        return  # unreadable: the reader says so next
    need = 16 * info.frames * max(info.channels, 1)
    if need > memory_cap():
        raise AudioError(f"{path}: {info.frames} frames ({info.duration / 60:.1f} min) need "
                         f"about {need / GB:.3g} GB to read, more than the memory cap "
                         f"({memory_cap() / GB:.3g} GB, PNF_MAX_MEMORY_GB); split the file")
