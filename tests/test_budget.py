"""The time budget (pnf/report/budget.py) on records a real Snakemake run writes: kinds,
shares, the start-up probe, the light share, its table and figure, `pnf report plan
--benchmarks`, and a rerun of the benchmarked DAG doing nothing."""

import subprocess
import sys
from pathlib import Path

import pytest

from pnf.cli import main
from pnf.report.budget import (
    budget,
    by_stage,
    light_share,
    read_benchmarks,
    sampling_line,
    stage,
    write_budget,
)

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
# Kinds named as in workflow/rules/: sleeps stand in for the jobs' work.
SNAKEFILE = """
rule all:
    input: expand("out/score/{i}.txt", i=range(3)), "out/pnf/it4/c0.txt", "out/ar/c0.txt", \
"out/help.txt", "out/spline.txt"
rule score:
    output: "out/score/{i}.txt"
    benchmark: "bench/score/{i}.tsv"
    shell: "python -c 'import time; time.sleep(0.05)' > {output}"
rule spectrogram_pnf:
    output: "out/pnf/it{n}/c0.txt"
    benchmark: "bench/spectrogram_pnf/it{n}/c0.tsv"
    shell: "python -c 'import time; time.sleep(0.6)' > {output}"
rule spectrogram_ancestral:
    output: "out/ar/c0.txt"
    benchmark: "bench/spectrogram_ancestral/c0.tsv"
    shell: "python -c 'import time; time.sleep(0.3)' > {output}"
rule baseline:
    output: "out/spline.txt"
    benchmark: "bench/restore_baseline-spline/c0.tsv"
    shell: "python -c 'import time; time.sleep(0.05)' > {output}"
rule startup:
    output: "out/help.txt"
    benchmark: repeat("bench/startup/pnf-help.tsv", 3)
    shell: "python -c pass > {output}"
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    work = tmp_path_factory.mktemp("dag")
    (work / "Snakefile").write_text(SNAKEFILE)
    cmd = [SNAKEMAKE, "--cores", "1", "--quiet", "all"]
    subprocess.run(cmd, cwd=work, check=True, capture_output=True)
    return work


def test_rerun_of_a_benchmarked_dag_does_nothing(run_dir):
    out = subprocess.run([SNAKEMAKE, "--cores", "1", "-n"], cwd=run_dir, check=True,
                         capture_output=True, text=True)
    assert "Nothing to be done" in out.stdout + out.stderr


def test_budget_sums_jobs_per_kind_and_leaves_the_probe_out(run_dir):
    records = read_benchmarks(run_dir / "bench")
    assert len(records) == 3 + 1 + 1 + 1 + 3            # three probe repeats
    table = budget(records).set_index("kind")
    assert "startup" not in table.index
    assert table.loc["score", "jobs"] == 3 and table.loc["score", "stage"] == "light"
    assert table.share.sum() == pytest.approx(1.0)
    assert table.loc["spectrogram_pnf", "mean_s"] >= 0.6
    assert 0 < table.loc["score", "startup_share"] <= 1
    light = table.loc[["score", "restore_baseline-spline"], "job_s"].sum()
    assert light_share(table.reset_index()) == pytest.approx(light / table.job_s.sum())
    assert by_stage(table.reset_index()).set_index("stage").loc["light", "jobs"] == 4


def test_stages_of_baselines_follow_the_method():
    assert stage("restore_baseline-spline") == "light" == stage("restore_light-inpaint")
    assert stage("restore_baseline-kee") == "baseline"
    assert stage("separate-convtasnet") == "sample"
    assert stage("tables") == "report"
    # training kinds: the priors', and a learned baseline's (train_<method>, train_separator)
    assert {stage(k) for k in ("train_prior", "train_kee", "train_toy", "train_separator",
                               "train_image_prior")} == {"train"}


def test_sampling_line_reads_the_sampling_jobs(run_dir):
    line = sampling_line(read_benchmarks(run_dir / "bench"))
    assert "PnF at 4 iterations" in line and "n = 1" in line


def test_write_budget_and_the_cli(run_dir, tmp_path, capsys):
    written = write_budget(run_dir / "bench", tmp_path / "budget", "test")
    assert [p.name for p in written] == ["budget.csv", "budget.md", "budget.png"]
    md = (tmp_path / "budget/budget.md").read_text()
    assert "| score | light | 3 |" in md and "light jobs" in md
    assert main(["report", "budget", "--benchmarks", str(tmp_path / "none"),
                 "--out", str(tmp_path / "b")]) == 2
    assert "no such folder" in capsys.readouterr().err and not (tmp_path / "b").exists()


def test_plan_adds_the_measured_stages(run_dir, capsys):
    code = main(["report", "plan", "--config", str(ROOT / "experiments/smoke.yaml"),
                 "--gpu-tflops", "100", "--benchmarks", str(run_dir / "bench")])
    out = capsys.readouterr().out
    assert code == 0 and "Measured in a run" in out and "| light | 4 |" in out


def test_every_workflow_rule_writes_a_benchmark_record():
    """The budget misses no job: each rule of workflow/rules/ has a `benchmark:` (budget
    itself excepted: it reads the records, so its own cannot be in them)."""
    missing = []
    for path in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        # a rule's body runs from its `rule NAME:` line to the next one
        for block in path.read_text().split("\nrule ")[1:]:
            name = block.split(":", 1)[0].strip()
            if name != "budget" and "\n    benchmark:" not in block:
                missing.append(f"{path.name}: {name}")
    assert not missing, "rules without a benchmark: " + ", ".join(missing)
