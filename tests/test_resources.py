"""pnf.resources: requests sized before any work, against caps in memory and in time on
this machine (the rate measured once and cached)."""

import json
import re

import pytest

from pnf import resources
from pnf.resources import GB, Need, check, device_flops


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder and a counted stand-in for the matmul measurement."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PNF_FLOPS", raising=False)
    calls = []

    def measured(device, dtype):
        calls.append(str(device))
        return 50.0

    import pnf.bench.machine
    monkeypatch.setattr(pnf.bench.machine, "matmul_gflops", measured)
    return tmp_path / "pnf" / "flops.json", calls


def test_the_rate_is_measured_once_per_machine_and_cached(cache):
    path, calls = cache
    assert device_flops() == pytest.approx(resources.EFFICIENCY * 50e9)
    assert device_flops() == pytest.approx(resources.EFFICIENCY * 50e9)
    assert calls == ["cpu"]
    (key, gflops), = json.loads(path.read_text()).items()
    assert gflops == 50.0 and "threads" in key and "torch" in key
    assert not list(path.parent.glob(".flops.*"))          # no temporary left behind


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"x": 1}', "", '{"K": -3.0}'])
def test_a_spoiled_cache_is_measured_again(cache, text):
    path, calls = cache
    path.parent.mkdir(parents=True)
    path.write_text(text.replace("K", resources._device_key(__import__("torch").device("cpu"))))
    assert device_flops() == pytest.approx(resources.EFFICIENCY * 50e9)
    assert calls == ["cpu"] and json.loads(path.read_text())


def test_an_unwritable_cache_costs_only_a_measurement(cache, monkeypatch, tmp_path):
    path, calls = cache
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))       # a file where a folder must be
    device_flops()
    device_flops()
    assert calls == ["cpu", "cpu"]


def test_pnf_flops_sets_the_rate_and_is_checked(cache, monkeypatch):
    _, calls = cache
    monkeypatch.setenv("PNF_FLOPS", "1e9")
    assert device_flops() == 1e9 and calls == []
    monkeypatch.setenv("PNF_FLOPS", "fast")
    with pytest.raises(ValueError, match=r"PNF_FLOPS='fast': give a finite number > 0"):
        device_flops()


def test_time_over_the_cap_is_refused_with_the_estimate_and_the_way_on(monkeypatch, capsys):
    monkeypatch.setenv("PNF_FLOPS", "1e9")
    monkeypatch.setenv("PNF_MAX_MEMORY_GB", "1")
    check(Need("restoring a.wav", memory=0.5 * GB, flops=59 * 60e9), "split the input")
    assert capsys.readouterr().err == ("pnf: restoring a.wav: about 59 min on this machine "
                                       "(3.54e+12 FLOP at 1 GFLOP/s)\n")
    with pytest.raises(ValueError) as err:
        check(Need("restoring a.wav", memory=0.5 * GB, flops=3 * 3600e9), "split the input")
    assert re.fullmatch(r"restoring a\.wav needs about 3 h on this machine \(1\.08e\+13 FLOP at "
                        r"1 GFLOP/s\), more than the cap of 60 min \(PNF_MAX_MINUTES raises "
                        r"it\); split the input", str(err.value))
    monkeypatch.setenv("PNF_MAX_MINUTES", "200")
    check(Need("restoring a.wav", memory=0.5 * GB, flops=3 * 3600e9), "split the input")


def test_memory_is_checked_before_the_rate_is_measured(cache, monkeypatch):
    _, calls = cache
    monkeypatch.setenv("PNF_MAX_MEMORY_GB", "1")
    with pytest.raises(ValueError, match=r"needs about 2 GB of memory, more than the cap of 1 GB"):
        check(Need("x", memory=2 * GB, flops=1.0), "lower --batch")
    assert calls == []


def test_a_short_request_prints_nothing(monkeypatch, capsys):
    monkeypatch.setenv("PNF_FLOPS", "1e9")
    check(Need("restoring b.wav", memory=1.0, flops=30e9), "split")
    assert capsys.readouterr().err == ""


def test_conv_tasnet_training_is_sized_from_its_activations(monkeypatch):
    """The paper's Conv-TasNet on 8 x 2 s crops keeps about 20 GB of activations (a step
    was killed at 21.4 GB RSS here): refused under a 16 GB cap, before any work."""
    import torch

    from pnf.baselines.convtasnet import ConvTasNet
    from pnf.resources import training_need

    with torch.device("meta"):
        net = ConvTasNet(ConvTasNet.Config())
    need = training_need(net, 8, 44_100, 1, "training convtasnet")
    assert 20 * GB < need.memory < 60 * GB
    monkeypatch.setenv("PNF_MAX_MEMORY_GB", "16")
    with pytest.raises(ValueError, match=r"training convtasnet needs about [\d.]+ GB of memory"):
        check(need, "lower batch_size")
