"""One training loop for every model: Adam + step-halving LR, EMA, periodic checkpoints
(pnf.checkpoints), exact resume, NaN guard and a progress bar.

    >>> from pnf.training import TrainConfig, train
    >>> model = train(model, loss_fn, batch_fn, TrainConfig(steps=100), "ckpt.pt", kind="kee")
    >>> model = pnf.checkpoints.load_model("ckpt.pt", kinds=("kee",))

`batch_fn(step, generator)` and `loss_fn(model, batch, generator)` get a generator
seeded from (seed, step), so the data and noise seen at a step do not depend on when the
run was interrupted: a killed-then-resumed run ends with bit-identical weights.
Models have a `kind` registered in `pnf.checkpoints.KINDS` and expose `.config` (a
dataclass) so that a checkpoint alone rebuilds them.
"""

from __future__ import annotations

import copy
import dataclasses
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from pnf.checkpoints import read_checkpoint, save_checkpoint
from pnf.config import from_dict
from pnf.progress import progress
from pnf.runtime import pick_device


@dataclass
class TrainConfig:
    steps: int = 1000            # total optimizer steps
    batch_size: int = 8
    lr: float = 1e-3
    lr_halve_every: int = 200_000  # the paper halves Adam's lr every 200k steps
    ema: float = 0.9999          # EMA decay of the weights used for sampling (0: off)
    grad_clip: float = 1.0       # max grad norm (0: off)
    checkpoint_every: int = 200  # steps between atomic checkpoints
    seed: int = 0
    device: str = "auto"

    @classmethod
    def from_dict(cls, d: dict | None) -> TrainConfig:
        return from_dict(cls, d or {}, "training")

def step_generator(seed: int, step: int, device: torch.device) -> torch.Generator:
    g = torch.Generator(device=device)
    g.manual_seed(seed * 1_000_003 + step)
    return g


def reset_parameters(model: torch.nn.Module, seed: int) -> None:
    """Re-initialize every layer from `seed` without touching the global RNG stream."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for module in model.modules():
            if module is not model and hasattr(module, "reset_parameters"):
                module.reset_parameters()


def train(model: torch.nn.Module, loss_fn: Callable, batch_fn: Callable, cfg: TrainConfig,
          out: str | Path, kind: str | None = None, extra: dict | None = None,
          desc: str = "train", init_from: torch.nn.Module | None = None) -> torch.nn.Module:
    """Train `model` for cfg.steps, checkpointing atomically to `out` and resuming from it.

    Returns the EMA model (or the model itself when EMA is off), in eval mode.
    `extra` is stored in the checkpoint (e.g. σ levels); `init_from` seeds the weights of
    a fresh run (fine-tuning).
    """
    kind = kind or model.kind
    device = pick_device(cfg.device)
    reset_parameters(model, cfg.seed)  # the same start in every process (exact resume)
    model = model.to(device)
    if init_from is not None:
        model.load_state_dict(init_from.state_dict())
    ema = copy.deepcopy(model).eval() if cfg.ema > 0 else None
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=cfg.lr_halve_every, gamma=0.5)
    step, losses = 0, []
    out = Path(out)
    for stale in out.parent.glob(f".{out.name}.*.part"):  # left by a run killed mid-save
        stale.unlink()
    if out.exists():
        ckpt = read_checkpoint(out, (kind,))
        model.load_state_dict(ckpt["model"])
        if ema is not None and ckpt.get("ema") is not None:
            ema.load_state_dict(ckpt["ema"])
        opt.load_state_dict(ckpt["optim"])
        sched.load_state_dict(ckpt["sched"])
        step, losses = ckpt["step"], ckpt["losses"]
        if step < cfg.steps:
            print(f"pnf: resuming {out} at step {step}/{cfg.steps}", file=sys.stderr)

    def payload():
        return {"kind": kind, "config": dataclasses.asdict(model.config),
                "model": model.state_dict(), "ema": ema.state_dict() if ema else None,
                "optim": opt.state_dict(), "sched": sched.state_dict(), "step": step,
                "losses": losses, "train": dataclasses.asdict(cfg), **(extra or {})}

    bar = progress(total=cfg.steps, initial=step, desc=desc, unit="step")
    model.train()
    while step < cfg.steps:
        gen = step_generator(cfg.seed, step, device)
        torch.manual_seed(cfg.seed * 1_000_003 + step)  # dropout & co.: a function of the step
        loss = loss_fn(model, batch_fn(step, gen), gen)
        if not torch.isfinite(loss):
            raise RuntimeError(f"NaN/inf loss at step {step}; lower the learning rate "
                               "or check the training data")
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        sched.step()
        if ema is not None:
            decay = min(cfg.ema, (1 + step) / (10 + step))  # warm-up: short runs still move
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters(), strict=True):
                    pe.lerp_(pm, 1 - decay)
                for be, bm in zip(ema.buffers(), model.buffers(), strict=True):
                    be.copy_(bm)
        step += 1
        losses.append(float(loss.detach()))
        bar.update(1)
        bar.set_postfix(loss=f"{losses[-1]:.4f}", refresh=False)
        if step % cfg.checkpoint_every == 0 or step == cfg.steps:
            save_checkpoint(out, payload())
    bar.close()
    if not out.exists():  # zero-step runs still leave a checkpoint
        save_checkpoint(out, payload())
    return (ema if ema is not None else model).eval()
