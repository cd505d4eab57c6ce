"""The paper's tables (CSV, Markdown, LaTeX) from the per-item metrics CSV.

    >>> from pnf.report.tables import write_tables
    >>> written = write_tables("results/metrics.csv", "results/tables", experiment="smoke",
    ...                        data_note="embedded piano, synthetic voice")

Cells show the mean over items; the CSV adds the 95% bootstrap interval of the mean. A cell
whose method and column both exist elsewhere in the table but that has no score is "—".
Key fields that vary but are not part of a table's layout (say two datasets in separation)
become extra, outer column levels, so no two results ever share a cell.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pnf.atomic import write_text_atomic
from pnf.metrics import aggregate, read_records
from pnf.report.labels import (
    PSEUDO_METHODS,
    method_key,
    method_label,
    metric_label,
    natural_key,
    setting_label,
)

MISSING = "—"


@dataclass(frozen=True)
class TableSpec:
    name: str  # file stem
    title: str
    task: str
    cols: tuple[str, ...]  # column levels, from: dataset, setting, source, metric
    metrics: tuple[str, ...]
    rows: tuple[str, ...] = ("method",)  # row levels, from: method, setting


SPECS = (
    TableSpec("superres", "Audio super-resolution", "superres",
              ("setting", "dataset", "metric"), ("snr", "lsd")),
    TableSpec("separation", "Source separation (piano + voice)", "separate",
              ("source", "metric"), ("sdr", "si_sdr", "sir", "sar")),
    TableSpec("inpainting", "Audio inpainting", "inpaint",
              ("setting", "dataset", "metric"), ("snr", "lsd")),
    TableSpec("spectrogram", "Spectrogram-conditioned generation: PnF vs ancestral sampling",
              "spectrogram", ("dataset", "metric"), ("lsd", "seconds"), ("method", "setting")),
    TableSpec("images", "PixelCNN++ on images: PSNR (dB)", "images", ("setting", "metric"),
              ("psnr",)),
)
_FIELDS = ("dataset", "setting", "source")


def _label(field: str, value: str) -> str:
    if field == "metric":
        return metric_label(value)
    return setting_label(value) if field == "setting" else (value or "all")


def _sort_key(field: str, value: str, spec: TableSpec):
    if field == "method":
        return method_key(value)
    if field == "metric":
        return spec.metrics.index(value)
    return natural_key(value)


def table_cells(summary: pd.DataFrame, spec: TableSpec):
    """(rows, cols, cells): sorted key tuples and {(row, col): summary row} for one table."""
    df = summary[(summary.task == spec.task) & summary.metric.isin(spec.metrics)
                 & ~summary.method.isin(PSEUDO_METHODS)]
    if df.empty:
        return [], [], {}, ()
    if "setting" in spec.rows:  # one row per method and setting, but a lone setting is no row
        single = df.groupby("method").setting.nunique() == 1
        df = df.assign(setting=[("" if single[m] else s) for m, s in zip(df.method, df.setting,
                                                                         strict=True)])
    extra = tuple(f for f in _FIELDS if f not in spec.cols + spec.rows and df[f].nunique() > 1)
    cols_fields = extra + spec.cols
    cells = {}
    for rec in df.to_dict("records"):
        row = tuple(rec[f] for f in spec.rows)
        col = tuple(rec[f] for f in cols_fields)
        cells[(row, col)] = rec

    def order(keys, fields):
        return sorted(set(keys), key=lambda k: tuple(_sort_key(f, v, spec)
                                                     for f, v in zip(fields, k, strict=True)))
    rows = order([r for r, _ in cells], spec.rows)
    cols = order([c for _, c in cells], cols_fields)
    return rows, cols, cells, cols_fields


def _row_label(spec: TableSpec, row: tuple) -> str:
    label = method_label(row[0])
    return f"{label} ({setting_label(row[1])})" if len(row) > 1 and row[1] else label


def build_table(summary: pd.DataFrame, spec: TableSpec, with_ci: bool = False):
    """A DataFrame of formatted cells in the paper's layout, or None when there is no input."""
    rows, cols, cells, cols_fields = table_cells(summary, spec)
    if not rows:
        return None
    columns = pd.MultiIndex.from_tuples(
        [tuple(_label(f, v) for f, v in zip(cols_fields, c, strict=True)) for c in cols])
    data = []
    for row in rows:
        line = []
        for col in cols:
            rec = cells.get((row, col))
            if rec is None:
                line.append(MISSING)
            elif with_ci:
                line.append(f"{rec['mean']:.2f} [{rec['ci_low']:.2f}, {rec['ci_high']:.2f}]")
            else:
                line.append(f"{rec['mean']:.2f}")
        data.append(line)
    index = pd.Index([_row_label(spec, r) for r in rows], name="Method")
    return pd.DataFrame(data, index=index, columns=columns)


def caption(spec: TableSpec, summary: pd.DataFrame, experiment: str, data_note: str) -> str:
    n = summary[summary.task == spec.task].n
    items = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
    return (f"{spec.title}. Experiment: {experiment}; data: {data_note}. Mean over {items} "
            "test items (95% bootstrap interval of the mean in the CSV); higher is better "
            f"except LSD and time; {MISSING} = no result.")


def to_markdown(table: pd.DataFrame, title: str) -> str:
    header = [table.index.name] + [" · ".join(c) for c in table.columns]
    lines = [f"**{title}**", "", "| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * len(table.columns)) + "|"]
    for label, row in table.iterrows():
        lines.append("| " + " | ".join([label, *row.tolist()]) + " |")
    return "\n".join(lines) + "\n"


def to_latex(table: pd.DataFrame, title: str, name: str) -> str:
    tex = table.to_latex(caption=title, label=f"tab:{name}", multicolumn=True,
                         multicolumn_format="c", column_format="l" + "r" * len(table.columns))
    return tex.replace("×", r"$\times$").replace(MISSING, "--").replace("–", "--")


def write_tables(metrics: str | Path, out: str | Path, experiment: str,
                 data_note: str) -> list[Path]:
    """Write every table whose inputs exist; return the files written."""
    summary = aggregate(read_records(metrics))
    out, written, markdown = Path(out), [], []
    for spec in SPECS:
        table = build_table(summary, spec)
        if table is None:
            print(f"pnf: table {spec.name}: no '{spec.task}' scores, skipped", file=sys.stderr)
            continue
        title = caption(spec, summary, experiment, data_note)
        ci_table = build_table(summary, spec, with_ci=True)
        files = {f"{spec.name}.csv": f"# {title}\n" + ci_table.to_csv(),
                 f"{spec.name}.md": to_markdown(table, title),
                 f"{spec.name}.tex": to_latex(table, title, spec.name)}
        for fname, text in files.items():
            write_text_atomic(out / fname, text)
            written.append(out / fname)
        markdown.append(files[f"{spec.name}.md"])
    if not written:
        raise ValueError(f"{metrics}: no scores for any table (tasks "
                         f"{[s.task for s in SPECS]}); run `pnf evaluate collect` first")
    write_text_atomic(out / "tables.md", "\n".join(markdown))
    return [*written, out / "tables.md"]
