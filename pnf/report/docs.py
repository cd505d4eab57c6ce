"""Documentation numbers rendered from runs, never typed: docs/results.md and the README's
results block.

    >>> take_snapshot("results", "smoke", Path("docs/data"))   # results/smoke -> docs/data/smoke
    >>> take_bench_snapshot("results/bench/langevin.json", Path("docs/data"))
    >>> write_docs(Path("docs/data"), Path("docs"), Path("README.md"))
    >>> check_docs(Path("docs/data"), Path("docs"), Path("README.md"))   # [] when fresh

A snapshot is the committed source data of the docs, one folder per experiment: the run's
per-item `metrics.csv`, its `claims.csv`, its time budget `budget.md`, one spectrogram panel
per audio task (`panels/*.jpg`, the first test clip: what the outputs look like), and
`run.json` (the experiment, its data note and the provenance footer of its tables: config
hash, code version, date); `bench/langevin.json`
holds the rows of `pnf bench langevin`, rendered into docs/performance.md. Rendering reads
only snapshots, so a test can re-render them and catch a number edited by hand or left stale.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd

from pnf.atomic import write_bytes_atomic, write_text_atomic
from pnf.task_specs import TASK_SPECS

BEGIN = "<!-- results: rendered by `pnf report docs` from docs/data; do not edit -->"
END = "<!-- end of rendered results -->"
ORDER = ("smoke", "small", "paper-mini", "paper")
REBUILD = "make reproduce EXPERIMENT={0} && pnf report docs --experiment {0}"
# One spectrogram panel per audio task (results/<exp>/figures/spec-<dataset>-<task>-<setting>
# .png; the setting is its spec's `panel`), from the first of PANEL_DATASETS that has it:
# speech first, the easiest to read.
PANELS = tuple(f"{spec.name}-{spec.panel}" for spec in TASK_SPECS.values() if spec.panel)
PANEL_DATASETS = ("voice", "mix", "piano")
PANEL_WIDTH = 1400  # pixels; JPEG keeps a snapshot's panels near 100 kB each


def _read_commented_csv(path: Path) -> pd.DataFrame:
    lines = [x for x in path.read_text().splitlines() if not x.startswith("#")]
    return pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False)


def take_snapshot(results: str | Path, experiment: str, data: Path) -> Path:
    """Copy what the docs need of results/<experiment> into data/<experiment>."""
    run = Path(results) / experiment
    tables = run / "tables" / "tables.md"
    for need in (run / "metrics.csv", tables):
        if not need.is_file():
            raise FileNotFoundError(f"{need}: missing; run `make reproduce EXPERIMENT="
                                    f"{experiment}` first")
    text = tables.read_text()
    captions = [p.read_text().split("\n", 1)[0] for p in sorted(tables.parent.glob("*.csv"))]
    note = next(filter(None, (re.search(r"Experiment: [^;]+; data: (.*?)\. Mean", c)
                              for c in captions)), None)       # "# <caption>" of a table CSV
    last = text.rstrip().splitlines()[-1].strip("_ ")
    meta = {"experiment": experiment, "data_note": note.group(1) if note else "",
            "provenance": last if "· code " in last else "no provenance footer"}
    out = data / experiment
    write_text_atomic(out / "metrics.csv", (run / "metrics.csv").read_text())
    for name, src in (("claims.csv", run / "tables" / "claims.csv"),
                      ("budget.md", run / "budget" / "budget.md")):
        if src.is_file():
            write_text_atomic(out / name, src.read_text())
    write_text_atomic(out / "run.json", json.dumps(meta, indent=1, sort_keys=True) + "\n")
    _snapshot_panels(run / "figures", out / "panels")
    return out


def _snapshot_panels(figures: Path, out: Path) -> None:
    """PANELS found under `figures`, as JPEG at most PANEL_WIDTH wide; stale ones removed."""
    from PIL import Image

    for old in out.glob("*.jpg"):
        old.unlink()
    for name in PANELS:
        found = [f for d in PANEL_DATASETS if (f := figures / f"spec-{d}-{name}.png").is_file()]
        if not found:
            continue
        with Image.open(found[0]) as image:
            image = image.convert("RGB")
            if image.width > PANEL_WIDTH:
                size = (PANEL_WIDTH, round(image.height * PANEL_WIDTH / image.width))
                image = image.resize(size, Image.Resampling.LANCZOS)
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=85)
        write_bytes_atomic(out / f"{found[0].stem}.jpg", buf.getvalue())


def _panels(folder: Path) -> list[Path]:
    """The snapshot's panels in PANELS order."""
    files = list((folder / "panels").glob("*.jpg"))
    return [f for name in PANELS for f in files if f.stem.endswith(f"-{name}")]


def _experiments(data: Path) -> list[Path]:
    found = [p for p in data.iterdir() if (p / "run.json").is_file()] if data.is_dir() else []
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(found, key=lambda p: (rank.get(p.name, len(ORDER)), p.name))


def _claims(folder: Path) -> pd.DataFrame | None:
    path = folder / "claims.csv"
    return _read_commented_csv(path) if path.is_file() else None


def _tables_markdown(folder: Path, meta: dict) -> str:
    from pnf.report.tables import write_tables

    with tempfile.TemporaryDirectory() as tmp:
        write_tables(folder / "metrics.csv", tmp, meta["experiment"], meta["data_note"] or "—")
        return (Path(tmp) / "tables.md").read_text().rstrip() + "\n"


def _section(folder: Path) -> str:
    meta = json.loads((folder / "run.json").read_text())
    name = meta["experiment"]
    parts = [f"## {name}\n", f"_{meta['provenance']}_\n",
             f"Data: {meta['data_note'] or '—'}. Rebuild: `{REBUILD.format(name)}`.\n"]
    claims = _claims(folder)
    if claims is not None:
        rows = ["| claim | verdict | ours |", "|---|---|---|"]
        rows += [f"| {r['Claim']} | {r['Verdict']} | {r['Ours (mean ± s.e.)']} |"
                 for _, r in claims.iterrows()]
        parts.append("### Claims\n\n" + "\n".join(rows) + "\n")
    parts.append("### Tables\n\n" + _tables_markdown(folder, meta))
    if (folder / "budget.md").is_file():
        parts.append("### Where the time went\n\n" + (folder / "budget.md").read_text())
    if panels := _panels(folder):
        parts.append("### What the outputs look like\n\nOne spectrogram panel per task, the "
                     f"first test clip (`results/{name}/figures/`, all of them):\n\n"
                     + "\n\n".join(f"![{p.stem}](data/{name}/panels/{p.name})"
                                     for p in panels) + "\n")
    return "\n".join(parts)


def render_results(data: Path) -> str:
    """The whole of docs/results.md from the snapshots under `data`."""
    head = ("# Results\n\nRendered by `pnf report docs` from the snapshots in `docs/data/`: "
            "every number below comes from the run named in its footer line. Open the "
            "spectrogram panels (`results/<experiment>/figures/spec-*.png`) before trusting "
            "a number: at a CPU budget the outputs can be noise.\n")
    sections = [_section(f) for f in _experiments(data)]
    return head + "\n" + ("\n".join(sections) if sections else "No run has been rendered.\n")


def render_readme_block(data: Path) -> str:
    """One line per experiment: its claims' verdicts counted, and where to read more."""
    lines = [BEGIN]
    for folder in _experiments(data):
        meta, claims = json.loads((folder / "run.json").read_text()), _claims(folder)
        counts = Counter([] if claims is None else claims["Verdict"])
        told = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items())) or "no claims"
        lines.append(f"- `{meta['experiment']}`: {told} "
                     f"([docs/results.md](docs/results.md#{meta['experiment']})).")
        lines += [f"  ![{p.stem}](docs/data/{folder.name}/panels/{p.name})"
                  for p in _panels(folder)]
    return "\n".join([*lines, END])


def _with_block(readme: str, block: str) -> str:
    if BEGIN not in readme or END not in readme:
        raise ValueError(f"README.md has no rendered-results markers; add the lines\n{BEGIN}\n"
                         f"{END}\nwhere the results belong")
    head, rest = readme.split(BEGIN, 1)
    return head + block + rest.split(END, 1)[1]


def take_bench_snapshot(bench_json: str | Path, data: Path) -> Path:
    """Copy `pnf bench langevin --json` rows into data/bench/langevin.json, stamped."""
    from pnf.report.provenance import Provenance

    rows = json.loads(Path(bench_json).read_text())
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValueError(f"{bench_json}: not the rows of `pnf bench langevin --json`")
    prov = Provenance(experiment="bench", command="make bench && pnf report docs --bench "
                      f"{bench_json}")
    out = data / "bench" / "langevin.json"
    write_text_atomic(out, json.dumps({"provenance": prov.line(), "rows": rows}, indent=1,
                                      sort_keys=True) + "\n")
    return out


def render_bench_block(data: Path) -> str:
    """The measured-speed table of docs/performance.md, from the bench snapshot."""
    from pnf.bench.report import COLUMNS, _fmt

    path = data / "bench" / "langevin.json"
    if not path.is_file():
        return "\n".join([BEGIN, "No bench run has been rendered: `make bench`, then "
                          "`pnf report docs --bench results/bench/langevin.json`.", END])
    snap = json.loads(path.read_text())
    rows = snap["rows"]
    cols = [c for c in COLUMNS if any(r.get(c) is not None for r in rows)]
    lines = [BEGIN, f"_{snap['provenance']}_", "", "| " + " | ".join(cols) + " |",
             "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |" for r in rows]
    return "\n".join([*lines, END])


def _renders(data: Path, readme: Path, docs: Path) -> list[tuple[Path, object]]:
    """(file, its rendered text from the current text) for every rendered file."""
    perf = docs / "performance.md"
    renders = [(docs / "results.md", lambda _: render_results(data)),
               (readme, lambda text: _with_block(text, render_readme_block(data)))]
    if perf.is_file() and BEGIN in perf.read_text():
        renders.append((perf, lambda text: _with_block(text, render_bench_block(data))))
    return renders


def write_docs(data: Path, docs: Path, readme: Path) -> None:
    for path, render in _renders(data, readme, docs):
        write_text_atomic(path, render(path.read_text() if path.is_file() else ""))


def check_docs(data: Path, docs: Path, readme: Path) -> list[str]:
    """Lines naming each rendered file that differs from what the snapshots give."""
    stale = []
    for path, render in _renders(data, readme, docs):
        text = path.read_text() if path.is_file() else ""
        if render(text) != text:
            stale.append(f"{path}: differs from its render; run `pnf report docs`")
    return stale
