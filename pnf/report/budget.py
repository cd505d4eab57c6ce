"""Where an experiment's CPU time went: Snakemake's benchmark records, one TSV per job under
<OUT>/benchmarks/<kind>/... (the `benchmark:` of every rule in workflow/rules/), summed per
rule kind.

    pnf report budget --benchmarks results/smoke/benchmarks --out results/smoke/budget \\
        --experiment smoke

    >>> from pnf.report.budget import read_benchmarks, budget
    >>> records = read_benchmarks("results/smoke/benchmarks")  # one row per job
    >>> table = budget(records)                                 # one row per rule kind
    >>> table.columns.tolist()
    ['kind', 'stage', 'jobs', 'job_s', 'share', 'mean_s', 'max_rss_mb', 'startup_share']

A kind is the first folder under benchmarks/: the rule's name, or rule-method for rules
whose method decides the cost (restore_baseline-spline, separate-convtasnet). Start-up is
measured, not assumed: the `startup` kind is a benchmarked bare `pnf --help` (repeated),
and a kind's start-up share is its jobs that start a Python process times that median,
over its job-seconds. The probe itself is left out of the totals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pnf.methods import learned

STARTUP = "startup"  # the probe's kind: benchmarks/startup/pnf-help.tsv
# Stage of a kind (the rule name, less any -method): what the job is for. Every train_*
# kind is training (train_<method> of a baseline trained per dataset and factor).
STAGES = {"embedded_set": "data", "real_set": "data", "real_mix": "data", "image_set": "data",
          "restore_pnf": "sample", "separate": "sample",
          "spectrogram_pnf": "sample", "spectrogram_ancestral": "sample",
          "image_restore": "sample", "image_separate": "sample", "convergence": "sample",
          "prior_quality": "sample", "study_prior_quality": "sample",  # ancestral samples
          "restore_baseline": "baseline", "restore_light": "light", "score": "light",
          "observe": "light", "test_item": "items", "mix_item": "items", "truth": "items",
          "mixture_input": "items"}
# Kinds that start no Python process (printf, ln, cp): no start-up to pay.
NO_PROCESS = {"prior_config", "baseline_config", "claims_config", "image_prior_config",
              "study_config", "study_prior_config", "truth", "mixture_input", "tables_view"}
COLUMNS = ["kind", "stage", "jobs", "job_s", "share", "mean_s", "max_rss_mb", "startup_share"]


def stage(kind: str) -> str:
    """data, train, sample, baseline, light, items, report (e.g. stage("score") == "light").
    Signal-processing baselines (spline, zero, linear) are light; learned ones are not."""
    rule, _, method = kind.partition("-")
    if rule == "restore_baseline" and method not in learned():
        return "light"
    return "train" if rule.startswith("train_") else STAGES.get(rule, "report")


def read_benchmarks(root: str | Path) -> pd.DataFrame:
    """One row per benchmark record: kind, path (under root), s (wall), cpu_s, max_rss_mb
    (NaN where Snakemake sampled nothing: jobs shorter than its first sample)."""
    root = Path(root)
    frames = []
    for path in sorted(root.rglob("*.tsv")):
        df = pd.read_csv(path, sep="\t", na_values=["NA", "-"])
        frames.append(pd.DataFrame({"kind": path.relative_to(root).parts[0],
                                    "path": str(path.relative_to(root)), "s": df["s"],
                                    "cpu_s": df.get("cpu_time", np.nan),
                                    "max_rss_mb": df.get("max_rss", np.nan)}))
    if not frames:
        raise FileNotFoundError(f"{root}: no benchmark records (*.tsv); run the experiment "
                                "with the workflow's rules first")
    return pd.concat(frames, ignore_index=True)


def startup_seconds(records: pd.DataFrame) -> float:
    """Median wall seconds of the bare `pnf --help` probe (NaN when it was not run)."""
    probe = records[records.kind == STARTUP].s
    return float(probe.median()) if len(probe) else float("nan")


def budget(records: pd.DataFrame) -> pd.DataFrame:
    """One row per kind, most job-seconds first (see the module docstring)."""
    startup = startup_seconds(records)
    jobs = records[records.kind != STARTUP]
    table = jobs.groupby("kind").agg(jobs=("s", "size"), job_s=("s", "sum"),
                                     mean_s=("s", "mean"), max_rss_mb=("max_rss_mb", "max"))
    table = table.reset_index()
    table["stage"] = table.kind.map(stage)
    table["share"] = table.job_s / table.job_s.sum()
    process = ~table.kind.str.partition("-")[0].isin(NO_PROCESS)
    table["startup_share"] = np.where(process, np.minimum(1.0, startup / table.mean_s), 0.0)
    return table[COLUMNS].sort_values("job_s", ascending=False, ignore_index=True)


def by_stage(table: pd.DataFrame) -> pd.DataFrame:
    """Jobs, job-seconds and share per stage (the `pnf report plan` measured section)."""
    out = table.groupby("stage").agg(jobs=("jobs", "sum"), job_s=("job_s", "sum"))
    out["share"] = out.job_s / out.job_s.sum()
    return out.sort_values("job_s", ascending=False).reset_index()


def light_share(table: pd.DataFrame) -> float:
    """Share of job-seconds spent in light jobs (scoring, spline/fill baselines, observation
    cuts): the pipeline's figure of merit for start-up overhead (docs/performance.md)."""
    return float(table.loc[table.stage == "light", "job_s"].sum() / table.job_s.sum())


def startup_total(table: pd.DataFrame) -> float:
    """Job-seconds that went to process start-up: each kind's start-up share of its time."""
    return float((table.startup_share * table.job_s).sum())


def sampling_line(records: pd.DataFrame) -> str:
    """The wall-time claim's line from this run's jobs: spectrogram PnF at its most
    iterations vs cached ancestral sampling, mean seconds per clip (benchmark records)."""
    pnf = records[records.kind == "spectrogram_pnf"]
    anc = records[records.kind == "spectrogram_ancestral"]
    if pnf.empty or anc.empty:
        return "this run: no spectrogram PnF and ancestral jobs in its benchmark records"
    its = pnf.path.str.extract(r"/it(\d+)/", expand=False).astype(float)
    top = pnf[its == its.max()]
    return (f"this run's jobs (benchmark records, whole process): PnF at {its.max():g} "
            f"iterations {top.s.mean():.3g} s per clip (n = {len(top)}) vs ancestral "
            f"{anc.s.mean():.3g} s (n = {len(anc)})")


def to_markdown(table: pd.DataFrame, records: pd.DataFrame, experiment: str) -> str:
    """The budget table with a totals line (start-up probe, light share)."""
    total = table.job_s.sum()
    lines = [f"Time budget of `{experiment}` (Snakemake benchmark records, one per job)", "",
             "| kind | stage | jobs | job-s | share | mean s | max RSS MB | start-up share |",
             "|:--|:--|--:|--:|--:|--:|--:|--:|"]
    for r in table.itertuples(index=False):
        rss = "—" if np.isnan(r.max_rss_mb) else f"{r.max_rss_mb:,.0f}"
        lines.append(f"| {r.kind} | {r.stage} | {r.jobs} | {r.job_s:,.1f} | {r.share:.1%} | "
                     f"{r.mean_s:.2f} | {rss} | {r.startup_share:.0%} |")
    lines += ["", f"Total {table.jobs.sum()} jobs, {total:,.1f} job-seconds; light jobs "
              f"(scoring, spline/fill baselines, observation cuts) {light_share(table):.1%}; "
              f"process start-up ≈ {startup_total(table) / total:.1%} (a bare `pnf --help` "
              f"takes {startup_seconds(records):.2f} s, median of its benchmark records)."]
    return "\n".join(lines) + "\n"


def fig_budget(table: pd.DataFrame, path: Path, experiment: str) -> Path:
    """budget.png: job-seconds per kind (bars coloured by stage), start-up part hatched."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from pnf.report.savefig import save_figure

    fig, ax = plt.subplots(figsize=(8, 0.3 * len(table) + 1.5))
    sns.barplot(table, x="job_s", y="kind", hue="stage", dodge=False, ax=ax)
    ax.barh(table.kind, table.job_s * table.startup_share, fill=False, hatch="//",
            edgecolor="0.2", lw=0, label="process start-up")
    for y, r in enumerate(table.itertuples(index=False)):
        ax.text(r.job_s, y, f" {r.share:.1%}", va="center", fontsize=7)
    ax.set(xlabel="job-seconds (sum of wall time over the kind's jobs)", ylabel="",
           title=f"Where `{experiment}`'s time went ({table.jobs.sum()} jobs, "
                 f"{table.job_s.sum():,.0f} job-s; light {light_share(table):.1%})")
    ax.legend(fontsize=8, loc="lower right")
    return save_figure(fig, path)


def write_budget(benchmarks: str | Path, out: str | Path, experiment: str) -> list[Path]:
    """budget.csv, budget.md and budget.png under `out` from the benchmark records."""
    from pnf.atomic import write_text_atomic
    from pnf.report.provenance import footer

    records = read_benchmarks(benchmarks)
    table = budget(records)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "budget.csv", table.to_csv(index=False) + footer("csv"))
    write_text_atomic(out / "budget.md", to_markdown(table, records, experiment) + footer("md"))
    return [out / "budget.csv", out / "budget.md", fig_budget(table, out / "budget.png",
                                                                 experiment)]
