"""Per-dataset sample rate: `datasets.<name>.rate` puts a dataset's test items, observations,
baseline outputs, its mu-law and mel priors, its KEE model and its scores at that rate; the
others, the mixtures and the linear separation priors keep pnf's 22 050 Hz."""

import copy
import json

import numpy as np
import soundfile as sf
import yaml
from test_pipeline import SNAKEMAKE, TINY, run, workdir

from pnf.audio import write_audio
from pnf.checkpoints import load_prior
from pnf.metrics import evaluate_item

S = "results/smoke/scores/piano/superres/x4"


def test_a_dataset_at_16_khz_is_restored_and_scored_at_16_khz(tmp_path):
    config = copy.deepcopy(TINY)
    config["datasets"]["piano"]["rate"] = 16000
    work = workdir(tmp_path, config)
    records = [f"{S}/{m}/c000.json" for m in ("pnf", "spline", "kee")]
    run([*SNAKEMAKE, "--cores", "2", *records], work)
    for name in ("items/piano/c000.wav", *(f"restored/piano/superres/x4/{m}/c000.wav" for m
                                             in ("truth", "input", "pnf", "spline", "kee"))):
        info = sf.info(work / "results/smoke" / name)        # input: the x4 observation, held
        assert (info.samplerate, info.frames) == (16000, 4000), name
    prior_cfg = yaml.safe_load((work / "results/smoke/configs/prior-piano-mulaw.yaml").read_text())
    assert prior_cfg["model"]["rate"] == 16000
    assert load_prior(work / "results/smoke/priors/piano-mulaw.pt").rate == 16000
    for path in records:
        record = json.loads((work / path).read_text())
        assert record["duration"] == 0.25 and np.isfinite(record["lsd"]), path


def test_a_file_is_scored_at_its_own_rate_unless_told(tmp_path):
    t = np.arange(8000) / 16000
    truth = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    write_audio(tmp_path / "truth.wav", truth, 16000)
    write_audio(tmp_path / "est.wav", 0.5 * truth, 16000)
    own = evaluate_item(tmp_path / "truth.wav", tmp_path / "est.wav", "superres")
    told = evaluate_item(tmp_path / "truth.wav", tmp_path / "est.wav", "superres", rate=22050)
    assert own["duration"] == 0.5 and told["duration"] == 0.5
    assert abs(own["snr"] - told["snr"]) < 0.5            # the same signal either way
    assert own["lsd"] != told["lsd"]                      # but 16 kHz has no band above 8 kHz
