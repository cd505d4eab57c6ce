"""Adding a restore task is its sampler class, its restore side and a registry entry: a toy
declipping task, defined here and nowhere in pnf/, restores a WAV through the CLI."""

import numpy as np
import pytest
import soundfile as sf
import yaml
from conftest import decaying_harmonics

from pnf.audio import write_audio
from pnf.cli import main
from pnf.restore.audio_io import AudioIO
from pnf.restore.base import Restore
from pnf.restore.registry import RESTORE_TASKS, register_task
from pnf.tasks.audio import HardConstraint


class Declipping(HardConstraint):
    """Samples at or beyond ±LEVEL were clipped: they are free; the rest are held."""

    def __init__(self, wave, level: float, quantizer):
        clipped = np.abs(np.asarray(wave)) >= level
        import torch
        super().__init__(wave, torch.from_numpy(~clipped), quantizer, fill="noise")


class DeclipRestore(Restore):
    """`pnf restore declip`: the sampler's Declipping from the input file."""

    name, io, sampler = "declip", AudioIO, Declipping
    help = "restore samples clipped at ±LEVEL"

    @classmethod
    def add_options(cls, p):
        p.add_argument("--level", type=float, required=True, help="clipping level (0..1)")

    @classmethod
    def build(cls, setting, obs, priors):
        return Declipping(obs.signal, setting.level, priors[0].quantizer)


@pytest.fixture
def declip():
    register_task(DeclipRestore)
    yield
    RESTORE_TASKS.pop("declip")


def test_a_registered_toy_task_restores_through_the_cli(declip, tmp_path):
    data = tmp_path / "clips"
    write_audio(data / "c0.wav", decaying_harmonics(220.0, 0.3, seed=0))
    cfg = {"model": {"size": "tiny"}, "sigma_mode": "input", "sigmas": [1.0, 20.0],
           "crop": 512, "training": {"steps": 3, "batch_size": 2, "checkpoint_every": 3}}
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(cfg))
    prior = tmp_path / "p.pt"
    assert main(["train", "prior", "--config", str(tmp_path / "p.yaml"), "--data", str(data),
                 "--out", str(prior)]) == 0
    clip, out = tmp_path / "clipped.wav", tmp_path / "out.wav"
    write_audio(clip, np.clip(decaying_harmonics(262.0, 0.1, seed=5), -0.3, 0.3))
    assert main(["restore", "declip", "--prior", str(prior), "--input", str(clip),
                 "--output", str(out), "--level", "0.29", "--iterations", "2",
                 "--levels", "5", "1"]) == 0
    x, y = sf.read(clip, dtype="int16")[0], sf.read(out, dtype="int16")[0]
    held = np.abs(x) < 0.29 * 32768
    assert len(x) == len(y) and np.array_equal(x[held], y[held]) and (~held).any()
    assert not np.array_equal(x[~held], y[~held])


def test_the_toy_task_is_not_a_verb_unless_registered(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["restore", "declip", "--help"])
    assert stop.value.code == 2 and "invalid choice: 'declip'" in capsys.readouterr().err


def test_a_registered_toy_task_restores_in_memory_too(declip, tmp_path):
    """pnf.restoration.restore (the studies' path) takes the task by its registered name;
    its options come from the task's own flags, checked as `pnf restore` checks them."""
    import torch
    from test_bad_inputs import tiny_prior

    from pnf.checkpoints import load_prior
    from pnf.langevin import Schedule
    from pnf.restoration import Sampling, restore, task_options
    from pnf.restore.audio_io import Observed

    torch.manual_seed(0)
    prior = load_prior(tiny_prior(tmp_path / "p.pt"))
    x = np.clip(decaying_harmonics(262.0, 0.05, seed=5), -0.3, 0.3)
    results, info = restore([prior], "declip", Observed(x, len(x)),
                            Schedule(sigmas=[5.0, 1.0], delta=0.05, iterations=2),
                            Sampling(chains=2, device="cpu", progress=False),
                            task_options("declip", ["--level", "0.29"]))
    held = np.abs(x) < 0.29
    assert len(results) == 2 and info["levels"] == [5.0, 1.0]
    for y in results:
        assert np.array_equal(y.numpy()[held], x[held]) and (y.numpy()[~held] != x[~held]).any()
    with pytest.raises(ValueError, match=r"pnf restore declip: the following arguments are "
                                         r"required: --level"):
        task_options("declip")
    with pytest.raises(ValueError, match=r"unknown task 'declip2'; use one of \[.*'declip'"):
        restore([prior], "declip2", Observed(x, len(x)), None)


def test_a_command_line_becomes_one_typed_request_checked_before_any_model_loads(tmp_path):
    """`pnf restore` and `pnf image restore` parse into the same frozen Request; its checks
    run on the request alone (the prior files here do not exist, so nothing was loaded)."""
    import dataclasses

    from pnf.cli import build_parser
    from pnf.restore.request import request

    write_audio(tmp_path / "in.wav", decaying_harmonics(262.0, 0.05, seed=5))
    line = ["restore", "separate", "--prior", "a.pt", "--prior", "b.pt", "--input",
            str(tmp_path / "in.wav"), "--output", str(tmp_path / "sep.wav"), "--c", "9",
            "--names", "piano", "voice", "--iterations", "7", "--seed", "2", "--batch", "2"]
    req = request(build_parser(line).parse_args(line))
    assert (req.task.name, req.task.sampler.__name__, req.priors) == ("separate", "Separation",
                                                                       ("a.pt", "b.pt"))
    assert vars(req.setting) == {"names": ["piano", "voice"], "c": 9.0}
    assert (req.schedule.iterations, req.sampling.seed, req.sampling.chains) == (7, 2, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        req.method = "demucs"
    with pytest.raises(ValueError, match="--names piano: give 2 names, one per source"):
        bad = [*line[:line.index("--names") + 2], *line[line.index("--names") + 3:]]
        request(build_parser(bad).parse_args(bad))
    image = ["image", "restore", "superres", "--prior", "p.pt", "--input", "t.npy", "--index",
             "3", "--output-dir", str(tmp_path / "D"), "--factor", "4"]
    req = request(build_parser(image).parse_args(image))
    assert (req.task.name, req.setting.factor, req.index, req.output) == (
        "image-superres", 4, (3,), str(tmp_path / "D"))
    assert (req.schedule.iterations, req.schedule.lr, req.schedule.grid) == (300, 3e-6, 256)
