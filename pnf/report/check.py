"""CI checks on the metrics: expected cells present, no metric regressed versus a reference.

    >>> from pnf.report.check import check_metrics, make_reference
    >>> problems = check_metrics("results/smoke/metrics.csv", expect="expect.json",
    ...                          reference="reference.json", tolerance="snr=1,lsd=0.2")

A cell is named `dataset/task/setting/method/source/metric` (source "all" when none), the
same path as in results/<experiment>/metrics.json.

expect.json — lists of values expand to every combination:
    {"cells": [{"dataset": ["piano", "voice"], "task": "superres", "setting": ["x4", "x8"],
                "method": ["spline", "kee", "pnf"], "metric": ["snr", "lsd"]}]}
    ("source" defaults to "all"; an optional "min_n" asks for at least that many items.)

reference.json — the committed means and the allowed slack per metric ("default" for others):
    {"tolerance": {"snr": 1.0, "lsd": 0.2, "default": 0.5},
     "cells": {"piano/superres/x4/pnf/all/snr": 12.3}}
A metric regresses when its mean is worse than the reference by more than its tolerance
(worse = lower, except LSD and seconds, where worse = higher).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pandas as pd

from pnf.metrics import LOWER_IS_BETTER, aggregate, read_records

CELL_FIELDS = ("dataset", "task", "setting", "method", "source", "metric")
DEFAULT_TOLERANCE = 0.5


def cell_name(rec) -> str:
    return "/".join(str(rec[f] or "all") if f == "source" else str(rec[f]) for f in CELL_FIELDS)


def _load_json(path: str | Path, what: str) -> dict:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no {what} file; check the path")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: {what} is not valid JSON ({err})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list | dict):
        raise ValueError(f"{path}: {what} needs a top-level 'cells' entry; see "
                         "`pnf report check --help`")
    return data


def expand_expect(expect: dict) -> list[tuple[str, int]]:
    """Cell names (with their minimum item count) that an expect file asks for."""
    cells = []
    for spec in expect["cells"]:
        missing = [f for f in CELL_FIELDS if f != "source" and f not in spec]
        if missing:
            raise ValueError(f"expect entry {spec} lacks {missing}; give every one of "
                             f"{CELL_FIELDS} (source is optional)")
        values = [spec.get(f, "all") for f in CELL_FIELDS]
        values = [v if isinstance(v, list) else [v] for v in values]
        for combo in itertools.product(*values):
            cells.append((cell_name(dict(zip(CELL_FIELDS, combo, strict=True))),
                          int(spec.get("min_n", 1))))
    return cells


def parse_tolerance(text: str | None) -> dict[str, float]:
    """'0.5' → {'default': 0.5}; 'snr=1,lsd=0.2' → {'snr': 1.0, 'lsd': 0.2}."""
    if not text:
        return {}
    out = {}
    for part in text.split(","):
        name, _, value = part.rpartition("=")
        try:
            out[name.strip() or "default"] = float(value)
        except ValueError:
            raise ValueError(f"tolerance '{part}' is not NAME=NUMBER or NUMBER; "
                             "e.g. --tolerance snr=1,lsd=0.2") from None
    return out


def summary_means(metrics) -> dict[str, tuple[float, int]]:
    summary = metrics if isinstance(metrics, pd.DataFrame) and "metric" in metrics \
        else aggregate(read_records(metrics))
    return {cell_name(r): (float(r["mean"]), int(r["n"])) for r in summary.to_dict("records")}


def check_metrics(metrics, expect=None, reference=None, tolerance: str | None = None) -> list[str]:
    """Problems, one line each: missing cells, too few items, regressions. Empty = pass."""
    means = summary_means(metrics)
    problems = []
    if expect is not None:
        for name, min_n in expand_expect(_load_json(expect, "expect")):
            if name not in means:
                problems.append(f"missing cell {name}")
            elif means[name][1] < min_n:
                problems.append(f"cell {name} has {means[name][1]} items, expected ≥ {min_n}")
    if reference is not None:
        ref = _load_json(reference, "reference")
        tol = {"default": DEFAULT_TOLERANCE, **ref.get("tolerance", {}),
               **parse_tolerance(tolerance)}
        for name, ref_value in sorted(ref["cells"].items()):
            metric = name.rsplit("/", 1)[-1]
            slack = tol.get(metric, tol["default"])
            if name not in means:
                problems.append(f"missing cell {name} (in the reference)")
                continue
            value = means[name][0]
            worse = value - ref_value if metric in LOWER_IS_BETTER else ref_value - value
            if worse > slack:
                problems.append(f"regressed {name}: {value:.3f} vs reference {ref_value:.3f} "
                                f"(tolerance {slack})")
    return problems


def make_reference(metrics, tolerance: str | None = None) -> dict:
    """A reference file's content from the current metrics (round to 4 decimals)."""
    cells = {name: round(mean, 4) for name, (mean, _n) in sorted(summary_means(metrics).items())
             if not name.endswith(("/seconds", "/duration"))}
    tol = {"default": DEFAULT_TOLERANCE, **parse_tolerance(tolerance)}
    return {"tolerance": tol, "cells": cells}
