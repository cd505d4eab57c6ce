"""The report pipeline on a small fake results tree: tables, check, figures, demo page, and
the demo page loaded in a real headless Chromium (every player loads, every image renders)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from pnf.audio import write_audio
from pnf.cli import main
from pnf.metrics import evaluate_item, write_record
from pnf.report.figures import spectrogram_panels
from pnf.report.restored import scan_restored

N = 11025  # 0.5 s at 22 050 Hz
NOISE = {"pnf": 0.05, "spline": 0.2, "kee": 0.1, "convtasnet": 0.15, "demucs": 0.12,
         "ancestral": 0.3, "input": 0.5}


def _signal(seed: int, n: int = N) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 22050
    return 0.3 * np.sin(2 * np.pi * rng.uniform(150, 900) * t) + 0.05 * rng.standard_normal(n)


def _restore(root: Path, where: tuple, item: str, truth: np.ndarray, methods, seed: int):
    """Write truth and a noisy estimate per method; return [(method, path)]."""
    out = []
    for k, method in enumerate(("truth", *methods)):
        x = truth + NOISE.get(method, 0.0) * np.random.default_rng(seed + k).standard_normal(
            truth.shape) * (method != "truth")
        path = root.joinpath(*where, method, f"{item}.npy" if truth.ndim == 3 else f"{item}.wav")
        if truth.ndim == 3:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, np.clip(x, -1, 1).astype(np.float32))
        else:
            write_audio(path, x)
        out.append((method, path))
    return out


def _score(scores: Path, where: tuple, item: str, files, mixture=None, **meta):
    truth = dict(files)["truth"]
    for method, path in files:
        if method in ("truth", "input"):
            continue
        dataset, task, setting = where
        rec = evaluate_item(truth, path, task, mixture=mixture, dataset=dataset,
                            setting=setting, method=method, item=item, **meta)
        write_record(scores.joinpath(*where, method, f"{item}.json"), rec)


def build_tree(base: Path) -> tuple[Path, Path]:
    """results/restored and results/scores for every task, with one baseline cell missing."""
    restored, scores = base / "restored", base / "scores"
    seed = 0
    for dataset in ("piano", "voice"):
        for factor in (4, 8):
            methods = ["input", "pnf", "spline"] + ([] if (dataset, factor) == ("voice", 8)
                                                    else ["kee"])
            for i in range(2):
                seed += 10
                where = (dataset, "superres", f"x{factor}")
                files = _restore(restored, where, f"c{i:03d}", _signal(seed), methods, seed)
                _score(scores, where, f"c{i:03d}", files, factor=factor, iterations=256)
        for i in range(2):
            seed += 10
            where = (dataset, "inpaint", "gap200")
            files = _restore(restored, where, f"c{i:03d}", _signal(seed), ["input", "pnf"], seed)
            _score(scores, where, f"c{i:03d}", files, gap_ms=200)
        for i in range(2):
            truth = _signal(seed + 1)
            for t, setting in ((64, "it64"), (256, "it256")):
                seed += 10
                where = (dataset, "spectrogram", setting)
                files = _restore(restored, where, f"c{i:03d}", truth, ["pnf"], seed)
                _score(scores, where, f"c{i:03d}", files, iterations=t, seconds=t / 100)
            where = (dataset, "spectrogram", "ar")
            files = _restore(restored, where, f"c{i:03d}", truth, ["ancestral"], seed)
            _score(scores, where, f"c{i:03d}", files, seconds=9.0)
    where = ("mix", "separate", "2src")
    for clip in ("c000", "c001"):
        seed += 10
        sources = {"piano": _signal(seed), "voice": _signal(seed + 1)}
        mix = sources["piano"] + sources["voice"]
        write_audio(restored.joinpath(*where, "input", f"{clip}-mix.wav"), mix)
        for name, truth in sources.items():
            files = _restore(restored, where, f"{clip}-{name}", truth,
                             ["pnf", "convtasnet", "demucs"], seed)
            _score(scores, where, f"{clip}-{name}", files,
                   mixture=restored.joinpath(*where, "input", f"{clip}-mix.wav"), source=name)
    for i in range(3):
        img = np.random.default_rng(i).uniform(-1, 1, (3, 32, 32))
        where = ("images", "images", "inpaint16")
        files = _restore(restored, where, f"i{i:03d}", img, ["input", "pnf"], i)
        _score(scores, where, f"i{i:03d}", files)
    return restored, scores


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    base = tmp_path_factory.mktemp("results")
    restored, scores = build_tree(base)
    assert main(["evaluate", "collect", "--scores", str(scores), "--out-csv",
                 str(base / "metrics.csv"), "--out-json", str(base / "metrics.json")]) == 0
    return base


def test_tables_in_the_paper_layout(results):
    out = results / "tables"
    assert main(["report", "tables", "--metrics", str(results / "metrics.csv"), "--out", str(out),
                 "--experiment", "unit-test", "--data-note", "fake sines"]) == 0
    for name in ("superres", "separation", "inpainting", "spectrogram", "images"):
        for ext in ("csv", "md", "tex"):
            assert (out / f"{name}.{ext}").stat().st_size > 0
    md = (out / "superres.md").read_text()
    assert max(len(line) for line in (out / "tables.md").read_text().splitlines()) <= 120
    assert "Experiment: unit-test; data: fake sines" in md and "n = 2 test items" in md
    piano, voice = md.split("Audio super-resolution, ")[1:]  # one table per dataset
    assert piano.startswith("piano") and voice.startswith("voice")
    lines = [line for line in piano.splitlines() if line.startswith("| ")]
    assert [c.strip() for c in lines[0].split("|")[1:-1]] == ["Method", "×4", "×8"]
    rows = {line.split("|")[1].strip(): line.split("|")[2:-1] for line in lines[1:]}
    assert list(rows) == ["Spline", "KEE", "PnF"]  # the paper's row order
    cell = r"(\*\*)?-?\d+\.\d ± \d+\.\d(\*\*)? / (\*\*)?\d+\.\d\d ± \d+\.\d\d(\*\*)?"
    assert all(re.fullmatch(cell, c.strip()) for r in rows.values() for c in r), rows
    assert all(c.count("**") == 4 for c in rows["PnF"])  # least noise: best SNR and LSD
    assert not any("**" in c for c in rows["Spline"] + rows["KEE"])
    assert "| KEE    |" in voice and voice.count("—") >= 1  # voice ×8 has no KEE
    pnf_snr = float(rows["PnF"][0].split("±")[0].strip(" *"))  # noise 0.05, rms ~0.21: 12.6 dB
    assert 10 < pnf_snr < 15
    sep = (out / "separation.md").read_text()
    first = next(line for line in sep.splitlines() if line.startswith("| Method"))
    header = [c.strip() for c in first.split("|")[1:-1]]
    assert header == ["Method"] + [f"piano · {m}" for m in ("SI-SDR", "SDR", "SIR", "SAR")]
    assert "| Conv-TasNet |" in sep and "voice · SAR" in sep
    spec = (out / "spectrogram.md").read_text()
    assert "| Ancestral " in spec and "| PnF (64 it.) " in spec and "Time (s)" in spec
    tex = (out / "superres.tex").read_text()
    assert "\\toprule" in tex and "\\textbf{" in tex and "$\\pm$" in tex and "\\times" in tex
    csv = pd.read_csv(out / "superres.csv", comment="#", index_col=[0, 1])
    assert csv.index.names == ["Dataset", "Method"] and list(csv.columns) == ["×4", "×8"]
    assert csv.loc[("voice", "KEE"), "×8"] == "—" and "**" not in csv.to_string()


def test_table_cells_are_mean_and_standard_error_with_the_best_in_bold():
    from pnf.report.tables import SPECS, layout, render, summarise, to_markdown

    recs = pd.DataFrame([dict(dataset="d", task="superres", setting="x4", method=m, item=i,
                              snr=s, lsd=l) for m, i, s, l in [
        ("pnf", "a", 10.0, 1.0), ("pnf", "b", 12.0, 1.5), ("spline", "a", 3.0, 0.5),
        ("spline", "b", 5.0, 0.75)]])
    frame = layout(summarise(recs), SPECS[0], "d")
    cells = render(frame, SPECS[0], "md")
    # mean 11, s.e. = sd / sqrt(n) = sqrt(2) / sqrt(2) = 1; LSD: spline's 0.625 is lower
    assert cells.loc["PnF", "×4"] == "**11.0 ± 1.0** / 1.25 ± 0.25"
    assert cells.loc["Spline", "×4"] == "4.0 ± 1.0 / **0.62 ± 0.12**"
    narrow = to_markdown(pd.concat([cells] * 6, axis=1), "t", max_width=80)
    assert max(map(len, narrow.splitlines())) <= 80 and narrow.count("| Method") == 3


def test_tables_skip_absent_tasks(results, tmp_path, capsys):
    df = pd.read_csv(results / "metrics.csv")
    df[df.task == "superres"].to_csv(tmp_path / "m.csv", index=False)
    assert main(["report", "tables", "--metrics", str(tmp_path / "m.csv"), "--out",
                 str(tmp_path / "t"), "--experiment", "x"]) == 0
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == [
        "superres.csv", "superres.md", "superres.tex", "tables.md"]
    assert "table separation: no 'separate' scores, skipped" in capsys.readouterr().err


def test_check_reports_missing_cells_and_regressions(results, tmp_path, capsys):
    metrics = str(results / "metrics.csv")
    expect = tmp_path / "expect.json"
    expect.write_text(json.dumps({"cells": [
        {"dataset": ["piano", "voice"], "task": "superres", "setting": ["x4", "x8"],
         "method": ["spline", "kee", "pnf"], "metric": ["snr", "lsd"], "min_n": 2}]}))
    capsys.readouterr()
    assert main(["report", "check", "--metrics", metrics, "--expect", str(expect)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["missing cell voice/superres/x8/kee/all/snr",
                     "missing cell voice/superres/x8/kee/all/lsd"]
    ref = tmp_path / "ref.json"
    assert main(["report", "reference", "--metrics", metrics, "--out", str(ref),
                 "--tolerance", "snr=1,lsd=0.1"]) == 0
    assert main(["report", "check", "--metrics", metrics, "--reference", str(ref)]) == 0
    data = json.loads(ref.read_text())
    data["cells"]["piano/superres/x4/pnf/all/snr"] += 5  # reference says PnF used to be better
    data["cells"]["piano/superres/x4/pnf/all/lsd"] -= 0.05  # within the LSD tolerance
    ref.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["report", "check", "--metrics", metrics, "--reference", str(ref)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("regressed piano/superres/x4/pnf/all/snr")
    assert main(["report", "check", "--metrics", metrics, "--reference", str(ref),
                 "--tolerance", "snr=6"]) == 0


def test_figures_are_written(results):
    out = results / "figures"
    assert main(["report", "figures", "--metrics", str(results / "metrics.csv"), "--restored",
                 str(results / "restored"), "--out", str(out),
                 "--walltime-seconds", "0.05", "0.1"]) == 0
    names = {p.name for p in out.glob("*.png")}
    speed = pd.read_csv(out / "walltime.csv")
    assert speed.seconds.tolist() == [0.05, 0.1] and (speed.update_s > 0).all()
    assert np.allclose(speed.pnf_s, speed.update_s * 256 * 24)  # the fixed budget
    assert {"iterations.png", "walltime.png", "images.png", "spec-piano-superres-x4.png",
            "spec-mix-separate-2src.png", "spec-voice-inpaint-gap200.png"} <= names
    assert all((out / n).read_bytes()[:4] == b"\x89PNG" for n in names)
    assert not list(out.glob(".*"))  # no temporary files left behind


def test_iteration_figure_plots_only_real_sweeps():
    from pnf.report.figures import sweeps

    rows = [("inpaint", "gap100", 2, 100, None), ("inpaint", "gap400", 3, 400, None),
            ("superres", "x4", 2, None, 4), ("superres", "x8", 3, None, 8)]
    rows += [("spectrogram", f"it{t}", t, None, None) for t in (1, 2, 4)]
    recs = pd.DataFrame([dict(dataset=d, task=t, setting=s, method="pnf", item=i,
                              iterations=it, gap_ms=g, factor=f, snr=1.0, lsd=1.0)
                         for t, s, it, g, f in rows for d in ("piano", "voice")
                         for i in ("c0", "c1")])
    sub = sweeps(recs)
    assert set(sub.task) == {"spectrogram"} and sub.panel.unique().tolist() == ["spectrogram"]
    recs.loc[recs.setting == "x8", "factor"] = 4  # now ×4 at 2 and 3 iterations is a sweep
    assert set(sweeps(recs).panel) == {"spectrogram", "superres · ×4"}


def test_walltime_crossover_and_gpu_projection():
    from pnf.report.flops import update_flops_per_sample, wavenet
    from pnf.report.walltime import ASSUMPTIONS, crossover, gpu_projection

    x = np.array([1.0, 2.0, 4.0, 8.0])
    assert crossover(x, x, np.full(4, 3.0)) == pytest.approx(3.0)  # log-log interpolation
    assert crossover(x, x, np.full(4, 9.0)) is None
    net = wavenet("tiny")
    flops = update_flops_per_sample(net)
    cfg = net.config  # closed form: forward matmuls, doubled for the input gradient
    R, G, S = cfg.residual_channels, cfg.gate_channels, cfg.skip_channels
    forward = 2 * (cfg.layers * (2 * R * G + G // 2 * (R + S)) + S * S + S * cfg.classes)
    assert flops == pytest.approx(2 * forward, rel=0.05)
    samples = np.array([1e3, 1e9])
    pnf, anc = gpu_projection(net, samples, 10, flops)
    launch = ASSUMPTIONS["launch_s"] * (ASSUMPTIONS["kernels_per_layer"] * cfg.layers + 4)
    assert pnf[0] == pytest.approx(10 * 3 * launch)  # short signal: kernel-launch floor
    assert pnf[1] == pytest.approx(10 * flops * 1e9 / (ASSUMPTIONS["tflops"] * 1e12))
    assert anc == pytest.approx(samples * launch)


def test_spectrogram_panels_follow_the_project_page(results):
    files = scan_restored(results / "restored")
    titles = [t for t, _ in spectrogram_panels(files, "piano", "superres", "x4")]
    assert titles == ["Ground truth", "Input", "PnF", "Spline", "KEE"]
    panels = spectrogram_panels(files, "mix", "separate", "2src")
    assert [t for t, _ in panels] == ["Mixture", "Ground truth", "PnF", "Conv-TasNet", "Demucs"]
    assert panels[0][1].name == "c000-mix.wav" and panels[1][1].name == "c000-piano.wav"
    titles = [t for t, _ in spectrogram_panels(files, "voice", "inpaint", "gap200")]
    assert titles == ["Ground truth", "Input", "PnF"]


def _chromium(*args: str, user_dir: Path) -> subprocess.CompletedProcess:
    cmd = [shutil.which("chromium"), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", f"--user-data-dir={user_dir}",
           "--virtual-time-budget=5000", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_demo_page_loads_every_player_and_image_in_headless_chromium(results, tmp_path):
    out = results / "demo"
    if not (results / "figures" / "walltime.png").exists():
        main(["report", "figures", "--metrics", str(results / "metrics.csv"), "--restored",
              str(results / "restored"), "--out", str(results / "figures"),
              "--walltime-seconds", "0.05", "0.1"])
    assert main(["report", "demo", "--restored", str(results / "restored"), "--figures",
                 str(results / "figures"), "--out", str(out)]) == 0
    page = (out / "index.html").read_text()
    assert "file:" not in page and "http" not in page and str(results) not in page
    assert 'src="media/mix/separate/2src/input/c000-mix.wav"' in page  # the mixture player
    for section in ("results", "spectrogram", "superres", "separate", "inpaint", "images"):
        assert f'<section id="{section}">' in page
    assert "Audio super-resolution, piano. Mean ± standard error over n = 2" in page
    assert re.search(r"<td><b>\d+\.\d ± \d+\.\d</b> / <b>", page)  # PnF's best cell, bold
    assert 'src="figures/walltime.png"' in page
    dom = _chromium("--dump-dom", (out / "index.html").as_uri(), user_dir=tmp_path / "u1").stdout
    audios = re.findall(r"<audio[^>]*>", dom)
    images = re.findall(r"<img[^>]*>", dom)
    assert len(audios) >= 40 and len(images) >= 10
    for tag in audios:
        assert 'data-state="loaded"' in tag, tag
        assert float(re.search(r'data-duration="([\d.]+)"', tag).group(1)) > 0.4, tag
    for tag in images:
        assert 'data-state="loaded"' in tag and int(re.search(
            r'data-width="(\d+)"', tag).group(1)) > 0, tag
    shot = tmp_path / "artifacts" / "demo.png"
    shot.parent.mkdir()
    _chromium(f"--screenshot={shot}", "--window-size=1200,2400", (out / "index.html").as_uri(),
              user_dir=tmp_path / "u2")
    assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 20_000
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("RGB"))  # (H, W, 3)
    assert pixels.shape[:2] == (2400, 1200)
    colours, counts = np.unique(pixels.reshape(-1, 3), axis=0, return_counts=True)
    assert len(colours) > 500  # text, tables, players and figures, not a blank page
    assert counts.max() / counts.sum() < 0.95  # background is not all there is
    if os.environ.get("PNF_ARTIFACTS"):
        Path(os.environ["PNF_ARTIFACTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(os.environ["PNF_ARTIFACTS"]) / "demo-page.png")


def test_plan_counts_the_paper_run_from_the_config(tmp_path, capsys):
    import yaml

    from pnf.report.flops import update_flops_per_sample, wavenet
    from pnf.report.plan import plan, summary

    root = Path(__file__).resolve().parents[1]
    cfg = yaml.safe_load((root / "experiments" / "smoke.yaml").read_text())
    jobs = plan(cfg).set_index("what")
    per = update_flops_per_sample(wavenet("tiny", sigma_input=True))
    # ×8 at 3 iterations over 3 levels, one 0.5 s clip: every update covers the whole clip
    assert jobs.loc["superres piano 8", "flops"] == pytest.approx(3 * 3 * 0.5 * 22050 * per)
    assert jobs.loc["separate", "flops_per_job"] == pytest.approx(2 * 3 * 2 * 0.5 * 22050 * per)
    assert jobs.loc["baseline kee", "jobs"] == 2 * 4  # one KEE per dataset and factor
    train = update_flops_per_sample(wavenet("tiny", sigma_input=True), train=True)
    assert jobs.loc["prior piano-mulaw", "flops"] == pytest.approx(40 * 4 * 2048 * train)
    one, two = summary(jobs, 1.0, 1), summary(jobs, 2.0, 1)
    assert one["gpu_hours"] == pytest.approx(jobs.flops.sum() / 3.6e15)
    assert two["gpu_hours"] == pytest.approx(one["gpu_hours"] / 2)
    assert one["wall_hours"] == pytest.approx(one["gpu_hours"])  # one GPU: everything in turn
    out = tmp_path / "plan.json"
    assert main(["report", "plan", "--config", str(root / "experiments" / "smoke.yaml"),
                 "--gpu-name", "X1", "--gpu-tflops", "50", "--gpus", "4", "--out",
                 str(out)]) == 0
    text = capsys.readouterr().out
    assert "on X1 at an assumed 50 TFLOP/s" in text and "wall time on 4 GPUs" in text
    assert json.loads(out.read_text())["gpus"] == 4
    assert main(["report", "plan", "--config", str(root / "experiments" / "smoke.yaml"),
                 "--gpu-tflops", "0"]) == 2
    assert capsys.readouterr().err.startswith("pnf: error: --gpu-tflops")


STAMP = ["--config-hash", "0123abcd4567", "--rule", "tables",
         "--rebuild", "snakemake --cores all results/tables"]


def test_every_report_artefact_carries_its_provenance(results, tmp_path, monkeypatch):
    """Tables (md, tex, csv), figures (visible footer and PNG Description) and the demo page
    name the experiment, config hash, code version, date, rule and rebuild command."""
    from PIL import Image

    from pnf.report.provenance import code_version

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")      # 2026-09-21 UTC
    metrics, restored = str(results / "metrics.csv"), str(results / "restored")
    tables, figures, demo = tmp_path / "tables", tmp_path / "figures", tmp_path / "demo"
    assert main(["report", "tables", "--metrics", metrics, "--out", str(tables),
                 "--experiment", "unit-test", *STAMP]) == 0
    assert main(["report", "figures", "--metrics", metrics, "--restored", restored, "--out",
                 str(figures), "--walltime", "none", "--experiment", "unit-test", *STAMP]) == 0
    assert main(["report", "demo", "--restored", restored, "--figures", str(figures), "--out",
                 str(demo), "--experiment", "unit-test", *STAMP]) == 0
    want = ("experiment unit-test · config 0123abcd4567 · code " + code_version()
            + " · 2026-09-21 · rule tables · rebuild: snakemake --cores all results/tables")
    assert code_version() and want in (tables / "tables.md").read_text()
    for name in ("superres.md", "superres.tex", "superres.csv"):
        last = (tables / name).read_text().rstrip().splitlines()[-1]
        assert last.strip("_%# ") == want, name
    assert pd.read_csv(tables / "superres.csv", comment="#").shape[0] > 0   # still a table
    png = Image.open(figures / "iterations.png")
    assert png.info.get("Description") == want
    page = (demo / "index.html").read_text()
    assert f'<footer class="provenance">{want}</footer>' in page
    assert page.count("made by rule `figures`") >= 2                  # each figure its rule
    # Without the flags, nothing says where the files came from but the experiment.
    assert main(["report", "tables", "--metrics", metrics, "--out", str(tmp_path / "bare"),
                 "--experiment", "unit-test"]) == 0
    assert "config" not in (tmp_path / "bare/superres.md").read_text().splitlines()[-1]


def test_docs_numbers_are_rendered_from_snapshots_and_stale_ones_are_caught(results, tmp_path):
    """`pnf report docs`: a run's snapshot renders docs/results.md and the README block; an
    edited metric in the snapshot makes --check fail until the docs are rendered again."""
    run = tmp_path / "results" / "unit"
    run.mkdir(parents=True)
    shutil.copy(results / "metrics.csv", run / "metrics.csv")
    rules = tmp_path / "claims.yaml"
    rules.write_text("claims:\n  - claim: PnF beats the spline\n    tests:\n"
                     "      - {kind: beats, task: superres, metric: lsd, against: spline}\n")
    assert main(["report", "tables", "--metrics", str(run / "metrics.csv"), "--out",
                 str(run / "tables"), "--experiment", "unit", "--data-note", "fake sines",
                 *STAMP]) == 0
    assert main(["report", "claims", "--metrics", str(run / "metrics.csv"), "--rules",
                 str(rules), "--out", str(run / "tables"), "--experiment", "unit"]) == 0
    (run / "figures").mkdir()
    for name in ("spec-voice-superres-x4", "spec-piano-superres-x4", "spec-piano-inpaint-gap200"):
        Image.new("RGB", (2000, 300), "purple").save(run / "figures" / f"{name}.png")
    docs, readme = tmp_path / "docs", tmp_path / "README.md"
    readme.write_text("# x\n\n<!-- results: rendered by `pnf report docs` from docs/data; do not "
                      "edit -->\n<!-- end of rendered results -->\n\nrest\n")
    cli = ["report", "docs", "--docs", str(docs), "--readme", str(readme)]
    assert main([*cli, "--check"]) == 1                           # nothing rendered yet
    assert main([*cli, "--experiment", "unit", "--results", str(tmp_path / "results")]) == 0
    assert main([*cli, "--check"]) == 0
    page = (docs / "results.md").read_text()
    assert "## unit" in page and "fake sines" in page and "config 0123abcd4567" in page
    assert "| PnF beats the spline | not testable at this budget |" in page   # no prior records
    assert ("- `unit`: 1 not testable at this budget ([docs/results.md](docs/results.md#unit))."
            in readme.read_text())
    assert readme.read_text().endswith("rest\n")
    # One panel per task, speech first, shrunk to JPEG, shown in both.
    panels = sorted(p.name for p in (docs / "data/unit/panels").iterdir())
    assert panels == ["spec-piano-inpaint-gap200.jpg", "spec-voice-superres-x4.jpg"]
    assert Image.open(docs / "data/unit/panels/spec-voice-superres-x4.jpg").size == (1400, 210)
    assert page.index("superres-x4.jpg") < page.index("inpaint-gap200.jpg")
    assert "(docs/data/unit/panels/spec-voice-superres-x4.jpg)" in readme.read_text()
    snap = docs / "data/unit/metrics.csv"
    frame = pd.read_csv(snap)
    row = frame.index[(frame.task == "superres") & (frame.method == "pnf")][0]
    frame.loc[row, "lsd"] += 5.0                                   # a number changes
    frame.to_csv(snap, index=False)
    assert main([*cli, "--check"]) == 1
    assert main(cli) == 0 and main([*cli, "--check"]) == 0        # rendered again: fresh
    assert (docs / "results.md").read_text() != page
    # The bench rows render into docs/performance.md between the same markers.
    bench = tmp_path / "langevin.json"
    bench.write_text(json.dumps([{"impl": "pnf", "kind": "update", "precision": "fp32",
                                  "batch": 1, "seconds_per_update": 0.0451}]))
    (docs / "performance.md").write_text("# speed\n\n" + readme.read_text().split("\n\n")[1]
                                         + "\n")
    assert main([*cli, "--check"]) == 1
    assert main([*cli, "--bench", str(bench)]) == 0 and main([*cli, "--check"]) == 0
    assert "| pnf | update | fp32 | 1 | 0.0451 |" in (docs / "performance.md").read_text()
