"""Figures (PNG, seaborn on matplotlib's Agg backend) from scores and restored files.

    >>> from pnf.report.figures import write_figures
    >>> written = write_figures("results/metrics.csv", "results/restored", "results/figures")

- iterations.png  quality vs Langevin iterations per task, 95% bootstrap bands, ancestral
                  sampling as a dashed reference line;
- walltime.png    PnF vs ancestral wall time against signal length;
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

from pnf.atomic import atomic_path  # noqa: E402
from pnf.metrics import RATE, load_signal, power_spectrogram, read_records  # noqa: E402
from pnf.report.labels import (  # noqa: E402
    method_key,
    method_label,
    metric_label,
    setting_label,
)
from pnf.report.restored import find, input_for, load_image, scan_restored  # noqa: E402

QUALITY_METRIC = {"spectrogram": "lsd", "images": "psnr"}  # others: SNR
MAX_IMAGES = 6


def save_figure(fig, path: Path) -> Path:
    """Save atomically (temporary file + os.replace) and close the figure."""
    try:
        with atomic_path(path, suffix=".png") as tmp:
            fig.savefig(tmp, dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def fig_iterations(records: pd.DataFrame, out: Path) -> Path | None:
    pnf = records[(records.method == "pnf") & records.iterations.notna()]
    tasks = [t for t in pnf.task.unique() if pnf[pnf.task == t].iterations.nunique() > 1]
    if not tasks:
        return None
    fig, axes = plt.subplots(1, len(tasks), figsize=(4.5 * len(tasks), 3.5), squeeze=False)
    for ax, task in zip(axes[0], tasks, strict=True):
        metric = QUALITY_METRIC.get(task, "snr")
        sub = pnf[(pnf.task == task) & pnf[metric].notna()]
        sns.lineplot(data=sub, x="iterations", y=metric, hue="dataset", marker="o",
                     errorbar=("ci", 95), n_boot=1000, seed=0, ax=ax)
        anc = records[(records.task == task) & (records.method == "ancestral")]
        for i, (dataset, group) in enumerate(anc.groupby("dataset")):
            ax.axhline(group[metric].mean(), ls="--", color=f"C{i}", lw=1,
                       label=f"{dataset} ancestral")
        ax.set_xscale("log", base=2)
        ax.set(title=f"{task}: {metric_label(metric)} vs iterations",
               xlabel="iterations per noise level", ylabel=metric_label(metric))
        ax.legend(fontsize=8)
    return save_figure(fig, out / "iterations.png")


def fig_walltime(records: pd.DataFrame, out: Path) -> Path | None:
    sub = records[records.method.isin(["pnf", "ancestral"]) & records.seconds.notna()
                  & records.duration.notna()]
    if sub.empty or sub.method.nunique() < 1:
        return None
    sub = sub.assign(label=[method_label(m) + (f" ({int(t)} it.)" if t == t else "")
                            for m, t in zip(sub.method, sub.iterations, strict=True)])
    fig, ax = plt.subplots(figsize=(5.5, 4))
    sns.lineplot(data=sub, x="duration", y="seconds", hue="label", style="dataset",
                 marker="o", errorbar=("ci", 95), n_boot=1000, seed=0, ax=ax)
    ax.set(title="Wall time vs signal length", xlabel="signal length (s of audio)",
           ylabel="wall time (s)")
    return save_figure(fig, out / "walltime.png")


def _spec_db(x: np.ndarray) -> np.ndarray:
    power = power_spectrogram(x, n_fft=1024, hop=256).T  # (F, frames)
    return 10 * np.log10(power + 1e-10)


def spectrogram_panels(files: pd.DataFrame, dataset: str, task: str,
                       setting: str) -> list[tuple[str, Path]]:
    """(title, file) per panel for the first item: truth, input (separation: mixture first),
    PnF, then each baseline."""
    group = files[(files.dataset == dataset) & (files.task == task) & (files.setting == setting)]
    truths = group[group.method == "truth"]
    if truths.empty:
        return []
    first = truths.iloc[0]
    panels = [("Ground truth", Path(first["path"]))]
    inp = input_for(files, dataset, task, setting, first["item"], first["clip"])
    if inp is not None:
        panels.insert(0 if task == "separate" else 1,
                      ("Mixture" if inp.stem.endswith("-mix") else "Input", inp))
    others = group[~group.method.isin(["truth", "input"])].method.unique()
    for method in sorted(others, key=lambda m: (m != "pnf", method_key(m))):
        path = find(group, method=method, item=first["item"])
        if path is not None:
            panels.append((method_label(method), path))
    return panels


def fig_spectrogram(files: pd.DataFrame, dataset: str, task: str, setting: str,
                    out: Path) -> Path | None:
    panels = spectrogram_panels(files, dataset, task, setting)
    if not panels:
        return None
    item = dict(panels)["Ground truth"].stem
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3), squeeze=False,
                             sharey=True)
    for ax, (title, path) in zip(axes[0], panels, strict=True):
        spec = _spec_db(load_signal(path))
        ax.imshow(spec, origin="lower", aspect="auto", cmap="magma", vmin=spec.max() - 80,
                  extent=(0, spec.shape[1] * 256 / RATE, 0, RATE / 2000))
        ax.set(title=title, xlabel="time (s)")
        ax.grid(False)
    axes[0][0].set_ylabel("frequency (kHz)")
    fig.suptitle(f"{dataset} · {task} · {setting_label(setting)} · {item}", y=1.04)
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


def write_figures(metrics: str | Path | None, restored: str | Path | None,
                  out: str | Path) -> list[Path]:
    """Every figure whose inputs exist; prints a line for each one skipped."""
    out = Path(out)
    written = []
    sns.set_theme(style="whitegrid", context="notebook")
    if metrics is not None:
        records = read_records(metrics)
        for name, make in (("iterations", fig_iterations), ("walltime", fig_walltime)):
            path = make(records, out)
            if path is None:
                print(f"pnf: figure {name}: no scores for it, skipped", file=sys.stderr)
            written += [path] if path else []
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
