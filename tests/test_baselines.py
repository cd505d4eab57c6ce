"""Baselines without training: spline exactness, gap fills, network shapes and invariances,
and the one-line errors of `pnf.baselines.apply`."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch

from pnf.baselines import apply
from pnf.baselines.convtasnet import ConvTasNet
from pnf.baselines.demucs import Demucs
from pnf.baselines.demucs_pkg import PackageDemucs
from pnf.baselines.gapfill import fill_gaps, find_gaps
from pnf.baselines.kee import KEE, pixel_shuffle_1d
from pnf.baselines.spline import spline_upsample
from pnf.checkpoints import load_model
from pnf.methods import methods_for
from pnf.training import TrainConfig, train

TINY = {"kee": KEE(KEE.Config(factor=4, filters=(8, 16), kernels=(9, 5))),
        "convtasnet": ConvTasNet(ConvTasNet.Config(N=16, L=8, B=8, Sc=8, H=16, X=3, R=2)),
        "demucs": Demucs(Demucs.Config(depth=2, channels=8, lstm_layers=1))}
HAS_DEMUCS = importlib.util.find_spec("demucs") is not None  # the optional extra
if HAS_DEMUCS:
    TINY["demucs_pkg"] = PackageDemucs(PackageDemucs.Config(depth=2, channels=8, lstm_layers=1))


def low_sines(length: int, factor: int) -> np.ndarray:
    """Sum of sines at 4-16 % of the Nyquist of the decimated rate."""
    t = np.arange(length)
    return sum(np.sin(2 * np.pi * f / factor * t + i) for i, f in enumerate((0.02, 0.05, 0.08)))


@pytest.mark.parametrize("factor", [2, 4, 8, 16, 32])
def test_spline_is_exact_on_band_limited_signals(factor):
    x = low_sines(300 * factor, factor)
    y = x[::factor]
    up = spline_upsample(y, factor)
    assert up.shape == (len(y) * factor,)
    np.testing.assert_allclose(up[::factor], y, atol=1e-6)  # passes through the observations
    body = slice(0, len(x) - 3 * factor)
    assert np.abs(up[body] - x[body]).max() / np.abs(x).max() < 1e-3
    assert np.abs(up[-factor:]).max() <= np.abs(y).max() + 1e-6  # tail clipped to the range


def test_spline_edge_cases_and_batches():
    assert spline_upsample(np.array([0.3]), 4).tolist() == pytest.approx([0.3] * 4)
    np.testing.assert_allclose(spline_upsample(np.array([0.0, 1.0]), 2), [0, 0.5, 1, 1])
    batch = np.stack([low_sines(256, 4)[::4], -low_sines(256, 4)[::4]])
    up = spline_upsample(batch, 4)
    assert up.shape == (2, 256)
    np.testing.assert_allclose(up[0], -up[1], atol=1e-6)
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="factor"):
            spline_upsample(np.ones(5), bad)
    with pytest.raises(ValueError, match="empty"):
        spline_upsample(np.zeros(0), 2)


def gapped(length=4000, gaps=((1000, 1100),)):
    t = np.arange(length)
    x = np.sin(2 * np.pi * t / 900) + 0.3 * np.sin(2 * np.pi * t / 650)
    mask = np.ones(length, bool)
    for a, b in gaps:
        mask[a:b] = False
    return x, mask


def test_gap_fills():
    x, mask = gapped(gaps=((0, 50), (1000, 1100), (2000, 2001), (3990, 4000)))
    assert find_gaps(mask) == [(0, 50), (1000, 1100), (2000, 2001), (3990, 4000)]
    obs = np.where(mask, x, 0.0)
    zero = fill_gaps(obs, mask, "zero")
    lin = fill_gaps(obs, mask, "linear")
    spl = fill_gaps(obs, mask, "spline", context_ms=5)
    for y in (zero, lin, spl):
        np.testing.assert_allclose(y[mask], x[mask], atol=1e-6)  # observed samples kept
    assert not zero[~mask].any()
    line = np.interp(np.arange(1000, 1100), [999, 1100], x[[999, 1100]])
    np.testing.assert_allclose(lin[1000:1100], line, atol=1e-6)
    np.testing.assert_allclose(lin[:50], x[50], atol=1e-6)      # one-sided gap: held
    np.testing.assert_allclose(spl[3990:], x[3989], atol=1e-6)
    err = {name: np.abs(y[1000:1100] - x[1000:1100]).max() for name, y in
           (("zero", zero), ("linear", lin), ("spline", spl))}
    assert err["spline"] < 0.01 < err["linear"] < err["zero"]  # smooth signal: spline best


def test_gap_fill_errors():
    x, mask = gapped()
    with pytest.raises(ValueError, match="valid"):
        fill_gaps(x, mask, "cubic")
    with pytest.raises(ValueError, match="no sample"):
        fill_gaps(x, np.zeros_like(mask), "linear")
    with pytest.raises(ValueError, match="bool mask"):
        fill_gaps(x, mask[:-1], "linear")


def test_pixel_shuffle_interleaves_channel_groups():
    x = torch.tensor([[[1.0, 2.0], [10.0, 20.0]]])  # (1, 2, 2)
    assert pixel_shuffle_1d(x).tolist() == [[[1.0, 10.0, 2.0, 20.0]]]


@pytest.mark.parametrize("kind", sorted(TINY))
@pytest.mark.parametrize("length", [1, 7, 333, 1000])
def test_networks_keep_any_length(kind, length):
    net = TINY[kind].eval()
    with torch.no_grad():
        out = net(torch.randn(3, length))
    assert out.shape == ((3, length) if kind == "kee" else (3, 2, length))
    assert torch.isfinite(out).all()


def test_kee_is_residual_to_its_input():
    net = KEE(KEE.Config(factor=4, filters=(8, 16), kernels=(9, 5))).eval()
    torch.nn.init.zeros_(net.final.weight)
    torch.nn.init.zeros_(net.final.bias)
    x = torch.randn(2, 517)
    assert torch.equal(net(x), x)


@pytest.mark.parametrize("kind", sorted(set(TINY) - {"kee"}))
def test_separators_are_scale_equivariant(kind):
    """Conv-TasNet (gLN, ReLU encoder, linear decoder) and Demucs (standardized input)."""
    net = TINY[kind].eval()
    x = torch.randn(2, 900)
    with torch.no_grad():
        torch.testing.assert_close(net(3.0 * x), 3.0 * net(x), rtol=1e-4, atol=1e-5)


def n_params(cls, **config) -> int:
    """Parameter count of `cls` at `config`, built on the meta device (no memory, no run)."""
    with torch.device("meta"):
        return sum(p.numel() for p in cls(cls.Config(**config)).parameters())


def test_published_parameter_counts():
    # Conv-TasNet, Luo & Mesgarani 2019 (IEEE/ACM TASLP 27(8)), its table of hyperparameters:
    # the best non-causal gLN configuration N=512 L=16 B=128 Sc=128 H=512 P=3 X=8 R=3 has
    # 5.1 M parameters.
    assert round(n_params(ConvTasNet) / 1e6, 1) == 5.1                 # our defaults
    assert round(n_params(ConvTasNet, N=512, L=16, B=128, Sc=128, H=512, P=3, X=8, R=3)
                 / 1e6, 1) == 5.1
    # Demucs, Défossez et al. 2019 (arXiv:1911.13254): the authors state the model size in
    # float32 in facebookresearch/demucs docs/release.md (v2.0.0, 28 April 2021): "the best
    # performing Demucs model now has only 64 channels instead of 100, so model size goes
    # from 2.4GB to 1GB" (the paper's 64- and 100-channel versions). Sizes are GiB of
    # 4-byte weights; tolerance: the stated one decimal. Their code at its first commit
    # (7cf5c60, demucs/model.py, built with sources=2, audio_channels=1) counts 265 675 906
    # and 648 542 602 parameters, exactly as ours does.
    gib = {ch: n_params(Demucs, channels=ch) * 4 / 2 ** 30 for ch in (64, 100)}
    assert round(gib[64], 1) == 1.0 and round(gib[100], 1) == 2.4, gib
    assert n_params(Demucs) == 265_675_906
    assert n_params(KEE) > 1e7


@pytest.mark.skipif(not HAS_DEMUCS, reason="the demucs extra is not installed")
def test_package_demucs_is_the_same_model_as_ours():
    """At the paper's configuration and at a tiny one: equal counts, same I/O shapes."""
    assert n_params(PackageDemucs) == n_params(Demucs) == 265_675_906
    tiny = {"depth": 2, "channels": 8, "lstm_layers": 1}
    assert n_params(PackageDemucs, **tiny) == n_params(Demucs, **tiny)


@pytest.mark.skipif(HAS_DEMUCS, reason="the demucs extra is installed")
def test_package_demucs_without_the_package_says_how_to_install_it():
    with pytest.raises(ValueError, match=r"pip install 'pnf\[demucs\]'") as info:
        PackageDemucs(PackageDemucs.Config())
    assert "\n" not in str(info.value)


def test_configs_validate():
    with pytest.raises(ValueError, match="equal length"):
        KEE.Config(filters=(8, 16), kernels=(9,))
    with pytest.raises(ValueError, match="odd"):
        KEE.Config(filters=(8,), kernels=(8,))
    with pytest.raises(ValueError, match="even"):
        ConvTasNet.Config(L=7)
    with pytest.raises(ValueError, match="mask"):
        ConvTasNet.Config(mask="softmax")
    with pytest.raises(ValueError, match="context"):
        Demucs.Config(context=2)


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """Zero-step checkpoints of the tiny models (self-describing, rebuilt by load_model)."""
    folder = tmp_path_factory.mktemp("ckpt")
    out = {}
    for kind, net in TINY.items():
        out[kind] = str(folder / f"{kind}.pt")
        train(net, None, None, TrainConfig(steps=0, device="cpu"), out[kind], kind=kind)
    return out


def test_checkpoints_rebuild_models(checkpoints):
    for kind, path in checkpoints.items():
        model = load_model(path, kinds=(kind,))
        assert type(model) is type(TINY[kind]) and model.config == TINY[kind].config


def test_apply_all_methods(checkpoints):
    y = low_sines(400, 4)[::4].astype(np.float32)
    assert apply("spline", "superres", y, factor=4).shape == (400,)
    kee = apply("kee", "superres", y, factor=4, checkpoint=checkpoints["kee"])
    assert kee.shape == (400,)
    assert apply("kee", "superres", y, checkpoint=checkpoints["kee"]).shape == (400,)
    x, mask = gapped()
    for method in methods_for("inpaint"):
        assert apply(method, "inpaint", np.where(mask, x, 0), mask=mask).shape == x.shape
    for method in (m for m in methods_for("separate") if m in checkpoints):  # extras installed
        out = apply(method, "separate", x, checkpoint=checkpoints[method])
        assert out.shape == (2, len(x)) and np.isfinite(out).all()


def test_apply_long_input_is_chunked_like_one_pass(checkpoints, monkeypatch):
    import pnf.baselines as bl

    x = np.random.default_rng(0).standard_normal(3000).astype(np.float32)
    whole = apply("convtasnet", "separate", x, checkpoint=checkpoints["convtasnet"])
    monkeypatch.setattr(bl, "CHUNK", 700)
    monkeypatch.setattr(bl, "CONTEXT", 3000)  # context >= signal: every chunk sees it all
    chunked = apply("convtasnet", "separate", x, checkpoint=checkpoints["convtasnet"])
    np.testing.assert_allclose(chunked, whole, atol=1e-5)


def one_line_error(match, **kwargs):
    with pytest.raises(ValueError, match=match) as info:
        apply(**kwargs)
    assert "\n" not in str(info.value)


def test_apply_errors(checkpoints):
    y = np.ones(100, np.float32)
    one_line_error("a 'demucs' checkpoint", method="kee", task="superres", observed=y,
                   factor=4, checkpoint=checkpoints["demucs"])
    one_line_error("trained for factor 4, not 8", method="kee", task="superres", observed=y,
                   factor=8, checkpoint=checkpoints["kee"])
    one_line_error("needs a checkpoint", method="demucs", task="separate", observed=y)
    one_line_error(r"valid: \['zero', 'linear', 'spline'\]", method="kee", task="inpaint",
                   observed=y, mask=y > 0)
    one_line_error("valid tasks", method="spline", task="denoise", observed=y)
    one_line_error("needs mask", method="zero", task="inpaint", observed=y)
    one_line_error("needs factor", method="spline", task="superres", observed=y)
    one_line_error("1-D", method="spline", task="superres", observed=np.ones((2, 3)), factor=2)
    with pytest.raises(ValueError, match="no such checkpoint"):
        apply("convtasnet", "separate", y, checkpoint="/nonexistent.pt")
