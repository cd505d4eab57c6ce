"""Metrics against hand values and independent references; the evaluate CLI end to end."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import torch

from pnf.audio import write_audio
from pnf.cli import main
from pnf.metrics import (
    RECORD_KEYS,
    aggregate,
    bootstrap_ci,
    bss_eval,
    lsd,
    psnr,
    score_item,
    si_sdr,
    snr,
    to_nested,
)

RNG = np.random.default_rng(1)


def noise(n=22050, scale=0.1, seed=0):
    return (scale * np.random.default_rng(seed).standard_normal(n)).astype(np.float64)


def test_snr_of_half_scaled_estimate_is_6_02_db():
    x = noise()
    assert snr(x, 0.5 * x) == pytest.approx(20 * math.log10(2), abs=1e-9)
    assert snr(x, x) == 300.0  # perfect estimate: clipped to MAX_DB, finite for JSON


def test_lsd_identical_is_zero_and_double_amplitude_is_log4():
    x = noise()
    assert lsd(x, x) == 0.0
    # |2X|² = 4|X|² in every bin, so every frame's distance is exactly ln 4 = 1.386
    assert lsd(x, 2 * x) == pytest.approx(math.log(4), abs=1e-6)
    assert lsd(noise(100, 10.0), noise(100, 20.0)) == pytest.approx(math.log(4), abs=1e-4)  # short


def test_lsd_of_constants_by_hand():
    """Reflect-padded constants under a periodic Hann window have energy in bins 0 and 1
    only (|X₀| = aN/2, |X₁| = aN/4); halving a changes each by ln 4 in every frame, the
    other 1023 bins sit at ln ε in both. So LSD = ln 4·sqrt(2/1025) — a symmetric window or
    zero padding would leak into every bin (→ ln 4), and averaging over time first (KEE's
    code) would give ln 4·2/1025."""
    a = np.full(22050, 0.5)
    assert lsd(a, a / 2) == pytest.approx(math.log(4) * math.sqrt(2 / 1025), rel=1e-6)


def test_power_spectrogram_matches_torch_stft_as_librosa_configures_it():
    """librosa.stft(x, 2048) (KEE's call): periodic Hann, hop 512, centred, reflect-padded."""
    from pnf.measures import power_spectrogram

    x = noise(5000, 1.0, seed=4)
    ref = torch.stft(torch.tensor(x), 2048, 512, window=torch.hann_window(
        2048, periodic=True, dtype=torch.float64), center=True, pad_mode="reflect",
        return_complex=True).abs() ** 2                           # (1025, frames)
    np.testing.assert_allclose(power_spectrogram(x, 2048, 512), ref.numpy().T, atol=1e-9)


def test_si_sdr_matches_torchmetrics_on_random_signals():
    from torchmetrics.functional.audio import scale_invariant_signal_distortion_ratio as ref

    for seed in range(5):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal(4000) + 0.3
        y = x * rng.uniform(0.2, 3) + rng.standard_normal(4000) * rng.uniform(0.05, 2) - 0.1
        expected = ref(torch.tensor(y), torch.tensor(x), zero_mean=True).item()
        assert si_sdr(x, y) == pytest.approx(expected, abs=1e-6)
    assert si_sdr(x, 3 * y) == pytest.approx(si_sdr(x, y), abs=1e-9)  # scale invariant


def test_psnr_for_images_in_minus_one_one():
    x = RNG.uniform(-1, 1, (3, 32, 32))
    assert psnr(x, x + 0.1) == pytest.approx(10 * math.log10(4 / 0.01), abs=1e-9)


def test_bss_eval_perfect_estimate_and_known_interference():
    s1, s2 = noise(22050 * 2, 0.3, 1), noise(22050 * 2, 0.3, 2)
    perfect = bss_eval(s1, s1, s1 + s2)
    assert perfect["sdr"] > 100 and perfect["sir"] > 100
    leaky = bss_eval(s1, s1 + 0.3 * s2, s1 + s2)
    # interference at -10.46 dB: SIR near 20·log10(1/0.3), no artefacts, so SAR stays high
    assert leaky["sir"] == pytest.approx(20 * math.log10(1 / 0.3), abs=1.0)
    assert leaky["sar"] > leaky["sir"] + 20
    worse = bss_eval(s1, s1 + 0.6 * s2, s1 + s2)
    assert worse["sir"] < leaky["sir"] - 5 and worse["sdr"] < leaky["sdr"]


def test_score_item_gives_one_flat_json_record():
    x = noise(8000)
    rec = score_item(x, 0.5 * x, "superres", dataset="piano", setting="x4", method="pnf",
                     item="c0", factor=4)
    assert tuple(rec) == RECORD_KEYS
    assert rec["duration"] == pytest.approx(8000 / 22050)
    assert rec["sdr"] is None and rec["psnr"] is None and rec["source"] == ""
    json.dumps(rec, allow_nan=False)
    img = score_item(np.zeros((3, 4, 4)), np.full((3, 4, 4), 0.1), "images", method="pnf")
    assert img["psnr"] == pytest.approx(26.0206, abs=1e-3) and img["snr"] is None
    with pytest.raises(ValueError, match="samples"):
        score_item(x, x[:4000], "superres")
    with pytest.raises(ValueError, match="unknown record keys"):
        score_item(x, x, "superres", colour="red")


def test_aggregate_stats_and_bootstrap_are_deterministic():
    values = RNG.normal(10, 2, 40)
    df = pd.DataFrame({"dataset": "piano", "task": "superres", "setting": "x4", "method": "pnf",
                       "item": [f"c{i}" for i in range(40)], "snr": values})
    summary = aggregate(df)
    row = summary[summary.metric == "snr"].iloc[0]
    assert row["n"] == 40 and row["mean"] == pytest.approx(values.mean())
    assert row["median"] == pytest.approx(np.median(values))
    assert row["ci_low"] < row["mean"] < row["ci_high"]
    half = 1.96 * values.std(ddof=1) / math.sqrt(40)  # normal approximation of the CI
    assert row["ci_high"] - row["ci_low"] == pytest.approx(2 * half, rel=0.2)
    assert bootstrap_ci(values) == bootstrap_ci(values)
    nested = to_nested(summary)
    assert nested["piano"]["superres"]["x4"]["pnf"]["all"]["snr"]["n"] == 40


def test_evaluate_cli_item_and_collect(tmp_path, capsys):
    truth, est, mix = noise(11025, 0.3, 3), noise(11025, 0.3, 4), None
    mix = truth + est
    for name, x in (("t", truth), ("e", truth + 0.05 * est), ("m", mix)):
        write_audio(tmp_path / f"{name}.wav", x / 2)
    out = tmp_path / "scores" / "mix" / "separate" / "2src" / "pnf" / "c0-piano.json"
    args = ["evaluate", "item", "--truth", str(tmp_path / "t.wav"), "--estimate",
            str(tmp_path / "e.wav"), "--mixture", str(tmp_path / "m.wav"), "--dataset", "mix",
            "--task", "separate", "--setting", "2src", "--method", "pnf", "--item", "c0-piano",
            "--source", "piano", "--seconds", "1.5", "--out", str(out)]
    assert main(args) == 0
    rec = json.loads(out.read_text())
    assert rec["source"] == "piano" and rec["seconds"] == 1.5
    assert rec["sdr"] > 15 and rec["snr"] == pytest.approx(20 * math.log10(1 / 0.05), abs=0.5)
    csv, js = tmp_path / "metrics.csv", tmp_path / "metrics.json"
    assert main(["evaluate", "collect", "--scores", str(tmp_path / "scores"), "--out-csv",
                 str(csv), "--out-json", str(js)]) == 0
    assert pd.read_csv(csv).shape == (1, len(RECORD_KEYS))
    stats = json.loads(js.read_text())["mix"]["separate"]["2src"]["pnf"]["piano"]["sdr"]
    assert stats["n"] == 1 and stats["ci_low"] == stats["mean"] == stats["ci_high"]
    capsys.readouterr()
    assert main(["evaluate", "collect", "--scores", str(tmp_path / "none")]) == 2
    assert "no score records" in capsys.readouterr().err
