"""Checkpoints: a pickle payload is refused by every loader; identical training gives
identical bytes; the registry rebuilds and describes each model kind."""

import pytest
import torch

from pnf.baselines.kee import KEE
from pnf.checkpoints import (
    KINDS,
    CheckpointError,
    all_kinds,
    describe,
    load_model,
    load_prior,
    read_checkpoint,
    save_checkpoint,
)
from pnf.cli import main
from pnf.training import TrainConfig, train


class Payload:
    """Unpickling this calls open(marker, "w"): a file appears if the loader runs code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def evil(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"kind": "prior", "model_kind": "wavenet", "config": Payload(marker),
                "levels": [1.0], "sigma_mode": "input", "states": []}, path)
    return path, marker


@pytest.mark.parametrize("loader", [read_checkpoint, load_model, load_prior, describe])
def test_every_loader_refuses_a_pickle_payload(evil, loader):
    path, marker = evil
    with pytest.raises(CheckpointError) as err:
        loader(path)
    assert len(str(err.value).splitlines()) == 1 and "pickled objects" in str(err.value)
    assert not marker.exists()


@pytest.mark.parametrize("argv", [
    ["restore", "superres", "--prior", "{p}", "--factor", "2"],
    ["restore", "superres", "--method", "kee", "--model", "{p}", "--factor", "2"],
    ["restore", "image-inpaint", "--prior", "{p}"],
    ["sample", "ancestral", "--prior", "{p}"],
])
def test_cli_refuses_a_pickle_payload(evil, argv, tmp_path, capsys):
    path, marker = evil
    from conftest import decaying_harmonics

    from pnf.audio import write_audio
    clip = tmp_path / "in.wav"
    write_audio(clip, decaying_harmonics(220.0, 0.1))
    io = (["--input", str(tmp_path / "x.npy"), "--index", "0", "--output-dir",
           str(tmp_path / "out")] if "image-inpaint" in argv else
          ["--output", str(tmp_path / "out.wav")] + (["--input", str(clip)]
                                                     if argv[0] == "restore" else []))
    assert main([a.replace("{p}", str(path)) for a in argv] + io) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("pnf: error:") and "pickled objects" in err[-1], err
    assert not any("Traceback" in line for line in err)
    assert not marker.exists() and not (tmp_path / "out.wav").exists()


def test_the_payload_is_real(evil):
    """Without weights_only the same file does run code (so the tests above can fail)."""
    path, marker = evil
    torch.load(path, weights_only=False)
    assert marker.exists()


def tiny_kee():
    return KEE(KEE.Config(factor=2, filters=(4, 8), kernels=(5, 3)))


def kee_loss(model, batch, gen):
    return ((model(batch) - batch) ** 2).mean()


def test_identical_training_gives_identical_bytes(tmp_path):
    cfg = TrainConfig(steps=4, batch_size=2, checkpoint_every=2, device="cpu", seed=3)
    batch = lambda step, gen: torch.randn(2, 64, generator=gen)   # noqa: E731
    paths = [tmp_path / "a" / "kee.pt", tmp_path / "b" / "other-name.pt"]
    for out in paths:
        train(tiny_kee(), kee_loss, batch, cfg, out)
    a, b = (p.read_bytes() for p in paths)
    assert a == b
    assert torch.equal(load_model(paths[0])(torch.ones(1, 16)),
                       load_model(paths[1])(torch.ones(1, 16)))


def test_save_is_independent_of_the_file_name(tmp_path):
    payload = {"kind": "kee", "config": {"factor": 2}, "w": torch.arange(5.0)}
    save_checkpoint(tmp_path / "one.pt", payload)
    save_checkpoint(tmp_path / "two.pt", payload)
    assert (tmp_path / "one.pt").read_bytes() == (tmp_path / "two.pt").read_bytes()


def test_registry_covers_every_model_kind(tmp_path):
    assert {"wavenet", "pixelcnn"} <= set(KINDS)
    assert {"wavenet", "pixelcnn", "kee", "convtasnet", "demucs"} <= set(all_kinds())
    path = tmp_path / "kee.pt"
    train(tiny_kee(), kee_loss, None, TrainConfig(steps=0, device="cpu"), path)
    line, found = describe(path)
    assert found == [] and "KEE" in line and "step 0" in line and len(line.splitlines()) == 1
    with pytest.raises(CheckpointError, match="needs one of"):
        load_prior(path)


def test_describe_verb(tmp_path, evil, capsys):
    path = tmp_path / "kee.pt"
    train(tiny_kee(), kee_loss, None, TrainConfig(steps=0, device="cpu"), path)
    assert main(["describe", str(path)]) == 0
    assert "KEE super-resolution baseline" in capsys.readouterr().out
    assert main(["describe", str(path), str(evil[0])]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("pnf: error:") and not evil[1].exists()
