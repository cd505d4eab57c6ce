"""Property-based tests: whatever bytes or YAML a user gives, the readers either succeed
or raise one ValueError / FileNotFoundError with a one-line message (never a traceback).
"""

from __future__ import annotations

import os
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


# ------------------------------------------------------------ issue 24: open-ended classes

HUGE = st.one_of(st.integers(-10, 10), st.integers(10**3, 10**6), st.integers(10**6, 10**40))
INT_KEYS = ["steps", "batch_size", "crop", "layers", "cycles", "residual_channels",
            "gate_channels", "skip_channels", "mel_channels", "checkpoint_every", "seed",
            "kernel_size", "classes", "finetune_steps", "resnets", "filters", "mixtures",
            "resolutions", "lr_halve_every"]
huge_configs = st.fixed_dictionaries({
    "model": st.dictionaries(st.sampled_from(INT_KEYS[3:] + ["size"]),
                             st.one_of(HUGE, st.just("tiny")), max_size=4),
    "training": st.dictionaries(st.sampled_from(["steps", "batch_size", "seed",
                                                 "checkpoint_every"]), HUGE, max_size=3),
    "crop": HUGE})


@SETTINGS
@given(huge_configs)
def test_configs_with_huge_sizes_are_refused_before_any_work(config):
    """Class 2: any size is either in its bound (and the model within MAX_PARAMETERS) or a
    one-line error; nothing is allocated on the way (the weight count runs on `meta`)."""
    from pnf.checkpoints import MAX_PARAMETERS, check_size
    from pnf.priors.wavenet import WaveNet

    text = yaml.safe_dump(config)
    with in_file(text.encode(), ".yaml") as path:
        cfg = one_line_error(lambda: PriorConfig.from_dict(
            prior_config_dict(Namespace(config=str(path), device=None))))
    if cfg is not None:
        assert check_size(WaveNet, cfg.net_config(), "model") <= MAX_PARAMETERS
        assert cfg.crop <= 2**22 and cfg.train_config().steps <= 10**9


@st.composite
def aliased_or_repeated(draw):
    """A config whose YAML holds an alias (maybe nested in a list) or a key given twice."""
    key = draw(st.sampled_from(["sigmas", "crop", "training", "model"]))
    if draw(st.booleans()):
        depth = draw(st.integers(1, 5))
        lines = ["a0: &a0 [1.0, 2.0]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]"
                                          for i in range(1, depth)]
        return "\n".join(lines + [f"{key}: *a{depth - 1}"]) + "\n", "aliases"
    inner = draw(st.booleans())
    body = "training: {steps: 2, steps: 3}\n" if inner else f"{key}: 1\n{key}: 2\n"
    return body, "given twice"


@SETTINGS
@given(aliased_or_repeated())
def test_yaml_aliases_and_repeated_keys_are_refused(case):
    """Classes 2 and 3: no alias expands, no repeated key silently wins."""
    from pnf.config import read_yaml

    text, what = case
    with in_file(text.encode(), ".yaml") as path:
        try:
            read_yaml(path)
        except ValueError as err:
            assert what in str(err) and "\n" not in str(err)
        else:
            raise AssertionError(f"accepted: {text!r}")


WRITTEN = ["truth.npy", "truth.png", "input.npy", "input.png", "pnf.npy", "pnf.png",
           "run.json"]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.sampled_from(WRITTEN), st.sampled_from(["same", "symlink", "hardlink"]),
       st.sampled_from(["input", "prior"]), st.booleans())
def test_an_output_folder_never_overwrites_an_input(name, how, which, dotted):
    """Class 1: whichever file of an image restoration's output folder is (or links to)
    its --input or --prior, the run is refused and the input keeps its bytes."""
    from pnf.cli import main

    with tempfile.TemporaryDirectory(prefix="pnf-prop-") as folder:
        folder = Path(folder)
        out = folder / "D"
        out.mkdir()
        images = folder / "images.npy"
        np.save(images, np.zeros((1, 3, 8, 8), np.float32))
        prior = folder / "prior.pt"
        prior.write_bytes(b"not read: the paths are checked first")
        source = images if which == "input" else prior
        target = out / name
        if how == "same":
            source.rename(target)
            source = target
        elif how == "symlink":
            target.symlink_to(source)
        else:
            os.link(source, target)
        before = source.read_bytes()
        arg = (lambda p: str(p).replace(str(folder), str(folder) + "/./")) if dotted else str
        argv = ["restore", "image-inpaint", "--prior", arg(prior if which == "prior" else
                                                           folder / "prior.pt"),
                "--input", arg(source if which == "input" else images), "--index", "0",
                "--output-dir", arg(out), "--iterations", "1"]
        assert main(argv) == 2
        assert source.read_bytes() == before


@SETTINGS
@given(st.integers(1, 6), st.integers(0, 6),
       st.sampled_from([KeyboardInterrupt, OSError, ValueError]))
def test_a_group_of_writes_lands_whole_or_not_at_all(n_files, stop_at, error):
    """Classes 5 and 6: an interrupt or error after any number of a group's writes leaves
    neither outputs nor temporaries; with no interruption every file lands."""
    from pnf.atomic import all_or_nothing, write_text_atomic

    with tempfile.TemporaryDirectory(prefix="pnf-prop-") as folder:
        paths = [Path(folder) / f"sub{i % 2}" / f"out-{i}.txt" for i in range(n_files)]
        try:
            with all_or_nothing():
                for i, path in enumerate(paths):
                    if i == stop_at:
                        raise error("stop")
                    write_text_atomic(path, f"file {i}\n")
        except (KeyboardInterrupt, OSError, ValueError):
            assert stop_at < n_files
        written = sorted(p.name for p in Path(folder).rglob("*") if p.is_file())
        assert written == ([] if stop_at < n_files else sorted(p.name for p in paths))
