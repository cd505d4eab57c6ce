"""Prior quality (ours): held-out bits per sample beside reference models, and statistics of
the prior's ancestral samples against the held-out audio.

    >>> from pnf.priors.quality import evaluate_prior
    >>> rec = evaluate_prior("results/smoke/priors/piano-mulaw.pt", "data/embedded/piano",
    ...                      split="test", clips=4, seconds=0.5, samples=2, sample_seconds=0.25)
    >>> rec["bits_clean"], rec["bits_linear"], rec["sample_flatness"], rec["data_flatness"]

Held-out clips: `split="test"` takes the first `clips` test-split clips (the scored items);
`split="validation"` takes the manifest's validation split when it has one, else the LAST
`clips` test-split clips (the project's validation convention: never among the scored
items). Bits: pnf.priors.heldout (the prior), pnf.priors.references (order-0 histogram and
a linear predictor fitted on the training clips), all in the prior's own bins. Samples:
ancestral (pnf.priors.ancestral) at the prior's lowest σ; a mel prior is conditioned on the
held-out clips' spectrograms. Statistics: pnf.spectral, of the samples, of the held-out audio
(`data_*`) and of that audio through the prior's quantizer (`quantized_*`: what a perfect
prior's samples would measure; mu-law alone lifts piano's >4 kHz band by about 8 dB and its
flatness about 5×, and the gate compares with it). The JSON record also carries the
held-out NLL curve logged while the prior trained (`curve`, pnf.priors.curve), when there is one.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import torch

from pnf.audio import read_audio
from pnf.checkpoints import load_prior, read_checkpoint
from pnf.clips import heldout_paths, load_clips
from pnf.priors.curve import read_curve
from pnf.priors.heldout import clip_condition, heldout_bits, lowest_sigma
from pnf.priors.references import Histogram, LinearPredictor
from pnf.priors.train import curve_path
from pnf.spectral import audio_stats, frechet_logmel


def prior_source(path: str | Path) -> str | None:
    """The manifest `source` the prior was trained on (None: every clip)."""
    return (read_checkpoint(path, ("prior",)).get("prior_config") or {}).get("source")


def _samples(prior, waves: list[np.ndarray], n: int, length: int, seed: int):
    """(n, length) ancestral waveforms at the lowest σ (mel prior: one per held-out clip)."""
    from pnf.priors.ancestral import ancestral_sample

    sigma, cond = lowest_sigma(prior), None
    if prior.config.mel_channels:
        length = min(length, *(len(w) for w in waves))
        cond = torch.cat([clip_condition(prior, w[:length]) for w in waves])  # (B, M, T)
        n = len(waves)
    bins = ancestral_sample(prior.net_for(sigma), length, batch=n, sigma=sigma, seed=seed,
                            cond=cond, progress=False)
    return [prior.quantizer.from_bins(b.astype(np.float64)) for b in bins]


def _write_samples(made: list[np.ndarray], rate: int, folder: Path) -> None:
    from pnf.audio import write_audio

    folder.mkdir(parents=True, exist_ok=True)
    for i, wave in enumerate(made):
        write_audio(folder / f"sample{i}.wav", wave, rate)


def evaluate_prior(prior_path: str | Path, data: str | Path, split: str = "test",
                   clips: int = 4, seconds: float = 0.5, samples: int = 2,
                   sample_seconds: float = 0.5, order: int = 32, seed: int = 0,
                   samples_out: str | Path | None = None) -> dict:
    """One flat record: bits per sample of prior and references, sample statistics.
    `samples_out`: also write the ancestral samples there (sample0.wav, …, at the prior's
    rate) to listen to or to draw."""
    prior = load_prior(prior_path)
    source, rate, q = prior_source(prior_path), prior.rate, prior.quantizer
    paths = heldout_paths(data, split, source, clips)
    waves = [read_audio(p, rate, quiet=True)[: round(seconds * rate)] for p in paths]
    bins = [q.quantize(w) for w in waves]
    train = [q.quantize(w) for w in load_clips(data, "train", source, rate)]
    ours = heldout_bits(prior, bins, waves=waves, seed=seed)
    linear = LinearPredictor.fit(train, order)
    rec = {"prior": str(prior_path), "data": str(data), "split": split, "clips": len(paths),
           "seconds": seconds, "rate": rate, "quantization": q.kind,
           "sigma": lowest_sigma(prior), "bits_clean": ours["clean"],
           "bits_sigma": ours["sigma"], "bits_histogram": Histogram.fit(train).bits(bins),
           "bits_linear": linear.bits(bins), "lpc_order": order}
    rec["gain_over_linear"] = rec["bits_linear"] - rec["bits_clean"]
    curve = read_curve(curve_path(prior_path))        # logged while it trained (JSON only)
    if samples > 0:
        made = _samples(prior, waves, samples, round(sample_seconds * rate), seed)
        if samples_out is not None:
            _write_samples(made, rate, Path(samples_out))
        through = [q.from_bins(b.astype(np.float64)) for b in bins]     # the quantized audio
        stats = {"sample": audio_stats(made, rate), "data": audio_stats(waves, rate),
                 "quantized": audio_stats(through, rate)}
        rec.update({"samples": len(made), "sample_seconds": len(made[0]) / rate,
                    **{f"{who}_{k}": v for who, s in stats.items() for k, v in s.items()},
                    "frechet_logmel": frechet_logmel(made, waves, rate)})
    return {**rec, "curve": curve} if curve else rec


ROWS = [("held-out bits/sample, prior (clean history)", "bits_clean"),
        ("held-out bits/sample, prior at lowest σ", "bits_sigma"),
        ("held-out bits/sample, order-0 histogram", "bits_histogram"),
        ("held-out bits/sample, linear predictor", "bits_linear"),
        ("ancestral samples: >4 kHz / <4 kHz (dB)", "sample_highband_db"),
        ("held-out audio:    >4 kHz / <4 kHz (dB)", "data_highband_db"),
        ("ancestral samples: spectral flatness", "sample_flatness"),
        ("held-out audio:    spectral flatness", "data_flatness"),
        ("log-mel Fréchet distance, samples vs audio", "frechet_logmel")]


def print_record(rec: dict) -> None:
    """The record as a two-column terminal table."""
    print(f"{rec['prior']} ({rec['quantization']}, σ_L = {rec['sigma']:g}, "
          f"{rec['clips']} {rec['split']} clips × {rec['seconds']:g} s)")
    for label, key in ROWS:
        if key in rec:
            print(f"  {label:<46} {rec[key]:10.4g}")


def write_record(rec: dict, out_json: str | Path | None, out_csv: str | Path | None) -> None:
    """The record as JSON and/or a one-row CSV (atomic writes)."""
    import io
    import json

    from pnf.atomic import write_text_atomic

    if out_json:
        write_text_atomic(out_json, json.dumps(rec, indent=1) + "\n")
    if out_csv:
        buf = io.StringIO()
        flat = {k: v for k, v in rec.items() if not isinstance(v, list)}
        w = csv.DictWriter(buf, list(flat))
        w.writeheader()
        w.writerow(flat)
        write_text_atomic(out_csv, buf.getvalue())
