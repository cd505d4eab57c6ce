"""dvc.yaml: every stage depends on all the code of the DAG, and one edit switches the
experiment (its command, params and outs)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text())
BIN = Path(sys.executable).parent


def dag_code() -> list[str]:
    """Every file the DAG's jobs run: the Snakefile, its includes, the rules' scripts and the
    pnf package the rules call (tracked files, no byte code)."""
    files = ["Snakefile", *[str(p.relative_to(ROOT)) for top in ("workflow", "pnf")
                            for p in (ROOT / top).rglob("*")
                            if p.is_file() and "__pycache__" not in p.parts]]
    rules = "\n".join((ROOT / f).read_text() for f in files if f.endswith((".smk", "Snakefile")))
    named = re.findall(r"workflow/(?:scripts|rules)/[\w.]+", rules)
    named += [f"workflow/scripts/{m}" for m in re.findall(r"\.\./scripts/([\w.]+)", rules)]
    assert named and set(named) <= set(files), sorted(set(named) - set(files))
    return sorted(files)


def covered(path: str, deps: list[str]) -> bool:
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in deps)


@pytest.mark.parametrize("stage", sorted(DVC["stages"]))
def test_each_stage_depends_on_all_of_the_dags_code(stage):
    deps = DVC["stages"][stage]["deps"]
    missing = [f for f in dag_code() if not covered(f, deps)]
    assert not missing, f"dvc.yaml stage {stage} misses deps: {missing[:10]}"


@pytest.mark.parametrize("stage", sorted(DVC["stages"]))
def test_each_stage_runs_and_tracks_the_one_configured_experiment(stage):
    spec = DVC["stages"][stage]
    assert "snakemake " in spec["cmd"]
    assert spec["cmd"].endswith("--configfile experiments/${experiment}.yaml")
    assert spec["params"] == [{"experiments/${experiment}.yaml": None}]   # the whole file


def test_switching_the_experiment_is_one_edit():
    lines = [ln for ln in (ROOT / "dvc.yaml").read_text().splitlines()
             if not ln.lstrip().startswith("#")]
    named = [ln for ln in lines if re.search(r"experiments/\w+\.yaml", ln)]
    assert named == ["  - experiments/smoke.yaml"], named              # the `vars` line only
    for path in (ROOT / "experiments").glob("*.yaml"):
        assert yaml.safe_load(path.read_text())["experiment"] == path.stem, path.name


def _paths(entries) -> list[str]:
    return [next(iter(e)) if isinstance(e, dict) else e for e in entries]


@pytest.mark.parametrize("stage", sorted(DVC["stages"]))
def test_each_stage_keeps_its_experiment_apart(stage):
    """Outs and result deps live under results/${experiment}/ (data under ${data.root}), so
    smoke, small and paper are versioned side by side; results/tables is the one view."""
    spec = DVC["stages"][stage]
    outs = _paths(spec.get("outs", []) + spec.get("metrics", []))
    paths = outs + [d for d in spec["deps"] if d.startswith("results")]
    stray = [p for p in paths if not p.startswith(("results/${experiment}/", "${data.root}"))]
    assert stray == (["results/tables"] if stage == "report" else []), stray
    plots = [p for e in DVC["plots"] for p in ([e] if isinstance(e, str) else
                                                next(iter(e.values()))["y"])]
    assert all(p.startswith("results/${experiment}/") for p in plots), plots


def test_dvc_follows_the_one_edit(tmp_path):
    """`dvc stage list` and `dvc status` resolve every stage for the edited experiment."""
    for name in ("dvc.yaml", ".dvcignore"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "experiments", tmp_path / "experiments")
    text = (tmp_path / "dvc.yaml").read_text()
    (tmp_path / "dvc.yaml").write_text(text.replace("  - experiments/smoke.yaml",
                                                    "  - experiments/small.yaml"))
    env = {"PATH": f"{BIN}", "DVC_NO_ANALYTICS": "1", "HOME": str(tmp_path)}

    def dvc(*args):
        proc = subprocess.run([str(BIN / "dvc"), *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    dvc("init", "--no-scm", "-q")
    stages = dvc("stage", "list")
    assert "data      Outputs data/embedded-small" in stages, stages
    assert "train     Outputs results/small/priors, results/small/baselines" in stages, stages
    assert "experiments/small.yaml" in dvc("status") and "smoke" not in dvc("status")
