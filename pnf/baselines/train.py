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
from collections.abc import Callable
from pathlib import Path

import torch

from pnf.audio import RATE
from pnf.baselines.early import ValidationConfig, split_clips, train_validated
from pnf.baselines.losses import LOSSES
from pnf.baselines.spline import spline_upsample
from pnf.checkpoints import check_size, model_class, read_checkpoint
from pnf.clips import load_clips, mix, random_crops
from pnf.config import from_dict
from pnf.methods import learned
from pnf.methods import method as spec_of
from pnf.resources import check, training_need
from pnf.runtime import pick_device
from pnf.training import TrainConfig, train


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


@dataclasses.dataclass(frozen=True)
class Corpus:
    """What a learned method trains on (its spec's `trains_on`)."""

    want: str                      # the data paths it needs, for messages
    sources: tuple[str, ...] | None  # manifest source of each path; None: --source (or all)
    batches: Callable              # (sets, crop, batch, model) -> batch_fn
    factor: bool = False           # takes --factor (its model's config.factor)


TRAINS_ON = {
    "clean": Corpus("one clean data path", None, factor=True, batches=lambda sets, crop, b, m:
                    superres_batches(sets[0], crop, b, m.config.factor)),
    "mixtures": Corpus("two data paths (piano, voice)", ("piano", "voice"),
                       batches=lambda sets, crop, b, m: mixture_batches(*sets, crop, b)),
}


def _corpus(name: str) -> Corpus:
    """The Corpus of learned method `name` (one-line error for any other name)."""
    if name not in learned():
        raise ValueError(f"unknown learned baseline {name!r}; valid: {sorted(learned())}")
    return TRAINS_ON[spec_of(name).trains_on]


def _build(name: str, model_cfg: dict | None, factor: int | None, crop, data: list):
    """The untrained model, after checking the arguments (one-line errors)."""
    corpus = _corpus(name)
    cls = model_class(name)
    model_cfg = dict(model_cfg or {})
    if factor is not None:
        if not corpus.factor:
            raise ValueError(f"--factor does not apply to {name}; drop it")
        model_cfg["factor"] = factor
    if not isinstance(crop, int) or crop < 1:
        raise ValueError(f"crop must be a positive number of samples, got {crop!r}; "
                         "fix `crop:` in the config")
    count = 1 if corpus.sources is None else len(corpus.sources)
    if len(data) != count:
        raise ValueError(f"{name} needs {corpus.want}, got {len(data)}; fix --data")
    cfg = from_dict(cls.Config, model_cfg, "model")
    check_size(cls, cfg, name)
    return cls(cfg)


def train_baseline(method: str, model_cfg: dict, train_cfg: dict, crop: int,
                   out: str | Path, data: list, factor: int | None = None,
                   source: str | None = None, validation: dict | None = None,
                   rate: int = RATE):
    """Train `method` on `data` (its spec's `trains_on`: [clean] or [piano, voice]), read
    at `rate` (Hz; the rate of the audio it will restore).

    On clean clips it reads the manifest rows of `source` (all rows when None); on
    mixtures, the `piano` and `voice` rows of the two sets, never the per-part renders.
    `validation`: `pnf.baselines.early.ValidationConfig` fields (early stopping on
    held-out clips).
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
    corpus, loss = _corpus(method), LOSSES[spec_of(method).loss]
    sets = [split_clips(load_clips(d, split="train", source=src, rate=rate), vcfg.fraction)
            for d, src in zip(data, corpus.sources or [source], strict=True)]  # [(train, held)]
    batch_fn = corpus.batches([fit for fit, _ in sets], crop, cfg.batch_size, model)
    desc = f"train {method}"
    if vcfg.fraction > 0:
        held_fn = corpus.batches([held for _, held in sets], crop, cfg.batch_size, model)
        model = train_validated(model, loss, batch_fn, held_fn, cfg, vcfg, work,
                                kind=method, desc=desc)
    else:
        model = train(model, loss, batch_fn, cfg, work, kind=method, desc=desc)
    os.replace(work, out)
    shutil.rmtree(work.parent, ignore_errors=True)
    return model
