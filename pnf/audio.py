"""Audio I/O, preprocessing, 8-bit quantization and mel spectrograms.

    >>> from pnf.audio import read_audio, write_audio, Quantizer
    >>> x = read_audio("in.wav", rate=22050)      # mono float32 in [-1, 1]
    >>> q = Quantizer("mulaw")
    >>> bins = q.to_bins(x)                         # continuous bin units, 0..255
    >>> write_audio("out.wav", q.from_bins(bins), 22050)

Every reader error is a `AudioError` with a one-line message that says what to do; before
reading, a WAV/AIFF whose header promises more sample bytes than the file holds, or a file
too long to read under the memory cap (pnf.resources), is refused.
"""

from __future__ import annotations

import math
import struct
import sys
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from pnf.atomic import atomic_path

if TYPE_CHECKING:  # torch is imported where tensors are made (see _tensor)
    import torch

RATE = 22050
N_BINS = 256
AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".aiff", ".aif"}


class AudioError(ValueError):
    """A bad audio input; the message is one line naming the problem and the fix."""


# ---------------------------------------------------------------- reading and writing


def read_audio(path: str | Path, rate: int | None = RATE, allow_silent: bool = False,
               quiet: bool = False) -> np.ndarray:
    """Read any soundfile format as mono float32, resampled to `rate` (None keeps it).

    Raises AudioError for missing, unreadable, empty, truncated, NaN or silent files.
    """
    from pnf.validate import regular_file

    try:
        path = regular_file(path, "audio", "give a WAV, FLAC or OGG file")
    except FileNotFoundError:
        raise AudioError(f"{path}: no such audio file; check the path") from None
    _check_not_truncated(path)
    _check_fits(path)
    try:
        data, file_rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError, OSError, EOFError,
            MemoryError) as err:
        raise AudioError(f"{path}: not a readable audio file ({_first_line(err)}); "
                         "give a WAV, FLAC or OGG file") from None
    if data.size == 0:
        raise AudioError(f"{path}: the audio file is empty (0 samples); give a non-empty file")
    if not np.all(np.isfinite(data)):
        raise AudioError(f"{path}: the audio contains NaN or infinite samples; repair the file")
    if data.shape[1] > 2:
        raise AudioError(f"{path}: {data.shape[1]} channels; pnf reads mono or stereo "
                         "(mixed to mono); mix the file down or pick the channels first")
    x = data.mean(axis=1)  # (T,) mono
    if not allow_silent and not np.any(x != 0):
        raise AudioError(f"{path}: the audio is silent (all samples are zero); "
                         "give a file with sound in it")
    if rate is not None and file_rate != rate:
        if not quiet:
            print(f"pnf: resampling {path.name} from {file_rate} Hz to {rate} Hz",
                  file=sys.stderr)
        x = resample(x, file_rate, rate)
    return x.astype(np.float32)


# container magic -> (byte order of chunk sizes, form types, the chunk holding the samples)
CONTAINERS = {b"RIFF": ("<", (b"WAVE",), b"data"), b"RIFX": (">", (b"WAVE",), b"data"),
              b"FORM": (">", (b"AIFF", b"AIFC"), b"SSND")}
UNKNOWN_SIZE = {0, 0xFFFFFFFF}  # streaming writers and RF64 leave the size open


def file_rate(path: str | Path, default: int = RATE) -> int:
    """The sample rate a soundfile-readable file declares; `default` when it cannot be read
    (read_audio then gives the error).

        >>> file_rate("voice.wav")            # e.g. 16000
    """
    try:
        return int(sf.info(str(path)).samplerate)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError, OSError):
        return default


def _check_not_truncated(path: Path) -> None:
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


def _check_fits(path: Path) -> None:
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


def write_audio(path: str | Path, x: np.ndarray | torch.Tensor, rate: int = RATE) -> None:
    """Write mono audio atomically: a killed write never leaves a partial file; NaN or
    infinite samples are refused (AudioError), never written as a full-scale click."""
    if _tensor(x):
        x = x.detach().cpu().numpy()
    path = Path(path)
    x = np.asarray(x, dtype=np.float32).reshape(-1)
    finite = np.isfinite(x)
    if not finite.all():
        raise AudioError(f"{path}: not written: {int((~finite).sum())} of {len(x)} output "
                         "samples are NaN or infinite (check the model with `pnf describe`)")
    x = np.clip(x, -1.0, 1.0)
    fmt = sf.available_formats()
    suffix = path.suffix.lower().lstrip(".")
    kind = suffix.upper() if suffix.upper() in fmt else "WAV"
    with atomic_path(path) as tmp:
        sf.write(tmp, x, rate, format=kind, subtype="PCM_16" if kind == "WAV" else None)


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


# ---------------------------------------------------------------- preprocessing


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Polyphase resampling of a 1-D signal (Kaiser-windowed FIR)."""
    if rate_in == rate_out:
        return x
    from scipy.signal import resample_poly  # lazy: scipy.signal takes 0.5 s to import

    ratio = Fraction(rate_out, rate_in).limit_denominator(10_000)
    return resample_poly(x, ratio.numerator, ratio.denominator).astype(np.float32)


def trim_silence(x: np.ndarray, top_db: float = 60.0, frame: int = 1024, hop: int = 256):
    """Cut leading/trailing frames quieter than `top_db` below the loudest frame."""
    if len(x) < frame:
        return x
    n = 1 + (len(x) - frame) // hop
    idx = np.arange(frame)[None, :] + hop * np.arange(n)[:, None]
    rms = np.sqrt(np.mean(x[idx] ** 2, axis=1) + 1e-20)
    db = 20 * np.log10(rms / rms.max())
    loud = np.nonzero(db > -top_db)[0]
    return x[loud[0] * hop: loud[-1] * hop + frame]


def peak_normalize(x: np.ndarray, peak: float = 1.0) -> np.ndarray:
    """Scale so that max |x| == peak (silence is returned unchanged)."""
    m = float(np.max(np.abs(x))) if len(x) else 0.0
    return x if m == 0 else (x * (peak / m)).astype(np.float32)


# ---------------------------------------------------------------- quantization


class Quantizer:
    """8-bit mu-law or linear quantization; bins are continuous values in [0, 255].

    `to_bins` maps a waveform in [-1, 1] to bin units (σ is measured in these units),
    `from_bins` maps back, `quantize` rounds to integer class labels for training.
    Linear bins are affine in the waveform, so sums of sources stay sums (separation).
    """

    def __init__(self, kind: str = "mulaw", mu: int = N_BINS - 1):
        if kind not in ("mulaw", "linear"):
            raise ValueError(f"unknown quantization {kind!r}; use 'mulaw' or 'linear'")
        self.kind, self.mu = kind, mu
        self.half = (N_BINS - 1) / 2  # 127.5: the bin of silence under linear quantization

    def to_bins(self, x):
        if self.kind == "mulaw":
            x = _sign(x) * _log1p(self.mu * _abs(x)) / math.log1p(self.mu)
        return (x + 1) * self.half

    def from_bins(self, b):
        x = b / self.half - 1
        if self.kind == "mulaw":
            x = _sign(x) * ((1 + self.mu) ** _abs(x) - 1) / self.mu
        return x

    def quantize(self, x):
        """Integer class labels 0..255 of a waveform."""
        b = self.to_bins(x)
        if _tensor(b):
            return b.round().clamp(0, N_BINS - 1).long()
        return np.clip(np.round(b), 0, N_BINS - 1).astype(np.int64)

    @property
    def silence(self) -> float:
        return self.half


def _tensor(x) -> bool:  # a torch tensor? torch is left to whoever makes tensors
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def _sign(x):
    return x.sign() if _tensor(x) else np.sign(x)


def _abs(x):
    return x.abs() if _tensor(x) else np.abs(x)


def _log1p(x):
    return x.log1p() if _tensor(x) else np.log1p(x)


# ---------------------------------------------------------------- mel spectrogram


def mel_filterbank(n_mels: int = 80, n_fft: int = 1024, rate: int = RATE,
                   fmin: float = 125.0, fmax: float = 7600.0) -> torch.Tensor:
    """Slaney-style triangular mel filters, (n_mels, n_fft // 2 + 1)."""
    def hz_to_mel(f):
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)

    def mel_to_hz(m):
        return 700.0 * (10 ** (np.asarray(m) / 2595.0) - 1.0)

    freqs = np.linspace(0, rate / 2, n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up = (freqs[None] - lower) / (centre - lower)
    down = (upper - freqs[None]) / (upper - centre)
    fb = np.maximum(0, np.minimum(up, down)) * (2.0 / (upper - lower))  # area-normalized
    import torch
    return torch.tensor(fb, dtype=torch.float32)


def check_mel_source(path, samples: int, n_fft: int = 1024, rate: int = RATE) -> None:
    """AudioError when `samples` of `path` are too few for one mel frame (n_fft samples)."""
    if samples < n_fft:
        raise AudioError(f"{path}: {samples} samples ({samples / rate:.3f} s) is too short "
                         f"for a mel spectrogram; give at least {n_fft} samples "
                         f"({n_fft / rate:.3f} s at {rate} Hz)")


def mel_spectrogram(x: torch.Tensor, n_mels: int = 80, n_fft: int = 1024, hop: int = 256,
                    rate: int = RATE, fmin: float = 125.0, fmax: float = 7600.0) -> torch.Tensor:
    """Normalized log10 mel spectrogram of (B, T) audio -> (B, n_mels, T // hop).

    Frames are centred; values are log10(max(mel, 1e-5)) mapped to about [-1, 1]
    (`(log10 - (-5)) / 2.5 - 1`), the paper's 80 mels / 125-7600 Hz / n_fft 1024 / hop 256.
    """
    import torch
    x = torch.as_tensor(x, dtype=torch.float32)
    if x.dim() == 1:
        x = x[None]
    window = torch.hann_window(n_fft, device=x.device)
    spec = torch.stft(x, n_fft, hop, window=window, center=True, return_complex=True).abs()
    fb = mel_filterbank(n_mels, n_fft, rate, fmin, fmax).to(x.device)
    mel = torch.einsum("mf,bft->bmt", fb, spec)[..., : x.shape[-1] // hop]  # (B, M, frames)
    return (torch.log10(mel.clamp_min(1e-5)) + 5.0) / 2.5 - 1.0
