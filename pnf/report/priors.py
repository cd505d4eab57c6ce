"""Prior quality in the report (ours): a table of `pnf evaluate prior` records and a figure
of held-out NLL against training time.

    >>> from pnf.report.priors import write_prior_report
    >>> write_prior_report(["results/smoke/prior-quality/piano-mulaw.json", ...],
    ...                    "results/smoke/tables", experiment="smoke")
    [.../prior-quality.md, .../prior-quality.csv, .../prior-nll.png]

Table: one row per prior (data set and kind from the record's file name, `piano-mulaw`),
bits per sample of the prior (clean history, and at the lowest σ) beside the order-0
histogram and the linear predictor, and its ancestral samples' high-band ratio and flatness
beside the held-out audio's. Figure: the curve each prior logged while it trained
(pnf.priors.curve): held-out bits per sample on validation clips against training minutes,
and the linear predictor's bits on the record's clips as a dashed line of the same colour.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import seaborn as sns

from pnf.report.formats import to_markdown
from pnf.report.savefig import plt, save_figure

COLUMNS = {"prior": "Prior", "bits_clean": "bits/sample (clean)",
           "bits_sigma": "bits/sample (lowest σ)", "bits_histogram": "histogram",
           "bits_linear": "linear prediction", "sample_highband_db": "samples >4k/<4k dB",
           "data_highband_db": "data >4k/<4k dB", "sample_flatness": "samples flatness",
           "data_flatness": "data flatness", "frechet_logmel": "log-mel FD"}


def read_records(paths) -> list[dict]:
    """The records, each with `name` = its file's stem (e.g. piano-mulaw)."""
    out = []
    for p in sorted(Path(p) for p in paths):
        if not p.is_file():
            raise FileNotFoundError(f"{p}: no prior-quality record; run `pnf evaluate prior`")
        out.append({**json.loads(p.read_text()), "name": p.stem})
    return out


def quality_table(records: list[dict]) -> pd.DataFrame:
    rows = [{**{k: r.get(k) for k in COLUMNS}, "prior": r["name"]} for r in records]
    frame = pd.DataFrame(rows, columns=list(COLUMNS)).rename(columns=COLUMNS)
    return frame.set_index("Prior").map(lambda v: "—" if v is None or v != v
                                        else f"{v:.3g}" if isinstance(v, float) else v)


def plot_curves(records: list[dict], out: Path) -> Path:
    """Held-out bits per sample against training minutes, one line per prior (and net)."""
    rows = [{"prior": r["name"] + (f" σ={c['sigma']:g}" if len({d["net"] for d in r["curve"]})
                                   > 1 else ""), "minutes": c["seconds"] / 60, "bits": c["bits"]}
            for r in records for c in r.get("curve", [])]
    fig, ax = plt.subplots(figsize=(6, 3.8))
    if rows:
        frame = pd.DataFrame(rows)
        sns.lineplot(frame, x="minutes", y="bits", hue="prior", marker="o", ax=ax)
        colors = {t.get_text(): h.get_color() for h, t in
                  zip(ax.get_legend().legend_handles, ax.get_legend().texts, strict=False)}
        for r in records:
            ax.axhline(r["bits_linear"], ls="--", lw=1, color=colors.get(r["name"], "grey"))
        ax.legend(fontsize=7)
    else:
        ax.text(0.5, 0.5, "no training curve logged", ha="center", transform=ax.transAxes)
    ax.set(xlabel="training time (minutes)", ylabel="held-out bits per sample ↓",
           title="Held-out NLL while training (validation clips);\n"
                 "dashed: linear prediction on the evaluated clips")
    return save_figure(fig, out)


def write_prior_report(paths, out: str | Path, experiment: str = "") -> list[Path]:
    """prior-quality.md, prior-quality.csv and prior-nll.png under `out`."""
    from pnf.atomic import write_text_atomic

    records, out = read_records(paths), Path(out)
    table = quality_table(records)
    title = (f"Prior quality, experiment {experiment}: held-out bits per sample (lower is "
             "better) and ancestral samples against the held-out audio")
    write_text_atomic(out / "prior-quality.md", to_markdown(table, title))
    write_text_atomic(out / "prior-quality.csv", f"# {title}\n" + table.to_csv())
    return [out / "prior-quality.md", out / "prior-quality.csv",
            plot_curves(records, out / "prior-nll.png")]
