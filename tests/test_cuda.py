"""The CUDA path, through the public CLI: train a prior and a baseline on the GPU, restore one
clip per task, sample ancestrally with the cache, run the bench, and check that bf16 and TF32
stay close to float32. Marked `cuda` and skipped without a GPU: `make test-gpu` runs them
(`pytest -m cuda`), as does scripts/gpu-check on a fresh GPU machine."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch
import yaml
from conftest import decaying_harmonics
from test_cli_restore import train_tiny

from pnf.audio import RATE, write_audio
from pnf.cli import main

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]
FAST = ["--iterations", "3", "--levels", "20", "5", "1", "--device", "cuda"]


def _prior(tmp, data, name, **model):
    return train_tiny(tmp, data, name, steps=10, device="cuda", **model)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Priors (mu-law, linear, mel) and a KEE baseline, each trained for 10 steps on CUDA."""
    tmp = tmp_path_factory.mktemp("cuda")
    data = tmp / "piano"
    rows = ["path,split,duration,source,piece"]
    for i, f0 in enumerate([220.0, 262.0, 330.0, 392.0]):
        write_audio(data / f"c{i}.wav", decaying_harmonics(f0, 0.4, seed=i))
        rows.append(f"c{i}.wav,{'test' if i == 3 else 'train'},0.4,piano,c{i}")
    (data / "manifest.csv").write_text("\n".join(rows) + "\n")
    models = {"mulaw": _prior(tmp, data, "mulaw"),
              "linear": _prior(tmp, data, "linear", quantization="linear"),
              "mel": _prior(tmp, data, "mel", mel_channels=80)}
    cfg = tmp / "kee.yaml"
    cfg.write_text(yaml.safe_dump({
        "model": {"factor": 4, "filters": [8, 16], "kernels": [9, 5]}, "crop": 2048,
        "training": {"steps": 10, "batch_size": 4, "checkpoint_every": 10, "device": "cuda"}}))
    models["kee"] = str(tmp / "kee.pt")
    assert main(["train", "baseline", "--method", "kee", "--config", str(cfg), "--data",
                 str(data), "--out", models["kee"]]) == 0
    clip = tmp / "clip.wav"
    write_audio(clip, decaying_harmonics(262.0, 0.25, seed=5))
    return models, clip


def _samples(path) -> np.ndarray:
    return sf.read(str(path), dtype="int16")[0]


def test_prior_trained_on_cuda_loads_on_cpu(trained):
    from pnf.checkpoints import load_prior

    prior = load_prior(trained[0]["mulaw"], device="cpu")
    assert all(p.device.type == "cpu" for net in prior.nets for p in net.parameters())


@pytest.mark.parametrize("task,extra", [
    ("superres", ["--factor", "4"]),
    ("inpaint", ["--gap", "0.05:0.1"]),
    ("spectrogram", []),
])
def test_restore_one_clip_per_task_on_cuda(trained, tmp_path, task, extra):
    models, clip = trained
    prior = models["mel" if task == "spectrogram" else "mulaw"]
    out = tmp_path / f"{task}.wav"
    assert main(["restore", task, "--prior", prior, "--input", str(clip), "--output", str(out),
                 "--timing", str(tmp_path / "t.json"), *extra, *FAST]) == 0
    y = _samples(out)
    assert len(y) == len(_samples(clip)) and np.abs(y).max() > 0


def test_separate_and_the_baseline_on_cuda(trained, tmp_path):
    models, clip = trained
    mix = tmp_path / "mix.wav"
    write_audio(mix, 0.5 * decaying_harmonics(200.0, 0.2) + 0.5 * decaying_harmonics(700.0, 0.2))
    assert main(["restore", "separate", "--prior", models["linear"], "--prior",
                 models["linear"], "--input", str(mix), "--output", str(tmp_path / "s.wav"),
                 "--names", "a", "b", *FAST]) == 0
    assert (tmp_path / "s-a.wav").is_file() and (tmp_path / "s-b.wav").is_file()
    out = tmp_path / "kee.wav"
    assert main(["restore", "superres", "--method", "kee", "--model", models["kee"],
                 "--input", str(clip), "--output", str(out), "--factor", "4"]) == 0
    assert len(_samples(out)) == len(_samples(clip))


def test_cached_ancestral_sampling_from_a_cuda_trained_prior(trained, tmp_path):
    models, clip = trained
    out = tmp_path / "ar.wav"
    assert main(["sample", "ancestral", "--prior", models["mel"], "--mel-from", str(clip),
                 "--output", str(out)]) == 0
    assert len(_samples(out)) == len(_samples(clip))


def test_bench_runs_on_cuda(capsys):
    assert main(["bench", "langevin", "--size", "tiny", "--seconds", "0.5", "--repeats", "2",
                 "--device", "cuda"]) == 0
    assert "device cuda" in capsys.readouterr().out


def test_bf16_and_tf32_stay_close_to_float32():
    from pnf.report.flops import wavenet

    assert torch.cuda.is_bf16_supported()
    net = wavenet("small").cuda()
    x = torch.rand(2, RATE // 4, device="cuda") * 255  # (B, T) bins
    old = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    try:
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
        with torch.no_grad():
            ref = net.logits_last(x).float()
            cpu = net.cpu().logits_last(x.cpu()).float()
            net.cuda()
            torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
            tf32 = net.logits_last(x).float()
            with torch.autocast("cuda", dtype=torch.bfloat16):
                bf16 = net.logits_last(x)
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = old

    def rel(a):
        return ((a.float().cpu() - ref.cpu()).norm() / ref.cpu().norm()).item()
    assert bf16.dtype == torch.bfloat16
    assert rel(cpu) < 1e-4 and rel(tf32) < 1e-2 and rel(bf16) < 5e-2
    probs = ref.softmax(-1), bf16.float().softmax(-1)  # the sampler sees these
    assert (probs[0] - probs[1]).abs().sum(-1).max().item() < 0.1
