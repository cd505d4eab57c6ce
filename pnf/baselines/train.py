"""Training data and losses of the learned baselines, run through `pnf.training.train`.

    >>> from pnf.baselines.train import train_baseline
    >>> net = train_baseline("kee", {"factor": 4, "filters": [8, 16], "kernels": [9, 5]},
    ...                      {"steps": 50}, crop=4096, out="kee.pt", data=["data/piano"],
    ...                      validation={"fraction": 0.1, "every": 10, "patience": 2})

KEE learns from clean crops x: its input is spline(x[::k]) and its target x (L2 loss).
The separators learn by dynamic mixing: a random piano crop and a random voice crop are
each peak-normalized to 0.5 and summed (`pnf.clips.mix`). Losses: `pnf.baselines.losses`
(Conv-TasNet: negative SNR, not the paper's sign-blind SI-SNR; Demucs: L1). Every batch is
drawn from the step's generator, so a resumed run sees the same data. With
`validation.fraction` > 0 the last clips of each set are held out and training stops
early on their loss (`pnf.baselines.early`), keeping the best checkpoint.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import torch

from pnf.audio import RATE
from pnf.baselines.convtasnet import ConvTasNet
from pnf.baselines.demucs import Demucs
from pnf.baselines.demucs_pkg import PackageDemucs
from pnf.baselines.early import ValidationConfig, split_clips, train_validated
from pnf.baselines.kee import KEE
from pnf.baselines.losses import LOSSES
from pnf.baselines.spline import spline_upsample
from pnf.checkpoints import check_size, read_checkpoint
from pnf.clips import load_clips, mix, random_crops
from pnf.config import from_dict
from pnf.resources import check, training_need
from pnf.runtime import pick_device
from pnf.training import TrainConfig, train

LEARNED = {"kee": KEE, "convtasnet": ConvTasNet, "demucs": Demucs, "demucs_pkg": PackageDemucs}


def superres_batches(clips, crop: int, batch: int, factor: int):
    """batch_fn giving (spline(x[::k]), x), both (B, crop // k * k)."""
    length = crop // factor * factor
    if length < factor:
        raise ValueError(f"crop {crop} is shorter than the factor {factor}; raise `crop`")

    def batch_fn(step: int, gen: torch.Generator):
        x = random_crops(clips, length, batch, gen)                    # (B, T)
        inp = torch.from_numpy(spline_upsample(x[:, ::factor].numpy(), factor))
        return inp, x
    return batch_fn


def mixture_batches(piano, voice, crop: int, batch: int):
    """batch_fn giving (mixture (B, T), sources (B, 2, T)) [piano, voice]."""
    def batch_fn(step: int, gen: torch.Generator):
        sources = torch.stack([random_crops(piano, crop, batch, gen),
                               random_crops(voice, crop, batch, gen)], dim=1)
        return mix(sources)
    return batch_fn


def _check_resume(out, method: str, model) -> None:
    """A run resumed into `out` must use the model config stored there."""
    if Path(out).exists():
        stored = read_checkpoint(out, (method,))["config"]
        if stored != dataclasses.asdict(model.config):
            raise ValueError(f"{out}: holds a {method} trained with a different model config; "
                             "use the same config or a new --out")


def _batches(method: str, sets: list, crop: int, batch: int, model):
    """batch_fn over one clip set (kee) or a pair of sets [piano, voice] (separators)."""
    if method == "kee":
        return superres_batches(sets[0], crop, batch, model.config.factor)
    return mixture_batches(sets[0], sets[1], crop, batch)


def _build(method: str, model_cfg: dict | None, factor: int | None, crop, data: list):
    """The untrained model, after checking the arguments (one-line errors)."""
    if method not in LEARNED:
        raise ValueError(f"unknown learned baseline {method!r}; valid: {sorted(LEARNED)}")
    cls = LEARNED[method]
    model_cfg = dict(model_cfg or {})
    if factor is not None:
        if method != "kee":
            raise ValueError(f"--factor applies to kee only, not {method}; drop it")
        model_cfg["factor"] = factor
    if not isinstance(crop, int) or crop < 1:
        raise ValueError(f"crop must be a positive number of samples, got {crop!r}; "
                         "fix `crop:` in the config")
    want = "one clean data path" if method == "kee" else "two data paths (piano, voice)"
    if len(data) != (1 if method == "kee" else 2):
        raise ValueError(f"{method} needs {want}, got {len(data)}; fix --data")
    cfg = from_dict(cls.Config, model_cfg, "model")
    check_size(cls, cfg, method)
    return cls(cfg)


def train_baseline(method: str, model_cfg: dict, train_cfg: dict, crop: int,
                   out: str | Path, data: list, factor: int | None = None,
                   source: str | None = None, validation: dict | None = None,
                   rate: int = RATE):
    """Train `method` on `data` ([clean] for kee, [piano, voice] for the separators), read
    at `rate` (Hz; the rate of the audio it will restore).

    KEE reads the manifest rows of `source` (all rows when None); the separators read the
    `piano` and `voice` rows of their two sets, never the per-part renders. `validation`:
    `pnf.baselines.early.ValidationConfig` fields (early stopping on held-out clips).
    """
    model = _build(method, model_cfg, factor, crop, data)
    cfg = TrainConfig.from_dict(train_cfg)
    check(training_need(model, cfg.batch_size, crop, cfg.steps, f"training {method}"),
          "lower batch_size, crop or steps, or use a smaller model", pick_device(cfg.device))
    vcfg = ValidationConfig.from_dict(validation)
    out = Path(out)
    work = out.with_name(out.name + ".parts") / "train.pt"  # survives a pipeline's cleanup
    if out.exists() and not work.exists():                  # continue a finished run
        work.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out, work)
    _check_resume(work, method, model)
    sources = [source] if method == "kee" else ["piano", "voice"]
    sets = [split_clips(load_clips(d, split="train", source=src, rate=rate), vcfg.fraction)
            for d, src in zip(data, sources, strict=True)]  # [(train, held out), ...]
    batch_fn = _batches(method, [fit for fit, _ in sets], crop, cfg.batch_size, model)
    desc = f"train {method}"
    if vcfg.fraction > 0:
        held_fn = _batches(method, [held for _, held in sets], crop, cfg.batch_size, model)
        model = train_validated(model, LOSSES[method], batch_fn, held_fn, cfg, vcfg, work,
                                kind=method, desc=desc)
    else:
        model = train(model, LOSSES[method], batch_fn, cfg, work, kind=method, desc=desc)
    os.replace(work, out)
    shutil.rmtree(work.parent, ignore_errors=True)
    return model
