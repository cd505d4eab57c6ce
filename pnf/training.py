"""One training loop for every model: device choice, Adam + step-halving LR, EMA,
atomic self-describing checkpoints, exact resume, NaN guard and a progress bar.

    >>> from pnf.training import TrainConfig, train, load_model
    >>> model = train(model, loss_fn, batch_fn, TrainConfig(steps=100), "ckpt.pt", kind="kee")
    >>> model = load_model("ckpt.pt", kinds=("kee",))   # rebuilt from the stored config

`batch_fn(step, generator)` and `loss_fn(model, batch, generator)` get a generator
seeded from (seed, step), so the data and noise seen at a step do not depend on when the
run was interrupted: a killed-then-resumed run ends with bit-identical weights.
Models register themselves with `@register_model(kind)` and expose `.config` (a
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

from pnf.atomic import atomic_path
from pnf.config import from_dict
from pnf.progress import progress

MODELS: dict[str, type] = {}


class CheckpointError(ValueError):
    """A missing, unreadable or wrong-kind checkpoint (one-line message)."""


def register_model(kind: str):
    """Class decorator: make `kind` rebuildable from a checkpoint."""
    def wrap(cls):
        MODELS[kind] = cls
        cls.kind = kind
        return cls
    return wrap


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


def pick_device(device: str = "auto") -> torch.device:
    """CUDA when present (or asked for), else CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def step_generator(seed: int, step: int, device: torch.device) -> torch.Generator:
    g = torch.Generator(device=device)
    g.manual_seed(seed * 1_000_003 + step)
    return g


# ---------------------------------------------------------------- checkpoints


def save_checkpoint(path: str | Path, payload: dict) -> None:
    """torch.save to a temporary file in the same folder, then rename (atomic)."""
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def read_checkpoint(path: str | Path, kinds: tuple[str, ...] | None = None) -> dict:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint; train one with `pnf train`")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as err:  # noqa: BLE001 - any unpickling failure means a bad file
        raise CheckpointError(f"{path}: not a pnf checkpoint ({type(err).__name__}); "
                              "retrain it or check the path") from None
    if not isinstance(ckpt, dict) or "kind" not in ckpt:
        raise CheckpointError(f"{path}: not a pnf checkpoint; retrain it or check the path")
    if kinds and ckpt["kind"] not in kinds:
        raise CheckpointError(f"{path}: a '{ckpt['kind']}' checkpoint, but this needs one of "
                              f"{list(kinds)}; pass the right --prior/--model file")
    return ckpt


def build_model(kind: str, config: dict) -> torch.nn.Module:
    cls = MODELS[kind]
    return cls(from_dict(cls.Config, config, kind))


def load_model(path: str | Path, kinds: tuple[str, ...] | None = None,
               device: str | torch.device = "cpu", ema: bool = True) -> torch.nn.Module:
    """Rebuild a registered model from its checkpoint (EMA weights by default)."""
    ckpt = read_checkpoint(path, kinds)
    _import_model_modules()
    model = build_model(ckpt["kind"], ckpt["config"])
    state = ckpt["ema"] if ema and ckpt.get("ema") is not None else ckpt["model"]
    model.load_state_dict(state)
    return model.to(device).eval()


def _import_model_modules() -> None:
    """Import the modules whose classes register themselves (lazy: avoids cycles)."""
    import importlib

    for name in ("pnf.priors.wavenet", "pnf.priors.pixelcnn", "pnf.baselines"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise


# ---------------------------------------------------------------- the loop


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
