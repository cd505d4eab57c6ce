"""The convergence study's figures: PnF quality against updates per level, per prior, and
against network evaluations, per sampler schedule.

    >>> plot_convergence(["results/small/convergence.csv"], Path("convergence.png"))
    >>> plot_evaluations(["results/small/convergence.csv"], Path("evaluations.png"))

The CSV comes from workflow/scripts/convergence.py (columns prior_set, task, dataset,
setting, iterations, metric, value, seconds, clip). One panel per (task, setting, metric
family): SNR and LSD for super-resolution, SI-SDR for separation; x = updates per level
(log-2 ticks), one line per dataset (or source) and prior set; the reference (spline,
or the mixture itself for separation) as a dashed line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import seaborn as sns
from matplotlib.ticker import NullFormatter

from pnf.report.savefig import plt, save_figure
from pnf.task_specs import mixture_items

# The study's panels: it is about super-resolution and separation by design.
PANELS = [("superres", "snr", "SNR (dB) ↑"), ("superres", "lsd", "LSD ↓"),
          ("separate", "si_sdr", "SI-SDR (dB) ↑")]


def _frame(csv_paths) -> pd.DataFrame:
    df = pd.concat([pd.read_csv(p) for p in csv_paths], ignore_index=True)
    sep = df.task.map(mixture_items).astype(bool)     # metric si_sdr_<source>
    df["family"] = df.metric.where(~sep, "si_sdr")
    df["line"] = df.dataset.where(~sep, df.metric.str.removeprefix("si_sdr_"))
    return df


def _panel(ax, sub: pd.DataFrame, ylabel: str) -> None:
    pnf = sub[sub.prior_set != "reference"]
    ref = sub[sub.prior_set == "reference"].groupby("line").value.mean()
    sns.lineplot(pnf, x="iterations", y="value", hue="line", style="prior_set",
                 markers=True, dashes=False, ax=ax)
    colors = {t.get_text(): h.get_color() for h, t in
              zip(ax.get_legend().legend_handles, ax.get_legend().texts, strict=False)
              if hasattr(h, "get_color")}
    for line, value in ref.items():
        ax.axhline(value, ls="--", lw=1, color=colors.get(line, "grey"))
    ax.set_xscale("log", base=2)
    ticks = sorted(pnf.iterations.unique())
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set(xlabel="updates per noise level", ylabel=ylabel)
    ax.legend(fontsize=7)


def natural(setting: str) -> tuple:
    """x4 before x16: shorter names first, then alphabetical."""
    return len(setting), setting


def plot_convergence(csv_paths, out: Path) -> Path:
    """One panel per setting and metric from one or more study CSVs; returns the PNG path."""
    df = _frame([csv_paths] if isinstance(csv_paths, str | Path) else csv_paths)
    panels = [(task, setting, fam, label) for task, fam, label in PANELS
              for setting in sorted(df[df.task == task].setting.unique(), key=natural)]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.4), squeeze=False)
    for ax, (task, setting, fam, label) in zip(axes[0], panels, strict=True):
        sub = df[(df.task == task) & (df.setting == setting) & (df.family == fam)]
        _panel(ax, sub, label)
        ax.set_title("separation" if mixture_items(task) else f"{task} {setting}")
    fig.suptitle("PnF against updates per level (validation clips; dashed: spline / mixture)",
                 fontsize=10)
    return save_figure(fig, Path(out))


def plot_evaluations(csv_paths, out: Path) -> Path:
    """Quality against network evaluations per run: one line per schedule (label: "PnF" for
    the paper's annealed Langevin, ours marked), style per dataset; dashed: the reference."""
    from pnf.langevin import SCHEDULES

    df = _frame([csv_paths] if isinstance(csv_paths, str | Path) else csv_paths)
    df["schedule"] = df.schedule.map(lambda k: SCHEDULES[k].label if k in SCHEDULES else k)
    panels = [(task, setting, fam, label) for task, fam, label in PANELS
              for setting in sorted(df[df.task == task].setting.unique(), key=natural)]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False)
    for ax, (task, setting, fam, label) in zip(axes[0], panels, strict=True):
        sub = df[(df.task == task) & (df.setting == setting) & (df.family == fam)]
        runs = sub[sub.prior_set != "reference"]
        sns.lineplot(runs, x="evaluations", y="value", hue="schedule", style="line",
                     markers=True, dashes=False, ax=ax)
        for value in sub[sub.prior_set == "reference"].groupby("line").value.mean():
            ax.axhline(value, ls="--", lw=1, color="grey")
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())           # labels at 10, 100, ... only
        ax.set(xlabel="network evaluations", ylabel=label,
               title="separation" if mixture_items(task) else f"{task} {setting}")
        ax.legend(fontsize=6)
    fig.suptitle("Quality against network evaluations per schedule (validation clips; "
                 "dashed: spline / mixture)", fontsize=10)
    return save_figure(fig, Path(out))
