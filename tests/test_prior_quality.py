"""Prior quality (pnf evaluate prior): reference models, held-out bits, spectral statistics."""

import json
import math
import sys

import numpy as np
import pytest
import torch
import yaml

from pnf.audio import Quantizer
from pnf.checkpoints import load_prior
from pnf.cli import main
from pnf.priors.heldout import heldout_bits
from pnf.priors.references import Histogram, LinearPredictor, laplace_bin_log_prob
from pnf.spectral import flatness, frechet_logmel, highband_db

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from conftest import decaying_harmonics  # noqa: E402

PRIOR = {"model": {"size": "tiny"}, "sigma_mode": "input", "sigmas": [0.5, 8.0], "crop": 1024,
         "source": "piano",
         "training": {"steps": 40, "batch_size": 4, "lr": 3e-3, "checkpoint_every": 20,
                      "ema": 0.99}}


@pytest.fixture(scope="module")
def tone_set(tmp_path_factory):
    """A manifest of 1 s tones: 5 train, 3 test clips (source piano)."""
    from pnf.datasets.manifest import Manifest

    root = tmp_path_factory.mktemp("tones")
    m = Manifest(root)
    for i, f0 in enumerate([196.0, 220.0, 261.6, 329.6, 392.0, 246.9, 293.7, 440.0]):
        split = "test" if i >= 5 else "train"
        m.add_audio(f"{split}/t{i}.wav", decaying_harmonics(f0, 1.0, seed=i), split=split,
                    source="piano", piece=f"p{i}")
    m.finish(params={"tones": 1})
    return root


@pytest.fixture(scope="module")
def trained(tone_set, tmp_path_factory):
    out = tmp_path_factory.mktemp("prior") / "p.pt"
    cfg = out.with_suffix(".yaml")
    cfg.write_text(yaml.safe_dump(PRIOR))
    assert main(["train", "prior", "--config", str(cfg), "--data", str(tone_set),
                 "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("mean,scale", [(0.3, 0.7), (127.2, 3.0), (250.0, 20.0), (-4.0, 0.2)])
def test_discretized_laplace_sums_to_one(mean, scale):
    k = np.arange(256.0)
    p = np.exp(laplace_bin_log_prob(k, np.full(256, mean), scale))
    assert p.sum() == pytest.approx(1.0, abs=1e-9)
    assert np.argmax(p[1:-1]) + 1 == int(np.clip(round(mean), 1, 254))   # outer bins: tails


def test_linear_predictor_finds_an_ar_process_and_beats_the_histogram():
    rng = np.random.default_rng(0)
    x = np.zeros(20000)
    for t in range(2, len(x)):                 # AR(2) with a Laplace innovation of scale 2
        x[t] = 1.6 * x[t - 1] - 0.8 * x[t - 2] + rng.laplace(0, 2.0)
    bins = np.clip(np.round(127.5 + x), 0, 255)
    lp = LinearPredictor.fit([bins[:15000]], order=2)
    assert lp.coef[1:] == pytest.approx([1.6, -0.8], abs=0.03)
    assert lp.coef[0] == pytest.approx(127.5 * (1 - 1.6 + 0.8), rel=0.05)
    assert lp.scale == pytest.approx(2.0, rel=0.05)
    # entropy of a unit-width discretized Laplace of scale 2: about log2(2e·2) = 3.44 bits
    assert lp.bits([bins[15000:]]) == pytest.approx(math.log2(4 * math.e), abs=0.1)
    assert Histogram.fit([bins[:15000]]).bits([bins[15000:]]) > lp.bits([bins[15000:]]) + 1


@pytest.mark.parametrize("max_rows", [10**9, 5_000])
def test_linear_predictor_fit_clip_by_clip_equals_the_whole_design_matrix(monkeypatch, max_rows):
    """The fit builds one clip's history rows at a time (memory: the kept rows, not every
    training sample); it must equal least squares on the whole stacked design matrix, with
    the same evenly spaced subsample when the clips hold more than MAX_ROWS rows."""
    import pnf.priors.references as refs

    monkeypatch.setattr(refs, "MAX_ROWS", max_rows)
    rng = np.random.default_rng(3)
    clips = [np.clip(np.round(127.5 + np.cumsum(rng.laplace(0, 2, n)) % 60), 0, 255)
             for n in (3000, 1, 4500, 2500)]
    lp = LinearPredictor.fit(clips, order=4)
    X = np.concatenate([refs._design(c, 4) for c in clips])
    y = np.concatenate(clips)
    keep = np.linspace(0, len(y) - 1, min(len(y), max_rows)).astype(np.int64)
    A = np.hstack([np.ones((len(keep), 1)), X[keep]])
    coef = np.linalg.lstsq(A, y[keep], rcond=None)[0]
    assert lp.coef == pytest.approx(coef, abs=1e-9)
    assert lp.scale == pytest.approx(np.mean(np.abs(y - coef[0] - X @ coef[1:])), rel=1e-12)


def test_histogram_of_uniform_bins_is_eight_bits():
    bins = np.random.default_rng(1).integers(0, 256, 200_000)
    assert Histogram.fit([bins[:100_000]]).bits([bins[100_000:]]) == pytest.approx(8, abs=0.01)


def test_noise_entropy_correction_meets_the_clean_bits_at_small_sigma(trained, tone_set):
    """At σ = 0.02 bins the smoothed NLL minus the noise entropy is the clean NLL; without the
    correction (or with √(2π) in place of √(2πe)) the two differ by ≥ 0.7 bits."""
    prior = load_prior(trained)
    q = Quantizer("mulaw")
    rng = np.random.default_rng(2)
    bins = [q.quantize(decaying_harmonics(300.0, 0.3, seed=9) * rng.uniform(0.5, 1))]
    bits = heldout_bits(prior, bins, sigma=0.02)
    assert bits["sigma"] == pytest.approx(bits["clean"], abs=0.03)
    assert 0 < bits["clean"] < 9


def test_training_logs_the_heldout_curve(trained):
    rows = (trained.parent / "p.pt.heldout.csv").read_text().splitlines()
    assert rows[0] == "net,sigma,step,seconds,bits" and len(rows) == 3   # steps 20 and 40
    step, bits = int(rows[-1].split(",")[2]), float(rows[-1].split(",")[4])
    assert step == 40 and 0 < bits < 9


def test_spectral_statistics_separate_noise_from_tones():
    noise = np.random.default_rng(0).standard_normal(11025)
    tone = decaying_harmonics(220.0, 0.5)
    assert flatness(noise) > 0.5 > 0.01 > flatness(tone)
    assert highband_db(noise, 22050) > 0 > -30 > highband_db(tone, 22050)
    same = frechet_logmel([tone], [tone.copy()], 22050)
    assert abs(same) < 1e-4 and frechet_logmel([noise], [tone], 22050) > 10


def test_evaluate_prior_cli_writes_a_record(trained, tone_set, tmp_path, capsys):
    out = tmp_path / "q.json"
    assert main(["evaluate", "prior", "--prior", str(trained), "--data", str(tone_set),
                 "--clips", "2", "--seconds", "0.3", "--samples", "2", "--sample-seconds", "0.1",
                 "--out-json", str(out), "--out-csv", str(tmp_path / "q.csv")]) == 0
    rec = json.loads(out.read_text())
    assert rec["clips"] == 2 and rec["quantization"] == "mulaw" and rec["sigma"] == 0.5
    assert 0 < rec["bits_linear"] < rec["bits_histogram"] < 12
    assert rec["data_flatness"] < 0.01 and rec["samples"] == 2
    assert rec["quantized_flatness"] > rec["data_flatness"]     # mu-law's floor: a noisier tone
    assert "linear predictor" in capsys.readouterr().out
    assert (tmp_path / "q.csv").read_text().count("\n") == 2


def test_evaluate_prior_bad_input_is_one_line_and_writes_nothing(trained, tone_set, tmp_path,
                                                                 capsys):
    out = tmp_path / "q.json"
    assert main(["evaluate", "prior", "--prior", str(trained), "--data", str(tone_set),
                 "--clips", "0", "--out-json", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pnf: error:") and "\n" not in err and not out.exists()
    assert main(["evaluate", "prior", "--prior", str(tmp_path / "none.pt"), "--data",
                 str(tone_set), "--out-json", str(out)]) == 2
    assert not out.exists()
    torch.manual_seed(0)


def test_report_priors_writes_table_and_training_curve(trained, tone_set, tmp_path):
    rec = tmp_path / "piano-mulaw.json"
    assert main(["evaluate", "prior", "--prior", str(trained), "--data", str(tone_set),
                 "--clips", "1", "--seconds", "0.2", "--samples", "0", "--out-json",
                 str(rec)]) == 0
    assert [c["step"] for c in json.loads(rec.read_text())["curve"]] == [20, 40]
    assert main(["report", "priors", "--records", str(rec), "--out", str(tmp_path / "t")]) == 0
    md = (tmp_path / "t/prior-quality.md").read_text()
    assert "piano-mulaw" in md and "linear prediction" in md
    assert (tmp_path / "t/prior-nll.png").stat().st_size > 1000
