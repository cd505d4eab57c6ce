"""Training the learned baselines through `pnf train baseline`: the loss falls on small
generated clips, a run resumes from its checkpoint, bad configs give one-line errors, the
separators' losses punish a sign-inverted source, early stopping keeps the best round."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch
import yaml

from pnf.audio import RATE, write_audio
from pnf.baselines.early import ValidationConfig, split_clips, stalled, validation_loss
from pnf.baselines.losses import CRITERIA, LOSSES, si_sdr, snr
from pnf.baselines.train import mixture_batches, superres_batches
from pnf.checkpoints import load_model, read_checkpoint
from pnf.cli import main
from pnf.clips import load_clips

MODELS = {"kee": {"factor": 8, "filters": [8, 16], "kernels": [9, 5]},
          "convtasnet": {"N": 16, "L": 8, "B": 8, "Sc": 8, "H": 16, "X": 3, "R": 1},
          "demucs": {"depth": 2, "channels": 8, "lstm_layers": 1},
          "demucs_pkg": {"depth": 2, "channels": 8, "lstm_layers": 1}}
EXTRA = pytest.mark.skipif(importlib.util.find_spec("demucs") is None,
                           reason="the demucs extra is not installed")


def piano_clip(t, f0):
    """A decaying harmonic tone."""
    return sum(np.sin(2 * np.pi * f0 * h * t) / h for h in range(1, 7)) * np.exp(-4 * t)


def voice_clip(t, f0):
    """A vibrato buzz through one formant near 700 Hz, with a syllable-rate envelope."""
    phase = 2 * np.pi * np.cumsum(f0 + 20 * np.sin(2 * np.pi * 5 * t)) / RATE
    buzz = sum(np.sin(h * phase) * np.exp(-((h * f0 - 700) / 400) ** 2) for h in range(1, 20))
    return buzz * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("clips")
    t = np.arange(int(0.4 * RATE)) / RATE
    rows = ["path,split,duration,source,piece"]
    (root / "piano").mkdir()
    (root / "voice").mkdir()
    for i in range(4):
        write_audio(root / "piano" / f"p{i}.wav", 0.5 * piano_clip(t, 220 * 2 ** (i / 5)) / 2)
        rows.append(f"p{i}.wav,{'test' if i == 3 else 'train'},0.4,piano,p{i}")
        write_audio(root / "voice" / f"v{i}.wav", 0.1 * voice_clip(t, 120 + 30 * i))
    (root / "piano" / "manifest.csv").write_text("\n".join(rows) + "\n")
    return root


def config(tmp_path, method, steps, **training):
    path = tmp_path / f"{method}-{steps}.yaml"
    training = {"steps": steps, "batch_size": 4, "lr": 3e-3, "checkpoint_every": 10,
                "device": "cpu", **training}
    path.write_text(yaml.safe_dump({"model": MODELS[method], "training": training,
                                    "crop": 2048}))
    return str(path)


def run(method, cfg, data, out, *extra):
    where = (["--data", str(data / "piano")] if method == "kee" else
             ["--piano", str(data / "piano"), "--voice", str(data / "voice")])
    return main(["train", "baseline", "--method", method, "--config", cfg, *where,
                 "--out", str(out), *extra])


@pytest.mark.parametrize("method", ["kee", "convtasnet", "demucs",
                                    pytest.param("demucs_pkg", marks=EXTRA)])
def test_loss_falls(method, data, tmp_path):
    torch.manual_seed(0)
    out = tmp_path / f"{method}.pt"
    assert run(method, config(tmp_path, method, 40), data, out) == 0
    losses = read_checkpoint(out, (method,))["losses"]
    assert len(losses) == 40
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) - 0.1 * abs(np.mean(losses[:5]))


def test_resume_continues_from_checkpoint(data, tmp_path, capsys):
    torch.manual_seed(0)
    out = tmp_path / "kee.pt"
    assert run("kee", config(tmp_path, "kee", 10), data, out, "--factor", "4") == 0
    first = read_checkpoint(out)
    assert first["step"] == 10 and first["config"]["factor"] == 4
    assert run("kee", config(tmp_path, "kee", 20), data, out, "--factor", "4") == 0
    assert "resuming" in capsys.readouterr().err
    second = read_checkpoint(out)
    assert second["step"] == 20 and second["losses"][:10] == first["losses"]
    # a different factor (model config) cannot be resumed into the same checkpoint
    assert run("kee", config(tmp_path, "kee", 30), data, out, "--factor", "8") == 2
    assert "different model config" in capsys.readouterr().err


def test_run_whose_output_was_deleted_resumes_from_its_parts(data, tmp_path, capsys):
    """Snakemake deletes an incomplete job's output; the work checkpoint beside it survives."""
    whole, cut = tmp_path / "whole.pt", tmp_path / "cut.pt"
    assert run("kee", config(tmp_path, "kee", 20), data, whole, "--factor", "4") == 0
    assert run("kee", config(tmp_path, "kee", 10), data, cut, "--factor", "4") == 0
    (tmp_path / "cut.pt.parts").mkdir()
    cut.rename(tmp_path / "cut.pt.parts" / "train.pt")     # as if killed after step 10
    capsys.readouterr()
    assert run("kee", config(tmp_path, "kee", 20), data, cut, "--factor", "4") == 0
    assert "resuming" in capsys.readouterr().err and not (tmp_path / "cut.pt.parts").exists()
    a, b = read_checkpoint(whole)["model"], read_checkpoint(cut)["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("body, message", [
    ({"model": {}, "training": {"stesp": 5}, "crop": 64}, "unknown key(s) ['stesp']"),
    ({"model": {"filterz": [8]}, "crop": 64}, "unknown key(s) ['filterz']"),
    ({"model": {}, "crop": 64, "lr": 1}, "unknown key(s) ['lr']"),
    ({"model": {}}, "missing `crop:`"),
])
def test_bad_config_is_one_line_error(body, message, data, tmp_path, capsys):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(yaml.safe_dump(body))
    assert run("kee", str(cfg), data, tmp_path / "x.pt") == 2
    err = capsys.readouterr().err.strip()
    assert message in err and err.startswith("pnf: error:") and "\n" not in err


def test_separators_need_two_sources(data, tmp_path, capsys):
    cfg = config(tmp_path, "demucs", 1)
    assert main(["train", "baseline", "--method", "demucs", "--config", cfg,
                 "--data", str(data / "piano"), "--out", str(tmp_path / "d.pt")]) == 2
    assert "two data paths" in capsys.readouterr().err


def test_batches(data):
    piano = load_clips(data / "piano", split="train")
    voice = load_clips(data / "voice", split="train")
    assert len(piano) == 3  # the manifest's test clip is left out
    gen = torch.Generator().manual_seed(0)
    mixture, sources = mixture_batches(piano, voice, 1000, 3)(0, gen)
    assert mixture.shape == (3, 1000) and sources.shape == (3, 2, 1000)
    torch.testing.assert_close(mixture, sources.sum(1))
    torch.testing.assert_close(sources.abs().amax(-1), torch.full((3, 2), 0.5))
    inp, target = superres_batches(piano, 1003, 2, factor=4)(0, gen)
    assert inp.shape == target.shape == (2, 1000)
    torch.testing.assert_close(inp[:, ::4], target[:, ::4])


def test_si_sdr():
    x = torch.randn(2, 500)
    noise = torch.randn(2, 500)
    assert (si_sdr(x, x) > 60).all()
    torch.testing.assert_close(si_sdr(3 * x + 0.1 * noise, x), si_sdr(x + noise / 30, x))
    assert (si_sdr(x + noise, x) < si_sdr(x + 0.1 * noise, x)).all()


@pytest.mark.slow
def test_kee_beats_the_spline_on_a_held_out_clip(data, tmp_path):
    """300 tiny steps at factor 8 (aliased harmonics): KEE learns more than its spline input."""
    from pnf.baselines import apply

    out = tmp_path / "kee8.pt"
    assert run("kee", config(tmp_path, "kee", 300, checkpoint_every=1000), data, out) == 0
    x = load_clips(data / "piano", split="test")[0]
    x = x[: len(x) // 8 * 8]
    err = {m: np.mean((apply(m, "superres", x[::8], factor=8, checkpoint=str(out)
                             if m == "kee" else None) - x) ** 2) for m in ("spline", "kee")}
    assert err["kee"] < 0.8 * err["spline"]


def test_si_sdr_is_blind_to_sign_and_snr_is_not():
    """Why Conv-TasNet left its piano inverted: -s is a perfect SI-SDR estimate of s."""
    s = torch.randn(3, 800)
    torch.testing.assert_close(si_sdr(-s, s), si_sdr(s, s))
    torch.testing.assert_close(snr(-s, s), torch.full((3,), -10 * np.log10(4.0)))
    torch.testing.assert_close(snr(0.5 * s, s), torch.full((3,), 10 * np.log10(4.0)))


@pytest.mark.parametrize("criterion", sorted(CRITERIA))
def test_separator_losses_punish_sign_inversion(criterion):
    """loss(-s) is worse than silence, silence worse than a half-scaled s, that worse than s;
    inverting one of the two sources costs more than silencing it."""
    crit = CRITERIA[criterion]
    s = torch.randn(4, 2, 600)
    first = torch.tensor([1.0, 0.0])[:, None]                     # (S, 1): piano only
    loss = {name: float(crit(est, s)) for name, est in
            (("-s", -s), ("0", 0 * s), ("s/2", 0.5 * s), ("s", s),
             ("piano inverted", s - 2 * first * s), ("piano silent", s - first * s))}
    assert loss["-s"] > loss["0"] > loss["s/2"] > loss["s"]
    assert loss["piano inverted"] > loss["piano silent"] > loss["s"]


def test_stalled_counts_patience():
    vcfg = ValidationConfig(fraction=0.5, patience=2, min_delta=0.01)
    assert not stalled([[10, 1.0], [20, 0.9]], vcfg)
    assert not stalled([[10, 1.0], [20, 0.9], [30, 0.95], [40, 0.8]], vcfg)
    assert stalled([[10, 1.0], [20, 0.9], [30, 0.95], [40, 0.899]], vcfg)  # < 1 % better
    assert stalled([[10, -10.0], [20, -9.0], [30, -10.05]], vcfg)        # -SNR: < 1 % better
    assert not stalled([[10, -10.0], [20, -9.0], [30, -10.2]], vcfg)
    assert split_clips([1, 2, 3, 4], 0.25) == ([1, 2, 3], [4])
    assert split_clips([1, 2], 0.0) == ([1, 2], [])
    with pytest.raises(ValueError, match="no training clip"):
        split_clips([1], 0.5)
    with pytest.raises(ValueError, match="fraction"):
        ValidationConfig(fraction=1.0)


def validated(tmp_path, steps, lr, **validation):
    path = tmp_path / f"kee-v{lr}.yaml"
    path.write_text(yaml.safe_dump({
        "model": MODELS["kee"], "crop": 2048,
        "training": {"steps": steps, "batch_size": 4, "lr": lr, "ema": 0.0, "device": "cpu",
                     "checkpoint_every": 1000},
        "validation": {"fraction": 0.34, "every": 10, "crops": 8, **validation}}))
    return str(path)


def test_early_stopping_stops_when_validation_stalls(data, tmp_path, capsys):
    """With a learning rate too small to move, the validation loss never improves by 1 %:
    training stops after 1 + patience rounds, not at the step budget."""
    out = tmp_path / "still.pt"
    assert run("kee", validated(tmp_path, 100, 1e-12, patience=2, min_delta=0.01),
               data, out) == 0
    record = read_checkpoint(out)["validation"]
    assert [h[0] for h in record["history"]] == [10, 20, 30] and record["stopped"]
    assert record["best_step"] == min(record["history"], key=lambda h: h[1])[0]


def test_early_stopping_keeps_the_best_checkpoint(data, tmp_path, capsys):
    out = tmp_path / "kee.pt"
    assert run("kee", validated(tmp_path, 40, 3e-3, patience=5), data, out) == 0
    ckpt = read_checkpoint(out)
    record = ckpt["validation"]
    assert [h[0] for h in record["history"]] == [10, 20, 30, 40] and not record["stopped"]
    best_step, best_loss = min(record["history"], key=lambda h: h[1])
    assert ckpt["step"] == best_step == record["best_step"]
    held = split_clips(load_clips(data / "piano", split="train"), 0.34)[1]
    loss = validation_loss(load_model(out, ("kee",)), LOSSES["l2"],
                           superres_batches(held, 2048, 4, 8), 8, 4, 12345)
    assert loss == pytest.approx(best_loss, rel=1e-5)     # the kept weights are the best's
    before = out.read_bytes()
    assert run("kee", validated(tmp_path, 40, 3e-3, patience=5), data, out) == 0
    assert out.read_bytes() == before                     # a finished run is not retrained
