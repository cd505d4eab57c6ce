"""The `pnf restore` / `pnf sample` CLI end to end on tiny priors, and every bad input."""

import json

import numpy as np
import pytest
import soundfile as sf
import yaml
from conftest import decaying_harmonics

from pnf.audio import RATE, write_audio
from pnf.cli import main

FAST = ["--iterations", "3", "--levels", "20", "5", "1"]


def train_tiny(tmp, data, name, steps=15, device=None, **model):
    """A tiny σ-input prior trained `steps` steps through the CLI (on `device` when given)."""
    cfg = {"model": {"size": "tiny", **model}, "sigma_mode": "input", "sigmas": [1.0, 20.0],
           "crop": 1024, "training": {"steps": steps, "batch_size": 2,
                                      "checkpoint_every": steps}}
    (tmp / f"{name}.yaml").write_text(yaml.safe_dump(cfg))
    out = tmp / f"{name}.pt"
    where = ["--device", device] if device else []
    assert main(["train", "prior", "--config", str(tmp / f"{name}.yaml"), "--data", str(data),
                 "--out", str(out), *where]) == 0
    return str(out)


@pytest.fixture(scope="module")
def priors(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("priors")
    data = tmp / "clips"
    for i, f0 in enumerate([220.0, 330.0]):
        write_audio(data / f"c{i}.wav", decaying_harmonics(f0, 0.3, seed=i))
    return {"mulaw": train_tiny(tmp, data, "mulaw"),
            "linear": train_tiny(tmp, data, "linear", quantization="linear"),
            "mel": train_tiny(tmp, data, "mel", mel_channels=80)}


@pytest.fixture
def clip(tmp_path):
    path = tmp_path / "clip.wav"
    write_audio(path, decaying_harmonics(262.0, 0.25, seed=5))
    return path


def pcm(path):
    return sf.read(str(path), dtype="int16")[0]


def test_superres_keeps_observed_samples_bit_identical(priors, tmp_path):
    clip = tmp_path / "odd.wav"                                   # 5 511 samples: not 4·n
    write_audio(clip, decaying_harmonics(262.0, 0.25, seed=5)[:5511])
    out = tmp_path / "up.wav"
    assert main(["restore", "superres", "--prior", priors["mulaw"], "--input", str(clip),
                 "--output", str(out), "--factor", "4", "--save-input",
                 str(tmp_path / "in.wav"), *FAST]) == 0
    x, y = pcm(clip), pcm(out)
    assert len(y) == len(x) and np.array_equal(y[::4], x[::4])   # full rate in, same length out
    assert len(pcm(tmp_path / "in.wav")) == len(y)


def test_a_restoration_writes_its_run_record_which_evaluate_reads(priors, clip, tmp_path):
    """OUT.run.json beside the output (or --timing): task, setting, levels, iterations, seed,
    precision, seconds, code version; `pnf evaluate item --run` takes iterations and seconds
    from it, a flag overriding it."""
    out = tmp_path / "up.wav"
    assert main(["restore", "superres", "--prior", priors["mulaw"], "--input", str(clip),
                 "--output", str(out), "--factor", "4", "--seed", "3", *FAST]) == 0
    rec = json.loads((tmp_path / "up.run.json").read_text())
    assert {k: rec[k] for k in ("task", "setting", "method", "levels", "iterations", "seed",
                                "precision")} == {
        "task": "superres", "setting": {"factor": 4, "resample": False}, "method": "pnf",
        "levels": [20.0, 5.0, 1.0], "iterations": 3, "seed": 3, "precision": "fp32"}
    assert rec["seconds"] >= rec["sampling_seconds"] > 0 and rec["code_version"]
    assert main(["restore", "superres", "--method", "spline", "--input", str(clip),
                 "--output", str(tmp_path / "s.wav"), "--factor", "4", "--timing",
                 str(tmp_path / "t.json")]) == 0
    spline = json.loads((tmp_path / "t.json").read_text())
    assert spline["iterations"] is None and spline["method"] == "spline"
    assert not (tmp_path / "s.run.json").exists()
    score = ["evaluate", "item", "--truth", str(clip), "--estimate", str(out), "--dataset",
             "piano", "--task", "superres", "--setting", "x4", "--method", "pnf", "--item",
             "c0", "--factor", "4", "--run", str(tmp_path / "up.run.json"), "--out"]
    assert main([*score, str(tmp_path / "a.json")]) == 0
    assert main([*score, str(tmp_path / "b.json"), "--iterations", "7"]) == 0
    a, b = (json.loads((tmp_path / f).read_text()) for f in ("a.json", "b.json"))
    assert (a["iterations"], a["seconds"], b["iterations"]) == (3, rec["seconds"], 7)
    (tmp_path / "old.json").write_text('{"seconds": 1.5}')      # a timing file of before
    assert main([*score[:-3], "--run", str(tmp_path / "old.json"), "--out",
                 str(tmp_path / "c.json")]) == 2


def test_inpaint_two_gaps(priors, clip, tmp_path):
    out = tmp_path / "filled.wav"
    assert main(["restore", "inpaint", "--prior", priors["mulaw"], "--input", str(clip),
                 "--output", str(out), "--gap", "0.05:0.08", "--gap", "0.15:0.2", *FAST]) == 0
    x, y = pcm(clip), pcm(out)
    keep = np.ones(len(x), bool)
    keep[round(0.05 * RATE):round(0.08 * RATE)] = keep[round(0.15 * RATE):round(0.2 * RATE)] = 0
    assert np.array_equal(x[keep], y[keep]) and not np.array_equal(x[~keep], y[~keep])


def test_separate_writes_one_file_per_source(priors, tmp_path):
    mix = tmp_path / "mix.wav"
    write_audio(mix, 0.5 * decaying_harmonics(200.0, 0.2) + 0.5 * decaying_harmonics(700.0, 0.2))
    out = tmp_path / "sep.wav"
    assert main(["restore", "separate", "--prior", priors["linear"], "--prior",
                 priors["linear"], "--input", str(mix), "--output", str(out), "--names",
                 "low", "high", *FAST]) == 0
    a, b = sf.read(tmp_path / "sep-low.wav")[0], sf.read(tmp_path / "sep-high.wav")[0]
    m = sf.read(mix)[0]
    assert np.sqrt(np.mean((a + b - m) ** 2)) < 0.1 * np.sqrt(np.mean(m**2)) + 0.02


def test_spectrogram_pnf_and_ancestral(priors, clip, tmp_path):
    assert main(["restore", "spectrogram", "--prior", priors["mel"], "--input", str(clip),
                 "--output", str(tmp_path / "pnf.wav"), *FAST]) == 0
    assert main(["sample", "ancestral", "--prior", priors["mel"], "--mel-from", str(clip),
                 "--output", str(tmp_path / "ar.wav"), "--timing", str(tmp_path / "t.json")]) == 0
    n = len(pcm(clip))
    assert len(pcm(tmp_path / "pnf.wav")) == n == len(pcm(tmp_path / "ar.wav"))
    rec = json.loads((tmp_path / "t.json").read_text())       # a run record, scored from
    assert (rec["method"], rec["iterations"], rec["seed"]) == ("ancestral", None, 0)
    assert main(["evaluate", "item", "--truth", str(clip), "--estimate", str(tmp_path / "ar.wav"),
                 "--dataset", "voice", "--task", "spectrogram", "--setting", "ar", "--method",
                 "ancestral", "--item", "c0", "--run", str(tmp_path / "t.json"), "--out",
                 str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text())["seconds"] == rec["seconds"]


def test_inpaint_keeps_the_input_rate_and_every_observed_sample(priors, tmp_path, capsys):
    x = decaying_harmonics(300.0, 0.2, 44100)
    src = tmp_path / "in.flac"
    sf.write(src, np.stack([x, x], 1), 44100, subtype="PCM_16")
    out = tmp_path / "o.wav"
    assert main(["restore", "inpaint", "--prior", priors["mulaw"], "--input", str(src),
                 "--output", str(out), "--gap", "0.05:0.1", *FAST]) == 0
    assert "resampling in.flac from 44100 Hz to 22050 Hz" in capsys.readouterr().err
    assert sf.info(out).samplerate == 44100 and sf.info(out).frames == len(x)
    a, b = round(0.05 * 44100), round(0.1 * 44100)
    y, x16 = pcm(out), pcm(src)[:, 0]
    assert np.array_equal(y[:a], x16[:a]) and np.array_equal(y[b:], x16[b:])
    assert not np.array_equal(y[a:b], np.zeros(b - a, np.int16))     # the gap was filled


def test_superres_resample_gives_k_times_the_length(priors, tmp_path, capsys):
    src = tmp_path / "in16k.wav"
    sf.write(src, decaying_harmonics(300.0, 0.2, 16000), 16000)    # 3200 samples
    out = tmp_path / "o.wav"
    argv = ["restore", "superres", "--prior", priors["mulaw"], "--input", str(src),
            "--output", str(out), "--factor", "4", *FAST]
    assert main(argv) == 2                                          # neither rate nor rate/K
    assert "add --resample" in capsys.readouterr().err and not out.exists()
    assert main([*argv, "--resample"]) == 0
    low = -(-3200 * 441 // 1280)                                    # ceil(3200·5512.5/16000)
    assert sf.info(out).samplerate == RATE and sf.info(out).frames == 4 * low >= 0.2 * RATE


def test_batch_writes_one_file_per_chain(priors, clip, tmp_path):
    out = tmp_path / "b.wav"
    assert main(["restore", "superres", "--prior", priors["mulaw"], "--input", str(clip),
                 "--output", str(out), "--factor", "2", "--batch", "2", *FAST]) == 0
    one, two = pcm(tmp_path / "b-1.wav"), pcm(tmp_path / "b-2.wav")
    assert not out.exists() and len(one) == len(two) == len(pcm(clip))
    assert np.array_equal(one[::2], pcm(clip)[::2]) and np.array_equal(two[::2], one[::2])
    assert not np.array_equal(one, two)                             # independent chains


def bad_files(tmp):
    files = {}
    files["empty"] = tmp / "empty.wav"
    sf.write(files["empty"], np.zeros(0), RATE)
    files["silent"] = tmp / "silent.wav"
    sf.write(files["silent"], np.zeros(1000), RATE)
    files["NaN"] = tmp / "nan.wav"
    sf.write(files["NaN"], np.array([0.1, np.nan, 0.2] * 100), RATE, subtype="FLOAT")
    good = tmp / "good.wav"
    write_audio(good, decaying_harmonics(220.0, 0.2))
    files["truncated"] = tmp / "truncated.wav"
    files["truncated"].write_bytes(good.read_bytes()[:30])
    files["not readable"] = tmp / "notes.wav"
    files["not readable"].write_text("this is not audio\n")
    return files, good


@pytest.mark.parametrize("case", ["empty", "silent", "NaN", "truncated", "not readable",
                                  "gap outside", "factor", "wrong checkpoint", "mu-law sep",
                                  "missing prior"])
def test_bad_input_is_one_line_and_leaves_no_output(case, priors, tmp_path, capsys):
    files, good = bad_files(tmp_path)
    out = tmp_path / "out.wav"
    base = ["--output", str(out), *FAST]
    argv = {
        "gap outside": ["restore", "inpaint", "--prior", priors["mulaw"], "--input", str(good),
                        "--gap", "0.1:0.5"],
        "factor": ["restore", "superres", "--prior", priors["mulaw"], "--input", str(good),
                   "--factor", "1"],
        "wrong checkpoint": ["restore", "inpaint", "--prior", str(tmp_path / "bad.pt"),
                             "--input", str(good), "--gap", "0.05:0.1"],
        "mu-law sep": ["restore", "separate", "--prior", priors["mulaw"], "--input", str(good)],
        "missing prior": ["restore", "inpaint", "--prior", str(tmp_path / "nope.pt"),
                          "--input", str(good), "--gap", "0.05:0.1"],
    }.get(case)
    if case == "wrong checkpoint":
        import torch
        torch.save({"kind": "kee", "config": {}}, tmp_path / "bad.pt")
    if argv is None:
        argv = ["restore", "inpaint", "--prior", priors["mulaw"], "--input", str(files[case]),
                "--gap", "0.0:0.01"]
    assert main(argv + base) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("pnf: error:"), err
    assert not out.exists() and not list(tmp_path.glob("*.part"))
