"""The paper's tables, one per task and dataset, as Markdown, CSV and LaTeX (booktabs).

    >>> from pnf.report.tables import write_tables
    >>> written = write_tables("results/smoke/metrics.csv", "results/smoke/tables",
    ...                        experiment="smoke", data_note="embedded piano, synthetic voice")

Layout (rows = methods): super-resolution and inpainting have one column per factor or gap
with `SNR / LSD` in each cell; separation has source × {SI-SDR, SDR, SIR, SAR}; spectrogram
conditioning has LSD and time with one row per method and iteration count; images have PSNR
per image task. A cell is mean ± standard error over the test clips (n in the caption; one
clip: the mean alone); the best value per column and metric is bold; "—" = no result.
All three formats render the same frame (`layout`); the Markdown is split into blocks of
columns so that no line is wider than MAX_WIDTH characters.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pnf.atomic import write_text_atomic
from pnf.metrics import LOWER_IS_BETTER, read_records
from pnf.report.formats import MISSING, to_latex, to_markdown
from pnf.report.labels import (
    PSEUDO_METHODS,
    method_key,
    method_label,
    metric_label,
    natural_key,
    setting_label,
)
from pnf.report.provenance import footer
from pnf.task_specs import Table, in_report_order

BOLD = {"md": "**{}**", "tex": r"\textbf{{{}}}", "csv": "{}", "html": "<b>{}</b>"}
PM = {"md": " ± ", "tex": r" $\pm$ ", "csv": " ± ", "html": " ± "}


# One table per task that has one (its spec's `table`), in the report's order.
SPECS = tuple(spec.table for spec in in_report_order() if spec.table is not None)


@dataclass(frozen=True)
class Cell:
    mean: float
    se: float  # nan when n < 2
    n: int
    best: bool = False

    def text(self, metric: str, style: str = "md") -> str:
        digits = 2 if metric in LOWER_IS_BETTER else 1
        body = f"{self.mean:.{digits}f}"
        if self.n > 1:
            body += f"{PM[style]}{self.se:.{digits}f}"
        return BOLD[style].format(body) if self.best else body


GATE_METRICS = ("highband_gap", "flatness_gap")   # pnf.measures; read by pnf.report.gate


def summarise(records: pd.DataFrame) -> pd.DataFrame:
    """Long table: dataset, task, setting, method, source, metric, mean, se, n."""
    df = read_records(records)
    shown = {s for spec in SPECS for s in spec.metrics}
    metrics = [m for m in shown | set(GATE_METRICS) if m in df]   # gaps: the claims' gate
    long = df.melt(id_vars=["dataset", "task", "setting", "method", "source"],
                   value_vars=sorted(metrics), var_name="metric").dropna(subset=["value"])
    grouped = long.groupby(["dataset", "task", "setting", "method", "source", "metric"]).value
    out = grouped.agg(mean="mean", sd="std", n="count").reset_index()
    out["se"] = out.sd / np.sqrt(out.n)
    return out.drop(columns="sd")


def _row_key(spec: Table, rec) -> tuple:
    return tuple(rec[f] for f in spec.rows)


def _row_label(row: tuple) -> str:
    label = method_label(row[0])
    return f"{label} ({setting_label(row[1])})" if len(row) > 1 and row[1] else label


def _mark_best(cells: dict, metrics) -> dict:
    """Set best=True on the best mean of each (column, metric) over rows."""
    for col in {c for _, c in cells}:
        for i, metric in enumerate(metrics):
            values = {r: v[i].mean for (r, c), v in cells.items() if c == col and v[i]}
            if len(values) < 2:
                continue
            pick = min if metric in LOWER_IS_BETTER else max
            top = pick(values.values())
            for r, v in values.items():
                if np.isclose(v, top):
                    old = cells[(r, col)][i]
                    cells[(r, col)][i] = Cell(old.mean, old.se, old.n, best=True)
    return cells


def layout(summary: pd.DataFrame, spec: Table, dataset: str) -> pd.DataFrame | None:
    """Rows = methods, columns = (column value, metric group); each cell a list of Cell (one
    per metric of the group) or None. None when there is no score."""
    df = summary[(summary.task == spec.task) & (summary.dataset == dataset)
                 & summary.metric.isin(spec.metrics) & ~summary.method.isin(PSEUDO_METHODS)]
    if df.empty:
        return None
    if "setting" in spec.rows:  # a method with one setting gets no setting in its row label
        single = df.groupby("method").setting.nunique() == 1
        df = df.assign(setting=np.where(single[df.method].to_numpy(), "", df.setting))
    groups = [spec.metrics] if spec.joined else [(m,) for m in spec.metrics]
    cells: dict = {}
    for rec in df.to_dict("records"):
        colval = rec[spec.col] if spec.col else ""
        for group in groups:
            if rec["metric"] in group:
                key = (_row_key(spec, rec), (colval, group))
                cells.setdefault(key, [None] * len(group))
                cells[key][group.index(rec["metric"])] = Cell(rec["mean"], rec["se"],
                                                              int(rec["n"]))
    for group in groups:
        _mark_best({k: v for k, v in cells.items() if k[1][1] == group}, group)
    rows = sorted({r for r, _ in cells}, key=lambda r: (method_key(r[0]),
                                                        *map(natural_key, r[1:])))
    cols = sorted({c for _, c in cells}, key=lambda c: (natural_key(c[0]), groups.index(c[1])))
    data = [[cells.get((r, c)) for c in cols] for r in rows]
    return pd.DataFrame(data, index=pd.Index([_row_label(r) for r in rows], name="Method"),
                        columns=pd.MultiIndex.from_tuples(cols))


def _header(spec: Table, col: tuple) -> str:
    value, group = col
    label = setting_label(value) if spec.col == "setting" else value
    metrics = " / ".join(metric_label(m) for m in group)
    if spec.joined or not label:
        return label or metrics
    return f"{label} · {metrics}"


def render(frame: pd.DataFrame, spec: Table, style: str) -> pd.DataFrame:
    """The frame's cells as text in one style (md, tex or csv)."""
    def text(cell, group):
        if cell is None:
            return MISSING
        return " / ".join(MISSING if c is None else c.text(m, style)
                          for c, m in zip(cell, group, strict=True))
    data = [[text(cell, col[1]) for cell, col in zip(row, frame.columns, strict=True)]
            for row in frame.itertuples(index=False)]
    columns = [_header(spec, c) for c in frame.columns]
    return pd.DataFrame(data, index=frame.index, columns=columns)


def html_tables(metrics: str | Path) -> list[tuple[str, pd.DataFrame]]:
    """(caption, frame of HTML cells) per task and dataset, for the demo page."""
    summary = summarise(read_records(metrics))
    out = []
    for spec in SPECS:
        for dataset in sorted(summary[summary.task == spec.task].dataset.unique(),
                              key=natural_key):
            frame = layout(summary, spec, dataset)
            if frame is not None:
                text = f"{spec.title}, {dataset}. {_stats_note(spec, summary, dataset)}"
                out.append((text, render(frame, spec, "html")))
    return out


def _stats_note(spec: Table, summary: pd.DataFrame, dataset: str | None) -> str:
    sel = summary.task == spec.task
    n = summary[sel & (summary.dataset == dataset) if dataset else sel].n
    items = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
    spread = " ± standard error" if n.max() > 1 else " (one clip: no standard error)"
    return (f"Mean{spread} over n = {items} test items; higher is better except LSD and "
            f"time; best per column in bold; {MISSING} = no result.")


def caption(spec: Table, summary: pd.DataFrame, dataset: str | None, experiment: str,
            data_note: str) -> str:
    where = dataset or "all datasets"
    return (f"{spec.title}, {where}. Experiment: {experiment}; data: {data_note}. "
            + _stats_note(spec, summary, dataset))


def write_tables(metrics: str | Path, out: str | Path, experiment: str,
                 data_note: str) -> list[Path]:
    """Write <task>.{md,csv,tex} (one table per dataset in each) and tables.md."""
    summary = summarise(read_records(metrics))
    out, written, markdown = Path(out), [], []
    for spec in SPECS:
        datasets = sorted(summary[summary.task == spec.task].dataset.unique(), key=natural_key)
        md, tex, csv = [], [], []
        for dataset in datasets:
            frame = layout(summary, spec, dataset)
            if frame is None:
                continue
            title = caption(spec, summary, dataset, experiment, data_note)
            md.append(to_markdown(render(frame, spec, "md"), title))
            tex.append(to_latex(render(frame, spec, "tex"), title, f"{spec.name}-{dataset}"))
            csv.append((dataset, render(frame, spec, "csv")))
        if not md:
            print(f"pnf: table {spec.name}: no '{spec.task}' scores, skipped", file=sys.stderr)
            continue
        both = pd.concat(dict(csv), names=["Dataset"]).fillna(MISSING)
        note = caption(spec, summary, None, experiment, data_note)
        for ext, text in (("md", "\n".join(md) + footer("md")),
                          ("tex", "\n".join(tex) + footer("tex")),
                          ("csv", f"# {note}\n" + both.to_csv() + footer("csv"))):
            write_text_atomic(out / f"{spec.name}.{ext}", text)
            written.append(out / f"{spec.name}.{ext}")
        markdown.append("\n".join(md))
    if not written:
        raise ValueError(f"{metrics}: no scores for any table (tasks "
                         f"{[s.task for s in SPECS]}); run `pnf evaluate collect` first")
    write_text_atomic(out / "tables.md", "\n".join(markdown) + footer("md"))
    return [*written, out / "tables.md"]
