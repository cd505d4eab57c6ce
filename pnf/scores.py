"""Score records: one flat JSON record per restored item, collected into a table and
aggregated (mean, median, bootstrap 95% CI) into metrics CSV + JSON.

    >>> from pnf.scores import collect, write_metrics
    >>> records = collect("results/smoke/scores")            # DataFrame, columns RECORD_KEYS
    >>> write_metrics(records, "results/smoke/metrics.csv", "results/smoke/metrics.json")
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from pnf.atomic import write_json, write_text_atomic
from pnf.measures import METRICS

LOWER_IS_BETTER = {"lsd", "seconds"}
KEYS = ("dataset", "task", "setting", "method", "item", "source")
RECORD_KEYS = (*KEYS, "factor", "gap_ms", "iterations", "seconds", "duration", *METRICS)
GROUP_KEYS = ("dataset", "task", "setting", "method", "source")
STATS = ("mean", "median", "ci_low", "ci_high", "n")


def write_record(path: str | Path, record: dict) -> None:
    write_json(path, record)


def collect(scores: str | Path | Sequence[str | Path]) -> pd.DataFrame:
    """Per-item JSON records as one DataFrame (columns RECORD_KEYS): every record under the
    folder `scores`, or exactly the listed record files (the pipeline's own, so records left
    by an earlier configuration do not leak into the tables)."""
    if isinstance(scores, (str, Path)):
        files = sorted(Path(scores).rglob("*.json"))
    else:
        files = [Path(f) for f in scores]
    if not files:
        raise FileNotFoundError(f"{scores}: no score records (*.json) found; run "
                                "`pnf evaluate item` first")
    rows = []
    for f in tqdm(files, desc="collect scores", unit="file", disable=None):
        try:
            rows.append(json.loads(f.read_text()))
        except json.JSONDecodeError as err:
            raise ValueError(f"{f}: not a JSON score record ({err}); delete and re-score it") \
                from None
    return read_records(pd.DataFrame(rows))


def read_records(records: pd.DataFrame | str | Path) -> pd.DataFrame:
    """Normalise a record table (or a metrics CSV path): every RECORD_KEYS column present."""
    if not isinstance(records, pd.DataFrame):
        if not Path(records).is_file():
            raise FileNotFoundError(f"{records}: no metrics CSV; run `pnf evaluate collect`")
        records = pd.read_csv(records, keep_default_na=False, na_values=[""],
                              dtype=dict.fromkeys(KEYS, str))
    df = records.copy()
    for key in RECORD_KEYS:
        if key not in df:
            df[key] = None
    for key in KEYS:
        df[key] = df[key].astype("string").fillna("").astype(str)
    for key in RECORD_KEYS[len(KEYS):]:
        df[key] = pd.to_numeric(df[key], errors="coerce")
    return df.sort_values(list(KEYS)).reset_index(drop=True)


def bootstrap_ci(values: np.ndarray, resamples: int = 1000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (fixed seed: reruns give the same numbers)."""
    values = np.asarray(values, np.float64)
    if len(values) == 1:
        return float(values[0]), float(values[0])
    idx = np.random.default_rng(seed).integers(0, len(values), (resamples, len(values)))
    means = values[idx].mean(axis=1)  # (resamples,)
    tail = 100 * (1 - level) / 2
    return float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail))


def aggregate(records: pd.DataFrame, resamples: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Long table: one row per (GROUP_KEYS, metric) with mean, median, 95% CI and n.

    Also carries factor, gap_ms and iterations (first value in the group). `seconds` and
    `duration` are aggregated like metrics.
    """
    df = read_records(records)
    rows = []
    for key, group in df.groupby(list(GROUP_KEYS), sort=True):
        meta = {k: group[k].dropna().iloc[0] if group[k].notna().any() else None
                for k in ("factor", "gap_ms", "iterations")}
        for metric in (*METRICS, "seconds", "duration"):
            values = group[metric].dropna().to_numpy()
            if len(values) == 0:
                continue
            low, high = bootstrap_ci(values, resamples, seed)
            rows.append({**dict(zip(GROUP_KEYS, key, strict=True)), **meta, "metric": metric,
                         "mean": float(values.mean()), "median": float(np.median(values)),
                         "ci_low": low, "ci_high": high, "n": int(len(values))})
    return pd.DataFrame(rows, columns=[*GROUP_KEYS, "factor", "gap_ms", "iterations",
                                       "metric", *STATS])


def to_nested(summary: pd.DataFrame) -> dict:
    """dataset → task → setting → method → source ("all" when none) → metric → stats."""
    out: dict = {}
    for row in summary.itertuples(index=False):
        node = out
        for key in (row.dataset, row.task, row.setting, row.method, row.source or "all"):
            node = node.setdefault(key, {})
        node[row.metric] = {s: (int(row.n) if s == "n" else round(float(getattr(row, s)), 6))
                            for s in STATS}
    return out


def write_metrics(records: pd.DataFrame, out_csv: str | Path, out_json: str | Path) -> None:
    """All per-item records as CSV and the hierarchical summary as JSON (for DVC), atomically."""
    df = read_records(records)
    write_text_atomic(out_csv, df[list(RECORD_KEYS)].to_csv(index=False))
    nested = to_nested(aggregate(df))
    write_text_atomic(out_json, json.dumps(nested, indent=1, sort_keys=True) + "\n")
