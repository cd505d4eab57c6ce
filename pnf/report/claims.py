"""The claims table (ours): one row per claim of the project page, its numbers and a verdict
computed from rules written in the experiment config (`claims:`), never typed by hand.

    >>> from pnf.report.claims import load_claims, claims_frame, write_claims
    >>> claims = load_claims("experiments/small.yaml")        # the `claims:` section
    >>> frame = claims_frame(claims, "results/smoke/metrics.csv",
    ...                      "results/smoke/figures/walltime.csv")
    >>> frame.columns.tolist()
    ['Claim', 'Metric', 'Ours (mean ± s.e.)', 'Verdict', 'Rule']

A claim lists tests (rule kinds: pnf.report.claim_rules). A test holds when its rule passes
in at least `share` (default: all) of its cells; else it is `partly` when the rule passes with
the fields of its `partly:` mapping put in; else it does not hold at this budget; "not run"
when no cell has data. With an adequacy gate (pnf.report.gate), a test that ran but whose
compared outputs or prior fail it is "not testable at this budget", with the measured
reasons, whatever its rule says. A claim is not testable when any of its tests is; else it
holds when every test holds, does not hold when every test that ran does not, is "not run"
when none ran, and is partly otherwise.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from pnf.experiments import read_experiment
from pnf.report.claim_rules import KINDS, REQUIRED, Data, Evidence, describe
from pnf.report.labels import metric_label

HOLDS, PARTLY, NOT_HOLD, NOT_RUN = "holds", "partly", "does not hold at this budget", "not run"
NOT_TESTABLE = "not testable at this budget"   # the outputs compared fail the gate
COLUMNS = ["Claim", "Metric", "Ours (mean ± s.e.)", "Verdict", "Rule"]
FIELDS = {"kind", "task", "metric", "method", "against", "datasets", "settings",
          "against_settings", "sources", "margin", "relative", "value", "share", "length",
          "where", "partly"}
JOIN = {"md": "<br>", "csv": "; ", "html": "<br>"}


def _check_test(test, where: str) -> None:
    if not isinstance(test, dict) or test.get("kind") not in KINDS:
        raise ValueError(f"{where}: each test needs `kind:` one of {sorted(KINDS)}")
    loose = FIELDS - {"partly", "kind", "task"}  # what a `partly:` mapping may change
    unknown = sorted(set(test) - FIELDS) + sorted(set(test.get("partly") or {}) - loose)
    missing = [f for f in REQUIRED[test["kind"]] if f not in test]
    if unknown or missing:
        raise ValueError(f"{where}: unknown field(s) {unknown} / missing {missing}; see "
                         "pnf/report/claim_rules.py for the fields of each kind")


def load_claims(path: str | Path) -> list[dict]:
    """The `claims:` list of an experiment YAML (or of a YAML holding only that section)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no claims file; give an experiment YAML with a "
                                "`claims:` section, e.g. experiments/small.yaml")
    claims = read_experiment(path).get("claims")
    if not isinstance(claims, list) or not claims:
        raise ValueError(f"{path}: no `claims:` list; see experiments/small.yaml for one")
    for i, claim in enumerate(claims):
        where = f"{path}: claims[{i}]"
        if not isinstance(claim, dict) or not isinstance(claim.get("claim"), str) \
                or not isinstance(claim.get("tests"), list) or not claim["tests"]:
            raise ValueError(f"{where}: needs `claim:` (text) and a non-empty `tests:` list")
        for j, test in enumerate(claim["tests"]):
            _check_test(test, f"{where}.tests[{j}]")
    return claims


def judge(data: Data, test: dict) -> tuple[str, Evidence | None]:
    """(verdict, evidence) of one test."""
    evidence = KINDS[test["kind"]](data, test)
    if evidence is None:
        return NOT_RUN, None
    if evidence.ok(test.get("share", 1.0)):
        return HOLDS, evidence
    if test.get("partly"):
        loose = {**test, **test["partly"]}
        again = KINDS[loose["kind"]](data, loose)
        if again is not None and again.ok(loose.get("share", 1.0)):
            return PARTLY, evidence
    return NOT_HOLD, evidence


def combine(verdicts: list[str]) -> str:
    if NOT_TESTABLE in verdicts:
        return NOT_TESTABLE
    ran = [v for v in verdicts if v != NOT_RUN]
    if not ran:
        return NOT_RUN
    if all(v == HOLDS for v in verdicts):
        return HOLDS
    return NOT_HOLD if all(v == NOT_HOLD for v in ran) else PARTLY


def _numbers(evidence: Evidence | None) -> list[str]:
    if evidence is None:
        return ["no data"]
    n = sorted(evidence.n)
    if not n:
        return evidence.lines + evidence.notes
    items = f"n = {n[0]}" if len(n) == 1 else f"n = {n[0]}–{n[-1]}"
    return [*evidence.lines[:-1], f"{evidence.lines[-1]} ({items} per mean)", *evidence.notes]


def gated(data: Data, test: dict, gate=None) -> tuple[str, Evidence | None]:
    """judge(), then the gate: a test that ran on inadequate outputs is not testable."""
    verdict, evidence = judge(data, test)
    reasons = [] if gate is None or verdict == NOT_RUN else gate.reasons(data, test)
    if reasons:
        evidence.notes = [f"gate: {r}" for r in reasons]
        return NOT_TESTABLE, evidence
    return verdict, evidence


def claim_row(data: Data, claim: dict, gate=None) -> dict:
    """One row of the table; text cells are lists of lines (joined per output format).

    gate: a pnf.report.gate.Gate (None: no gate).
    """
    judged = [gated(data, test, gate) for test in claim["tests"]]
    many = len(judged) > 1
    ours, rules = [], []
    for i, (test, (verdict, evidence)) in enumerate(zip(claim["tests"], judged, strict=True)):
        head = f"({i + 1}) " if many else ""
        ours += [head + line if k == 0 else line for k, line in enumerate(_numbers(evidence))]
        rules.append(head + describe(test) + (f" [{verdict}]" if many else ""))
    metrics = dict.fromkeys("wall time" if t["kind"] == "faster" else metric_label(t["metric"])
                            for t in claim["tests"])
    return {"Claim": claim["claim"], "Metric": ", ".join(metrics), "Ours (mean ± s.e.)": ours,
            "Verdict": combine([v for v, _ in judged]), "Rule": rules}


def read_walltime(path: str | Path | None) -> pd.DataFrame | None:
    return pd.read_csv(path) if path is not None and Path(path).is_file() else None


def claims_frame(claims: list[dict], metrics: str | Path | pd.DataFrame,
                 walltime: str | Path | pd.DataFrame | None = None, gate=None,
                 benchmarks: pd.DataFrame | None = None) -> pd.DataFrame:
    """The table: one row per claim, COLUMNS; `walltime` is walltime.csv (may be absent);
    `gate` a pnf.report.gate.Gate (None: verdicts without the adequacy gate); `benchmarks`
    the run's records (pnf.report.budget.read_benchmarks; may be absent)."""
    from pnf.metrics import read_records
    from pnf.report.tables import summarise

    if not isinstance(walltime, pd.DataFrame):
        walltime = read_walltime(walltime)
    data = Data(summarise(read_records(metrics)), walltime, benchmarks)
    return pd.DataFrame([claim_row(data, c, gate) for c in claims], columns=COLUMNS)


def render(frame: pd.DataFrame, style: str) -> pd.DataFrame:
    """Text cells for one style (md, csv, html): line lists joined, HTML escaped."""
    def cell(value):
        lines = value if isinstance(value, list) else [value]
        if style == "html":
            lines = [html.escape(str(v)) for v in lines]
        elif style == "md":
            lines = [str(v).replace("|", "\\|") for v in lines]
        return JOIN[style].join(map(str, lines))
    return frame.map(cell)


def to_markdown(frame: pd.DataFrame, title: str) -> str:
    text = render(frame, "md")
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(":---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in text.itertuples(index=False)]
    return f"**{title}**\n\n" + "\n".join(lines) + "\n"


def write_claims(frame: pd.DataFrame, out: str | Path, experiment: str) -> list[Path]:
    """claims.md and claims.csv under `out`."""
    from pnf.atomic import write_text_atomic
    from pnf.report.provenance import footer

    title = (f"Claims of the project page, experiment {experiment}: verdicts computed from "
             "the rules in its config")
    out = Path(out)
    write_text_atomic(out / "claims.md", to_markdown(frame, title) + footer("md"))
    write_text_atomic(out / "claims.csv", f"# {title}\n" + render(frame, "csv").to_csv(
        index=False) + footer("csv"))
    return [out / "claims.md", out / "claims.csv"]
