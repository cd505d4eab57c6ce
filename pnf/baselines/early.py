"""Early stopping for the learned baselines: hold out clips, validate, keep the best.

    >>> from pnf.baselines.early import ValidationConfig, split_clips, train_validated
    >>> vcfg = ValidationConfig(fraction=0.1, every=100, patience=3)
    >>> fit, held = split_clips(clips, vcfg.fraction)        # the last 10 % are held out
    >>> net = train_validated(model, loss_fn, batch_fn, held_fn, cfg, vcfg, "work/train.pt")

Training runs in rounds of `every` steps through `pnf.training.train` (so a killed run
resumes exactly); after each round the loss on `crops` fixed validation crops is measured
in eval mode (no dropout). The best round's checkpoint is kept; training stops after
`patience` rounds without a relative improvement of `min_delta`, or at `training.steps`.
The checkpoint left at `out` is the best one, with the validation history under the key
"validation" ({"history": [[step, loss], ...], "best_step", "stopped"}). Ours: KEE's paper
does not say how its number of steps was chosen.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import torch

from pnf.atomic import write_bytes_atomic, write_text_atomic
from pnf.checkpoints import load_model, read_checkpoint, save_checkpoint
from pnf.config import from_dict
from pnf.training import TrainConfig, step_generator, train


@dataclass
class ValidationConfig:
    fraction: float = 0.0    # share of the training clips held out (0: no validation)
    every: int = 100         # training steps between validations
    patience: int = 3        # validations without improvement before stopping
    crops: int = 16          # fixed validation crops (batches of training.batch_size)
    min_delta: float = 0.0   # relative improvement that counts (0.01: 1 %)
    seed: int = 12345        # draws the validation crops

    def __post_init__(self):
        if not 0.0 <= self.fraction < 1.0:
            raise ValueError(f"validation.fraction must be in [0, 1), got {self.fraction}")
        if min(self.every, self.patience, self.crops) < 1 or self.min_delta < 0:
            raise ValueError("validation: every, patience and crops must be >= 1 and "
                             "min_delta >= 0; fix the config")

    @classmethod
    def from_dict(cls, d: dict | None) -> ValidationConfig:
        return from_dict(cls, d or {}, "validation")


def split_clips(clips: list, fraction: float) -> tuple[list, list]:
    """(train, held out): the last `fraction` of the clips, in manifest order (>= 1 each)."""
    if fraction <= 0:
        return clips, []
    held = max(1, round(fraction * len(clips)))
    if held >= len(clips):
        raise ValueError(f"validation.fraction {fraction} leaves no training clip out of "
                         f"{len(clips)}; lower it or add clips")
    return clips[:-held], clips[-held:]


@torch.no_grad()
def validation_loss(model, loss_fn, batch_fn, crops: int, batch: int, seed: int) -> float:
    """Mean loss of `model` (eval mode) over `crops` crops drawn the same way every time."""
    model.eval()
    device = next(model.parameters()).device
    total, seen = 0.0, 0
    while seen < crops:
        gen = step_generator(seed, seen, device)
        n = min(batch, crops - seen)
        batch_data = [b[:n] for b in batch_fn(seen, gen)]
        total += float(loss_fn(model, batch_data, gen)) * n
        seen += n
    return total / crops


def _best(history: list) -> tuple[int, float]:
    step, loss = min(history, key=lambda h: h[1])
    return step, loss


def stalled(history: list, vcfg: ValidationConfig) -> bool:
    """True when the last `patience` validations did not beat the best before them."""
    if len(history) <= vcfg.patience:
        return False
    before = min(loss for _, loss in history[:-vcfg.patience])
    bar = before - vcfg.min_delta * abs(before)          # losses may be negative (-SNR)
    return all(loss >= bar for _, loss in history[-vcfg.patience:])


def _finished(work: Path, kind: str) -> bool:
    return work.exists() and bool(read_checkpoint(work, (kind,)).get("validation"))


def train_validated(model, loss_fn, batch_fn, held_fn, cfg: TrainConfig,
                    vcfg: ValidationConfig, work: str | Path, kind: str, desc: str):
    """Train in rounds, validate on `held_fn` batches, leave the best checkpoint at `work`."""
    work = Path(work)
    log, best_ckpt = work.with_name("validation.json"), work.with_name("best.pt")
    if _finished(work, kind):            # a finished run: its checkpoint is already the best
        return load_model(work, (kind,))
    history = json.loads(log.read_text()) if log.exists() else []
    while not stalled(history, vcfg) and (not history or history[-1][0] < cfg.steps):
        target = min((history[-1][0] if history else 0) + vcfg.every, cfg.steps)
        net = train(model, loss_fn, batch_fn,
                    dataclasses.replace(cfg, steps=target), work, kind=kind, desc=desc)
        loss = validation_loss(net, loss_fn, held_fn, vcfg.crops, cfg.batch_size, vcfg.seed)
        history.append([target, loss])
        if _best(history)[0] == target:
            write_bytes_atomic(best_ckpt, work.read_bytes())
        write_text_atomic(log, json.dumps(history))
    step = _best(history)[0]
    payload = read_checkpoint(best_ckpt, (kind,))
    payload["validation"] = {"history": history, "best_step": step,
                             "stopped": stalled(history, vcfg)}
    save_checkpoint(work, payload)
    return load_model(work, (kind,))
