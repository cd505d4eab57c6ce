"""A static demo page like the project page: audio players and spectrograms per task.

    >>> from pnf.report.demo import write_demo
    >>> page = write_demo("results/smoke/restored", "results/smoke/figures", "results/smoke/demo")
    >>> page.name
    'index.html'

Every file the page uses is hard-linked (or copied) under the output folder and referenced
by a relative path, so index.html opens from disk with no server and no network. A small
inline script marks each player and image with `data-state` (loaded / error) and outlines
broken media in red, which is also what the headless-browser test reads.
"""

from __future__ import annotations

import html
import os
import shutil
from pathlib import Path

import matplotlib.image
import pandas as pd

from pnf.atomic import atomic_path, write_text_atomic
from pnf.report.labels import method_label, natural_key, setting_label
from pnf.report.provenance import footer
from pnf.report.restored import input_for, load_image, scan_restored
from pnf.task_specs import DEMO_SECTIONS, in_report_order, mixture_items

MAX_ITEMS = 3
FIGURE_RULE = ("made by rule `figures` (workflow/rules/report.smk): "
               "pnf report figures; its log: logs/report/figures.log")
BASELINE_EXCLUDE = {"truth", "input", "pnf"}
CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1150px;margin:2em auto;
 padding:0 1em;color:#222;line-height:1.45;background:#fcfcfc}
h1{margin-bottom:.2em} h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
h3{margin-top:1.4em;color:#444} .note{color:#666;font-size:.95em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #e3e3e3;padding:.35em .5em;text-align:center;vertical-align:middle}
th{background:#f2f2f2;font-weight:600} td.row{font-weight:600;text-align:left}
audio{width:180px;height:34px} .scroll{overflow-x:auto}
img.fig{max-width:100%;border:1px solid #eee;margin:.5em 0}
img.px{width:96px;height:96px;image-rendering:pixelated} .broken{outline:3px solid #d00}
nav a{margin-right:1em} figure{margin:.5em 0} figcaption{color:#777;font-size:.8em}
footer.provenance{color:#777;font-size:.85em;border-top:1px solid #ddd;margin-top:2em;
 padding-top:.5em}
"""
SCRIPT = """
function mark(el, ok){el.dataset.state = ok ? 'loaded' : 'error';
 if(!ok){el.classList.add('broken');}}
document.querySelectorAll('audio').forEach(a => {
 a.addEventListener('loadedmetadata', () => {a.dataset.duration = a.duration; mark(a, true);});
 a.addEventListener('error', () => mark(a, false));
 if (a.readyState >= 1) {a.dataset.duration = a.duration; mark(a, true);} a.load();});
document.querySelectorAll('img').forEach(i => {
 const done = () => {i.dataset.width = i.naturalWidth; mark(i, i.naturalWidth > 0);};
 if (i.complete) {done();} else {i.addEventListener('load', done);
 i.addEventListener('error', () => mark(i, false));}});
"""


class _Media:
    """Links restored files and figures under `out` and returns their relative paths."""

    def __init__(self, restored: Path, figures: Path | None, out: Path):
        self.restored, self.figures, self.out = restored, figures, out

    def _place(self, src: Path, rel: Path) -> str:
        with atomic_path(self.out / rel) as tmp:
            os.unlink(tmp)
            try:
                os.link(src, tmp)
            except OSError:
                shutil.copy2(src, tmp)
        return rel.as_posix()

    def audio(self, path: Path | None, label: str) -> str:
        if path is None:
            return "—"
        rel = self._place(path, Path("media") / path.relative_to(self.restored))
        return f'<audio controls preload="metadata" src="{html.escape(rel)}" ' \
               f'title="{html.escape(label)}"></audio>'

    def image(self, path: Path | None, label: str) -> str:
        if path is None:
            return "—"
        rel = Path("media") / path.relative_to(self.restored).with_suffix(".png")
        (self.out / rel).parent.mkdir(parents=True, exist_ok=True)
        matplotlib.image.imsave(self.out / rel, load_image(path))
        return f'<img class="px" src="{html.escape(rel.as_posix())}" alt="{html.escape(label)}">'

    def figure(self, name: str, alt: str) -> str:
        src = None if self.figures is None else self.figures / name
        if src is None or not src.is_file():
            return ""
        rel = self._place(src, Path("figures") / name)
        return (f'<figure><img class="fig" src="{html.escape(rel)}" alt="{html.escape(alt)}">'
                f"<figcaption>{html.escape(FIGURE_RULE)}</figcaption></figure>")


def _grid(header: list[str], rows: list[tuple[str, list[str]]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in ["", *header])
    body = "".join(f'<tr><td class="row">{html.escape(label)}</td>'
                   + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" for label, cells in rows)
    return f'<div class="scroll"><table><tr>{head}</tr>{body}</table></div>'


def _pick(files: pd.DataFrame, **where) -> pd.DataFrame:
    sel = files
    for key, value in where.items():
        sel = sel[sel[key] == value]
    return sel


def _path(sel: pd.DataFrame, **where) -> Path | None:
    sel = _pick(sel, **where)
    return None if sel.empty else Path(sel.path.iloc[0])


def _items(group: pd.DataFrame) -> list:
    truths = group[group.method == "truth"]
    return list(truths.drop_duplicates("item").itertuples(index=False))[:MAX_ITEMS]


def _spectrogram_section(files: pd.DataFrame, media: _Media) -> str:
    parts = []
    for dataset, group in files.groupby("dataset", sort=False):
        pnf = group[group.method == "pnf"]
        settings = sorted(pnf.setting.unique(), key=natural_key)
        if not settings:
            continue
        rows, sweep = [], []
        for t in _items(group):
            rows.append((t.item, [media.audio(Path(t.path), "ground truth"),
                                  media.audio(_path(group, method="ancestral", item=t.item),
                                              "ancestral"),
                                  media.audio(_path(pnf, setting=settings[-1], item=t.item),
                                              "PnF")]))
            sweep.append((t.item, [media.audio(_path(pnf, setting=s, item=t.item), s)
                                   for s in settings]))
        parts.append(f"<h3>{html.escape(dataset)}</h3>" + _grid(
            ["Ground truth", "Ancestral WaveNet", f"PnF WaveNet ({setting_label(settings[-1])})"],
            rows))
        parts.append(f"<h3>{html.escape(dataset)}: varying the number of iterations</h3>"
                     + _grid([f"PnF ({setting_label(s)})" for s in settings], sweep))
    return "".join(parts)


def _claims_table(claims: list[dict], metrics: Path, media: _Media, gate=None) -> str:
    from pnf.report.claims import claims_frame, render

    walltime = None if media.figures is None else media.figures / "walltime.csv"
    rows = list(render(claims_frame(claims, metrics, walltime, gate), "html").itertuples(
        index=False))
    return ('<p class="note">Claims of the project page; each verdict is computed from the '
            "rules in the experiment config.</p>"
            + _grid(["Metric", "Ours (mean ± s.e.)", "Verdict", "Rule"],
                    [(r[0], list(r[1:])) for r in rows]))


def _results_section(metrics: Path | None, media: _Media, claims: list | None = None,
                     gate=None) -> str:
    """The claims table and paper-layout tables (with metrics) and the summary figures."""
    from pnf.report.tables import html_tables

    parts = [_claims_table(claims, metrics, media, gate)] if claims and metrics is not None \
        else []
    for text, table in (html_tables(metrics) if metrics is not None else []):
        rows = [(label, row) for label, row in zip(table.index, table.values.tolist(),
                                                   strict=True)]
        parts.append(f'<p class="note">{html.escape(text)}</p>'
                     + _grid([str(c) for c in table.columns], rows))
    parts.append(media.figure("iterations.png", "quality vs iterations"))
    parts.append(media.figure("walltime.png", "wall time vs signal length"))
    return "".join(parts)


def _restoration_section(files: pd.DataFrame, media: _Media) -> str:
    """Super-resolution, inpainting and separation: one table per dataset and setting."""
    parts = []
    for (dataset, task, setting), group in files.groupby(["dataset", "task", "setting"],
                                                         sort=False):
        methods = ["pnf"] + [m for m in group.method.unique() if m not in BASELINE_EXCLUDE]
        header = ["Ground truth", "Input", *map(method_label, methods)]
        rows = []
        for t in _items(group):
            inp = input_for(files, dataset, task, setting, t.item, t.clip)
            rows.append((t.item, [media.audio(Path(t.path), "ground truth"),
                                  media.audio(inp, "input")]
                         + [media.audio(_path(group, method=m, item=t.item), m)
                            for m in methods]))
        if mixture_items(task, setting):
            header[1] = "Mixture"
        title = f"{dataset}: {setting_label(setting)}"
        parts.append(f"<h3>{html.escape(title)}</h3>" + _grid(header, rows)
                     + media.figure(f"spec-{dataset}-{task}-{setting}.png", title))
    return "".join(parts)


def _images_section(files: pd.DataFrame, media: _Media) -> str:
    parts = [media.figure("images.png", "image tasks")]
    for (dataset, task, setting), group in files.groupby(["dataset", "task", "setting"],
                                                         sort=False):
        rows = []
        for t in _items(group):
            inp = input_for(files, dataset, task, setting, t.item, t.clip)
            rows.append((t.item, [media.image(inp, "input"),
                                  media.image(_path(group, method="pnf", item=t.item), "PnF"),
                                  media.image(Path(t.path), "ground truth")]))
        parts.append(f"<h3>{html.escape(setting_label(setting))}</h3>"
                     + _grid(["Input", "PnF (PixelCNN++)", "Ground truth"], rows))
    return "".join(parts)


SECTIONS = {"generation": _spectrogram_section, "restoration": _restoration_section,
            "image": _images_section}   # a task spec's `demo` -> how its section is drawn


def _task_sections(files: pd.DataFrame, media: _Media) -> list[tuple[str, str, str]]:
    """(id, title, html) per task with restored files: by demo kind (DEMO_SECTIONS), then
    in the report's order. Image sections hold the .npy files, the others the audio."""
    is_image = files.path.map(lambda p: Path(p).suffix == ".npy")
    out = []
    for kind in DEMO_SECTIONS:
        for spec in in_report_order():
            part = files[(is_image if kind == "image" else ~is_image)
                         & (files.task == spec.name)]
            if spec.demo == kind and not part.empty:
                out.append((spec.name, spec.label, SECTIONS[kind](part, media)))
    return out


def render_page(sections: list[tuple[str, str, str]], title: str, note: str) -> str:
    nav = "".join(f'<a href="#{sid}">{html.escape(name)}</a>' for sid, name, _ in sections)
    body = "".join(f'<section id="{sid}"><h2>{html.escape(name)}</h2>{content}</section>'
                   for sid, name, content in sections)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
            f'<h1>{html.escape(title)}</h1><p class="note">{html.escape(note)}</p>'
            f"<nav>{nav}</nav>{body}{footer('html')}<script>{SCRIPT}</script></body></html>\n")


def write_demo(restored: str | Path, figures: str | Path | None, out: str | Path,
               title: str = "PnF: parallel and flexible sampling — demo",
               note: str = "", metrics: str | Path | None = None,
               claims: list[dict] | None = None, gate=None) -> Path:
    """Build out/index.html and its media; return the page's path. `metrics` (default: a
    metrics.csv beside the restored folder, if any) adds the tables; `claims` (the config's
    `claims:` list, pnf.report.claims) the claims table, judged through `gate`
    (pnf.report.gate.Gate; None: no adequacy gate)."""
    restored, out = Path(restored), Path(out)
    if metrics is None and (restored.parent / "metrics.csv").is_file():
        metrics = restored.parent / "metrics.csv"
    files = scan_restored(restored)
    if files.empty:
        raise FileNotFoundError(f"{restored}: no restored files (*.wav, *.npy) found; run the "
                                "restoration stage first")
    media = _Media(restored, None if figures is None else Path(figures), out)
    sections = [("results", "Results", _results_section(metrics and Path(metrics), media,
                                                          claims, gate)),
                *_task_sections(files, media)]
    note = note or ("Ground truth, the observed input, PnF and every baseline found among the "
                    "restored files. Spectrograms: log power, n_fft 1024, hop 256.")
    page = out / "index.html"
    write_text_atomic(page, render_page(sections, title, note))
    return page
