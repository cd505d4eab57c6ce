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
    assert {r["metric"] for r in pnf} == {"snr", "lsd", "highband_gap", "flatness_gap",
                                          "si_sdr_piano", "si_sdr_voice"}
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
    # Chains started from the spline (ours) are rows of their own, <schedule>-warm.
    subprocess.run([*argv, "--no-separation", "--datasets", "piano", "--warm-start"], check=True)
    rows = [r for r in csv.DictReader(open(tmp_path / "c.csv")) if r["prior_set"] == "tiny"]
    assert {r["schedule"] for r in rows} == {"langevin", "pc-tweedie", "langevin-warm"}
    cold, warm = ({r["iterations"]: float(r["value"]) for r in rows
                   if r["schedule"] == kind and r["metric"] == "snr"}
                  for kind in ("langevin", "langevin-warm"))
    assert cold.keys() == warm.keys() and cold != warm


VALIDATE = Path(__file__).parents[1] / "scripts" / "validate_variants.py"


def test_validate_variants_scores_each_run_once_and_resumes(tmp_path):
    """scripts/validate_variants.py (no sys.path edits): the installed pnf, in memory."""
    study_setup(tmp_path)
    argv = [sys.executable, str(VALIDATE), "--config", str(tmp_path / "exp.yaml"), "--priors",
            str(tmp_path / "priors"), "--csv", str(tmp_path / "v.csv"), "--factors", "4",
            "--seconds", "0.05", "--datasets", "piano", "--runs", "spline=--method spline",
            "p1=--iterations 1", "w1=--iterations 1 --warm-start --start-sigma 5",
            "m1=--iterations 1 --mean-of 2"]
    subprocess.run(argv, check=True)
    rows = list(csv.DictReader(open(tmp_path / "v.csv")))
    assert [(r["run"], r["clip"]) for r in rows] == [(n, "b") for n in ("spline", "p1", "w1",
                                                                         "m1")]
    assert all(np.isfinite(float(r["snr"])) and float(r["lsd"]) >= 0 for r in rows)
    assert float(rows[0]["snr"]) > 30                   # the spline on a sine: near exact
    before = (tmp_path / "v.csv").read_text()
    subprocess.run(argv, check=True)                     # all done: nothing added
    assert (tmp_path / "v.csv").read_text() == before


def test_the_studies_restore_as_pnf_restore_does(tmp_path):
    """pnf.restoration.restore in memory equals `pnf restore superres` (whose WAV output
    holds 16-bit samples), warm start and mean of K included."""
    import soundfile as sf
    import torch
    from test_bad_inputs import tiny_prior

    from pnf.checkpoints import load_prior
    from pnf.cli import main
    from pnf.langevin import Schedule
    from pnf.restoration import Sampling, restore, task_options
    from pnf.restore.audio_io import Observed

    torch.manual_seed(0)
    prior = tiny_prior(tmp_path / "p.pt")
    x = (0.3 * np.sin(np.arange(2000) * 0.05)).astype(np.float32)
    write_audio(tmp_path / "x.wav", x)
    x = sf.read(tmp_path / "x.wav", dtype="float32")[0]          # as the CLI reads it
    flags = ["--iterations", "2", "--levels", "20", "1", "--delta", "0.05", "--seed", "3",
             "--warm-start", "--mean-of", "2"]
    assert main(["restore", "superres", "--prior", prior, "--input", str(tmp_path / "x.wav"),
                 "--output", str(tmp_path / "y.wav"), "--factor", "4", "--device", "cpu",
                 *flags]) == 0
    cli = sf.read(tmp_path / "y.wav", dtype="float32")[0]
    run = Sampling(seed=3, device="cpu", mean_of=2, warm_start=True, progress=False)
    results, info = restore([load_prior(prior)], "superres", Observed(x[::4], len(x)),
                            Schedule(sigmas=[20.0, 1.0], delta=0.05, iterations=2), run,
                            task_options("superres", ["--factor", "4"]))
    assert len(results) == 1 and info["levels"] == [1.0]          # warm: from the last level
    assert np.abs(results[0].numpy()[: len(x)] - cli).max() < 1.0 / 32767
    assert np.abs(cli - x).max() > 1e-3                           # restored, not copied
