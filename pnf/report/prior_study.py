"""The prior study's report (ours): which prior gives the most quality per CPU minute.

    >>> from pnf.report.prior_study import write_prior_study
    >>> write_prior_study(["results/small/study/priors/voice-16k.json", ...],
    ...                   "results/small/study/priors", rules="experiments/small.yaml")
    [.../prior-study.md, .../prior-study.csv, .../prior-study.png, .../prior-study-nll.png,
     .../prior-study-samples.png]

Each variant NAME has these files side by side (rules/study.smk writes them): NAME.json,
its `pnf evaluate prior` record on validation clips, and NAME-samples/, its ancestral
samples; NAME.yaml, the `pnf train prior` config it was trained with (what the variant is);
NAME.tsv, the training job's Snakemake benchmark record (`cpu_time`, the cost axis: CPU
seconds do not grow when other jobs share the machine, wall seconds do). Samples are
compared with the held-out audio through the prior's quantizer, as the gate does
(pnf.report.gate.quantizer_floor). Bits per sample compare only at equal sample rate and
quantization; the gain over the linear predictor in the same bins, and the samples' spectra
against the held-out audio at the prior's rate, compare across rates. The verdict is the
claims' adequacy gate (pnf/report/gate.py) applied to the prior alone.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns

from pnf.report.formats import to_markdown
from pnf.report.savefig import plt, save_figure


def describe(cfg: dict) -> str:
    """'16 kHz mulaw · 16/32/16 · 10×1 layers · 1500 steps · crop 2048×8' from a train config."""
    m, t = cfg.get("model", {}), cfg.get("training", {})
    widths = "/".join(str(m.get(k, "?")) for k in ("residual_channels", "gate_channels",
                                                   "skip_channels"))
    return (f"{m.get('rate', 22050) / 1000:g} kHz {m.get('quantization', 'mulaw')} · {widths} · "
            f"{m.get('layers', '?')}×{m.get('cycles', 1)} layers · {t.get('steps', '?')} steps · "
            f"crop {cfg.get('crop', '?')}×{t.get('batch_size', '?')}")


def cpu_minutes(tsv: Path) -> float:
    """The training job's CPU minutes from its benchmark record (NaN when it has none)."""
    if not tsv.is_file():
        return float("nan")
    with tsv.open() as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return sum(float(r["cpu_time"]) for r in rows) / 60 if rows else float("nan")


def study_rows(paths, gate) -> list[dict]:
    """One row per variant: what it is, its cost, its quality and the gate's verdict."""
    import yaml

    from pnf.report.gate import sample_gaps

    paths = sorted(Path(p) for p in paths)
    records = {p.stem: json.loads(p.read_text()) for p in paths}
    gate.priors = records
    rows = []
    for p in paths:
        rec, cfg = records[p.stem], yaml.safe_load(p.with_suffix(".yaml").read_text())
        reasons = gate.prior_reasons(p.stem)
        highband, flatness, _ = sample_gaps(rec)
        rows.append({
            "variant": p.stem, "prior": describe(cfg),
            "cpu_minutes": cpu_minutes(p.with_suffix(".tsv")),
            "bits": rec["bits_clean"], "bits_linear": rec["bits_linear"],
            "gain_over_linear": rec["bits_linear"] - rec["bits_clean"],
            "highband_gap_db": highband, "flatness_ratio": 10 ** flatness,
            "frechet_logmel": rec.get("frechet_logmel"),
            "gate": "passes" if not reasons else "fails: " + "; ".join(
                r.split(": ", 1)[-1] for r in reasons),
            "curve": rec.get("curve", []), "source": cfg.get("source"),
            "data": rec["data"], "split": rec["split"],
            "sample": p.with_name(f"{p.stem}-samples") / "sample0.wav"})
    return rows


HEADERS = {"variant": "Variant", "prior": "Prior", "cpu_minutes": "training CPU min",
           "bits": "bits/sample", "bits_linear": "linear prediction",
           "gain_over_linear": "gain over linear (bits)",
           "highband_gap_db": "samples >4k/<4k − quantized data's (dB)",
           "flatness_ratio": "samples flatness ÷ quantized data's", "gate": "gate"}


def study_table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(HEADERS)).rename(columns=HEADERS)
    return frame.set_index("Variant").map(
        lambda v: "—" if v is None or v != v else f"{v:.3g}" if isinstance(v, float) else v)


def plot_study(rows: list[dict], gate, out: Path) -> Path:
    """Three panels against training CPU minutes, one point per variant, gate bands shaded."""
    frame = pd.DataFrame(rows)
    frame["dataset"] = frame["variant"].str.split("-").str[0]
    frame["log10 flatness ratio"] = np.log10(frame["flatness_ratio"])
    panels = [("gain_over_linear", "bits below linear prediction ↑", (gate.bits_over_linear, None)),
              ("highband_gap_db", "samples' >4k/<4k − quantized data's (dB)",
               (-gate.highband_db, gate.highband_db)),
              ("log10 flatness ratio", "log10 samples' flatness ÷ quantized data's",
               (-gate.flatness, gate.flatness))]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for ax, (y, label, (lo, hi)) in zip(axes, panels, strict=True):
        sns.scatterplot(frame, x="cpu_minutes", y=y, hue="dataset", style="dataset", s=60,
                        ax=ax, legend=ax is axes[0])
        for _, r in frame.iterrows():
            ax.annotate(r["variant"], (r["cpu_minutes"], r[y]), fontsize=6,
                        xytext=(3, 3), textcoords="offset points")
        top = hi if hi is not None else max(frame[y].max(), lo) + 0.5
        ax.axhspan(lo, top, color="tab:green", alpha=0.12, lw=0)
        ax.set(xlabel="training CPU minutes", ylabel=label)
    fig.suptitle("Prior study on validation clips: quality against training cost "
                 "(green: the claims' adequacy gate passes)", fontsize=10)
    return save_figure(fig, out)


def plot_samples(rows: list[dict], out: Path) -> Path:
    """Spectrograms of each variant's first ancestral sample (NAME-samples/sample0.wav) beside
    a held-out clip of each data set, all drawn at the project's rate."""
    from pnf.clips import heldout_paths
    from pnf.report.figures import draw_spectrogram

    panels, seen = [], set()
    for row in rows:
        if row["source"] not in seen:
            seen.add(row["source"])
            clip = heldout_paths(row["data"], row["split"], row["source"], 1)[0]
            panels.append((f"held-out {row['source']} clip", clip))
        if row["sample"].is_file():
            verdict = "gate passes" if row["gate"] == "passes" else "gate fails"
            panels.append((f"{row['variant']} ({verdict})", row["sample"]))
    ncols = min(4, len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 2.8 * nrows), squeeze=False,
                             sharey=True)
    for ax in axes.flat[len(panels):]:
        ax.axis("off")
    for ax, (title, path) in zip(axes.flat, panels, strict=False):
        draw_spectrogram(ax, path, title)
        ax.title.set_fontsize(8)
    for ax in axes[:, 0]:
        ax.set_ylabel("frequency (kHz)")
    fig.suptitle("Ancestral samples of each prior variant against held-out audio", y=1.0)
    fig.tight_layout()
    return save_figure(fig, out)


def write_prior_study(paths, out: str | Path, rules: str | Path | None = None,
                      experiment: str = "") -> list[Path]:
    """prior-study.md/.csv/.png, prior-study-nll.png (the training curves) and
    prior-study-samples.png (spectrograms of the samples) under `out`."""
    from pnf.atomic import write_text_atomic
    from pnf.report.gate import Gate, load_gate
    from pnf.report.priors import plot_curves

    gate, out = (load_gate(rules) if rules else Gate()), Path(out)
    rows = study_rows(paths, gate)
    table = study_table(rows)
    title = (f"Prior study, experiment {experiment}: validation clips; quality against "
             "training CPU minutes (bits/sample compare only at equal rate and bins)")
    write_text_atomic(out / "prior-study.md", to_markdown(table, title))
    write_text_atomic(out / "prior-study.csv", f"# {title}\n" + table.to_csv())
    curves = [{"name": r["variant"], "bits_linear": r["bits_linear"], "curve": r["curve"]}
              for r in rows]
    return [out / "prior-study.md", out / "prior-study.csv",
            plot_study(rows, gate, out / "prior-study.png"),
            plot_curves(curves, out / "prior-study-nll.png"),
            plot_samples(rows, out / "prior-study-samples.png")]
