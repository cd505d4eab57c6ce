"""The chunked head + smoothed log-likelihood equals the full-tensor path (float64), and
`pnf bench langevin` writes the rows it promises."""

from __future__ import annotations

import json

import pytest
import torch

import pnf.priors.chunked as chunked
from pnf.cli import main
from pnf.priors.smoothing import smoothed_log_prob
from pnf.priors.wavenet import WaveNet, WaveNetConfig


def _net(sigma_input: bool) -> WaveNet:
    torch.manual_seed(0)
    cfg = WaveNetConfig(layers=4, cycles=2, residual_channels=8, gate_channels=16,
                        skip_channels=8, sigma_input=sigma_input)
    return WaveNet(cfg).double().requires_grad_(False)


@pytest.mark.parametrize("sigma_input", [True, False])
@pytest.mark.parametrize("sigma", [0.15, 2.56, 42.9, "per-item"])
def test_chunked_matches_full_tensor_path(sigma_input, sigma, monkeypatch):
    monkeypatch.setattr(chunked, "CHUNK", 700)     # chunks cross the batch boundary
    net = _net(sigma_input)
    if sigma == "per-item":
        sigma = torch.tensor([0.3, 7.0], dtype=torch.float64)
    x = (torch.rand(2, 1000, dtype=torch.float64) * 255).requires_grad_(True)
    g = torch.randn(2, 1000, dtype=torch.float64)
    ref = smoothed_log_prob(net.logits_last(x, sigma), x, sigma, dim=-1)
    (ref_grad,) = torch.autograd.grad((ref * g).sum(), x)
    new = net.smoothed_terms(x, sigma)
    (new_grad,) = torch.autograd.grad((new * g).sum(), x)
    torch.testing.assert_close(new, ref, rtol=1e-12, atol=1e-10)
    torch.testing.assert_close(new_grad, ref_grad, rtol=1e-10, atol=1e-12)
    with torch.no_grad():
        torch.testing.assert_close(net.smoothed_terms(x, sigma), ref.detach())


def test_training_path_keeps_weight_gradients():
    """With trainable weights the plain path runs, so the head gets its gradient."""
    net = _net(True).requires_grad_(True)
    x = torch.rand(1, 300, dtype=torch.float64) * 255
    net.smoothed_terms(x, 1.0).sum().backward()
    assert net.head2.weight.grad is not None and net.head2.weight.grad.abs().sum() > 0


KEYS = {"impl", "size", "precision", "batch", "samples", "seconds_per_update",
        "gflop_per_update", "ceiling_gflops_fp32", "ceiling_gflops_bf16", "ratio",
        "grad_cosine"}


def test_bench_writes_rows(tmp_path, capsys):
    out = tmp_path / "b.json"
    assert main(["bench", "langevin", "--size", "tiny", "--seconds", "0.02", "--repeats", "1",
                 "--batches", "1", "2", "--no-peer", "--ancestral-seconds", "0.01",
                 "--json", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert all(KEYS <= set(r) for r in rows if r["kind"] in ("update", "train"))
    assert [r["samples_per_second"] > 0 for r in rows if r["kind"] == "ancestral"] == [True]
    updates = [(r["precision"], r["batch"]) for r in rows if r["kind"] == "update"]
    assert updates == [("fp32", 1), ("fp32", 2), ("bf16", 1), ("bf16", 2)]
    assert {r["precision"] for r in rows if r["kind"] == "train"} == {"fp32", "bf16"}
    bf16 = [r for r in rows if r["kind"] == "update" and r["precision"] == "bf16"]
    assert all(0.99 < r["grad_cosine"] <= 1.0 + 1e-6 for r in bf16)


def test_bench_profile_groups(tmp_path, capsys):
    """`pnf bench profile`: shares sum to 1, matmuls are found, views move no bytes."""
    out = tmp_path / "p.json"
    assert main(["bench", "profile", "--size", "tiny", "--seconds", "0.05", "--repeats", "1",
                 "--json", str(out)]) == 0
    rows = {r["group"]: r for r in json.loads(out.read_text())}
    assert abs(sum(r["share"] for r in rows.values()) - 1) < 0.01
    assert rows["matmul"]["gbytes_per_update"] > 0 and rows["matmul"]["share"] > 0.01
    assert rows.get("view", {"gbytes_per_update": 0})["gbytes_per_update"] == 0
    assert "elementwise" in capsys.readouterr().out


def test_bench_user_mistakes(tmp_path, capsys):
    assert main(["bench", "langevin", "--config", str(tmp_path / "no.yaml")]) == 2
    assert main(["bench", "langevin", "--size", "tiny", "--seconds", "-1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("pnf: error: ") for line in err)


@pytest.mark.parametrize("batch,dilation,kernel,per_item", [(1, 1, 2, False), (2, 4, 2, False),
                                                             (3, 2, 3, True), (2, 64, 2, False)])
def test_dilated_gate_matches_stacked_taps(batch, dilation, kernel, per_item):
    """The sampler's unstacked dilated conv = stacked taps @ w (float64, value and grad)."""
    from pnf.priors.kernels import dilated_gate, dilated_taps

    R, G, T = 5, 6, 50
    torch.manual_seed(0)
    h = torch.randn(batch * T, R, dtype=torch.float64, requires_grad=True)
    w = torch.randn(kernel * R, G, dtype=torch.float64)
    bias = torch.randn(batch if per_item else 1, G, dtype=torch.float64)
    ref = (dilated_taps(h, batch, dilation, kernel) @ w).view(batch, T, G) + bias[:, None]
    got = dilated_gate(h, batch, dilation, w, bias)
    dg = torch.randn(batch * T, G, dtype=torch.float64)
    (ref_dh,) = torch.autograd.grad((ref.reshape(-1, G) * dg).sum(), h)
    (got_dh,) = torch.autograd.grad((got * dg).sum(), h)
    torch.testing.assert_close(got, ref.reshape(-1, G), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(got_dh, ref_dh, rtol=1e-12, atol=1e-12)
