"""Property-based tests: whatever bytes or YAML a user gives, the readers either succeed
or raise one ValueError / FileNotFoundError with a one-line message (never a traceback).
"""

from __future__ import annotations

import struct
import tempfile
from argparse import Namespace
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pnf.audio import read_audio
from pnf.baselines.cli import read_config
from pnf.commands.train import prior_config_dict
from pnf.priors.image import ImagePriorConfig
from pnf.priors.train import PriorConfig

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def one_line_error(call):
    """Run `call`; it may return, or raise ValueError/FileNotFoundError with one line."""
    try:
        return call()
    except (ValueError, FileNotFoundError) as err:
        text = str(err)
        assert text and "\n" not in text, repr(text)
        return None


@contextmanager
def in_file(data: bytes, suffix: str) -> Iterator[Path]:
    """`data` as a file in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="pnf-prop-") as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        yield path


def check_audio(data: bytes, suffix: str = ".wav") -> None:
    with in_file(data, suffix) as path:
        x = one_line_error(lambda: read_audio(path))
    if x is not None:  # a success is real audio: finite, non-empty, non-silent, mono
        assert x.ndim == 1 and len(x) > 0 and x.dtype == np.float32
        assert np.all(np.isfinite(x)) and np.any(x != 0)


@SETTINGS
@given(st.binary(max_size=2048), st.sampled_from([".wav", ".flac", ".ogg", ".aiff", ".bin"]))
def test_audio_reader_on_random_bytes(data, suffix):
    check_audio(data, suffix)


@st.composite
def wav_files(draw):
    """A RIFF/WAVE file with random format fields, a random data size and random bytes."""
    fmt = draw(st.sampled_from([1, 3, 6, 7, 0xFFFE, draw(st.integers(0, 0xFFFF))]))
    channels = draw(st.integers(0, 8))
    rate = draw(st.sampled_from([0, 1, 8000, 22050, 44100, 48000, 2**31 - 1]))
    bits = draw(st.sampled_from([0, 8, 16, 24, 32, 64, draw(st.integers(0, 0xFFFF))]))
    align = max(channels * bits // 8, 1)
    body = draw(st.binary(max_size=1024))
    declared = draw(st.one_of(st.just(len(body)), st.integers(0, 2**32 - 1)))
    fmt_chunk = struct.pack("<HHIIHH", fmt, channels, rate, rate * align % 2**32,
                            align % 2**16, bits)
    chunks = b"fmt " + struct.pack("<I", 16) + fmt_chunk + b"data" + \
        struct.pack("<I", declared) + body
    riff = draw(st.one_of(st.just(4 + len(chunks)), st.integers(0, 2**32 - 1)))
    return b"RIFF" + struct.pack("<I", riff) + b"WAVE" + chunks


@SETTINGS
@given(wav_files())
def test_audio_reader_on_random_wav_headers(data):
    check_audio(data)


KEYS = ["model", "training", "sigma_mode", "sigmas", "crop", "finetune_steps", "source",
        "flip", "size", "steps", "lr", "batch_size", "ema", "layers", "cycles", "seed",
        "quantization", "mel_channels", "upsample_scales", "prior", "device", "x"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                    st.sampled_from(["tiny", "input", "per_level", "linear", "cpu"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
    max_leaves=12)
configs = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)
texts = st.one_of(configs.map(yaml.safe_dump), st.text(max_size=200),
                  values.map(yaml.safe_dump))


def load_all(text: str) -> None:
    """The three YAML readers of `pnf train`: prior, image prior, baseline."""
    with in_file(text.encode("utf-8", "surrogatepass"), ".yaml") as path:
        args = Namespace(config=str(path), device=None)
        one_line_error(lambda: PriorConfig.from_dict(prior_config_dict(args)))
        one_line_error(lambda: ImagePriorConfig.from_dict(prior_config_dict(args)))
        one_line_error(lambda: read_config(path))


@SETTINGS
@given(texts)
def test_config_loader_on_random_yaml(text):
    load_all(text)


def test_config_with_unhashable_model_size():
    load_all("model: {size: [1]}\n")          # a one-line error, not a TypeError
