"""experiments/paper-mini.yaml plans the paper's DAG job for job: the same rules with the same
outputs (so the same tasks, datasets, factors, gaps, iteration counts, methods, priors and
baselines), up to its item counts; the miniature archives are its one extra rule. A config
that drops one factor fails the comparison (the test below shows it)."""

import re
from pathlib import Path

import yaml
from test_pipeline import SNAKEMAKE, run, workdir

from pnf.experiments import read_experiment

ROOT = Path(__file__).resolve().parents[1]
ITEM = re.compile(r"/c(\d{3})(?=[-./])")
EXTRA = {"miniature_archive"}   # paper-mini's data source: archives made, not downloaded


def plan(work: Path, name: str) -> list[tuple[str, list[str]]]:
    """(rule, outputs) of every job `snakemake -n results/tables` plans for experiment `name`."""
    _, out = run([*SNAKEMAKE, "-n", "results/tables", "--configfile",
                  f"experiments/{name}.yaml"], work)
    jobs = []
    for block in re.split(r"\n\[\w{3} \w{3} .*\d{4}\]\n", out)[1:]:
        rule = re.match(r"(?:local)?rule (\w+):", block)[1]
        found = re.search(r"^    output: (.*)$", block, re.M)
        jobs.append((rule, found[1].split(", ") if found else []))
    assert jobs, out[-2000:]
    return jobs


def item_limit(path: str, cfg: dict) -> int:
    """How many items of this path's kind the experiment restores: test clips, test images,
    or image pairs (separation)."""
    if "/images/separate" in path:
        return cfg["images"]["test_images"] // 2
    return cfg["images"]["test_images"] if "/images/" in path else cfg["test_clips"]


def normalized(jobs, cfg: dict, counts: dict, its: dict | None = None) -> set:
    """Jobs with the experiment's folders renamed, the spectrogram settings it<N> renamed by
    `its` (N -> the paper's count at the same place) and items beyond `counts`' limits
    dropped (a job left with no output is dropped)."""
    names = {f"results/{cfg['experiment']}/": "results/EXP/", f"{cfg['data']['root']}/": "DATA/"}
    out = set()
    for rule, outputs in jobs:
        kept = []
        for path in outputs:
            for old, new in names.items():
                path = path.replace(old, new) if path.startswith(old) else path
            path = re.sub(r"/it(\d+)/", lambda m: f"/it{(its or {}).get(int(m[1]), m[1])}/", path)
            item = ITEM.search(path)
            if item is None or int(item[1]) < item_limit(path, counts):
                kept.append(path)
        if kept or not outputs:
            out.add((rule, frozenset(kept)))
    return out


def compare(work: Path, mini: str, paper: str = "paper") -> tuple[set, set]:
    """(jobs of the paper's plan missing from mini's, jobs of mini's not in the paper's)."""
    cfgs = {n: read_experiment(work / f"experiments/{n}.yaml") for n in (mini, paper)}
    plans = {n: plan(work, n) for n in cfgs}
    counts = [c["tasks"]["spectrogram"]["iterations"] for c in (cfgs[mini], cfgs[paper])]
    its = dict(zip(*counts, strict=True)) if len(set(counts[0])) == len(counts[1]) else {}
    ours = {job for job in normalized(plans[mini], cfgs[mini], cfgs[mini], its)
            if job[0] not in EXTRA}
    theirs = normalized(plans[paper], cfgs[paper], cfgs[mini])
    return theirs - ours, ours - theirs


def test_paper_mini_plans_the_papers_jobs(tmp_path):
    work = workdir(tmp_path)
    missing, extra = compare(work, "paper-mini")
    assert not missing and not extra, (sorted(missing)[:5], sorted(extra)[:5])
    rules = {rule for rule, _ in plan(work, "paper-mini")}
    assert {"real_set", "real_mix", "image_set", "miniature_archive", "train_prior",
            "train_image_prior", "spectrogram_pnf", "separate", "tables"} <= rules


def test_a_dropped_factor_fails_the_comparison(tmp_path):
    """The mutation: paper-mini without the x32 super-resolution."""
    work = workdir(tmp_path)
    mini = yaml.safe_load((work / "experiments/paper-mini.yaml").read_text())
    mini["tasks"]["superres"].update(factors=[4, 8, 16], iterations=[2, 4, 4])
    (work / "experiments/paper-mini.yaml").write_text(yaml.safe_dump(mini))
    missing, extra = compare(work, "paper-mini")
    assert missing, "dropping a factor went unnoticed"
    assert ("restore_pnf", frozenset({"results/EXP/restored/piano/superres/x32/pnf/c000.wav",
                                      "results/EXP/timing/piano/superres/x32/pnf/c000.json"})) \
        in missing, sorted(missing)[:5]
    # jobs of all settings at once (spline, input cuts, scores) differ too, in their outputs
    assert {rule for rule, _ in extra} <= {"restore_light_superres", "score_superres"}, \
        sorted(extra)[:5]
