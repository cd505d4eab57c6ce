"""The convergence study (workflow/scripts/convergence.py): validation clips, rows, resume."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml
from test_bad_inputs import tiny_prior

from pnf.audio import RATE, write_audio

SCRIPT = Path(__file__).parents[1] / "workflow" / "scripts" / "convergence.py"


def manifest(folder: Path, rows: list[tuple[str, str, str]], seed: int) -> None:
    """A manifest of test rows (clip, source, file) with random half-second clips."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    with open(folder / "manifest.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "split", "source", "clip"])
        for clip, source, name in rows:
            write_audio(folder / name, 0.3 * np.sin(np.arange(RATE // 2) * rng.uniform(.02, .2)))
            w.writerow([name, "test", source, clip])


def study_setup(tmp_path: Path) -> list[str]:
    root = tmp_path / "data"
    for k, source in enumerate(("piano", "voice")):
        manifest(root / source, [("a", source, "a.wav"), ("b", source, "b.wav")], k)
    manifest(root / "mix", [(c, s, f"{c}-{s}.wav") for c in "ab" for s in ("mix", "piano",
                                                                           "voice")], 2)
    cfg = {"data": {"root": str(root)}, "mixture_set": "mix",
           "datasets": {d: {"set": d, "source": d} for d in ("piano", "voice")},
           "sampler": {"levels": [20.0, 1.0], "delta": 0.05},
           "tasks": {"separate": {"sources": ["piano", "voice"]}}}
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(cfg))
    priors = tmp_path / "priors"
    priors.mkdir()
    for d in ("piano", "voice"):
        tiny_prior(priors / f"{d}-mulaw.pt")
        tiny_prior(priors / f"{d}-linear.pt", quantization="linear")
    return [sys.executable, str(SCRIPT), "--config", str(tmp_path / "exp.yaml"),
            "--prior-set", f"tiny={priors}", "--factors", "4", "--seconds", "0.05",
            "--iterations", "1", "2", "--csv", str(tmp_path / "c.csv")]


def test_study_rows_resume_and_figure(tmp_path):
    argv = study_setup(tmp_path)
    subprocess.run([*argv, "--figure", str(tmp_path / "c.png")], check=True)
    rows = list(csv.DictReader(open(tmp_path / "c.csv")))
    assert {r["clip"] for r in rows} == {"b"}              # the last test clip: validation
    pnf = [r for r in rows if r["prior_set"] == "tiny"]
    assert {(r["task"], r["dataset"], r["iterations"]) for r in pnf} == {
        (t, d, i) for t, d in [("superres", "piano"), ("superres", "voice"),
                               ("separate", "mix")] for i in ("1", "2")}
    assert {r["metric"] for r in pnf} == {"snr", "lsd", "si_sdr_piano", "si_sdr_voice"}
    assert (tmp_path / "c.png").stat().st_size > 10_000
    before = (tmp_path / "c.csv").read_text()
    subprocess.run(argv, check=True)                         # all done: nothing added
    assert (tmp_path / "c.csv").read_text() == before


def test_study_compares_schedules_by_network_evaluations(tmp_path):
    argv = study_setup(tmp_path)
    argv[argv.index("--iterations") + 2] = "3"                   # T = 1 and 3
    subprocess.run([*argv, "--no-separation", "--datasets", "piano", "--schedules",
                    "langevin", "pc-tweedie", "--figure-evaluations", str(tmp_path / "e.png")],
                   check=True)
    rows = [r for r in csv.DictReader(open(tmp_path / "c.csv")) if r["prior_set"] == "tiny"]
    evals = {(r["schedule"], r["iterations"]): int(r["evaluations"]) for r in rows}
    # 2 levels: T per level, + 1 predictor step between them, + 1 Tweedie step
    assert evals == {("langevin", "1"): 2, ("langevin", "3"): 6, ("pc-tweedie", "1"): 4,
                     ("pc-tweedie", "3"): 8}
    assert (tmp_path / "e.png").stat().st_size > 10_000
