"""Figures (PNG, seaborn on matplotlib's Agg backend) from scores and restored files.

    >>> from pnf.report.figures import write_figures
    >>> written = write_figures("results/smoke/metrics.csv", "results/smoke/restored",
    ...                         "results/smoke/figures")

- iterations.png  quality vs Langevin iterations, one panel per real sweep (settings that
                  differ only in the iteration count), one line per dataset, ± s.e. bands
                  over clips, ancestral sampling as a dashed reference line;
- walltime.png    PnF vs cached ancestral wall time against signal length, measured here
                  and projected for a GPU (pnf.report.walltime; also walltime.csv);
- spec-<dataset>-<task>-<setting>.png  spectrogram panels of one item: truth, input, PnF
                  and each baseline (separation: mixture, truth, PnF, baselines);
- images.png      input / PnF / ground truth for each image task.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from tqdm import tqdm  # noqa: E402

from pnf.audio import file_rate  # noqa: E402
from pnf.metrics import load_signal, power_spectrogram, read_records  # noqa: E402
from pnf.report.labels import (  # noqa: E402
    method_key,
    method_label,
    metric_label,
    setting_label,
)
from pnf.report.restored import find, input_for, load_image, scan_restored  # noqa: E402
from pnf.report.savefig import save_figure  # noqa: E402
from pnf.report.walltime import LENGTHS  # noqa: E402
from pnf.task_specs import TASK_SPECS, mixture_items  # noqa: E402

MAX_IMAGES = 6


def sweeps(records: pd.DataFrame) -> pd.DataFrame:
    """PnF records that belong to a real iteration sweep, with a `panel` column: settings of
    one task that differ only in the iteration count (factor, gap and source fixed), for
    datasets that ran at least two counts."""
    records = read_records(records)
    pnf = records[(records.method == "pnf") & records.iterations.notna()]
    fixed = ["task", "factor", "gap_ms", "source"]
    pnf = pnf.assign(**{k: pnf[k].map(lambda v: "" if pd.isna(v) else f"{v:g}")
                        for k in ("factor", "gap_ms")})
    counts = pnf.groupby([*fixed, "dataset"]).iterations.transform("nunique")
    sub = pnf[counts > 1]
    label = [" · ".join([t] + [fmt.format(v) for fmt, v in (("×{}", f), ("{} ms gap", g),
                                                            ("{}", s)) if v])
             for t, f, g, s in zip(sub.task, sub.factor, sub.gap_ms, sub.source, strict=True)]
    return sub.assign(panel=label)


def fig_iterations(records: pd.DataFrame, out: Path) -> Path | None:
    sub = sweeps(records)
    panels = sorted(sub.panel.unique()) if not sub.empty else []
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(4.8 * len(panels), 3.6), squeeze=False)
    for ax, panel in zip(axes[0], panels, strict=True):
        part = sub[sub.panel == panel]
        task = part.task.iloc[0]
        metric = getattr(TASK_SPECS.get(task), "metric", "snr")   # unregistered: SNR
        sns.lineplot(data=part[part[metric].notna()], x="iterations", y=metric, hue="dataset",
                     marker="o", errorbar=("se", 1), ax=ax)
        anc = records[(records.task == task) & (records.method == "ancestral")]
        for i, (dataset, group) in enumerate(anc.groupby("dataset")):
            ax.axhline(group[metric].mean(), ls="--", color=f"C{i}", lw=1,
                       label=f"{dataset} ancestral")
        ticks = sorted(part.iterations.unique())
        ax.set_xscale("log", base=2)
        ax.set_xticks(ticks, [f"{int(t)}" for t in ticks])
        ax.minorticks_off()
        n = part.groupby(["dataset", "iterations"]).size()
        clips = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
        ax.set(title=f"{panel}: {metric_label(metric)} vs iterations",
               xlabel=f"iterations per noise level (band ± s.e. over n = {clips} clips)",
               ylabel=metric_label(metric))
        ax.legend(fontsize=8)
    return save_figure(fig, out / "iterations.png")


def draw_spectrogram(ax, path: Path, title: str) -> None:
    """The file's power spectrogram (dB, 80 dB range, at the file's own rate) on `ax`."""
    rate = file_rate(path)
    power = power_spectrogram(load_signal(path, rate), n_fft=1024, hop=256).T  # (F, frames)
    spec = 10 * np.log10(power + 1e-10)
    ax.imshow(spec, origin="lower", aspect="auto", cmap="magma", vmin=spec.max() - 80,
              extent=(0, spec.shape[1] * 256 / rate, 0, rate / 2000))
    ax.set_title(title)
    ax.grid(False)


def spectrogram_panels(files: pd.DataFrame, dataset: str, task: str, setting: str,
                       item: str | None = None) -> list[tuple[str, Path]]:
    """(title, file) per panel for `item` (default: the first): truth, input (separation:
    mixture first), PnF, then each baseline."""
    group = files[(files.dataset == dataset) & (files.task == task) & (files.setting == setting)]
    truths = group[group.method == "truth"]
    truths = truths if item is None else truths[truths["item"] == item]
    if truths.empty:
        return []
    first = truths.iloc[0]
    panels = [("Ground truth", Path(first["path"]))]
    inp = input_for(files, dataset, task, setting, first["item"], first["clip"])
    if inp is not None:
        panels.insert(0 if mixture_items(task, setting) else 1,
                      ("Mixture" if inp.stem.endswith("-mix") else "Input", inp))
    others = group[~group.method.isin(["truth", "input"])].method.unique()
    for method in sorted(others, key=lambda m: (m != "pnf", method_key(m))):
        path = find(group, method=method, item=first["item"])
        if path is not None:
            panels.append((method_label(method), path))
    return panels


def _panel_rows(files: pd.DataFrame, dataset: str, task: str, setting: str) -> list:
    """[(row label, panels)]: one row, or for separation one per source of the first clip."""
    group = files[(files.dataset == dataset) & (files.task == task) & (files.setting == setting)
                  & (files.method == "truth")]
    if group.empty:
        return []
    items = group[group["clip"] == group["clip"].iloc[0]]["item"].tolist()
    items = items if mixture_items(task, setting) else items[:1]
    return [(i, spectrogram_panels(files, dataset, task, setting, i)) for i in items]


def fig_spectrogram(files: pd.DataFrame, dataset: str, task: str, setting: str,
                    out: Path) -> Path | None:
    rows = [(label, panels) for label, panels in _panel_rows(files, dataset, task, setting)
            if panels]
    if not rows:
        return None
    ncols = max(len(p) for _, p in rows)
    fig, axes = plt.subplots(len(rows), ncols, figsize=(3.2 * ncols, 3 * len(rows)),
                             squeeze=False, sharex=True, sharey=True)
    for r, (label, panels) in enumerate(rows):
        for c in range(ncols):
            ax = axes[r][c]
            if c >= len(panels) or (r > 0 and panels[c][0] == "Mixture"):
                ax.axis("off")  # the mixture is drawn once, in the first row
                continue
            title, path = panels[c]
            source = label.rpartition("-")[2]
            draw_spectrogram(ax, path, title if title == "Mixture" or len(rows) == 1
                             else f"{title} · {source}")
            ax.set(xlabel="time (s)" if r == len(rows) - 1 else "")
        axes[r][0].set_ylabel("frequency (kHz)")
    clip = rows[0][0] if len(rows) == 1 else rows[0][1][0][1].stem.rpartition("-")[0]
    fig.suptitle(f"{dataset} · {task} · {setting_label(setting)} · {clip}", y=1.02)
    fig.tight_layout()
    return save_figure(fig, out / f"spec-{dataset}-{task}-{setting}.png")


def fig_images(files: pd.DataFrame, out: Path) -> Path | None:
    images = files[files.path.map(lambda p: Path(p).suffix == ".npy")]
    blocks = []  # (setting, row label, [paths])
    for (dataset, task, setting), group in images.groupby(["dataset", "task", "setting"]):
        truths = group[group.method == "truth"].head(MAX_IMAGES)
        rows = {"Input": [], "PnF": [], "Ground truth": []}
        for t in truths.itertuples():
            rows["Input"].append(input_for(files, dataset, task, setting, t.item, t.clip))
            rows["PnF"].append(find(group, method="pnf", item=t.item))
            rows["Ground truth"].append(Path(t.path))
        blocks += [(setting, label, paths) for label, paths in rows.items()]
    if not blocks:
        return None
    ncols = max(len(paths) for *_, paths in blocks)
    fig, axes = plt.subplots(len(blocks), ncols, figsize=(1.2 * ncols + 1.5, 1.3 * len(blocks)),
                             squeeze=False)
    for row, (setting, label, paths) in enumerate(blocks):
        for col in range(ncols):
            ax = axes[row][col]
            ax.set_xticks([])
            ax.set_yticks([])
            if col < len(paths) and paths[col] is not None:
                ax.imshow(load_image(paths[col]), interpolation="nearest")
            else:
                ax.axis("off")
        axes[row][0].set_ylabel(f"{setting_label(setting)}\n{label}", fontsize=8)
    return save_figure(fig, out / "images.png")


def write_figures(metrics: str | Path | None, restored: str | Path | None, out: str | Path,
                  walltime: str | None = "tiny", walltime_seconds=None) -> list[Path]:
    """Every figure whose inputs exist; prints a line for each one skipped. `walltime`: the
    WaveNet size whose speed walltime.png measures (None: no such figure)."""
    out = Path(out)
    written = []
    sns.set_theme(style="whitegrid", context="notebook")
    if metrics is not None:
        records = read_records(metrics)
        path = fig_iterations(records, out)
        if path is None:
            print("pnf: figure iterations: no PnF iteration sweep in the scores, skipped",
                  file=sys.stderr)
        written += [path] if path else []
    if walltime:
        from pnf.report.walltime import fig_walltime

        written.append(fig_walltime(out, walltime, walltime_seconds or LENGTHS))
    if restored is not None:
        files = scan_restored(restored)
        audio = files[files.path.map(lambda p: Path(p).suffix != ".npy")]
        groups = audio[["dataset", "task", "setting"]].drop_duplicates().itertuples(index=False)
        for dataset, task, setting in tqdm(list(groups), desc="spectrograms", disable=None):
            path = fig_spectrogram(files, dataset, task, setting, out)
            written += [path] if path else []
        path = fig_images(files, out)
        written += [path] if path else []
    if not written:
        raise ValueError("no figure could be drawn: give --metrics and/or --restored with "
                         "scores and restored files in them")
    return written
