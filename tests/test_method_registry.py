"""Adding a learned baseline is its model file, one spec entry and its config section: a toy
baseline (tests/toy_baseline.py, nowhere in pnf/) trains, restores and describes itself
through the CLI, and is planned, trained, restored and scored by a real Snakemake run. The
schema names only registered methods, and each method's name is written only in its own
spec and model file (besides configs, docs and tests)."""

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml
from conftest import decaying_harmonics
from test_pipeline import SNAKEMAKE, TINY, env, job_counts, planned_files, workdir
from written_names import files_writing

from pnf.audio import write_audio
from pnf.checkpoints import describe
from pnf.cli import main
from pnf.methods import METHODS, PLUGINS, learned, load_plugins, methods_for, register_method

ROOT = Path(__file__).resolve().parents[1]
TOY = {"model": {"kernel": 5}, "training": {"steps": 2, "batch_size": 2, "device": "cpu"},
       "crop": 1024}


@pytest.fixture
def toy():
    """Method "toy" registered for one test, as PNF_METHOD_PLUGINS=toy_baseline does."""
    load_plugins("toy_baseline")
    import toy_baseline

    register_method(toy_baseline.SPEC)
    yield toy_baseline.SPEC
    METHODS.pop("toy")


def test_a_registered_toy_baseline_trains_restores_and_describes(toy, tmp_path, capsys):
    assert "toy" in methods_for("superres") and "toy" in learned()
    data = tmp_path / "clips"
    for i in range(3):
        write_audio(data / f"c{i}.wav", decaying_harmonics(220.0 + 40 * i, 0.3, seed=i))
    (tmp_path / "toy.yaml").write_text(yaml.safe_dump(TOY))
    model = tmp_path / "toy-x4.pt"
    assert main(["train", "baseline", "--method", "toy", "--config", str(tmp_path / "toy.yaml"),
                 "--data", str(data), "--factor", "4", "--out", str(model)]) == 0
    line, problems = describe(model)
    assert problems == [] and "toy super-resolution baseline" in line and "'factor': 4" in line
    clip, out = tmp_path / "in.wav", tmp_path / "up.wav"
    write_audio(clip, decaying_harmonics(262.0, 0.2, seed=5))
    assert main(["restore", "superres", "--method", "toy", "--model", str(model), "--input",
                 str(clip), "--output", str(out), "--factor", "4"]) == 0
    spline = tmp_path / "spline.wav"
    assert main(["restore", "superres", "--method", "spline", "--input", str(clip),
                 "--output", str(spline), "--factor", "4"]) == 0
    y, s = sf.read(out)[0], sf.read(spline)[0]
    assert y.shape == s.shape and not np.array_equal(y, s)      # the network changed it
    assert main(["train", "baseline", "--method", "convtasnet", "--config",
                 str(tmp_path / "toy.yaml"), "--data", str(data), str(data), "--factor", "4",
                 "--out", str(tmp_path / "c.pt")]) == 2
    assert "--factor does not apply to convtasnet" in capsys.readouterr().err


def test_the_toy_is_no_method_unless_registered(tmp_path, capsys):
    assert "toy" not in METHODS
    with pytest.raises(SystemExit):
        main(["train", "baseline", "--method", "toy", "--config", "x.yaml", "--out", "x.pt"])
    assert "invalid choice: 'toy'" in capsys.readouterr().err


TOY_RUN = {**TINY, "tasks": {"superres": {"datasets": ["piano"], "factors": [4],
                                          "iterations": [1], "baselines": ["spline", "toy"]}},
           "baselines": {"toy": TOY}}


def snakemake(args, cwd, plugin=True):
    extra = {PLUGINS: "toy_baseline", "PYTHONPATH": str(ROOT / "tests")} if plugin else {}
    proc = subprocess.run([*SNAKEMAKE, *args], cwd=cwd, env={**env(), **extra},
                          capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.slow
def test_a_toy_baseline_is_planned_trained_restored_and_scored_by_the_workflow(toy, tmp_path):
    work = workdir(tmp_path, TOY_RUN)
    code, out = snakemake(["-n", "results/smoke/metrics.csv"], work, plugin=False)
    assert code != 0 and "tasks.superres.baselines: ['toy'] are not methods of superres" in out
    code, out = snakemake(["-n", "results/smoke/metrics.csv"], work)
    assert code == 0, out[-3000:]
    exp = "results/smoke"
    assert {f"{exp}/baselines/toy-piano-x4.pt", f"{exp}/configs/toy.yaml",
            f"{exp}/restored/piano/superres/x4/toy/c000.wav",
            f"{exp}/scores/piano/superres/x4/toy/c000.json"} <= planned_files(out)
    counts = job_counts(out)
    assert counts["train_clean"] == 1 and counts["restore_baseline"] == 1
    code, out = snakemake(["--cores", "2", "results/smoke/metrics.csv"], work)
    assert code == 0, out[-3000:]
    record = json.loads((work / exp / "scores/piano/superres/x4/toy/c000.json").read_text())
    assert record["method"] == "toy" and np.isfinite(record["snr"])
    assert "superres,x4,toy" in (work / exp / "metrics.csv").read_text()
    cell = work / exp / "restored/piano/superres/x4"
    toy_wav, spline_wav = sf.read(cell / "toy/c000.wav")[0], sf.read(cell / "spline/c000.wav")[0]
    assert toy_wav.shape == spline_wav.shape and not np.array_equal(toy_wav, spline_wav)
    line, problems = describe(work / exp / "baselines/toy-piano-x4.pt")
    assert problems == [] and "toy super-resolution baseline" in line and "step 2" in line
    assert (work / exp / "benchmarks/train_toy/train/toy-piano-x4.tsv").is_file()


def test_every_learned_spec_names_a_loss_a_corpus_and_a_model_class():
    from pnf.baselines.losses import LOSSES
    from pnf.baselines.train import TRAINS_ON
    from pnf.checkpoints import model_class
    from pnf.methods import TRAINS_ON as KINDS_OF_DATA

    assert set(TRAINS_ON) == set(KINDS_OF_DATA)
    for name in learned():
        spec = METHODS[name]
        assert spec.loss in LOSSES and spec.trains_on in TRAINS_ON
        assert model_class(name).kind == name
    with pytest.raises(ValueError, match="needs model, loss and trains_on"):
        register_method(type(spec)("half", ("superres",), "Half", model="m:C"))
    with pytest.raises(ValueError, match="trains_on 'audio' is not one of"):
        register_method(type(spec)("odd", ("superres",), "Odd", "m:C", "", "l2", "audio"))
    assert "half" not in METHODS and "odd" not in METHODS


@pytest.mark.parametrize("change, message", [
    ({"tasks": {"superres": {**TINY["tasks"]["superres"], "baselines": ["spline", "kea"]}}},
     "tasks.superres.baselines: ['kea'] are not methods of superres; registered: "),
    ({"tasks": {"separate": {"sources": ["piano", "piano"], "iterations": 1,
                             "baselines": ["kee"]}}},
     "tasks.separate.baselines: ['kee'] are not methods of separate"),
    ({"baselines": {**TINY["baselines"], "kea": TOY}}, "baselines: ['kea'] are not learned"),
    ({"baselines": {}}, "tasks.superres.baselines: ['kee'] need a `baselines.<name>` section"),
])
def test_the_workflow_refuses_an_unregistered_baseline_at_parse(tmp_path, change, message):
    code, out = snakemake(["-n"], workdir(tmp_path, {**TINY, **change}), plugin=False)
    assert code != 0 and message in out, out[-2000:]


SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())


def test_the_schema_names_registered_methods_only():
    """Each task's default baselines serve it; the `baselines:` sections documented are the
    learned methods (the names themselves are checked against pnf/methods.py at parse)."""
    tasks = SCHEMA["properties"]["tasks"]["properties"]
    for task, spec in tasks.items():
        if "baselines" in spec["properties"]:
            default = spec["properties"]["baselines"]["default"]
            assert default and set(default) <= set(methods_for(task)), task
    assert set(SCHEMA["properties"]["baselines"]["properties"]) == set(learned())


# Files that may write a method's name besides pnf/methods.py and its model file, and why.
OWN_FILES = {"zero": ["pnf/baselines/gapfill.py"], "linear": ["pnf/baselines/gapfill.py"],
             "spline": ["pnf/baselines/gapfill.py", "pnf/baselines/spline.py"]}
PROSE = "the word in a message, label or figure title, not the method's name"
EXCEPTIONS = {
    # the word also names the linear quantization and the separation priors' kind
    "linear": {"*": "the linear quantization and prior kind"},
    "zero": {"pnf/tasks/audio.py": "the inpainting warm start (ours) starts from the zero fill",
             "pnf/bench/profile.py": "a profiler op name",
             "pnf/audio.py": PROSE},
    "spline": {"pnf/tasks/audio.py": PROSE,
               "pnf/report/budget.py": PROSE,
               "pnf/report/convergence.py": PROSE,
               "workflow/scripts/convergence.py": "the study's reference restoration",
               "scripts/validate_variants.py": "the study's reference restoration"},
    "demucs": {"pnf/baselines/demucs_pkg.py": "the name of the package demucs_pkg wraps"},
}


@pytest.mark.parametrize("name", sorted(METHODS))
def test_a_method_name_is_written_only_in_its_own_files(name):
    spec = METHODS[name]
    own = {"pnf/methods.py", *OWN_FILES.get(name, [])}
    if spec.model:
        own.add(spec.model.split(":")[0].replace(".", "/") + ".py")
    found = files_writing(name)
    allowed = set(EXCEPTIONS.get(name, {}))
    assert "*" in allowed or set(found) - own <= allowed, sorted(set(found) - own - allowed)
    assert "pnf/methods.py" in found
