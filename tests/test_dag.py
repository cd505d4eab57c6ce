"""The workflow's plan (pnf/dag) from the task and method specs: settings rows per grammar,
cells that the scoring jobs and target lists agree on, a toy task spec planned with no plan
code changed, the parse-time checks, and workflow/rules/common.smk kept to paths, checks and
thin helpers: short, and naming no registered task or method."""

import io
import re
import tokenize
from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate

from pnf.dag import Cell, Dag, check_config
from pnf.experiments import read_experiment
from pnf.methods import METHODS
from pnf.restore.registry import restore_tasks
from pnf.task_specs import TASK_SPECS, Setting, TaskSpec, register_task_spec, task_spec

ROOT = Path(__file__).resolve().parents[1]
COMMON = ROOT / "workflow/rules/common.smk"
SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"


def experiment(name="smoke", **change):
    """experiments/<name>.yaml resolved, `change` on top, with the schema's defaults."""
    cfg = {**read_experiment(ROOT / f"experiments/{name}.yaml"), **change}
    validate(cfg, str(SCHEMA))
    return cfg


def string_literals(text: str) -> list[str]:
    """Every string token of a Snakefile or Python source (f-strings whole, docstrings too)."""
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return [t.string for t in tokens if t.type == tokenize.STRING]


def names_in(text: str, names) -> set[str]:
    words = re.compile(r"(?<![A-Za-z0-9_-])(" + "|".join(map(re.escape, names))
                       + r")(?![A-Za-z0-9_-])")
    return {m[1] for s in string_literals(text) for m in words.finditer(s)}


def registered_names() -> set[str]:
    return {*TASK_SPECS, *restore_tasks(), *METHODS}


def test_common_smk_is_short_and_names_no_task_or_method():
    text = COMMON.read_text()
    assert len(text.splitlines()) <= 200, f"common.smk: {len(text.splitlines())} lines"
    assert names_in(text, registered_names()) == set()
    # the check finds a name where one is written
    sample = 'SOURCES = TASKS.get("separate", {})\nx = f"{OUT}/baselines/kee.pt"\n'
    assert names_in(sample, registered_names()) == {"separate", "kee"}


def test_the_schema_configures_the_registered_tasks():
    schema = yaml.safe_load(SCHEMA.read_text())
    audio = {n for n, s in TASK_SPECS.items() if not s.image}
    assert set(schema["properties"]["tasks"]["properties"]) == audio
    for name in audio:
        section = schema["properties"]["tasks"]["properties"][name]
        if task_spec(name).pairs:
            assert task_spec(name).pairs in section["required"]
        assert section["properties"]["schedule"]["default"] == task_spec(name).schedule, name
    kinds = schema["properties"]["images"]["properties"]["tasks"]["items"]["enum"]
    section = {"tasks": kinds, "sampler": {"iterations": 3}, "factor": 2, "hole": 8, "c": 1.0}
    assert [s.kind for s in task_spec("images").rows(section, 1.0)] == kinds


def test_each_grammar_makes_its_rows():
    cfg = experiment()
    plan, tasks = Dag(cfg), cfg["tasks"]
    sr = plan.settings("superres")
    assert [s.name for s in sr] == [f"x{k}" for k in tasks["superres"]["factors"]]
    assert [s.iterations for s in sr] == tasks["superres"]["iterations"]
    assert plan.task_args("superres", "x8") == "--factor 8" and sr[0].observed
    gap = plan.setting("inpaint", "gap200")
    start = cfg["test_seconds"] / 2 - 0.1
    assert gap.gap_ms == 200 and gap.args == f"--gap {round(start, 6)}:{round(start + 0.2, 6)}"
    (two,) = plan.settings("separate")
    assert (two.name, two.mixture, two.args) == ("2src", True, "--c 15")
    spec = plan.settings("spectrogram")
    assert [s.name for s in spec] == ["it1", "it2", "it4", "ar"] and spec[-1].only
    assert plan.methods(spec[-1]) == ["ancestral"]
    assert [s.name for s in plan.settings("images")] == ["superres2", "inpaint16", "separate2"]
    with pytest.raises(ValueError, match="task superres has no setting 'x3'"):
        plan.setting("superres", "x3")
    with pytest.raises(ValueError, match="gap gap900 is longer than the inpainting clips"):
        task_spec("inpaint").rows({"gaps_ms": [900], "iterations": [1]}, 0.5)


def test_cells_agree_with_the_scoring_jobs_and_the_targets():
    plan = Dag(experiment())
    restored = set(plan.restored_targets())
    for task in plan.specs:
        for dataset in plan.datasets(task):
            calls = plan.score_calls(task, dataset)
            outs = [c["argv"][c["argv"].index("--out") + 1] for c in calls]
            planned = [p.format(dataset=dataset) for p in plan.score_batch_outputs(task)]
            assert sorted(outs) == sorted(planned) and calls
            for cell in plan.batch_cells(task, dataset):
                files = plan.score_inputs(cell)
                assert {files["truth"], files["estimate"]} <= restored
    assert sorted(plan.score_targets()) == sorted(
        p for t in plan.specs for p in plan.score_targets(t))
    assert len(plan.score_targets()) == len(plan.cells())


def test_score_flags_come_from_the_task_spec():
    plan = Dag(experiment())
    # iterations come from the run record (--run), not from the plan
    assert plan.score_args(Cell("piano", "superres", "x4", "pnf", "c000")) == "--factor 4"
    assert plan.score_args(Cell("piano", "inpaint", "gap100", "zero", "c000")) == "--gap-ms 100"
    mix = Cell("mix", "separate", "2src", "demucs", "c000-voice")
    assert plan.score_args(mix, "m.wav") == "--source voice --mixture m.wav"
    assert plan.score_inputs(mix)["mixture"].endswith("/separate/2src/input/c000-mix.wav")
    image = Cell("images", "images", "superres2", "pnf", "c001")
    assert plan.score_args(image) == "" and "mixture" not in plan.score_inputs(image)


def test_a_mixture_prior_keeps_the_mixtures_rate():
    datasets = {"piano": {"set": "piano", "source": "piano", "rate": 16000},
                "voice": {"set": "voice", "source": "voice"}}
    plan = Dag(experiment(datasets=datasets))
    assert plan.prior_config("piano", "mulaw")["model"]["rate"] == 16000
    assert "rate" not in plan.prior_config("piano", "linear")["model"]
    assert plan.prior_config("piano", "linear")["model"]["quantization"] == "linear"


@pytest.fixture
def declip():
    """A toy task spec: clipped audio restored at thresholds t<percent>."""
    def rows(section, seconds):
        pairs = zip(section["thresholds"], section["iterations"], strict=True)
        return [Setting("declip", f"t{t}", "declip", it, args=f"--threshold {t / 100}",
                        observed=True) for t, it in pairs]

    yield register_task_spec(TaskSpec("declip", rows, "mulaw", pairs="thresholds"))
    TASK_SPECS.pop("declip")


def test_a_registered_toy_task_spec_is_planned(declip):
    cfg = {k: v for k, v in experiment().items() if k != "images"}
    cfg["tasks"] = {"declip": {"datasets": ["voice"], "thresholds": [50, 25],
                               "iterations": [3, 4], "baselines": []}}
    check_config(cfg)
    plan = Dag(cfg)
    assert plan.cells() == [("voice", "declip", "t50", "pnf", "c000"),
                            ("voice", "declip", "t25", "pnf", "c000")]
    assert "results/smoke/restored/voice/declip/t25/input/c000.wav" in plan.restored_targets()
    assert "results/smoke/priors/voice-mulaw.pt" in plan.train_targets()
    assert "data/embedded/voice/manifest.csv" in plan.data_targets()
    assert plan.task_args("declip", "t25") == "--threshold 0.25"
    assert plan.setting("declip", "t25").iterations == 4
    cfg["tasks"]["declip"]["iterations"] = [3]
    with pytest.raises(ValueError, match="tasks.declip.iterations needs one entry per "
                                         "thresholds"):
        check_config(cfg)


@pytest.mark.parametrize("change, message", [
    ({"experiment": "tables"}, "experiment 'tables' would clash with results/tables"),
    ({"tasks": {"superres": {"datasets": ["piano"], "factors": [4, 8], "iterations": [1]}}},
     r"tasks.superres.iterations needs one entry per factors \(2\), got 1"),
    ({"tasks": {"separate": {"sources": ["piano", "cello"], "iterations": 1}}},
     r"tasks.separate names dataset\(s\) \['cello'\]"),
    ({"tasks": {"spectrogram": {"datasets": ["piano"], "iterations": [1], "seconds": 9}}},
     r"tasks.spectrogram.seconds \(9\) is longer than test_seconds"),
])
def test_check_config_names_the_key(change, message):
    cfg = experiment(**change)
    with pytest.raises(ValueError, match=message):
        check_config(cfg)
