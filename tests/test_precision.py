"""bf16 trunk matmuls: the input gradient of a (briefly) trained prior stays at fp32's.

The guard of issue 13: at every σ of experiments/small.yaml, on a 32/64/32 prior, the bf16
input gradient has cosine ≥ 0.9999 with the fp32 one and the error of the step η·∇ is
≤ 1e-3 of the Langevin noise std √(2η), except at the top level σ = 42.9 (η = 92), where
bf16 gives 1.2e-3: that is why the default precision (pnf.precision) is fp32. Also: the
precision setting reaches the nets, bad names give one-line errors, and autocast-style bf16
smoothing (the trap) fails the guard."""

from __future__ import annotations

import math

import pytest
import torch

from pnf.bench.langevin import grad_errors, input_gradient
from pnf.config import read_yaml
from pnf.precision import resolve_precision
from pnf.priors.base import NetworkPrior
from pnf.priors.train import PriorConfig, log_uniform_sigma, prior_loss
from pnf.priors.wavenet import WaveNet

SMALL = read_yaml("experiments/small.yaml")
LEVELS = SMALL["sampler"]["levels"]
DELTA = SMALL["sampler"]["delta"]
# The network the guard was measured on (small.yaml's prior before the #15 re-plan): 10 layers,
# 32/64/32 channels. small.yaml's 16/32/16 prior misses it at σ = 42.9 and 21.2 (η·∇ error
# 2.0e-3 and 1.2e-3): fp32 stays the default for both.
GUARD_PRIOR = {**SMALL["priors"]["base"], "model": {
    "layers": 10, "cycles": 1, "residual_channels": 32, "gate_channels": 64, "skip_channels": 32}}


def _signal(batch: int, length: int, seed: int) -> torch.Tensor:
    """Bins of random decaying sinusoids (something a prior can learn in a few steps)."""
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(length) / 22050
    f = 100 + 900 * torch.rand(batch, 1, generator=g)
    wave = torch.sin(2 * math.pi * f * t) * torch.exp(-3 * t) * 0.8
    return ((wave + 1) * 127.5).round().clamp(0, 255).long()


@pytest.fixture(scope="module")
def trained():
    """The guard's prior network (GUARD_PRIOR) after 40 Adam steps on sinusoids (fp32)."""
    torch.manual_seed(0)
    net = WaveNet(PriorConfig.from_dict(GUARD_PRIOR).net_config())
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    loss_fn = prior_loss(log_uniform_sigma(LEVELS))
    gen = torch.Generator().manual_seed(0)
    first = None
    for step in range(40):
        loss = loss_fn(net, (_signal(4, 1024, step), None), gen)
        first = first or loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.8 * first                    # it learnt something
    return net.eval().requires_grad_(False)


@pytest.mark.parametrize("sigma", LEVELS)
def test_bf16_gradient_guard(trained, sigma):
    x = _signal(1, 4096, 99).float() + sigma * torch.randn(1, 4096)
    trained.precision = "fp32"
    ref = input_gradient(trained, x, sigma)
    trained.precision = "bf16"
    try:
        got = input_gradient(trained, x, sigma)
    finally:
        trained.precision = "fp32"
    err = grad_errors(ref, got, DELTA * sigma**2 / min(LEVELS) ** 2)
    assert err["cosine"] >= 0.9999, err
    assert err["eta_err"] <= (1e-3 if sigma < 40 else 2e-3), err


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("precision", ["tf32", "bf16"])
def test_cuda_precisions_face_the_same_guard(trained, precision):
    """On CUDA, TF32 matmuls and the bf16 trunk against the CPU's guard at every σ. The CUDA
    default (pnf.precision.DEFAULTS) must pass it, and the sampler leaves TF32 off unless
    it is that default; the verdict goes to $PNF_GPU_RECORD/gpu-guard-<precision>.json."""
    import copy
    import json
    import os
    from pathlib import Path

    from pnf.precision import DEFAULTS

    net, worst = copy.deepcopy(trained).cuda(), {"cosine": 1.0, "eta_err": 0.0}
    ok = torch.backends.cuda.matmul.allow_tf32 is (DEFAULTS["cuda"] == "tf32")
    for sigma in LEVELS:
        x = (_signal(1, 4096, 99).float() + sigma * torch.randn(1, 4096)).cuda()
        ref = input_gradient(net, x, sigma)
        torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
        net.precision = "bf16" if precision == "bf16" else "fp32"
        try:
            got = input_gradient(net, x, sigma)
        finally:
            torch.backends.cuda.matmul.allow_tf32, net.precision = False, "fp32"
        err = grad_errors(ref.cpu(), got.cpu(), DELTA * sigma**2 / min(LEVELS) ** 2)
        ok &= err["cosine"] >= 0.9999 and err["eta_err"] <= (1e-3 if sigma < 40 else 2e-3)
        worst = {"cosine": min(worst["cosine"], err["cosine"]),
                 "eta_err": max(worst["eta_err"], err["eta_err"])}
    if os.environ.get("PNF_GPU_RECORD"):
        Path(os.environ["PNF_GPU_RECORD"], f"gpu-guard-{precision}.json").write_text(
            json.dumps({"precision": precision, "passes_guard": bool(ok), **worst}) + "\n")
    assert ok or DEFAULTS["cuda"] != precision, worst


def test_guard_catches_bf16_smoothing(trained):
    """The trap: smoothing in bf16 (as under autocast) fails the guard at small σ."""
    from pnf.priors.smoothing import smoothed_log_prob

    sigma = min(LEVELS)
    x = _signal(1, 2048, 5).float() + sigma * torch.randn(1, 2048)
    ref = input_gradient(trained, x, sigma)
    seg = x.bfloat16().requires_grad_(True)
    logits = trained.logits_last(seg.float(), sigma).bfloat16()
    (bad,) = torch.autograd.grad(smoothed_log_prob(logits, seg, sigma, dim=-1).sum(), seg)
    err = grad_errors(ref, bad.float(), DELTA * sigma**2 / min(LEVELS) ** 2)
    assert err["cosine"] < 0.9999 or err["eta_err"] > 1e-3, err


def test_prior_precision_setting():
    net = WaveNet(WaveNet.Config(layers=2, cycles=1, residual_channels=4, gate_channels=8,
                                 skip_channels=4))
    prior = NetworkPrior([net], [1.0], sigma_input=False).set_precision("bf16")
    assert net.precision == "bf16"
    x = torch.rand(2, 300) * 255
    torch.testing.assert_close(prior.log_prob(x, 1.0),
                               prior.set_precision("fp32").log_prob(x, 1.0),
                               rtol=0, atol=0.05 * 300)
    assert resolve_precision("auto", "cpu") == "fp32"
    assert resolve_precision("bf16", "cpu") == "bf16"
    with pytest.raises(ValueError, match="unknown precision"):
        resolve_precision("fp8", "cpu")
    with pytest.raises(ValueError, match="unknown precision"):
        PriorConfig.from_dict({"precision": "half"})


def _smoke_eval_loss(precision: str, steps: int = 40) -> float:
    """The smoke prior trained `steps` steps with `precision` trunk GEMMs; held-out loss."""
    cfg = PriorConfig.from_dict(read_yaml("experiments/smoke.yaml")["priors"]["base"])
    torch.manual_seed(0)
    net = WaveNet(cfg.net_config())
    net.precision = precision
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = prior_loss(log_uniform_sigma(cfg.sigmas))
    for step in range(steps):
        loss = loss_fn(net, (_signal(4, 2048, step), None), torch.Generator().manual_seed(step))
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.precision = "fp32"
    with torch.no_grad():
        return sum(loss_fn(net, (_signal(8, 2048, 10_000 + i), None),
                           torch.Generator().manual_seed(i)).item() for i in range(4)) / 4


def test_bf16_training_reaches_fp32_loss():
    """Measured: 40 steps 1e-4 apart, 200 steps 3e-3 apart (relative)."""
    fp32, bf16 = _smoke_eval_loss("fp32"), _smoke_eval_loss("bf16")
    assert abs(bf16 - fp32) <= 0.01 * fp32, (fp32, bf16)
