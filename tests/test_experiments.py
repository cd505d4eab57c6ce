"""Experiment inheritance (`extends:`, pnf/experiments.py): deep merge, lists replaced, the
child's own name and data root, no cycles, the strict YAML loader, and the Snakefile
validating the merged config."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pnf.experiments import deep_merge, read_experiment

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def write(folder: Path, name: str, mapping: dict | str) -> Path:
    path = folder / name
    path.write_text(mapping if isinstance(mapping, str) else yaml.safe_dump(mapping))
    return path


PARENT = {"experiment": "p", "data": {"root": "data/p", "seed": 0},
          "tasks": {"superres": {"factors": [4, 8], "iterations": [10, 20]}}}


def test_deep_merge_merges_mappings_and_replaces_lists():
    assert deep_merge({"a": {"b": 1, "c": [1, 2]}, "d": 1}, {"a": {"c": [3]}}) == \
        {"a": {"b": 1, "c": [3]}, "d": 1}


def test_child_overrides_only_what_it_names(tmp_path):
    write(tmp_path, "p.yaml", PARENT)
    child = write(tmp_path, "c.yaml", {"extends": "p.yaml", "experiment": "c",
                                        "data": {"root": "data/c"},
                                        "tasks": {"superres": {"iterations": [1, 2]}}})
    cfg = read_experiment(child)
    assert cfg == {"experiment": "c", "data": {"root": "data/c", "seed": 0},
                   "tasks": {"superres": {"factors": [4, 8], "iterations": [1, 2]}}}


def test_paper_mini_is_paper_with_other_sizes():
    paper = read_experiment(ROOT / "experiments/paper.yaml")
    mini = read_experiment(ROOT / "experiments/paper-mini.yaml")
    assert mini["experiment"] == "paper-mini" and mini["data"]["root"] != paper["data"]["root"]
    for key in ("datasets", "claims", "claims_gate", "mixture_set"):
        assert mini[key] == paper[key], key
    assert mini["sampler"]["levels"] == paper["sampler"]["levels"]
    assert mini["priors"]["base"]["sigma_mode"] == "per_level"
    assert len(mini["priors"]["base"]["sigmas"]) == 24
    assert len(mini["priors"]["mel"]["sigmas"]) == 16


@pytest.mark.parametrize("child, says", [
    ({"extends": "p.yaml", "data": {"root": "data/c"}}, "own `experiment`"),
    ({"extends": "p.yaml", "experiment": "c"}, "own `data.root`"),
    ({"extends": "p.yaml", "experiment": "c", "data": {"root": "data/p"}}, "own `data.root`"),
    ({"extends": "missing.yaml", "experiment": "c", "data": {"root": "d"}}, "missing.yaml"),
    ({"extends": ["p.yaml"], "experiment": "c", "data": {"root": "d"}}, "must name one"),
])
def test_bad_extends_is_one_line(tmp_path, child, says):
    write(tmp_path, "p.yaml", PARENT)
    with pytest.raises(ValueError) as err:
        read_experiment(write(tmp_path, "c.yaml", child))
    assert says in str(err.value) and "\n" not in str(err.value)


def test_extends_cycle_is_refused(tmp_path):
    write(tmp_path, "a.yaml", {"extends": "b.yaml", "experiment": "a", "data": {"root": "a"}})
    write(tmp_path, "b.yaml", {"extends": "a.yaml", "experiment": "b", "data": {"root": "b"}})
    with pytest.raises(ValueError, match="cycle .*a.yaml -> b.yaml -> a.yaml"):
        read_experiment(tmp_path / "a.yaml")


@pytest.mark.parametrize("text, says", [
    ("extends: p.yaml\nexperiment: c\nexperiment: d\ndata: {root: d}\n", "given twice"),
    ("extends: p.yaml\nexperiment: &n c\ndata: {root: *n}\n", "aliases"),
])
def test_child_is_read_by_the_strict_loader(tmp_path, text, says):
    write(tmp_path, "p.yaml", PARENT)
    with pytest.raises(ValueError, match=says):
        read_experiment(write(tmp_path, "c.yaml", text))


def snakemake_plan(tmp_path: Path, child: dict) -> subprocess.CompletedProcess:
    """`snakemake -n` on a copy of the project with experiments/child.yaml = `child`."""
    for name in ("Snakefile", "environment.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("workflow", "profiles", "experiments"):
        shutil.copytree(ROOT / name, tmp_path / name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    write(tmp_path / "experiments", "child.yaml", child)
    return subprocess.run([str(BIN / "snakemake"), "-n", "results/tables", "--configfile",
                           "experiments/child.yaml"], cwd=tmp_path, capture_output=True,
                          text=True)


def test_snakefile_validates_the_merged_config(tmp_path):
    """The merged config goes through the schema: a typo in the child's override is named,
    and a correct child plans under its own results folder."""
    good = {"extends": "smoke.yaml", "experiment": "child", "data": {"root": "data/child"},
            "test_clips": 2}
    proc = snakemake_plan(tmp_path, good)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "results/child/restored/piano/superres/x4/pnf/c001.wav" in proc.stdout
    bad = {**good, "tasks": {"superres": {"factor": [4]}}}
    proc = snakemake_plan(tmp_path, bad)
    assert proc.returncode != 0 and "'factor' was unexpected" in proc.stdout + proc.stderr
