"""The Snakemake DAG: plans without data, validates its config, runs for real on a tiny
experiment, does nothing on a second run, redoes only what is missing, and round-trips its
outputs through a local DVC remote."""

import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SNAKEMAKE = [str(BIN / "snakemake")]

TINY = {
    "experiment": "smoke",  # dvc.yaml reads experiments/<experiment>.yaml
    "data_note": "embedded piano (test)",
    "data": {"kind": "embedded", "size": "smoke", "root": "data/embedded"},
    "datasets": {"piano": {"set": "piano", "source": "piano"}},
    "mixture_set": "mix",
    "test_clips": 1,
    "test_seconds": 0.25,
    "device": "cpu",
    "sampler": {"levels": [10.0, 1.0]},
    "tasks": {
        "superres": {"datasets": ["piano"], "factors": [4], "iterations": [1]},
        "inpaint": {"datasets": ["piano"], "gaps_ms": [100], "iterations": [1],
                    "baselines": ["zero"]},
    },
    "priors": {"base": {"model": {"size": "tiny"}, "training": {"steps": 4, "batch_size": 2},
                        "sigma_mode": "input", "sigmas": [10.0, 1.0], "crop": 1024}},
    "baselines": {"kee": {"model": {"filters": [4, 8], "kernels": [9, 5]},
                          "training": {"steps": 2, "batch_size": 2}, "crop": 1024}},
}


def env():
    return {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1",
            "OMP_NUM_THREADS": "1"}


def run(cmd, cwd, check=True):
    proc = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    if check and proc.returncode:
        raise AssertionError(f"{cmd} failed ({proc.returncode}):\n{out[-4000:]}")
    return proc.returncode, out


def workdir(tmp: Path, config: dict | None = None) -> Path:
    """A project folder: the Snakefile, workflow/, profiles/, experiments/, dvc.yaml and pnf/
    (DVC deps) copied; experiments/smoke.yaml replaced by `config`."""
    skip = shutil.ignore_patterns("__pycache__")
    for name in ("Snakefile", "dvc.yaml", "environment.yml", ".dvcignore"):
        shutil.copy(ROOT / name, tmp / name)
    for name in ("workflow", "profiles", "experiments", "pnf"):
        shutil.copytree(ROOT / name, tmp / name, ignore=skip)
    if config is not None:
        (tmp / "experiments" / "smoke.yaml").write_text(yaml.safe_dump(config))
    return tmp


def job_counts(text: str) -> dict[str, int]:
    stats = text.split("Job stats:")[1].split("total")[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", stats, re.M)}


@pytest.fixture(scope="module")
def paper_plan(tmp_path_factory):
    """The paper's dry run through the Slurm profile (the executor plugin loaded), no data."""
    work = workdir(tmp_path_factory.mktemp("paper"))
    _, out = run([*SNAKEMAKE, "-n", "--workflow-profile", "profiles/slurm",
                  "--configfile", "experiments/paper.yaml"], work)
    assert "Using workflow specific profile profiles/slurm" in out
    return work, out


def planned_jobs(out: str) -> list[tuple[str, str, int, dict]]:
    """(rule, output, threads, resources) of every job a dry run printed."""
    jobs = []
    for block in re.split(r"\n\[\w{3} \w{3} .*\d{4}\]\n", out)[1:]:
        rule = re.match(r"(?:local)?rule (\w+):", block)[1]
        output = re.search(r"^    output: (.*)$", block, re.M)
        threads = re.search(r"^    threads: (\d+)$", block, re.M)
        found = re.search(r"^    resources: (.*)$", block, re.M)
        res = dict(kv.split("=", 1) for kv in found[1].split(", ")) if found else {}
        res = {k: int(v) if v.isdigit() else v for k, v in res.items() if v != "<TBD>"}
        jobs.append((rule, output[1] if output else "", int(threads[1]) if threads else 1, res))
    return jobs


class _Resources(dict):
    __getattr__ = dict.__getitem__


def sbatch_call(rule: str, threads: int, res: dict) -> str:
    """The sbatch command snakemake-executor-plugin-slurm builds for these resources."""
    from snakemake_executor_plugin_slurm.submit_string import get_submit_command
    from snakemake_executor_plugin_slurm.utils import set_gres_string
    job = SimpleNamespace(name=rule, threads=threads, resources=_Resources(res))
    params = {"run_uuid": "plan", "slurm_logfile": "slurm.log", "comment_str": f"rule_{rule}",
              "account": "", "partition": f"-p {res['slurm_partition']}", "workdir": "."}
    return get_submit_command(job, params) + set_gres_string(job)


GPU_RULES = {"train_prior", "train_clean", "train_mixtures", "train_image_prior", "restore_pnf",
             "separate", "spectrogram_pnf", "spectrogram_ancestral", "image_restore",
             "image_separate"}


def test_paper_on_slurm_asks_gpus_for_training_and_pnf_only(paper_plan):
    """Through profiles/slurm, training and PnF restoration jobs ask Slurm for one GPU (the
    plugin's own sbatch line), every light job (data, items, signal-processing baselines,
    scores, report) for none; a learned baseline (KEE) restores on a GPU."""
    _, out = paper_plan
    seen = {}
    for rule, output, threads, res in planned_jobs(out):
        call = sbatch_call(rule, threads, res)
        gpu = rule in GPU_RULES or (rule == "restore_baseline" and "/kee/" in output)
        assert ("--gpus=1" in call) == gpu, (rule, res, call)
        seen.setdefault(rule, set()).add("--gpus=1" in call)
    light = {"score_superres", "truth", "restore_light_superres", "restore_light_inpaint",
             "tables"}
    assert GPU_RULES <= set(seen) and light <= set(seen)
    assert all(seen[rule] == {False} for rule in light)    # spline/fills/cuts: no GPU
    assert seen["restore_baseline"] == {True}              # KEE alone, on a GPU
    assert len(planned_jobs(out)) == sum(job_counts(out).values())


def test_paper_plan_has_one_job_per_cell(paper_plan):
    """A dry run of the paper plans every factor, gap and iteration count with no data."""
    work, out = paper_plan
    counts = job_counts(out)
    paper = yaml.safe_load((ROOT / "experiments/paper.yaml").read_text())
    tasks, n = paper["tasks"], paper["test_clips"]
    sr, ip, sp = tasks["superres"], tasks["inpaint"], tasks["spectrogram"]
    per_sr = len(sr["datasets"]) * len(sr["factors"]) * n
    per_ip = len(ip["datasets"]) * len(ip["gaps_ms"]) * n
    assert counts["restore_pnf"] == per_sr + per_ip
    assert counts["restore_baseline"] == per_sr                        # kee
    # spline and the 3 fills: one job per task and dataset (all settings, items, input cuts)
    assert counts["restore_light_superres"] == len(sr["datasets"])
    assert counts["restore_light_inpaint"] == len(ip["datasets"])
    assert counts["spectrogram_pnf"] == len(sp["datasets"]) * len(sp["iterations"]) * n
    assert counts["spectrogram_ancestral"] == len(sp["datasets"]) * n
    assert counts["separate"] == 3 * n                                  # pnf, convtasnet, demucs
    assert counts["train_clean"] == len(sr["datasets"]) * len(sr["factors"])  # kee
    assert counts["train_prior"] == 6 and counts["train_mixtures"] == 2   # convtasnet, demucs
    # Images: one prior; super-resolution and inpainting of each of the first N test images,
    # separation of N // 2 pairs, each pair scored as two items.
    images = paper["images"]
    m = images["test_images"]
    assert images["set"] == "cifar10" and counts["image_set"] == 1
    assert counts["image_prior_config"] == 1 and counts["train_image_prior"] == 1
    assert counts["image_restore"] == 2 * m and counts["image_separate"] == m // 2
    cells = (per_sr * 3 + per_ip * 4 + 3 * n * 2
             + len(sp["datasets"]) * (len(sp["iterations"]) + 1) * n + 2 * m + 2 * (m // 2))
    # scores: one job per task and dataset, writing one record per cell
    assert {k: v for k, v in counts.items() if k.startswith("score_")} == {
        "score_superres": len(sr["datasets"]), "score_inpaint": len(ip["datasets"]),
        "score_spectrogram": len(sp["datasets"]), "score_separate": 1, "score_images": 1}
    assert len(score_records(out)) == cells
    assert "--factor 2 " in out and "--hole 16 " in out and "--iterations 300 " in out
    assert "results/paper/restored/cifar10/images/separate2/pnf/c000-b.npy" in out
    assert not (work / "data").exists()


def score_records(out: str) -> set[str]:
    return {f for f in planned_files(out) if "/scores/" in f and f.endswith(".json")}


def planned_files(out: str) -> set[str]:
    """Every output and log path a dry run printed."""
    found = re.findall(r"^    (?:output|log): (.*)$", out, re.M)
    return {path for line in found for path in line.split(", ")}


def test_experiments_write_apart(tmp_path):
    """smoke and small plan disjoint files (data.root and results/<experiment>), except the
    view results/tables, which both name; no file of either is planned outside those."""
    work = workdir(tmp_path)
    plans = {}
    for name in ("smoke", "small"):
        _, out = run([*SNAKEMAKE, "-n", "results/tables", "--configfile",
                      f"experiments/{name}.yaml"], work)
        plans[name] = planned_files(out)
        root = yaml.safe_load((ROOT / f"experiments/{name}.yaml").read_text())["data"]["root"]
        outside = {f for f in plans[name]
                   if not f.startswith((f"results/{name}/", f"{root}/"))}
        assert outside == {"results/tables"}, sorted(outside)[:10]
    assert plans["smoke"] & plans["small"] == {"results/tables"}
    assert "results/small/metrics.csv" in plans["small"]
    assert not (work / "results").exists() and not (work / "data").exists()


@pytest.mark.parametrize("key", ["test_clip", "tasks.superres.factor"])
def test_typo_in_config_names_the_key(tmp_path, key):
    bad = yaml.safe_load(yaml.safe_dump(TINY))
    *path, last = key.split(".")
    target = bad
    for part in path:
        target = target[part]
    target[last] = 3
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad))
    code, out = run([*SNAKEMAKE, "-n", "--configfile", "bad.yaml"], workdir(tmp_path),
                    check=False)
    assert code != 0 and f"'{last}' was unexpected" in out


def test_lint_is_clean(tmp_path):
    code, out = run([*SNAKEMAKE, "--lint"], workdir(tmp_path), check=False)
    assert code == 0, out[-3000:]


@pytest.mark.slow
def test_tiny_dag_runs_reruns_nothing_and_round_trips_dvc(tmp_path):
    (tmp_path / "proj").mkdir()
    work = workdir(tmp_path / "proj", TINY)
    run([*SNAKEMAKE, "--cores", "2", "results/tables"], work)
    exp = work / "results/smoke"                     # OUT of experiment `smoke`
    check_snakemake_report(work, exp / "report.html", tmp_path)
    tables = work / "results/tables"                 # the view: a copy of exp/tables
    for name in ("superres", "inpainting"):
        for suffix in ("csv", "md", "tex"):
            assert (tables / f"{name}.{suffix}").read_bytes() == (
                exp / "tables" / f"{name}.{suffix}").read_bytes()
    assert "experiment smoke" in (tables / "EXPERIMENT.txt").read_text()
    md = (tables / "superres.md").read_text()
    assert "KEE" in md and "Spline" in md and "PnF" in md
    for name in ("superres", "inpainting"):   # every cell filled ("—" = no result)
        rows = [r for r in (tables / f"{name}.md").read_text().splitlines() if r.startswith("| ")]
        assert len(rows) >= 3 and not any("—" in r for r in rows), rows
    assert (exp / "demo/index.html").is_file()
    assert any((exp / "figures").glob("*.png"))
    assert "| restore_pnf | sample |" in (tables / "budget.md").read_text()  # time budget
    metrics = (exp / "metrics.csv").read_text()
    for method, setting in itertools.product(["pnf", "spline", "kee"], ["x4"]):
        assert f"superres,{setting},{method}" in metrics

    # A second run does nothing; a missing restoration is redone alone, with what depends on it.
    _, out = run([*SNAKEMAKE, "--cores", "2", "results/tables"], work)
    assert "Nothing to be done" in out
    (exp / "restored/piano/superres/x4/pnf/c000.wav").unlink()
    _, out = run([*SNAKEMAKE, "-n", "restore_all"], work)
    assert job_counts(out) == {"restore_pnf": 1, "restore_all": 1}
    run([*SNAKEMAKE, "--cores", "2", "restore_all"], work)
    _, out = run([*SNAKEMAKE, "-n", "results/tables"], work)
    counts = job_counts(out)
    assert counts.pop("score_superres") == 1 and "restore_pnf" not in counts
    assert set(counts) <= {"collect", "figures", "demo", "tables", "budget", "tables_view", "all"}
    scores = exp / "scores/piano/superres/x4/spline"     # left by an earlier config
    shutil.copy(scores / "c000.json", scores / "c009.json")
    run([*SNAKEMAKE, "--cores", "2", "results/tables"], work)
    assert "c009" not in (exp / "metrics.csv").read_text()

    # A second experiment runs beside it: nothing of smoke is redone or overwritten, the view
    # follows the experiment built last, and switching back only recopies the view.
    (work / "experiments/other.yaml").write_text(yaml.safe_dump({**SMALL, "experiment": "other"}))
    before = {p: p.stat().st_mtime_ns for p in exp.rglob("*") if p.is_file()}
    _, plan = run([*SNAKEMAKE, "-n", "results/tables", "--configfile", "experiments/other.yaml"],
                  work)
    assert not [f for f in planned_files(plan) if f.startswith("results/smoke/")]
    assert job_counts(plan)["train_prior"] == 1
    run([*SNAKEMAKE, "--cores", "2", "results/tables", "--configfile", "experiments/other.yaml"],
        work)
    assert {p: p.stat().st_mtime_ns for p in exp.rglob("*") if p.is_file()} == before
    assert "experiment other" in (tables / "EXPERIMENT.txt").read_text()
    assert "Experiment: other" in (tables / "inpainting.md").read_text()
    assert not (tables / "superres.md").exists()
    _, plan = run([*SNAKEMAKE, "-n", "results/tables"], work)
    assert job_counts(plan) == {"tables_view": 1}, plan[-2000:]
    run([*SNAKEMAKE, "--cores", "2", "results/tables"], work)
    assert "experiment smoke" in (tables / "EXPERIMENT.txt").read_text()
    assert (tables / "superres.md").read_bytes() == (exp / "tables/superres.md").read_bytes()

    # DVC: the stages record the outputs; push to a local remote, lose them, pull them back.
    dvc = [str(BIN / "dvc")]
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    run([*git, "init", "-q"], work)
    run([*dvc, "init", "-q"], work)
    run([*dvc, "remote", "add", "-d", "store", str(tmp_path / "remote")], work)
    run([*dvc, "repro"], work)
    run([*git, "add", "-A"], work)
    run([*git, "commit", "-qm", "first run"], work)
    _, shown = run([*dvc, "metrics", "show"], work)
    assert "piano" in shown
    prior = exp / "priors/piano-mulaw.pt"
    before = prior.read_bytes()
    run([*dvc, "push"], work)
    shutil.rmtree(work / ".dvc/cache")
    shutil.rmtree(exp / "priors")
    run([*dvc, "pull"], work)
    assert prior.read_bytes() == before
    _, status = run([*dvc, "status"], work)
    assert "up to date" in status

    # A second run with another sampler seed: `dvc metrics diff` shows the PnF cells move,
    # `dvc plots show` renders the declared plots.
    cfg = yaml.safe_load((work / "experiments/smoke.yaml").read_text())
    cfg["sampler"]["seed"] = 1
    (work / "experiments/smoke.yaml").write_text(yaml.safe_dump(cfg))
    run([*dvc, "repro"], work)
    _, diff = run([*dvc, "metrics", "diff", "--all"], work)
    moved = [line for line in diff.splitlines() if "superres" in line and "pnf" in line]
    assert moved and "metrics.json" in diff, diff[-3000:]
    run([*dvc, "plots", "show", "-o", str(tmp_path / "plots")], work)
    assert (tmp_path / "plots/index.html").stat().st_size > 1000


def check_snakemake_report(work: Path, page: Path, tmp: Path):
    """`snakemake --report` writes one self-contained page that opens in headless Chromium
    with every figure, grouped by task, and the tables."""
    run([*SNAKEMAKE, "--report", str(page)], work)
    text = page.read_text()
    figures = sorted(p.name for p in (page.parent / "figures").glob("*.png"))
    assert figures and all(name in text for name in figures), figures
    assert "Super-resolution" in text and "Inpainting" in text and "superres.csv" in text
    if shutil.which("chromium") is None:
        return
    shot = tmp / "report.png"
    chromium = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                f"--user-data-dir={tmp / 'chromium'}", "--virtual-time-budget=15000"]
    dom = subprocess.run([*chromium, "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=120).stdout
    assert "Summary figures" in dom and "Super-resolution" in dom, dom[-2000:]
    subprocess.run([*chromium, f"--screenshot={shot}", "--window-size=1200,1600",
                    page.as_uri()], capture_output=True, timeout=120)
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("RGB"))
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 200   # a rendered page, not blank


# A small DAG for the kill test: one dataset, inpainting with PnF and the zero fill.
SMALL = {**TINY, "tasks": {"inpaint": TINY["tasks"]["inpaint"]}}


def _wait_for_locks(work: Path, proc: subprocess.Popen) -> list[Path]:
    """Snakemake's lock files once the run has taken them (the run still going)."""
    while proc.poll() is None:
        locks = sorted((work / ".snakemake/locks").glob("*.lock"))
        if locks:
            return locks
        time.sleep(0.05)
    raise AssertionError(f"snakemake ended ({proc.returncode}) before it locked the folder")


def _kill_started_here(work: Path, proc: subprocess.Popen):
    """SIGKILL the run's process group and any job it left running in `work`."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for cwd in Path("/proc").glob("[0-9]*/cwd"):
        try:
            if Path(os.readlink(cwd)).is_relative_to(work):
                os.kill(int(cwd.parent.name), signal.SIGKILL)
        except (OSError, ValueError):
            pass


@pytest.mark.slow
def test_a_killed_run_is_resumed_by_the_plain_command_but_a_live_one_is_not_raced(tmp_path):
    """SIGKILL leaves Snakemake's lock behind; the README's command removes it by itself and
    finishes the DAG, while a run started next to a live (here: stopped) one is refused."""
    work = workdir(tmp_path, SMALL)
    cmd = [*SNAKEMAKE, "--cores", "all", "results/tables"]
    first = subprocess.Popen(cmd, cwd=work, env=env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        locks = _wait_for_locks(work, first)
        os.killpg(first.pid, signal.SIGSTOP)           # alive, holding its locks
        code, out = run(cmd, work, check=False)
        assert code != 0 and "LockException" in out, out[-2000:]
        assert all(lock.exists() for lock in locks)    # the live run's locks were kept
    finally:
        _kill_started_here(work, first)
    assert all(lock.exists() for lock in locks)        # now stale: nobody holds them

    code, out = run(cmd, work)
    assert "removed 1 stale Snakemake lock" in out or "stale Snakemake lock" in out, out[-2000:]
    assert (work / "results/tables/inpainting.md").is_file()
    _, out = run(SNAKEMAKE, work)                      # plain `snakemake`: profile, no --cores
    assert "Nothing to be done" in out
