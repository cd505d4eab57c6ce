"""Held-out NLL logged while a prior trains (ours): a few validation clips at every checkpoint.

    >>> from pnf.priors.curve import HeldoutCurve
    >>> curve = HeldoutCurve.start("data/embedded/piano", "piano", quantizer, 22050,
    ...                            "prior.pt.parts/heldout.csv")   # None: no held-out clips
    >>> train(..., on_checkpoint=curve.hook(net=0, sigma=1.0))    # pnf.training.train
    >>> curve.finish("prior.pt.heldout.csv")

Each checkpoint appends a row (net, sigma, step, seconds, bits): `bits` is the clean
held-out bits per sample of pnf.priors.heldout (the net's categorical given the clean
history, at the net's σ) on CLIPS validation clips of SECONDS each (pnf.priors.quality's
rule: the validation split, else the last test clips); `seconds` is the training time so far
(wall clock, summed over the nets of a per-level prior and over resumed runs). Times are
not deterministic, so they live in this CSV beside the prior, never in the checkpoint.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import numpy as np
import torch

from pnf.audio import mel_spectrogram, read_audio
from pnf.priors.heldout import LN2, clean_terms

CLIPS, SECONDS = 2, 0.25
FIELDS = ["net", "sigma", "step", "seconds", "bits"]


class HeldoutCurve:
    def __init__(self, waves: list[np.ndarray], quantizer, path: str | Path):
        self.waves, self.path = waves, Path(path)
        self.bins = [torch.as_tensor(quantizer.quantize(w), dtype=torch.float32)[None]
                     for w in waves]                                            # (1, T) each
        self.rows = _read(self.path)
        self.offset = float(self.rows[-1]["seconds"]) if self.rows else 0.0
        self.t0 = time.perf_counter()

    @classmethod
    def start(cls, data, source, quantizer, rate: int, path) -> HeldoutCurve | None:
        """A curve over the data's validation clips; None when it has no held-out clips."""
        from pnf.clips import heldout_paths

        try:
            paths = heldout_paths(data, "validation", source, CLIPS)
        except (ValueError, FileNotFoundError):
            return None
        if not paths or Path(data).is_dir() and not (Path(data) / "manifest.csv").is_file():
            return None
        n = round(SECONDS * rate)
        return cls([read_audio(p, rate, quiet=True)[:n] for p in paths], quantizer, path)

    def hook(self, net: int, sigma: float):
        """on_checkpoint(step, model) for pnf.training.train: logs one row."""
        def log(step: int, model) -> None:
            bits = self.bits(model, sigma)
            seconds = self.offset + time.perf_counter() - self.t0
            self.rows.append({"net": net, "sigma": sigma, "step": step,
                              "seconds": round(seconds, 2), "bits": round(bits, 5)})
            _write(self.path, self.rows)
            print(f"pnf: held-out {bits:.3f} bits/sample at step {step} (net {net}, "
                  f"σ={sigma:g}, {seconds:.0f} s)", file=sys.stderr)
        return log

    def bits(self, model, sigma: float) -> float:
        device = next(model.parameters()).device
        terms = []
        for x, w in zip(self.bins, self.waves, strict=True):
            cond = None
            if model.config.mel_channels:
                mel = mel_spectrogram(torch.from_numpy(w)[None], rate=model.config.rate)
                cond = model.condition(mel.to(device), x.shape[1])
            terms.append(clean_terms(model, x.to(device), sigma, cond).flatten().cpu())
        return float(-torch.cat(terms).mean() / LN2)

    def finish(self, out: str | Path) -> None:
        _write(Path(out), self.rows)


def _read(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict]) -> None:
    import io

    from pnf.atomic import write_text_atomic

    buf = io.StringIO()
    w = csv.DictWriter(buf, FIELDS)
    w.writeheader()
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, buf.getvalue())


def read_curve(path: str | Path) -> list[dict]:
    """The rows of a curve CSV as numbers ([] when there is none)."""
    return [{k: float(v) for k, v in r.items()} for r in _read(Path(path))]
