"""The GPU path (issue #21): the sampler reads nothing back to the host per update (counted
on this CPU by patching every tensor-to-host read), `--compile` is refused off CUDA, and on
a GPU (marker `cuda`; skipped here) the windowed sampler does no sync per update and the
compiled update matches the eager one (gpu-check records its speed)."""

from __future__ import annotations

import json
import os
import time
from argparse import Namespace
from pathlib import Path

import pytest
import torch

from pnf.audio import Quantizer
from pnf.commands.common import check_compile
from pnf.langevin import Schedule, anneal
from pnf.priors.base import NetworkPrior
from pnf.priors.wavenet import WaveNet
from pnf.tasks import Inpainting

READS = ("item", "tolist", "cpu", "numpy", "__bool__", "__int__", "__float__", "__index__")


def tiny_prior() -> NetworkPrior:
    torch.manual_seed(0)
    net = WaveNet(WaveNet.Config(layers=3, cycles=1, residual_channels=4, gate_channels=8,
                                 skip_channels=4))
    return NetworkPrior([net], [1.0], sigma_input=True)


def host_reads(monkeypatch, run, device_type: str | None = None) -> int:
    """Calls of READS on tensors (on `device_type` only, when given) while run() runs."""
    count = [0]
    for name in READS:
        original = getattr(torch.Tensor, name)

        def counted(self, *a, _original=original, **k):
            if device_type is None or self.device.type == device_type:
                count[0] += 1
            return _original(self, *a, **k)
        monkeypatch.setattr(torch.Tensor, name, counted)
    run()
    monkeypatch.undo()
    return count[0]


def sample(prior, updates: int, device="cpu", window=None, compile=False, length=600):
    wave = torch.sin(torch.arange(length) / 9.0) * 0.5                      # (N,) in [-1, 1]
    task = Inpainting(wave, [(0.005, 0.015)], 22050, Quantizer("mulaw"))
    schedule = Schedule([10.0, 3.0, 1.0], delta=0.05, iterations=updates, window=window)
    return anneal([prior.to(device)], task, schedule, seed=0, device=device, progress=False,
                  compile=compile)


def test_no_host_read_per_update(monkeypatch):
    """More updates, the same number of host reads: they happen per level, not per update
    (so on a GPU the update queue never waits for the host)."""
    prior = tiny_prior()
    few = host_reads(monkeypatch, lambda: sample(prior, 2))
    many = host_reads(monkeypatch, lambda: sample(prior, 7))
    assert few == many, (few, many)
    assert few <= 3 * 2                  # the divergence check: one read per level (+ slack)


def test_the_counter_sees_a_read_per_update(monkeypatch):
    """The probe can fail: windows drawn on the CPU generator read one int per update."""
    prior = tiny_prior()
    few = host_reads(monkeypatch, lambda: sample(prior, 2, window=200))
    many = host_reads(monkeypatch, lambda: sample(prior, 7, window=200))
    assert many > few


def test_compile_is_refused_off_cuda():
    with pytest.raises(ValueError, match="--compile is for CUDA"):
        check_compile(Namespace(compile=True, device="cpu"))
    check_compile(Namespace(compile=False, device="cpu"))
    with pytest.raises(ValueError, match="--compile is for CUDA"):
        sample(tiny_prior(), 1, compile=True)


@pytest.mark.parametrize("window", [None, 200])
@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_no_device_sync_per_update_on_cuda(monkeypatch, window):
    prior = tiny_prior()
    few = host_reads(monkeypatch, lambda: sample(prior, 2, "cuda", window), "cuda")
    many = host_reads(monkeypatch, lambda: sample(prior, 7, "cuda", window), "cuda")
    assert few == many, (few, many)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_compiled_update_matches_eager_on_cuda():
    """Same chain with and without --compile; seconds per update of each go to
    $PNF_GPU_RECORD/gpu-compile.json when set (scripts/gpu-check)."""
    prior, seconds = tiny_prior(), {}
    outs = {}
    for compile in (False, True):
        sample(prior, 2, "cuda", compile=compile, length=22050)     # warm-up / compile
        torch.cuda.synchronize()
        start = time.perf_counter()
        outs[compile] = sample(prior, 20, "cuda", compile=compile, length=22050)
        torch.cuda.synchronize()
        seconds["compiled" if compile else "eager"] = (time.perf_counter() - start) / 60
    assert torch.isfinite(outs[True]).all()
    assert (outs[True] - outs[False]).abs().max().item() < 1.0       # bins, of 0..255
    if os.environ.get("PNF_GPU_RECORD"):
        path = Path(os.environ["PNF_GPU_RECORD"]) / "gpu-compile.json"
        path.write_text(json.dumps({"seconds_per_update": seconds}) + "\n")
