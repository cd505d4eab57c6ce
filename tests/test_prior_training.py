"""Training a tiny WaveNet prior: the loss falls, and a killed run resumes exactly."""

import os
import signal
import subprocess
import sys
import time

import torch
import yaml

from pnf.checkpoints import load_prior, read_checkpoint
from pnf.cli import main

CONFIG = {"model": {"size": "tiny"}, "sigma_mode": "input", "sigmas": [0.5, 8.0],
          "crop": 1024,
          "training": {"steps": 60, "batch_size": 4, "lr": 3e-3, "checkpoint_every": 10,
                       "ema": 0.99}}


def write_config(path, **changes):
    cfg = {**CONFIG, **changes}
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_loss_falls_and_prior_packs(tmp_path, tone_dir, capsys):
    cfg = write_config(tmp_path / "c.yaml")
    out = tmp_path / "prior.pt"
    assert main(["train", "prior", "--config", str(cfg), "--data", str(tone_dir),
                 "--out", str(out)]) == 0
    bar_lines = [s for s in capsys.readouterr().err.splitlines() if s.strip()]
    assert 2 <= len(bar_lines) <= 4 and "60/60" in bar_lines[-1]  # a log: a line per 10 s
    ckpt = read_checkpoint(out, ("prior",))
    assert ckpt["sigma_mode"] == "input" and not (tmp_path / "prior.pt.parts").exists()
    prior = load_prior(out)
    assert prior.sigma_input and prior.receptive_field == prior.nets[0].receptive_field
    assert ckpt["prior_config"]["crop"] == 1024      # the file describes how it was made


def test_per_level_prior_packs_one_net_per_level(tmp_path, tone_dir):
    cfg = write_config(tmp_path / "c.yaml", sigma_mode="per_level", finetune_steps=10)
    parts = tmp_path / "p.pt.parts"
    out = tmp_path / "p.pt"
    from pnf.priors.train import PriorConfig, train_prior

    train_prior(PriorConfig.from_dict(yaml.safe_load(cfg.read_text())), tone_dir, out)
    prior = load_prior(out)
    assert prior.levels == [0.5, 8.0] and len(prior.nets) == 2 and not parts.exists()
    first = read_checkpoint(out)["prior_config"]
    assert first["sigma_mode"] == "per_level"


def test_training_loss_falls(tmp_path, tone_dir):
    from pnf.audio import Quantizer
    from pnf.clips import load_clips
    from pnf.priors.train import PriorConfig, fixed_sigma, prior_batches, prior_loss
    from pnf.priors.wavenet import WaveNet
    from pnf.training import train

    cfg = PriorConfig.from_dict(CONFIG)
    batches = prior_batches(load_clips(tone_dir, None), 1024, 4, Quantizer("mulaw"), False)
    train(WaveNet(cfg.net_config()), prior_loss(fixed_sigma(1.0)), batches, cfg.train_config(),
          tmp_path / "net.pt")
    losses = read_checkpoint(tmp_path / "net.pt")["losses"]
    assert sum(losses[-10:]) < 0.9 * sum(losses[:10]), losses[::10]


def test_killed_run_resumes_to_identical_weights(tmp_path, tone_dir):
    cfg = write_config(tmp_path / "c.yaml")
    cmd = [sys.executable, "-m", "pnf.cli", "train", "prior", "--config", str(cfg),
           "--data", str(tone_dir)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}   # same threads, same float reductions
    whole = tmp_path / "whole.pt"
    subprocess.run(cmd + ["--out", str(whole)], env=env, check=True, stderr=subprocess.DEVNULL)
    cut = tmp_path / "cut.pt"
    proc = subprocess.Popen(cmd + ["--out", str(cut)], stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    part = tmp_path / "cut.pt.parts" / "net.pt"
    deadline = time.time() + 900   # only a busy machine waits long
    while not part.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert part.exists() and not cut.exists(), "the run should be cut mid-training"
    assert read_checkpoint(part)["step"] < 60
    subprocess.run(cmd + ["--out", str(cut)], env=env, check=True, stderr=subprocess.DEVNULL)
    assert not list(tmp_path.rglob("*.part")), "no half-written files may remain"
    a, b = read_checkpoint(whole)["states"][0], read_checkpoint(cut)["states"][0]
    assert all(torch.equal(a[k], b[k]) for k in a)
