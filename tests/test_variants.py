"""The PnF variants of ours: warm start (--warm-start, --start-sigma) and --mean-of K."""

import math
import re

import numpy as np
import pytest
import soundfile as sf
import torch

from pnf.audio import RATE, Quantizer, write_audio
from pnf.baselines.spline import spline_upsample
from pnf.cli import main
from pnf.langevin import Schedule
from pnf.tasks.audio import Inpainting, SuperResolution
from pnf.tasks.separation import Separation
from pnf.variants import fill_error, spline_error, start_level, warm_schedule

MU = Quantizer("mulaw")
N = RATE // 4
SINE = (0.5 * np.sin(2 * np.pi * 110 * np.arange(N) / RATE)).astype(np.float32)


def true_spline_error(x, factor):
    """RMS bin error of the spline at `factor` against the truth, on the free samples."""
    up = spline_upsample(x[::factor], factor)[: len(x)]
    free = np.arange(len(x)) % factor != 0
    free[(len(x) - 1) // factor * factor:] = False                 # no extrapolated tail
    return float(np.sqrt(np.mean((MU.to_bins(up[free]) - MU.to_bins(x[free])) ** 2)))


@pytest.mark.parametrize("sigma, level", [(100.0, 0), (20.0, 0), (6.0, 1), (5.0, 1),
                                          (1.0, 2), (0.3, 2), (math.inf, 0)])
def test_start_level_is_the_first_level_at_or_below_sigma(sigma, level):
    assert start_level([20.0, 5.0, 1.0], sigma) == level


def test_a_warm_schedule_keeps_each_levels_step():
    full = Schedule(sigmas=[20.0, 5.0, 1.0], delta=0.05, iterations=3)
    short = warm_schedule(full, 6.0)
    assert list(short.sigmas) == [5.0, 1.0]
    assert [short.step_size(s) for s in short.sigmas] == [full.step_size(s) for s in (5.0, 1.0)]


def test_spline_error_of_a_near_fit_sine_is_small_and_not_below_the_truth():
    est = spline_error(SINE[::4][None], MU.to_bins)
    truth = true_spline_error(SINE, 4)
    assert truth <= est < 0.5                    # bins: the spline nearly fits a 110 Hz sine


def test_spline_error_of_white_noise_is_near_the_truth():
    x = np.random.default_rng(0).uniform(-0.5, 0.5, N).astype(np.float32)
    est, truth = spline_error(x[::4][None], MU.to_bins), true_spline_error(x, 4)
    assert truth > 20 and 0.8 * truth < est < 1.3 * truth   # no structure: spacing-free


def test_zero_fill_error_is_the_rms_beside_the_gap():
    """Zero fill's pseudo-gap error is the bin RMS about silence of the samples it hides,
    also when the gap is longer than the observed signal on either side."""
    x = np.where(np.arange(1000) < 500, 0.2, -0.4).astype(np.float32)
    mask = np.ones(1000, bool)
    mask[300:700] = False                        # 300 observed samples on each side
    left, right = MU.to_bins(0.2) - MU.silence, MU.to_bins(-0.4) - MU.silence
    assert fill_error(x[None], mask[None], "zero", MU.to_bins) == pytest.approx(
        float(np.sqrt((left**2 + right**2) / 2)), rel=1e-6)       # 298 hidden on each side
    mask[:] = False
    mask[0] = True
    assert fill_error(x[None], mask[None], "zero", MU.to_bins) == math.inf   # nothing fits


def test_task_warm_starts_hold_the_observations():
    sr = SuperResolution(SINE[::4], 4, MU)
    state, sigma = sr.warm_start()                                    # (1, 1, N)
    assert state.shape == (1, 1, N) and sigma < 0.5
    assert torch.equal(state[0, 0, ::4], MU.to_bins(torch.as_tensor(SINE[::4])))
    gaps = Inpainting(SINE, [(0.1, 0.15)], RATE, MU)
    state, _ = gaps.warm_start()
    assert torch.allclose(state[gaps.free], torch.tensor(MU.silence))   # zero fill
    lin = Quantizer("linear")
    sep = Separation(SINE, [lin, lin])
    state, sigma = sep.warm_start()                                   # (2, 1, N)
    assert torch.allclose(lin.from_bins(state).sum(0), torch.as_tensor(SINE), atol=1e-6)
    assert sigma == pytest.approx(float(np.sqrt(np.mean((SINE * lin.half) ** 2))) / 2,
                                  rel=1e-5)


@pytest.fixture(scope="module")
def prior(tmp_path_factory):
    """A random-init tiny mu-law prior with levels 20 and 1 (no training needed)."""
    from pnf.checkpoints import build_model, pack_prior, save_checkpoint
    from pnf.priors.train import WAVENET_SIZES

    path = tmp_path_factory.mktemp("prior") / "mu.pt"
    net = build_model("wavenet", {**WAVENET_SIZES["tiny"], "sigma_input": True})
    save_checkpoint(path, pack_prior([net], [1.0, 20.0], sigma_input=True))
    return str(path)


def restore(prior, folder, *extra):
    clip = folder / "sine.wav"
    write_audio(clip, SINE)
    return main(["restore", "superres", "--prior", prior, "--input", str(clip), "--factor",
                 "4", "--levels", "20", "5", "1", "--iterations", "2", "--device", "cpu",
                 *extra])


def test_warm_start_begins_at_the_matched_level_from_the_spline(prior, tmp_path, capsys):
    """Auto σ < 1 bin: only the last level (σ = 1) runs; with a negligible step the output
    is the spline itself (up to 16-bit rounding)."""
    out = tmp_path / "warm.wav"
    assert restore(prior, tmp_path, "--output", str(out), "--warm-start",
                   "--delta", "1e-12") == 0
    assert "annealing from σ = 1, 1 of 3 levels" in capsys.readouterr().err
    spline = spline_upsample(sf.read(tmp_path / "sine.wav")[0][::4], 4)[:N]
    assert np.abs(sf.read(out)[0] - spline).max() < 2 / 32768
    assert restore(prior, tmp_path, "--output", str(out), "--warm-start", "--start-sigma",
                   "7") == 0
    assert "annealing from σ = 5, 2 of 3 levels" in capsys.readouterr().err


def test_mean_of_k_is_the_mean_of_the_k_chains_of_batch_k(prior, tmp_path):
    assert restore(prior, tmp_path, "--output", str(tmp_path / "b.wav"), "--batch", "3") == 0
    assert restore(prior, tmp_path, "--output", str(tmp_path / "m.wav"), "--mean-of", "3") == 0
    chains = [sf.read(tmp_path / f"b-{i}.wav")[0] for i in (1, 2, 3)]
    mean = sf.read(tmp_path / "m.wav")[0]
    assert not np.allclose(chains[0], chains[1], atol=1e-3)          # chains differ
    assert np.abs(mean - np.mean(chains, 0)).max() <= 2 / 32768     # 16-bit rounding only
    assert not (tmp_path / "m-1.wav").exists()
    assert np.array_equal(mean[::4], sf.read(tmp_path / "sine.wav")[0][::4])


def test_batch_n_mean_of_k_averages_consecutive_chains(prior, tmp_path):
    assert restore(prior, tmp_path, "--output", str(tmp_path / "b.wav"), "--batch", "4") == 0
    assert restore(prior, tmp_path, "--output", str(tmp_path / "m.wav"), "--batch", "2",
                   "--mean-of", "2") == 0
    chains = [sf.read(tmp_path / f"b-{i}.wav")[0] for i in (1, 2, 3, 4)]
    for i, pair in ((1, chains[:2]), (2, chains[2:])):
        assert np.abs(sf.read(tmp_path / f"m-{i}.wav")[0] - np.mean(pair, 0)).max() <= 2 / 32768


def test_variant_labels_say_ours():
    from pnf.report.labels import method_label

    assert method_label("pnf") == "PnF"
    assert method_label("pnf-warm") == "PnF, warm start (ours)"
    assert method_label("pnf-mean4") == "PnF, mean of 4 (ours)"
    assert method_label("pnf-warm-mean8") == "PnF, warm start, mean of 8 (ours)"
    assert method_label("pnf-warm-pc") == "PnF predictor-corrector, warm start (ours)"


def test_the_dag_adds_a_row_per_configured_variant(tmp_path):
    """Smoke plus `variants:` on super-resolution and separation: five more PnF rows per
    super-resolution cell (warm, mean of 3, both, predictor-corrector, warm and
    predictor-corrector), one more (mean of 2) for separation."""
    import yaml
    from test_pipeline import ROOT, SNAKEMAKE, job_counts, run, score_records, workdir

    config = yaml.safe_load((ROOT / "experiments/smoke.yaml").read_text())
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    base_out = run([*SNAKEMAKE, "-n"], workdir(tmp_path / "a", config))[1]
    base = job_counts(base_out)
    config["tasks"]["superres"]["variants"] = {"warm_start": True, "mean_of": 3,
                                               "combined": True, "schedules": ["pc"]}
    config["tasks"]["separate"]["variants"] = {"mean_of": 2}
    _, out = run([*SNAKEMAKE, "-n", "-p"], workdir(tmp_path / "b", config))
    counts, cells = job_counts(out), 2 * 4          # 2 data sets × 4 factors × 1 clip
    assert counts["restore_pnf"] == base["restore_pnf"] + 5 * cells
    assert counts["separate"] == base["separate"] + 1
    assert len(score_records(out)) == len(score_records(base_out)) + 5 * cells + 2  # 2 sources
    for flags, folder in [("--warm-start --input", "pnf-warm"), ("--mean-of 3 --input",
                          "pnf-mean3"), ("--warm-start --mean-of 3", "pnf-warm-mean3"),
                          ("--schedule pc --input", "pnf-pc"),
                          ("--warm-start --schedule pc --input", "pnf-warm-pc"),
                          ("--mean-of 2 --input", "separate/2src/pnf-mean2")]:
        assert re.search(rf"{flags}.* --output \S*{folder}/c000", out), folder
