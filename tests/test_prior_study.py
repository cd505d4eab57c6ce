"""The prior study: `snakemake prior_study` trains and measures variants for real, and its
report ranks them by quality against training CPU minutes with the claims' gate."""

import json

import numpy as np
import yaml
from test_pipeline import SNAKEMAKE, TINY, run, workdir

from pnf.audio import write_audio
from pnf.cli import main
from pnf.report.prior_study import cpu_minutes, describe

RECORD = {"bits_clean": 4.0, "bits_linear": 5.0, "sample_highband_db": -20.0,
          "data_highband_db": -22.0, "sample_flatness": 0.02, "data_flatness": 0.01,
          "frechet_logmel": 3.0, "curve": [{"net": 0, "sigma": 0.15, "step": 10, "seconds": 6,
                                            "bits": 4.5}]}
CONFIG = {"source": "voice", "model": {"rate": 16000, "residual_channels": 16, "gate_channels": 32,
                    "skip_channels": 16, "layers": 10, "cycles": 2},
          "training": {"steps": 1500, "batch_size": 8}, "crop": 2048}


def variant(folder, name, cpu_seconds, **record):
    """NAME.json/.yaml/.tsv and a sample, over a one-clip data set under `folder`."""
    data = folder / "data"
    if not data.is_dir():
        data.mkdir()
        write_audio(data / "t.wav", 0.3 * np.sin(np.arange(4000) * 0.05))
        (data / "manifest.csv").write_text("path,split,source\nt.wav,test,voice\n")
    (folder / f"{name}-samples").mkdir()
    write_audio(folder / f"{name}-samples/sample0.wav", 0.1 * np.random.default_rng(0)
                .standard_normal(4000))
    rec = {**RECORD, "data": str(data), "split": "validation", **record}
    (folder / f"{name}.json").write_text(json.dumps(rec))
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(CONFIG))
    (folder / f"{name}.tsv").write_text(f"s\tcpu_time\n130.0\t{cpu_seconds}\n")
    return str(folder / f"{name}.json")


def test_report_ranks_variants_with_the_gate(tmp_path):
    good = variant(tmp_path, "voice-16k", 120.0)
    noisy = variant(tmp_path, "voice-22k", 60.0, bits_clean=4.9, sample_flatness=0.5)
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"claims_gate": {"highband_db": 6, "flatness": 1,
                                                     "bits_over_linear": 0.5}}))
    assert main(["report", "prior-study", "--records", good, noisy, "--rules", str(rules),
                 "--out", str(tmp_path / "out")]) == 0
    md = (tmp_path / "out/prior-study.md").read_text()      # blocks of columns, row by row
    rows = {}
    for line in md.splitlines():
        if line.startswith("| voice"):
            cells = [c.strip() for c in line.split("|")[1:-1]]
            rows.setdefault(cells[0], []).extend(cells[1:])
    assert rows["voice-16k"][1] == "2" and rows["voice-16k"][-1] == "passes"   # CPU minutes
    assert rows["voice-22k"][-1].startswith("fails") and "flatness 50×" in rows["voice-22k"][-1]
    assert "bits/sample vs linear" in rows["voice-22k"][-1]
    for png in ("prior-study.png", "prior-study-nll.png", "prior-study-samples.png"):
        assert (tmp_path / "out" / png).stat().st_size > 1000


def test_variant_description_and_missing_benchmark(tmp_path):
    assert describe(CONFIG) == "16 kHz mulaw · 16/32/16 · 10×2 layers · 1500 steps · crop 2048×8"
    assert cpu_minutes(tmp_path / "none.tsv") != cpu_minutes(tmp_path / "none.tsv")   # NaN


def test_prior_study_dag_trains_and_measures_each_variant(tmp_path):
    config = {**TINY, "study": {"priors": {
        "piano-base": {"dataset": "piano", "kind": "mulaw"},
        "piano-longer": {"dataset": "piano", "kind": "mulaw", "set": {"training": {"steps": 8}}},
    }}}
    work = workdir(tmp_path, config)
    run([*SNAKEMAKE, "--cores", "2", "prior_study"], work)
    out = work / "results/smoke/study/priors"
    assert yaml.safe_load((out / "piano-longer.yaml").read_text())["training"]["steps"] == 8
    for name in ("piano-base", "piano-longer"):
        record = json.loads((out / f"{name}.json").read_text())
        assert record["split"] == "validation" and record["samples"] == 2
        assert len(list((out / f"{name}-samples").glob("sample*.wav"))) == 2
        assert cpu_minutes(out / f"{name}.tsv") > 0
    md = (out / "prior-study.md").read_text()
    assert "piano-base" in md and "piano-longer" in md and "8 steps" in md
    assert (out / "prior-study-samples.png").stat().st_size > 1000
    _, plan = run([*SNAKEMAKE, "-n", "prior_study"], work)
    assert "Nothing to be done" in plan
