"""Rule kinds of the claims table (ours): a rule from the experiment config's `claims:` section
becomes one pass/fail per cell plus the numbers behind it. Rules are plain mappings, read as
data and never evaluated as code.

    >>> from pnf.report.claim_rules import KINDS
    >>> sorted(KINDS)
    ['beats', 'faster', 'matches', 'monotone', 'reaches', 'within']

A cell is (dataset, setting, source) of one task and metric. `method` and `against` are a
glob or a list of globs over method names; per cell the best matching mean counts, so "pnf*"
is the best PnF variant (pnf, pnf-warm, pnf-mean, ...) and [convtasnet, demucs] the better
separator. d = (method − against) with the sign turned so that d > 0 is better (LSD, time:
lower is better); tolerance = margin, or margin × |against| when `relative`.
    beats     d > tolerance            within   d ≥ −tolerance       matches  |d| ≤ tolerance
    reaches   method at least as good as `value`
    monotone  over the settings in natural order (1, 2, 4 it.): last better than first and no
              step worse by more than `margin` (default 1) combined standard errors
    faster    PnF's wall time below cached ancestral sampling's at the longest length (or
              `length`), `where`: measured (this machine) or projected (GPU), walltime.csv
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

import numpy as np
import pandas as pd

from pnf.metrics import LOWER_IS_BETTER
from pnf.report.labels import PSEUDO_METHODS, method_label, metric_label, natural_key, setting_label

CELL = ["dataset", "setting", "source"]
TESTS = {"beats": lambda d, tol: d > tol, "within": lambda d, tol: d >= -tol,
         "matches": lambda d, tol: abs(d) <= tol}


@dataclass(frozen=True)
class Data:
    summary: pd.DataFrame  # pnf.report.tables.summarise: one row per cell, method and metric
    walltime: pd.DataFrame | None = None  # walltime.csv of pnf.report.walltime, if measured
    benchmarks: pd.DataFrame | None = None  # pnf.report.budget.read_benchmarks of this run


@dataclass
class Evidence:
    passed: list[bool] = field(default_factory=list)  # one per cell
    lines: list[str] = field(default_factory=list)  # the numbers, one line per cell
    n: set[int] = field(default_factory=set)  # items behind each mean
    notes: list[str] = field(default_factory=list)  # why the gate refused it (pnf.report.gate)

    def ok(self, share: float = 1.0) -> bool:
        return bool(self.passed) and sum(self.passed) >= share * len(self.passed) - 1e-9


def _sign(metric: str) -> int:
    return -1 if metric in LOWER_IS_BETTER else 1


def _globs(selector) -> list[str]:
    return [selector] if isinstance(selector, str) else list(selector)


def _side(data: Data, rule: dict, selector, settings) -> pd.DataFrame:
    """The best mean per cell among the methods `selector` matches, within the rule's scope."""
    s = data.summary
    s = s[(s.task == rule["task"]) & (s.metric == rule["metric"])
          & ~s.method.isin(PSEUDO_METHODS)]
    s = s[np.array([any(fnmatchcase(m, g) for g in _globs(selector)) for m in s.method], bool)]
    for key, col in (("datasets", "dataset"), ("sources", "source")):
        if rule.get(key):
            s = s[s[col].isin(rule[key])]
    if settings == "last":
        last = s.groupby("dataset").setting.transform(lambda v: max(v, key=natural_key))
        s = s[(s.setting == last).to_numpy(bool)]
    elif settings:
        s = s[s.setting.isin(settings)]
    s = s.assign(score=s["mean"] * _sign(rule["metric"])).sort_values("score", ascending=False)
    return s.drop_duplicates(CELL)


def _where(rec: dict) -> str:
    parts = [rec["source"] or rec["dataset"], setting_label(rec["setting"])]
    return " ".join(p for p in parts if p)


def _value(rec: dict, metric: str, suffix: str = "") -> str:
    from pnf.report.tables import Cell

    cell = Cell(rec["mean" + suffix], rec["se" + suffix], int(rec["n" + suffix]))
    return f"{method_label(rec['method' + suffix])} {cell.text(metric, 'csv')}"


def _compare(data: Data, rule: dict) -> Evidence | None:
    """beats / within / matches: the method against the best `against` method, per cell."""
    mine = _side(data, rule, rule.get("method", "pnf*"), rule.get("settings"))
    theirs = _side(data, rule, rule["against"], rule.get("against_settings",
                                                         rule.get("settings")))
    key = ["dataset", "source"] + ([] if "against_settings" in rule else ["setting"])
    pairs = mine.merge(theirs, on=key, suffixes=("", "_vs")).drop_duplicates(CELL)
    if pairs.empty:
        return None
    ev, test, metric = Evidence(), TESTS[rule["kind"]], rule["metric"]
    for rec in pairs.sort_values(CELL, key=lambda c: c.map(natural_key)).to_dict("records"):
        d = _sign(metric) * (rec["mean"] - rec["mean_vs"])
        margin = rule.get("margin", 0.0)
        ev.passed.append(bool(test(d, margin * abs(rec["mean_vs"]) if rule.get("relative")
                                   else margin)))
        ev.lines.append(f"{_where(rec)}: {_value(rec, metric)} vs {_value(rec, metric, '_vs')}")
        ev.n |= {int(rec["n"]), int(rec["n_vs"])}
    return ev


def _reaches(data: Data, rule: dict) -> Evidence | None:
    mine = _side(data, rule, rule.get("method", "pnf*"), rule.get("settings"))
    ev, metric = Evidence(), rule["metric"]
    for rec in mine.sort_values(CELL, key=lambda c: c.map(natural_key)).to_dict("records"):
        ev.passed.append(bool(_sign(metric) * (rec["mean"] - rule["value"]) >= 0))
        ev.lines.append(f"{_where(rec)}: {_value(rec, metric)}")
        ev.n.add(int(rec["n"]))
    return ev if ev.passed else None


def _monotone(data: Data, rule: dict) -> Evidence | None:
    mine = _side(data, rule, rule.get("method", "pnf*"), rule.get("settings"))
    ev, metric, sign = Evidence(), rule["metric"], _sign(rule["metric"])
    for (dataset, source), run in mine.groupby(["dataset", "source"]):
        run = run.sort_values("setting", key=lambda c: c.map(natural_key))
        if len(run) < 2:
            continue
        m, se = run["mean"].to_numpy() * sign, np.nan_to_num(run.se.to_numpy())
        slack = rule.get("margin", 1.0) * np.hypot(se[1:], se[:-1])
        ev.passed.append(bool(m[-1] > m[0] and np.all(np.diff(m) >= -slack)))
        steps = " → ".join(_value(r, metric).split(" ", 1)[1] for r in run.to_dict("records"))
        labels = ", ".join(setting_label(s) for s in run.setting)
        ev.lines.append(f"{source or dataset}: {steps} ({labels})")
        ev.n |= set(run.n.astype(int))
    return ev if ev.passed else None


WALLTIME = {"measured": ("pnf_s", "ancestral_s"), "projected": ("pnf_gpu_s", "ancestral_gpu_s")}


def _faster(data: Data, rule: dict) -> Evidence | None:
    from pnf.report.walltime import crossover

    df = data.walltime
    if df is None or df.empty:
        return None
    length = rule.get("length", df.seconds.max())
    row = df.iloc[int(np.argmin(np.abs(df.seconds.to_numpy() - length)))]
    pnf, anc = WALLTIME[rule.get("where", "measured")]
    ev = Evidence(passed=[bool(row[pnf] < row[anc])])  # n: one timing per length

    def sec(v):
        return f"{v:.3g} s" if v < 1000 else f"{v:,.0f} s"
    for where, (p, a) in WALLTIME.items():
        cross = crossover(df.seconds.to_numpy(), df[p].to_numpy(), df[a].to_numpy())
        at = "no crossover" if cross is None else f"crossover ≈ {cross:.2g} s"
        ev.lines.append(f"{where}, {row.seconds:g} s of audio: PnF {sec(row[p])} vs ancestral "
                        f"{sec(row[a])} ({at}; one timing)")
    if data.benchmarks is not None:
        from pnf.report.budget import sampling_line

        ev.lines.append(sampling_line(data.benchmarks))
    return ev


KINDS = {"beats": _compare, "within": _compare, "matches": _compare, "reaches": _reaches,
         "monotone": _monotone, "faster": _faster}
REQUIRED = {"beats": ("task", "metric", "against"), "within": ("task", "metric", "against"),
            "matches": ("task", "metric", "against"), "reaches": ("task", "metric", "value"),
            "monotone": ("task", "metric"), "faster": ()}


DB = {"snr", "si_sdr", "sdr", "sir", "sar", "psnr"}


def _label(selector) -> str:
    names = ["best PnF variant" if g == "pnf*" else method_label(g) for g in _globs(selector)]
    if len(names) > 1:
        return ("better of " if len(names) == 2 else "best of ") + ", ".join(names)
    return names[0]


def _amount(rule: dict, key: str = "margin", default: float = 0.0) -> str:
    value = rule.get(key, default)
    if rule.get("relative") and key == "margin":
        return f"{value:.0%}"
    return f"{value:g}" + (" dB" if rule.get("metric") in DB else "")


def _scope(rule: dict) -> str:
    settings = rule.get("settings")
    where = ("at the last setting" if settings == "last" else
             "at " + ", ".join(map(setting_label, settings)) if settings else
             "in every dataset" if rule["kind"] == "monotone" else "in every cell")
    for key, word in (("datasets", "of"), ("sources", "for")):
        if rule.get(key):
            where += f" {word} " + ", ".join(rule[key])
    share = rule.get("share", 1.0)
    return where + ("" if share >= 1 else f", in ≥ {share:.0%} of the cells")


def _phrase(rule: dict) -> str:
    kind, metric, me = rule["kind"], metric_label(rule.get("metric", "")), _label(
        rule.get("method", "pnf*"))
    vs = _label(rule.get("against", ""))
    over = f" by more than {_amount(rule)}" if rule.get("margin") else ""
    return {
        "beats": f"{me} beats {vs} on mean {metric}{over}",
        "within": f"{me} at most {_amount(rule)} worse than {vs} on mean {metric}",
        "matches": f"{me} within ± {_amount(rule)} of {vs} on mean {metric}",
        "reaches": f"{me} mean {metric} {'≤' if rule.get('metric') in LOWER_IS_BETTER else '≥'}"
                   f" {_amount(rule, 'value')}",
        "monotone": f"{me} mean {metric} better at the last setting than at the first, no step "
                    f"worse by more than {rule.get('margin', 1.0):g} combined s.e.",
        "faster": f"PnF's wall time below cached ancestral sampling's at "
                  f"{rule['length']:g} s" if "length" in rule else "PnF's wall time below "
                  "cached ancestral sampling's at the longest length",
    }[kind]


def describe(rule: dict) -> str:
    """The rule in words, e.g. 'best PnF variant beats Spline on mean LSD at every setting'."""
    text = _phrase(rule) + ("" if rule["kind"] == "faster" else " " + _scope(rule))
    if rule["kind"] == "faster":
        text += f" ({rule.get('where', 'measured')})"
    if rule.get("partly"):
        loose = {**rule, **rule["partly"]}
        changed = [("share", lambda: f"in ≥ {loose['share']:.0%} of the cells"),
                   ("margin", lambda: f"margin {_amount(loose)}"),
                   ("where", lambda: loose["where"]), ("value", lambda: _amount(loose, "value")),
                   ("settings", lambda: _scope({**loose, "share": 1}))]
        words = [say() for key, say in changed if key in rule["partly"]]
        text += "; partly: " + (", ".join(words) or "see config")
    return text
