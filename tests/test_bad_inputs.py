"""The bad-input table: every case must end with exit status 2, exactly one stderr line
`pnf: error: ...` (no traceback), and no new file under the working folder.

Each case writes its inputs into a fresh folder, runs `pnf.cli.main(argv)` there, and
`refused` checks the three promises. Part one: downloads and archives, audio files,
training configs. Audio and config cases go through `pnf train prior` / `pnf train
baseline`, whose configs (2 steps) would train in seconds if a check were missing.
"""

from __future__ import annotations

import io
import os
import random
import re
import resource
import signal
import struct
import subprocess
import sys
import tarfile
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml

from pnf.cli import main

RATE = 22050
TONE = (0.5 * np.sin(2 * np.pi * 220 * np.arange(RATE // 4) / RATE)).astype(np.float32)


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def refused(argv: list[str], folder: Path, capsys, match: str) -> None:
    """Run `pnf ARGV` in `folder`: exit 2, one `pnf: error:` line matching, nothing new."""
    before = files_under(folder)
    capsys.readouterr()
    try:
        status = main(argv)
    except SystemExit as stop:  # argparse
        status = stop.code
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert status == 2, f"exit {status}; stderr: {err}"
    assert len(lines) == 1 and lines[0].startswith("pnf: error: "), err
    assert "Traceback" not in err
    assert re.search(match, lines[0]), lines[0]
    assert files_under(folder) == before, "a refused command wrote files"


# ---------------------------------------------------------------- building inputs


def wav_bytes(x=TONE, subtype="PCM_16", fmt="WAV", rate=RATE) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, x, rate, format=fmt, subtype=subtype)
    return buf.getvalue()


def zip_bytes(members: dict[str, bytes], link: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (0o120777 << 16)
            z.writestr(info, "/etc/passwd")
    return buf.getvalue()


def tar_bytes(members: dict[str, bytes], mode="w:gz", kind=tarfile.REGTYPE,
              linkname="") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.type, info.linkname = len(data), kind, linkname
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    return buf.getvalue()


def nan_wav() -> bytes:
    x = TONE.copy()
    x[100] = np.nan
    return wav_bytes(x, "FLOAT")


def inf_wav() -> bytes:
    x = TONE.copy()
    x[5] = np.inf
    return wav_bytes(x, "FLOAT")


def zero_channel_wav() -> bytes:
    data = wav_bytes()
    return data[:22] + struct.pack("<H", 0) + data[24:]


def vctk_like(speakers=("p225", "p345", "p361", "p362")) -> bytes:
    return zip_bytes({f"wav48_silence_trimmed/{s}/{s}_001_mic1.flac": wav_bytes(fmt="FLAC")
                      for s in speakers})


AUDIO = {  # id -> (bytes of the bad file, its suffix, what the message must say)
    "wav-header-only": (lambda: wav_bytes()[:44], ".wav", "truncated"),
    "wav-header-plus-8-bytes": (lambda: wav_bytes()[:52], ".wav", "truncated"),
    "wav-cut-in-half": (lambda: wav_bytes()[: len(wav_bytes()) // 2], ".wav", "truncated"),
    "wav-one-byte-short": (lambda: wav_bytes()[:-1], ".wav", "truncated"),
    "float-wav-truncated": (lambda: wav_bytes(subtype="FLOAT")[:100], ".wav", "truncated"),
    "aiff-truncated": (lambda: wav_bytes(fmt="AIFF")[:300], ".aiff", "truncated"),
    "flac-truncated": (lambda: wav_bytes(fmt="FLAC")[:200], ".flac", "not a readable"),
    "ogg-truncated": (lambda: wav_bytes(fmt="OGG", subtype="VORBIS")[:300], ".ogg",
                      "not a readable"),
    "empty-file": (lambda: b"", ".wav", "not a readable"),
    "text-file": (lambda: b"hello, this is not audio\n" * 20, ".wav", "not a readable"),
    "random-bytes-flac": (lambda: bytes(range(256)) * 8, ".flac", "not a readable"),
    "png-renamed": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(200), ".wav", "not a readable"),
    "wav-zero-frames": (lambda: wav_bytes(np.zeros(0, np.float32)), ".wav", "empty"),
    "wav-zero-channels": (zero_channel_wav, ".wav", "not a readable"),
    "wav-nan-sample": (nan_wav, ".wav", "NaN"),
    "wav-inf-sample": (inf_wav, ".wav", "NaN or infinite"),
    "wav-silent": (lambda: wav_bytes(np.zeros(RATE, np.float32)), ".wav", "silent"),
}

PRIOR_OK = ("model: {size: tiny}\nsigmas: [5.0, 1.0]\ncrop: 512\n"
            "training: {steps: 2, batch_size: 2, checkpoint_every: 1}\n")
BASELINE_OK = ("model: {filters: [4], kernels: [5], final_kernel: 3}\ncrop: 512\n"
               "training: {steps: 2, batch_size: 2}\n")

PRIOR_BAD = {  # id -> (the config's text, what the message must say)
    "steps-word": ("training: {steps: ten}", r"steps: 'ten' is a string; expected an integer"),
    "steps-negative": ("training: {steps: -5}", r"steps: -5 is out of range"),
    "steps-zero": ("training: {steps: 0}", r"steps: 0 is out of range"),
    "steps-fraction": ("training: {steps: 2.5}", r"steps: 2.5 is a number; expected an int"),
    "steps-bool": ("training: {steps: true}", r"steps: True is true or false"),
    "lr-zero": ("training: {lr: 0}", r"lr: 0 is out of range; allowed: a learning rate in"),
    "lr-negative": ("training: {lr: -0.1}", r"lr: -0.1 is out of range"),
    "lr-nan": ("training: {lr: .nan}", r"lr: nan is not a finite number"),
    "lr-inf": ("training: {lr: .inf}", r"lr: inf is not a finite number"),
    "lr-word": ("training: {lr: fast}", r"lr: 'fast' is a string; expected a number"),
    "batch-zero": ("training: {batch_size: 0}", r"batch_size: 0 is out of range"),
    "ema-above-1": ("training: {ema: 1.5}", r"ema: 1.5 is out of range; allowed: a decay"),
    "ema-negative": ("training: {ema: -0.1}", r"ema: -0.1 is out of range"),
    "grad-clip-negative": ("training: {grad_clip: -1}", r"grad_clip: -1 is out of range"),
    "checkpoint-every-zero": ("training: {checkpoint_every: 0}", r"checkpoint_every: 0"),
    "seed-negative": ("training: {seed: -1}", r"seed: -1 is out of range"),
    "seed-list": ("training: {seed: [1]}", r"seed: \[1\] is a list; expected an integer"),
    "training-unknown-key": ("training: {stepz: 5}", r"unknown key\(s\) \['stepz'\]"),
    "training-scalar": ("training: 5", r"training: 5 is an integer; expected a mapping"),
    "training-list": ("training: [1, 2]", r"training: \[1, 2\] is a list; expected a mapping"),
    "sigmas-scalar": ("sigmas: 20.0", r"sigmas: 20.0 is a number; expected a list"),
    "sigmas-empty": ("sigmas: []", r"sigmas: \[\] is out of range; allowed: a non-empty list"),
    "sigmas-negative": ("sigmas: [1.0, -1.0]", r"sigmas: \[1.0, -1.0\] is out of range"),
    "sigmas-zero": ("sigmas: [0]", r"sigmas: \[0\] is out of range"),
    "sigmas-word": ("sigmas: [big]", r"sigmas: \['big'\] is out of range"),
    "sigmas-nan": ("sigmas: [.nan]", r"sigmas: \[nan\] is not a finite number"),
    "crop-word": ("crop: big", r"crop: 'big' is a string; expected an integer"),
    "crop-negative": ("crop: -5", r"crop: -5 is out of range; allowed: a whole number from 1 to"),
    "crop-zero": ("crop: 0", r"crop: 0 is out of range"),
    "crop-fraction": ("crop: 1.5", r"crop: 1.5 is a number; expected an integer"),
    "sigma-mode-unknown": ("sigma_mode: both", r"sigma_mode must be 'per_level' or 'input'"),
    "sigma-mode-list": ("sigma_mode: [input]", r"sigma_mode: \['input'\] is a list"),
    "finetune-negative": ("finetune_steps: -1", r"finetune_steps: -1 is out of range"),
    "source-number": ("source: 5", r"source: 5 is an integer; expected a string or null"),
    "top-unknown-key": ("sigmaz: [1.0]", r"unknown key\(s\) \['sigmaz'\]"),
    "model-scalar": ("model: 5", r"model: 5 is an integer; expected a mapping"),
    "model-size-unknown": ("model: {size: huge}", r"unknown model size 'huge'"),
    "model-layers-zero": ("model: {size: tiny, layers: 0}", r"layers: 0 is out of range"),
    "model-layers-cycles": ("model: {size: tiny, layers: 7}", r"multiple of cycles"),
    "model-gate-odd": ("model: {size: tiny, gate_channels: 3}", r"gate_channels must be even"),
    "model-unknown-key": ("model: {size: tiny, layerz: 3}", r"unknown key\(s\) \['layerz'\]"),
    "model-quantization": ("model: {size: tiny, quantization: alaw}", r"unknown quantization"),
    "model-rate-word": ("model: {size: tiny, rate: fast}", r"rate: 'fast' is a string"),
    "model-scales-scalar": ("model: {size: tiny, upsample_scales: 4}",
                            r"upsample_scales: 4 is an integer; expected a list"),
    # class 2: sizes that would mean unbounded work or memory
    "model-layers-billion": ("model: {size: tiny, layers: 1000000000}",
                             r"layers: 1000000000 is out of range; allowed: a whole number "
                             r"from 1 to 1,024"),
    "model-channels-billion": ("model: {size: tiny, residual_channels: 1000000000}",
                               r"residual_channels: 1000000000 is out of range"),
    "model-weights-too-many": ("model: {size: tiny, layers: 1020, cycles: 51, "
                               "residual_channels: 8192, gate_channels: 8192}",
                               r"wavenet: the config asks for [\d,]+ weights"),
    "steps-31-digits": ("training: {steps: 1000000000000000000000000000000}",
                        r"steps: 1000000000000000000000000000000 is out of range"),
    "crop-huge": ("crop: 100000000000", r"crop: 100000000000 is out of range"),
    "train-memory-over-cap": ("training: {batch_size: 4096}\ncrop: 4194304",
                              r"training this prior needs about [\d.e+]+ GB of memory"),
    "train-time-over-cap": ("training: {steps: 1000000000, batch_size: 8}\ncrop: 4096",
                            r"training this prior needs about .* h on this machine"),
    "sigmas-too-many": ("sigmas: [" + ", ".join(["1.0"] * 1001) + "]",
                        r"at most 1000 noise levels"),
}

FILE_BAD = {  # id -> (the config file's bytes, what the message must say)
    "yaml-syntax": (b"model: {size: tiny\n", r"not valid YAML"),
    "yaml-list": (b"- 1\n- 2\n", r"must be a YAML mapping"),
    "yaml-scalar": (b"42\n", r"must be a YAML mapping"),
    "yaml-binary": (b"\xff\xfe\x00bad", r"not a YAML text file|not valid YAML"),
    "yaml-tabs": (b"model:\n\t size: tiny\n", r"not valid YAML"),
    # class 2: a few hundred bytes of aliases that expand to billions of values
    "yaml-alias-bomb": (b"a: &a [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]\n"
                        + b"".join(b"%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n"
                                   % ((k,) * 2 + (k - 1,) * 9) for k in range(98, 106))
                        + b"sigmas: *i\n", r"YAML aliases \(\*a\) are not accepted"),
    "yaml-merge-key": (b"base: &b {steps: 2}\ntraining: {<<: *b}\n", r"aliases"),
    # class 3: a key given twice is not silently the last one
    "yaml-duplicate-key": (b"crop: 512\ncrop: 1024\n", r"the key 'crop' is given twice"),
    "yaml-duplicate-nested": (b"training: {steps: 2, steps: 3}\n", r"'steps' is given twice"),
    "yaml-too-big": (b"# " + b"x" * (1 << 20) + b"\n", r"too big for a config"),
}

BASELINE_BAD = {  # id -> (the baseline config's text, what the message must say)
    "no-crop": ("model: {filters: [4], kernels: [5]}", r"missing `crop:`"),
    "crop-word": ("crop: big", r"crop: 'big' is a string; expected an integer"),
    "crop-zero": ("crop: 0", r"crop: 0 is out of range"),
    "crop-bool": ("crop: true", r"crop: True is true or false"),
    "model-scalar": ("crop: 512\nmodel: 5", r"model: 5 is an integer; expected a mapping"),
    "training-word": ("crop: 512\ntraining: {steps: ten}", r"steps: 'ten' is a string"),
    "factor-zero": ("crop: 512\nmodel: {factor: 0}", r"factor: 0 is out of range"),
    "kernels-even": ("crop: 512\nmodel: {filters: [4], kernels: [4]}", r"must be odd"),
    "filters-kernels-mismatch": ("crop: 512\nmodel: {filters: [4, 8], kernels: [5]}",
                                 r"equal length"),
    "dropout-one": ("crop: 512\nmodel: {dropout: 1.0}", r"dropout: 1.0 is out of range"),
    "filters-billion": ("crop: 512\nmodel: {filters: [1000000000], kernels: [5]}",
                        r"filters: \[1000000000\] is out of range"),
    "unknown-top-key": ("crop: 512\nsteps: 3", r"unknown key\(s\) \['steps'\]"),
    "time-over-cap": ("crop: 4194304\ntraining: {steps: 1000000000, batch_size: 4096}",
                      r"training kee needs about .* h on this machine"),
}

NOISE = np.random.default_rng(0).integers(0, 256, 8000, dtype=np.uint8).tobytes()
ZEROS = bytes(4 << 20)  # 4 MiB of zeros: packs to a few KiB (a ratio of ~1000)
ARCHIVES = {  # id -> (the archive's bytes or None for no file, extra argv, message)
    "archive-missing": (None, [], r"no such archive"),
    "archive-empty": (b"", [], r"not a zip or tar archive"),
    "archive-text": (b"<html>not found</html>\n", [], r"not a zip or tar archive"),
    "archive-zip-cut": (lambda: vctk_like()[:3000], [], r"not a zip or tar|broken archive"),
    "archive-tgz-cut": (lambda: tar_bytes({"a/b.bin": NOISE})[:2000], [],
                        r"broken archive|not a zip or tar"),
    "zip-slip": (lambda: zip_bytes({"../evil.txt": b"x"}), [], r"would land outside"),
    "zip-slip-deep": (lambda: zip_bytes({"a/../../evil.txt": b"x"}), [], r"land outside"),
    "zip-symlink": (lambda: zip_bytes({"a.txt": b"x"}, link="link"), [], r"link or device"),
    "tar-slip": (lambda: tar_bytes({"../evil.txt": b"x"}), [], r"would land outside"),
    "tar-absolute": (lambda: tar_bytes({"/tmp/evil.txt": b"x"}), [], r"would land outside"),
    "tar-symlink": (lambda: tar_bytes({"link": b""}, kind=tarfile.SYMTYPE,
                                      linkname="/etc/passwd"), [], r"link or device"),
    "tar-hardlink": (lambda: tar_bytes({"hard": b""}, kind=tarfile.LNKTYPE,
                                       linkname="/etc/passwd"), [], r"link or device"),
    "tar-device": (lambda: tar_bytes({"dev": b""}, kind=tarfile.CHRTYPE), [],
                   r"link or device"),
    "tar-fifo": (lambda: tar_bytes({"fifo": b""}, kind=tarfile.FIFOTYPE), [],
                 r"link or device"),
    "zip-bomb-ratio": (lambda: zip_bytes({"z.bin": ZEROS}), [], r"compression ratio"),
    "tgz-bomb-ratio": (lambda: tar_bytes({"z.bin": ZEROS}), [], r"compression ratio"),
    "txz-bomb-ratio": (lambda: tar_bytes({"z.bin": ZEROS}, mode="w:xz"), [],
                       r"compression ratio"),
    "too-many-files": (lambda: zip_bytes({f"f{i}": b"x" for i in range(20)}),
                       ["--max-files", "10"], r"more than 10 members"),
    "too-big": (lambda: zip_bytes({"r.bin": bytes(range(256)) * 64}),
                ["--max-gb", "0.000001"], r"GiB uncompressed"),
    "max-gb-nan": (vctk_like, ["--max-gb", "nan"], r"--max-gb.*finite numbers > 0"),
    "max-gb-inf": (vctk_like, ["--max-gb", "inf"], r"finite numbers > 0"),
    "max-gb-zero": (vctk_like, ["--max-gb", "0"], r"finite numbers > 0"),
    "max-files-negative": (vctk_like, ["--max-files", "-1"], r"finite numbers > 0"),
    "max-ratio-zero": (vctk_like, ["--max-ratio", "0"], r"finite numbers > 0"),
    "sha256-malformed": (vctk_like, ["--sha256", "abc"], r"not a sha256 checksum"),
    "sha256-mismatch": (vctk_like, ["--sha256", "0" * 64], r"sha256 checksum mismatch"),
    "vctk-wrong-layout": (lambda: zip_bytes({"readme.txt": b"hi"}), [], r"no VCTK audio"),
    "vctk-no-test-speakers": (lambda: vctk_like(("p225",)), [], r"test speakers"),
}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty working folder holding `d/good.wav` (training data) and nothing else."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "good.wav").write_bytes(wav_bytes())
    return tmp_path


def write(path: Path, data) -> None:
    path.write_bytes(data() if callable(data) else data)


def train(command: str) -> list[str]:
    """`pnf train prior|baseline` on c.yaml and the folder d/."""
    extra = ["--method", "kee"] if command == "baseline" else []
    return ["train", command, *extra, "--config", "c.yaml", "--data", "d", "--out", "p.pt"]


@pytest.mark.parametrize("command", ["prior", "baseline"])
@pytest.mark.parametrize("case", sorted(AUDIO))
def test_bad_audio_file(folder, capsys, case, command):
    data, suffix, match = AUDIO[case]
    write(folder / "d" / f"bad{suffix}", data)
    (folder / "c.yaml").write_text(PRIOR_OK if command == "prior" else BASELINE_OK)
    refused(train(command), folder, capsys, match)


def merged(base: str, case: str) -> str:
    """YAML of `base` with the keys of `case` laid over it (mappings merged one level)."""
    config, extra = yaml.safe_load(base), yaml.safe_load(case)
    for key, value in extra.items():
        both = isinstance(value, dict) and isinstance(config.get(key), dict)
        config[key] = {**config[key], **value} if both else value
    return yaml.safe_dump(config)


@pytest.mark.parametrize("case", sorted(PRIOR_BAD))
def test_bad_prior_config(folder, capsys, case):
    text, match = PRIOR_BAD[case]
    (folder / "c.yaml").write_text(merged(PRIOR_OK, text))
    refused(train("prior"), folder, capsys, match)


@pytest.mark.parametrize("command", ["prior", "baseline"])
@pytest.mark.parametrize("case", [*sorted(FILE_BAD), "missing", "folder"])
def test_bad_config_file(folder, capsys, case, command):
    if case == "folder":
        (folder / "c.yaml").mkdir()
    elif case != "missing":
        (folder / "c.yaml").write_bytes(FILE_BAD[case][0])
    match = FILE_BAD[case][1] if case in FILE_BAD else \
        r"is a folder, not a config file" if case == "folder" else r"no such config file"
    refused(train(command), folder, capsys, match)


@pytest.mark.parametrize("case", sorted(BASELINE_BAD))
def test_bad_baseline_config(folder, capsys, case):
    text, match = BASELINE_BAD[case]
    (folder / "c.yaml").write_text(text + "\n")
    refused(train("baseline"), folder, capsys, match)


@pytest.mark.parametrize("case", sorted(ARCHIVES))
def test_bad_archive(folder, capsys, case):
    data, extra, match = ARCHIVES[case]
    if data is not None:
        write(folder / "a.zip", data)
    refused(["data", "fetch", "vctk", "--archive", "a.zip", "--out", "real", *extra], folder,
            capsys, match)
    assert not (folder / "evil.txt").exists() and not (folder.parent / "evil.txt").exists()


def test_wrong_cifar_archive_fails_its_md5(folder, capsys):
    write(folder / "c.tgz", tar_bytes({"cifar-10-batches-py/data_batch_1": b"x"}))
    refused(["data", "fetch", "cifar10", "--archive", "c.tgz", "--out", "real"], folder,
            capsys, r"md5 checksum mismatch")


def test_supra_archive_without_midi(folder, capsys):
    write(folder / "s.zip", zip_bytes({"SUPRA-main/README.md": b"# rolls"}))
    refused(["data", "fetch", "supra", "--archive", "s.zip", "--out", "real"], folder,
            capsys, r"no \.mid files")


def closed_port() -> int:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    return port


URLS = {  # id -> (what the server holds at /a.zip or None, dataset, extra argv, message)
    "url-ftp": (None, "vctk", ["--url", "ftp://example.org/a.zip"], r"not an http\(s\) URL"),
    "url-garbage": (None, "vctk", ["--url", "not a url"], r"not an http\(s\) URL"),
    "url-404": (None, "vctk", [], r"answered HTTP 404"),
    "url-offline": (None, "vctk", ["--url", "CLOSED"], r"needs internet"),
    "url-sha256-mismatch": (vctk_like, "vctk", ["--sha256", "0" * 64], r"sha256 checksum"),
    "url-cifar-md5-mismatch": (lambda: tar_bytes({"x": b"y"}), "cifar10", [], r"md5 checksum"),
    "url-html-page": (b"<html>moved</html>", "vctk", [], r"not a zip or tar archive"),
    "url-zip-bomb": (lambda: zip_bytes({"z.bin": ZEROS}), "vctk", [], r"compression ratio"),
    "url-tar-slip": (lambda: tar_bytes({"../evil.txt": b"x"}), "vctk", [], r"land outside"),
}


@pytest.mark.parametrize("case", sorted(URLS))
def test_bad_download(folder, capsys, server, case):
    data, name, extra, match = URLS[case]
    if data is not None:
        server.files["/a.zip"] = data() if callable(data) else data
    extra = [f"http://127.0.0.1:{closed_port()}/a.zip" if a == "CLOSED" else a for a in extra]
    url = [] if "--url" in extra else ["--url", server.url + "/a.zip"]
    refused(["data", "fetch", name, *url, "--out", "real", *extra], folder, capsys, match)


def test_the_table_is_big_enough():
    cases = (2 * len(AUDIO) + len(PRIOR_BAD) + 2 * (len(FILE_BAD) + 2) + len(BASELINE_BAD)
             + len(ARCHIVES) + 2 + len(URLS) + len(CLI_BAD))
    assert cases >= 100, cases


# ------------------------------------------------------------ part two: restore and sample


def tiny_prior(path: Path, kind: str = "wavenet", **config) -> str:
    """A random-init tiny prior (no training): enough to reach every check."""
    from pnf.checkpoints import build_model, pack_prior, save_checkpoint
    from pnf.priors.image import PIXELCNN_SIZES
    from pnf.priors.train import WAVENET_SIZES

    sizes = WAVENET_SIZES if kind == "wavenet" else PIXELCNN_SIZES
    net = build_model(kind, {**sizes["tiny"], "sigma_input": True, **config})
    save_checkpoint(path, pack_prior([net], [1.0, 20.0], sigma_input=True))
    return str(path)


def spoiled(path: Path, source: str, how: str) -> str:
    """A copy of checkpoint `source` spoiled `how`: NaN or inf weights, a stored config
    that disagrees with the weights, or one asking for a billion layers."""
    import torch

    from pnf.checkpoints import read_checkpoint, save_checkpoint

    ckpt = read_checkpoint(source)
    states = ckpt["states"] if "states" in ckpt else [ckpt["model"]]
    if how in ("nan", "inf"):
        first = next(k for k, v in states[0].items() if v.is_floating_point())
        states[0][first].view(-1)[0] = float(how)
    elif how == "mismatch":
        ckpt["config"] = {**ckpt["config"], "residual_channels": 24}
    else:
        ckpt["config"] = {**ckpt["config"], how: 10**9}
    save_checkpoint(path, ckpt)
    torch.manual_seed(0)
    return str(path)


def tiny_kee_checkpoint(path: Path) -> str:
    from pnf.checkpoints import build_model, save_checkpoint

    net = build_model("kee", {"factor": 4, "filters": [4], "kernels": [5], "final_kernel": 3})
    save_checkpoint(path, {"kind": "kee", "config": {"factor": 4, "filters": [4],
                                                     "kernels": [5], "final_kernel": 3},
                           "model": net.state_dict(), "ema": None})
    return str(path)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Tiny priors: mu-law, linear, linear at 16 kHz, an image prior, spoiled copies (NaN
    and inf weights, a config that does not match the weights, a billion layers) and a
    KEE model with NaN weights."""
    d = tmp_path_factory.mktemp("tiny")
    mu = tiny_prior(d / "mu.pt")
    kee = tiny_kee_checkpoint(d / "kee.pt")
    return {"mu": mu, "lin": tiny_prior(d / "lin.pt", quantization="linear"),
            "lin16k": tiny_prior(d / "lin16k.pt", quantization="linear", rate=16000),
            "img": tiny_prior(d / "img.pt", "pixelcnn"),
            **{f"mu{how}": spoiled(d / f"mu-{how}.pt", mu, how)
               for how in ("nan", "inf", "mismatch", "layers", "residual_channels")},
            "kee": kee, "keenan": spoiled(d / "kee-nan.pt", kee, "nan")}


QUICK = ["--iterations", "1", "--levels", "20", "1", "--device", "cpu"]
SR = ["restore", "superres", "--prior", "MU", "--input", "in.wav", "--output", "o.wav",
      "--factor", "4"]
IP = ["restore", "inpaint", "--prior", "MU", "--input", "in.wav", "--output", "o.wav",
      "--gap", "0.05:0.1"]
SEP = ["restore", "separate", "--prior", "LIN", "--prior", "LIN", "--input", "in.wav",
       "--output", "o.wav"]
SAMPLE = ["sample", "ancestral", "--prior", "MU", "--output", "o.wav"]
IMG = ["restore", "image-inpaint", "--prior", "IMG", "--index", "0", "--input"]


def swap(argv, old, new):
    return [new if a == old else a for a in argv]


CLI_BAD = {  # id -> (argv with MU/LIN/... for the tiny priors, what the message must say)
    "image-prior-to-audio": (swap(IP, "MU", "IMG"), r"holds a PixelCNN.*needs a WaveNet"),
    "audio-prior-to-image": (["restore", "image-inpaint", "--prior", "MU", "--input",
                              "imgs.npy", "--index", "0", "--output-dir", "D"],
                             r"holds a WaveNet.*needs a PixelCNN"),
    "image-prior-to-sample": (swap(SAMPLE, "MU", "IMG"), r"needs a WaveNet"),
    "device-cuda-no-gpu": (IP + ["--device", "cuda:7"], r"--device cuda:7: (no CUDA|only)"),
    "device-unknown": (IP + ["--device", "tpu"], r"--device 'tpu': not a device"),
    "device-mps": (IP + ["--device", "mps"], r"pnf runs on cpu or cuda"),
    "output-under-file": (swap(IP, "o.wav", "in.wav/o.wav"), r"is a file, not a folder"),
    "output-is-folder": (swap(IP, "o.wav", "D"), r"D: is a folder"),
    "output-is-input": (swap(IP, "o.wav", "in.wav"), r"is also the input"),
    "output-is-input-dotted": (swap(IP, "o.wav", "./in.wav"), r"is also the input"),
    "output-is-prior": (swap(IP, "o.wav", "MU"), r"is also the input"),
    "save-input-is-input": (IP + ["--save-input", "in.wav"], r"is also the input"),
    "timing-is-input": (IP + ["--timing", "in.wav"], r"is also the input"),
    "timing-proc": (IP + ["--timing", "/proc/t.json"], r"/proc: cannot write there"),
    "timing-is-folder": (IP + ["--timing", "D"], r"D: is a folder"),
    "save-input-equals-output": (IP + ["--save-input", "o.wav"], r"given as two outputs"),
    "separate-derived-is-input": (swap(SEP, "in.wav", "o-a.wav") + ["--names", "a", "b"],
                                  r"is also the input"),
    "separate-c-zero": (SEP + ["--c", "0"], r"--c 0: out of range"),
    "separate-c-nan": (SEP + ["--c", "nan"], r"--c nan: not a finite number"),
    "separate-names-same": (SEP + ["--names", "a", "a"], r"names must differ"),
    "separate-names-one": (SEP + ["--names", "a"], r"give 2 names, one per source"),
    "separate-names-three": (SEP + ["--names", "a", "b", "c"], r"give 2 names"),
    "separate-names-slash": (SEP + ["--names", "a/b", "c"], r"plain name"),
    "separate-rates-differ": (swap(SEP, "LIN", "LIN16K")[:4] + SEP[4:],
                              r"different rates \[16000, 22050\]"),
    "separate-mulaw": (swap(SEP, "LIN", "MU"), r"linearly quantized"),
    "levels-nan": (IP + ["--levels", "nan", "1"], r"every σ must be a finite number"),
    "levels-inf": (IP + ["--levels", "inf", "1"], r"finite number > 0"),
    "levels-zero": (IP + ["--levels", "5", "0"], r"finite number > 0"),
    "levels-negative": (IP + ["--levels", "-1"], r"finite number > 0"),
    "levels-increasing": (IP + ["--levels", "1", "20"], r"strictly decreasing"),
    "levels-repeated": (IP + ["--levels", "5", "5"], r"strictly decreasing"),
    "window-zero": (IP + ["--window", "0"], r"--window 0: out of range"),
    "window-negative": (IP + ["--window", "-5"], r"--window -5: out of range"),
    "n-levels-one": (IP + ["--n-levels", "1"], r"--n-levels 1: out of range"),
    "schedule-unknown": (IP + ["--schedule", "ddim"], r"--schedule: invalid choice: 'ddim'"),
    "iterations-zero": (IP + ["--iterations", "0"], r"--iterations 0: out of range"),
    "delta-zero": (IP + ["--delta", "0"], r"--delta 0: out of range"),
    "delta-nan": (IP + ["--delta", "nan"], r"--delta nan: not a finite"),
    "seed-negative": (IP + ["--seed", "-1"], r"--seed -1: out of range"),
    "seed-huge": (IP + ["--seed", str(2**70)], r"--seed \d+: out of range; allowed: a whole"),
    "method-unknown": (IP + ["--method", "magic"], r"--method magic: not a method of inpaint; "
                                                   r"give pnf, zero, linear, spline"),
    "method-other-task": (SEP + ["--method", "kee"], r"not a method of separate"),
    "batch-zero": (IP + ["--batch", "0"], r"--batch 0: out of range"),
    "batch-baseline": (IP + ["--batch", "2", "--method", "spline"], r"only --method pnf"),
    "mean-of-zero": (IP + ["--mean-of", "0"], r"--mean-of 0: out of range"),
    "mean-of-baseline": (SR + ["--mean-of", "2", "--method", "spline"],
                         r"--mean-of 2: a PnF variant; it needs --method pnf"),
    "start-sigma-negative": (IP + ["--warm-start", "--start-sigma", "-1"],
                             r"--start-sigma -1: out of range; allowed: auto or"),
    "start-sigma-nan": (IP + ["--warm-start", "--start-sigma", "nan"], r"out of range"),
    "start-sigma-word": (IP + ["--warm-start", "--start-sigma", "high"], r"not a number"),
    "start-sigma-alone": (IP + ["--start-sigma", "5"], r"add --warm-start"),
    "warm-start-baseline": (SR + ["--warm-start", "--method", "kee"],
                            r"--warm-start: a PnF variant; it needs --method pnf"),
    "warm-start-spectrogram": (["restore", "spectrogram", "--prior", "MU", "--input", "in.wav",
                                "--output", "o.wav", "--warm-start"],
                               r"unrecognized arguments: --warm-start"),
    "factor-huge": (swap(SR, "4", "1000000"),
                    r"--factor 1000000 leaves 1 observed sample\(s\) of in.wav; .*at most 2756"),
    "factor-one": (swap(SR, "4", "1"), r"--factor 1: out of range"),
    "superres-wrong-rate": (swap(SR, "in.wav", "in8k.wav"),
                            r"at 8000 Hz.*22050 Hz.*5512.5 Hz; add --resample"),
    "gap-nan-inf": (swap(IP, "0.05:0.1", "nan:inf"), r"--gap nan:inf: give finite seconds"),
    "gap-reversed": (swap(IP, "0.05:0.1", "0.1:0.05"), r"0 <= START < END"),
    "gap-negative": (IP[:-2] + ["--gap=-1:0.1"], r"0 <= START < END"),
    "gap-word": (swap(IP, "0.05:0.1", "soon"), r"give START:END in seconds"),
    "gap-past-end": (swap(IP, "0.05:0.1", "0.1:9"), r"outside the signal"),
    "sample-seconds-zero": (SAMPLE + ["--seconds", "0"], r"--seconds 0: out of range"),
    "sample-seconds-negative": (SAMPLE + ["--seconds", "-1"], r"--seconds -1.0: out of range"),
    "sample-seconds-nan": (SAMPLE + ["--seconds", "nan"], r"--seconds nan: not a finite"),
    "sample-seconds-tiny": (SAMPLE + ["--seconds", "1e-9"], r"less than one sample"),
    "sample-output-is-prior": (swap(SAMPLE, "o.wav", "MU"), r"is also the input"),
    "sample-timing-proc": (SAMPLE + ["--timing", "/proc/t.json"], r"cannot write there"),
    "sample-pnf-window-zero": (["sample", "pnf", "--prior", "MU", "--output", "o.wav",
                                "--window", "0"], r"--window 0"),
    "argparse-int": (swap(SR, "4", "four"), r"invalid int value: 'four'"),
    "argparse-missing": (SR[:-2], r"required: --factor"),
    "argparse-unknown-flag": (SR + ["--factr", "3"], r"unrecognized arguments: --factr"),
    "argparse-unknown-task": (["restore", "upscale"], r"invalid choice: 'upscale'"),
    "image-output-dir-file": (["restore", "image-inpaint", "--prior", "IMG", "--input",
                               "imgs.npy", "--index", "0", "--output-dir", "in.wav"],
                              r"--output-dir in.wav: is a file"),
    # class 1: a file written inside an output folder is, or links to, an input
    "image-output-dir-holds-input": (IMG + ["D/truth.npy", "--output-dir", "D"],
                                     r"D/truth.npy: is also the input D/truth.npy"),
    "image-output-dir-link-to-input": (IMG + ["imgs.npy", "--output-dir", "L"],
                                       r"L/input.npy: is also the input imgs.npy"),
    "image-sample-output-holds-prior": (["image", "sample", "--prior", "P/samples.npy",
                                         "--output", "P", "--iterations", "1"],
                                        r"P/samples.npy: is also the input"),
    # class 2: unbounded work or memory, refused before any
    "sample-seconds-huge": (SAMPLE + ["--seconds", "1e9"], r"needs about [\d.e+]+ GB of "
                                                           r"memory, more than the cap"),
    "sample-pnf-seconds-huge": (["sample", "pnf", "--prior", "MU", "--output", "o.wav",
                                 "--seconds", "1e9"], r"needs about .* GB of memory"),
    "batch-huge": (IP + ["--batch", "100000"], r"--batch 100000: out of range; allowed: a "
                                               r"whole number of chains from 1 to 4096"),
    "iterations-huge": (IP + ["--iterations", str(10**31)], r"--iterations \d+: out of range"),
    "window-too-wide-for-cap": (IP + ["--batch", "4096", "--window", "2000000"],
                                r"needs about .* GB of memory.*lower --window"),
    "image-sample-huge": (["image", "sample", "--prior", "IMG", "--output", "S", "--size",
                           "4096", "--count", "4096"], r"needs about .* GB of memory"),
    "prior-layers-billion": (swap(IP, "MU", "MULAYERS"),
                             r"stored config is refused: .*layers: 1000000000 is out of range"),
    "prior-channels-billion": (swap(IP, "MU", "MURESIDUAL_CHANNELS"),
                               r"residual_channels: 1000000000 is out of range"),
    # class 4 and 7: non-finite weights, mismatched configs, inputs out of range
    "prior-nan-weights": (swap(IP, "MU", "MUNAN"), r"non-finite weights \(NaN or inf\)"),
    "prior-inf-weights": (swap(SR, "MU", "MUINF"), r"non-finite weights"),
    "prior-config-mismatch": (swap(IP, "MU", "MUMISMATCH"),
                              r"the stored config does not match the stored weights: \d+ "
                              r"(missing|of another shape)"),
    "kee-nan-weights": (SR[:2] + ["--method", "kee", "--model", "KEENAN"] + SR[4:],
                        r"kee-nan.pt: non-finite weights"),
    "six-channel-audio": (swap(IP, "in.wav", "six.wav"), r"six.wav: 6 channels; pnf "
                                                               r"reads mono or stereo"),
    "image-uint8": (IMG + ["u8.npy", "--output-dir", "D"], r"pixels are uint8, not floats"),
    "image-0-255": (IMG + ["f255.npy", "--output-dir", "D"], r"pixels span \[0, 255\], "
                                                             r"outside \[-1, 1\]"),
    "image-nan-pixel": (IMG + ["fnan.npy", "--output-dir", "D"], r"1 pixel\(s\) are NaN"),
    "mel-source-short": (["sample", "ancestral", "--prior", "MU", "--output", "o.wav",
                          "--mel-from", "short.wav"], r"short.wav: 200 samples .* too short "
                                                       r"for a mel spectrogram"),
    "spectrogram-source-short": (["restore", "spectrogram", "--prior", "MU", "--input",
                                  "short.wav", "--output", "o.wav"], r"too short for a mel"),
    "input-is-fifo": (swap(IP, "in.wav", "fifo.wav"), r"fifo.wav: is a FIFO \(named pipe\), "
                                                      r"not an audio file"),
    "input-is-folder": (swap(IP, "in.wav", "D"), r"D: is a folder, not an audio file"),
}


@pytest.mark.parametrize("case", sorted(CLI_BAD))
def test_bad_restore_or_sample(folder, tiny, capsys, case):
    argv, match = CLI_BAD[case]
    write(folder / "in.wav", wav_bytes())
    write(folder / "in8k.wav", wav_bytes(rate=8000))
    write(folder / "six.wav", wav_bytes(np.tile(TONE[:, None], (1, 6))))
    write(folder / "short.wav", wav_bytes(TONE[:200]))
    os.mkfifo(folder / "fifo.wav")
    images = np.zeros((1, 3, 8, 8), np.float32)
    np.save(folder / "imgs.npy", images)
    np.save(folder / "u8.npy", images.astype(np.uint8))
    np.save(folder / "f255.npy", np.linspace(0, 255, 192, dtype=np.float32).reshape(1, 3, 8, 8))
    np.save(folder / "fnan.npy", np.where(np.arange(192).reshape(1, 3, 8, 8) == 5, np.nan,
                                          images).astype(np.float32))
    (folder / "D").mkdir()
    np.save(folder / "D" / "truth.npy", images)
    (folder / "L").mkdir()
    (folder / "L" / "input.npy").symlink_to(folder / "imgs.npy")
    (folder / "P").mkdir()
    (folder / "P" / "samples.npy").write_bytes(Path(tiny["img"]).read_bytes())
    names = {k.upper(): v for k, v in tiny.items()}
    quick = [] if "ancestral" in argv else QUICK     # first: a case's own flags win
    refused([names.get(a, a) for a in argv[:2] + quick + argv[2:]], folder, capsys, match)


def test_a_diverging_chain_stops_with_one_error_and_writes_nothing(folder, tiny, capsys):
    """--delta 1e12: the first step leaves the bin range; sampling started, so the progress
    bar's lines come before the one error line."""
    write(folder / "in.wav", wav_bytes())
    before = files_under(folder)
    capsys.readouterr()
    argv = [tiny["mu"] if a == "MU" else a for a in IP] + QUICK + ["--delta", "1e12"]
    assert main(argv) == 2
    lines = [x for x in capsys.readouterr().err.splitlines()
             if x.strip() and not x.startswith("langevin:")]
    assert len(lines) == 1 and re.match(r"pnf: error: the Langevin chain diverged at level 1 "
                                        r"\(σ = 20\), step 1 of \d+: .*nothing was", lines[0])
    assert files_under(folder) == before


# ------------------------------------------------------------ part three: issue 24's classes


def no_partial_files(folder: Path) -> None:
    """No temporary of pnf.atomic (`.NAME.*.part`) anywhere under `folder`."""
    left = [p for p in folder.rglob(".*.part")]
    assert not left, f"temporaries left behind: {left}"


def test_describe_flags_non_finite_weights_and_config_mismatch(tiny, capsys):
    assert main(["describe", tiny["mu"], tiny["kee"]]) == 0
    assert "PROBLEMS" not in capsys.readouterr().out
    for key, match in [("munan", r"PROBLEMS: non-finite weights \(NaN or inf\) in 1 tensor"),
                       ("muinf", r"PROBLEMS: non-finite weights"),
                       ("keenan", r"PROBLEMS: non-finite weights"),
                       ("mumismatch", r"PROBLEMS: the stored config does not match the "
                                      r"stored weights"),
                       ("mulayers", r"PROBLEMS: .*layers: 1000000000 is out of range")]:
        assert main(["describe", tiny["mu"], tiny[key]]) == 1, key
        lines = capsys.readouterr().out.splitlines()
        assert len(lines) == 2 and "PROBLEMS" not in lines[0], lines
        assert re.search(match, lines[1]), lines[1]


RESUME_CHANGES = {  # id -> (the changed config, the key the error must name)
    "lr": ("training: {lr: 0.01}", "train.lr"),
    "seed": ("training: {seed: 7}", "train.seed"),
    "batch": ("training: {batch_size: 3}", "train.batch_size"),
    "sigmas": ("sigmas: [4.0, 1.0]", "extra.prior_config.sigmas"),
    "crop": ("crop: 768", "extra.prior_config.crop"),
    "model": ("model: {size: tiny, residual_channels: 8}", "config.residual_channels"),
    "fewer-steps": ("training: {steps: 1}", "holds 2 steps of training"),
}


@pytest.fixture
def killed_run(folder, monkeypatch):
    """p.pt.parts/ as a run killed after its last checkpoint leaves it (PRIOR_OK, 2 steps)."""
    import pnf.priors.train

    (folder / "c.yaml").write_text(PRIOR_OK)
    with monkeypatch.context() as patch:
        patch.setattr(pnf.priors.train.shutil, "rmtree", lambda *a, **k: None)
        assert main(train("prior")) == 0
    (folder / "p.pt").unlink()
    assert (folder / "p.pt.parts" / "net.pt").is_file()
    return folder


@pytest.mark.parametrize("case", sorted(RESUME_CHANGES))
def test_resume_under_a_changed_config_is_refused(killed_run, capsys, case):
    """Class 3: a resumed run is the run asked for, or an error naming what differs."""
    text, key = RESUME_CHANGES[case]
    (killed_run / "c.yaml").write_text(merged(PRIOR_OK, text))
    refused(train("prior"), killed_run, capsys, re.escape(key) + r".*--restart")
    capsys.readouterr()
    assert main(train("prior") + ["--restart"]) == 0          # a fresh start is allowed
    assert "removed p.pt.parts" in capsys.readouterr().err
    no_partial_files(killed_run)


def test_resume_under_the_same_config_continues(killed_run, capsys):
    (killed_run / "c.yaml").write_text(merged(PRIOR_OK, "training: {steps: 3}"))
    assert main(train("prior")) == 0                           # more steps: the same run
    assert "resuming p.pt.parts/net.pt at step 2/3" in capsys.readouterr().err


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4, 5])
def test_a_failed_write_leaves_no_output_of_the_run(folder, tiny, capsys, monkeypatch,
                                                    fail_at):
    """Class 5: the disk fills at the k-th file of --batch 3 + --save-input + --timing."""
    import errno

    import pnf.audio

    write(folder / "in.wav", wav_bytes())
    calls, real = [], pnf.audio.sf.write

    def full_disk(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(pnf.audio.sf, "write", full_disk)
    argv = [tiny["mu"] if a == "MU" else a for a in IP] + QUICK + [
        "--batch", "3", "--save-input", "seen.wav", "--timing", "t.json"]
    if fail_at == 5:   # the JSON after four audio files
        def no_space(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr(Path, "write_bytes", no_space)
    before = files_under(folder)
    capsys.readouterr()
    assert main(argv) == 2
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("pnf: error")]
    assert len(lines) == 1 and "no space left on the device" in lines[0], lines
    assert re.search(r"pnf: error: (o-\d|seen|t)\.(wav|json): could not be written", lines[0])
    assert files_under(folder) == before
    no_partial_files(folder)


def run_limited(argv: list[str], cwd: Path, env: dict | None = None, fsize: int | None = None,
                start: bool = False):
    """`pnf ARGV` in a subprocess under `ulimit -v 8000000` (and RLIMIT_FSIZE `fsize`)."""
    def limits():
        signal.signal(signal.SIGINT, signal.SIG_DFL)   # a suite run in the background
        resource.setrlimit(resource.RLIMIT_AS, (8_000_000 * 1024,) * 2)   # ignores SIGINT
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write fails with EFBIG
    command = [sys.executable, "-m", "pnf.cli", *argv]
    options = dict(cwd=cwd, env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})},
                   preexec_fn=limits, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   text=True)
    if start:
        return subprocess.Popen(command, **options)
    return subprocess.run(command, timeout=60, check=False, **options)


def messages(stderr: str) -> list[str]:
    """pnf's own lines (progress bars and notes aside: `pnf: error` / `pnf: interrupted`)."""
    assert "Traceback" not in stderr, stderr
    return [x for x in stderr.splitlines() if x.startswith(("pnf: error", "pnf: interrupted"))]


LIMITED = {  # id -> (files to write, argv with MU for the tiny prior, env, exit, message)
    "yaml-alias-bomb": ({"c.yaml": FILE_BAD["yaml-alias-bomb"][0]}, train("prior"), {}, 2,
                        r"aliases"),
    "layers-billion": ({"c.yaml": merged(PRIOR_OK, "model: {layers: 1000000000}")},
                       train("prior"), {}, 2, r"layers: 1000000000 is out of range"),
    "weights-too-many": ({"c.yaml": merged(PRIOR_OK, PRIOR_BAD["model-weights-too-many"][0])},
                         train("prior"), {}, 2, r"weights \(at most"),
    "steps-31-digits": ({"c.yaml": merged(PRIOR_OK, PRIOR_BAD["steps-31-digits"][0])},
                        train("prior"), {}, 2, r"steps: \d{31} is out of range"),
    "checkpoint-layers-billion": ({}, swap(IP, "MU", "MULAYERS") + QUICK, {}, 2,
                                  r"layers: 1000000000 is out of range"),
    "sample-seconds-huge": ({}, SAMPLE + ["--seconds", "1e9"], {}, 2, r"GB of memory"),
    "image-sample-huge": ({}, ["image", "sample", "--prior", "IMG", "--output", "S", "--size",
                               "4096", "--count", "64"], {}, 2, r"GB of memory"),
    # a 10-minute WAV at the default schedule: about 10^16 FLOP, refused from the estimate
    "ten-minute-wav": ({"long.wav": lambda: wav_bytes(np.tile(TONE, 2400))},
                       swap(SR, "in.wav", "long.wav") + ["--device", "cpu"], {}, 2,
                       r"needs about [\d.]+ h on this machine .* \(PNF_MAX_MINUTES raises it\)"),
    "long-input-windowed": ({"long.wav": lambda: wav_bytes(np.tile(TONE, 80))},
                            swap(swap(SR, "in.wav", "long.wav"), "4", "2") + QUICK,
                            {"PNF_MAX_MEMORY_GB": "0.3"}, 0, None),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(LIMITED))
def test_class_2_and_3_under_an_address_space_limit(folder, tiny, case):
    """Under ulimit -v 8000000 each case ends within 60 s, killed never: a one-line error,
    or (a long input over the memory cap) a windowed restoration."""
    files, argv, env, status, match = LIMITED[case]
    for name, data in files.items():
        write(folder / name, data.encode() if isinstance(data, str) else data)
    names = {k.upper(): v for k, v in tiny.items()}
    before = files_under(folder)
    proc = run_limited([names.get(a, a) for a in argv], folder, env)
    assert proc.returncode == status, proc.stderr[-2000:]
    lines = messages(proc.stderr)
    if status:
        assert len(lines) == 1 and re.search(match, lines[0]), proc.stderr[-2000:]
        assert files_under(folder) == before
    else:
        assert "sampling random windows of" in proc.stderr and lines == []
        assert sf.info(folder / "o.wav").frames == 80 * len(TONE)
    no_partial_files(folder)


def test_resume_with_another_config_under_the_limit(killed_run):
    (killed_run / "c.yaml").write_text(merged(PRIOR_OK, "training: {lr: 0.5}"))
    proc = run_limited(train("prior"), killed_run)
    assert proc.returncode == 2 and re.search(r"differs in: .*train\.lr",
                                              messages(proc.stderr)[0])


def test_a_file_size_limit_names_the_file_and_leaves_nothing(folder, tiny):
    """A real failing write (RLIMIT_FSIZE: EFBIG), not a patched one."""
    write(folder / "in.wav", wav_bytes())
    before = files_under(folder)
    argv = [tiny["mu"] if a == "MU" else a for a in IP] + QUICK + ["--batch", "3"]
    proc = run_limited(argv, folder, fsize=4096)
    lines = messages(proc.stderr)
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr[-2000:]
    assert re.match(r"pnf: error: o-1\.wav: could not be written \(.*\); free space", lines[0])
    assert files_under(folder) == before
    no_partial_files(folder)


def wait_for(path: Path, proc, seconds: float = 50) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_interrupted_training_leaves_one_line_and_no_partial_file(folder, sig, seed):
    """Class 6: interrupts at random points of a run that writes a checkpoint every step."""
    (folder / "c.yaml").write_text(merged(PRIOR_OK, "training: {steps: 100000}"))
    proc = run_limited(train("prior"), folder, start=True)
    wait_for(folder / "p.pt.parts" / "net.pt", proc)
    time.sleep(random.Random(seed).uniform(0, 0.5))
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    name = "SIGINT" if sig == signal.SIGINT else "SIGTERM"
    assert proc.returncode == 128 + sig, err[-2000:]
    assert messages(err) == [f"pnf: interrupted by {name}; no partial output was left (a "
                             "training run resumes from OUT.parts)"]
    no_partial_files(folder)
    assert not (folder / "p.pt").exists()
    from pnf.checkpoints import read_checkpoint
    assert read_checkpoint(folder / "p.pt.parts" / "net.pt")["step"] >= 1   # resumable


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_restoration_writes_nothing(folder, tiny, sig):
    write(folder / "in.wav", wav_bytes())
    before = files_under(folder)
    argv = [tiny["mu"] if a == "MU" else a for a in IP] + QUICK + [
        "--iterations", "100000", "--batch", "3", "--timing", "t.json"]
    proc = run_limited(argv, folder, {"PNF_MAX_MINUTES": "100000"}, start=True)
    time.sleep(3 + random.Random(sig).uniform(0, 2))
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig and len(messages(err)) == 1, err[-2000:]
    assert files_under(folder) == before
    no_partial_files(folder)


def test_the_workflow_schema_bounds_every_size_as_the_dataclasses_do():
    """Class 2 at plan time: each integer size the workflow schema shares with a config
    dataclass has the same upper bound as pnf.config.BOUNDS (checked by Snakemake)."""
    from pnf.config import BOUNDS

    bound = {key: high for high, keys in BOUNDS.items() for key in keys}
    schema = yaml.safe_load((Path(__file__).parents[1] / "workflow" / "schemas" /
                             "config.schema.yaml").read_text())
    seen = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in (node.get("properties") or {}).items():
                if key in bound and isinstance(value, dict):
                    spec = value.get("items", value)
                    if "integer" in str(spec.get("type")):
                        seen.append(key)
                        assert spec.get("maximum") == bound[key], (key, spec)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert {"steps", "layers", "crop", "batch_size", "residual_channels"} <= set(seen)
