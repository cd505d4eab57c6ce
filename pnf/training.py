"""One training loop for every model: Adam + step-halving LR, EMA, periodic checkpoints
(pnf.checkpoints), exact resume, NaN guard and a progress bar.

    >>> from pnf.training import TrainConfig, train
    >>> model = train(model, loss_fn, batch_fn, TrainConfig(steps=100), "ckpt.pt", kind="kee")
    >>> model = pnf.checkpoints.load_model("ckpt.pt", kinds=("kee",))

`batch_fn(step, generator)` and `loss_fn(model, batch, generator)` get a generator
seeded from (seed, step), so the data and noise seen at a step do not depend on when the
run was interrupted: a killed-then-resumed run ends with bit-identical weights.
A checkpoint stores the request it was trained for (model config, training config, extra
metadata); a run resumes only when the new request matches it (more `steps` is a longer
run of the same request, fewer is not), else a one-line error names the differing keys
and `--restart` (discard_unfinished) starts afresh.
Models have a `kind` known to `pnf.checkpoints.all_kinds()` and expose `.config` (a
dataclass) so that a checkpoint alone rebuilds them.
"""

from __future__ import annotations

import copy
import dataclasses
import shutil
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

def discard_unfinished(out: str | Path) -> None:
    """Remove `OUT.parts` (an unfinished run's checkpoints): the next run starts at step 0."""
    parts = Path(out).with_name(Path(out).name + ".parts")
    if parts.exists():
        shutil.rmtree(parts)
        print(f"pnf: --restart: removed {parts}", file=sys.stderr)


# Keys that do not change what a run computes (or, for steps, only how far it goes).
NOT_COMPARED = {"device", "steps", "finetune_steps", "checkpoint_every"}


def request_of(model: torch.nn.Module, cfg: TrainConfig, extra: dict | None) -> dict:
    """What a run was asked for, less NOT_COMPARED: resume only into the same request."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in NOT_COMPARED}
        return list(map(strip, value)) if isinstance(value, (list, tuple)) else value
    return strip({"config": dataclasses.asdict(model.config),
                  "train": dataclasses.asdict(cfg), "extra": extra or {}})


def differing(old, new, where: str = "") -> list[str]:
    """Dotted keys whose values differ between two nested dicts."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [] if old == new else [where or "(all)"]
    return [key for k in sorted(set(old) | set(new), key=str)
            for key in differing(old.get(k), new.get(k), f"{where}.{k}".lstrip("."))]


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


@dataclass
class _State:
    """Everything a checkpoint holds besides the config: restored on resume."""
    model: torch.nn.Module
    ema: torch.nn.Module | None
    opt: torch.optim.Optimizer
    sched: torch.optim.lr_scheduler.LRScheduler
    step: int = 0
    losses: list = dataclasses.field(default_factory=list)

    def payload(self, kind: str, cfg: TrainConfig, extra: dict | None) -> dict:
        return {"kind": kind, "config": dataclasses.asdict(self.model.config),
                "model": self.model.state_dict(),
                "ema": self.ema.state_dict() if self.ema else None,
                "optim": self.opt.state_dict(), "sched": self.sched.state_dict(),
                "step": self.step, "losses": self.losses, "train": dataclasses.asdict(cfg),
                "request": request_of(self.model, cfg, extra), **(extra or {})}

    def resume(self, out: Path, kind: str, cfg: TrainConfig, extra: dict | None) -> None:
        """Load the state of an earlier (killed or finished) run of the same request."""
        ckpt = read_checkpoint(out, (kind,))
        changed = differing(ckpt.get("request"), request_of(self.model, cfg, extra))
        if changed:
            raise ValueError(f"{out}: holds a run of another config (differs in: "
                             f"{', '.join(changed[:8])}); give the same config, or add "
                             "--restart to start afresh")
        if ckpt["step"] > cfg.steps:
            raise ValueError(f"{out}: holds {ckpt['step']} steps of training, the config "
                             f"asks for {cfg.steps}; raise steps, or add --restart")
        self.model.load_state_dict(ckpt["model"])
        if self.ema is not None and ckpt.get("ema") is not None:
            self.ema.load_state_dict(ckpt["ema"])
        self.opt.load_state_dict(ckpt["optim"])
        self.sched.load_state_dict(ckpt["sched"])
        self.step, self.losses = ckpt["step"], ckpt["losses"]
        if self.step < cfg.steps:
            print(f"pnf: resuming {out} at step {self.step}/{cfg.steps}", file=sys.stderr)


def _ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    with torch.no_grad():
        for pe, pm in zip(ema.parameters(), model.parameters(), strict=True):
            pe.lerp_(pm, 1 - decay)
        for be, bm in zip(ema.buffers(), model.buffers(), strict=True):
            be.copy_(bm)


def _start(model, cfg: TrainConfig, out: Path, kind: str, init_from, extra) -> _State:
    """A fresh state on the device (the same start in every process), or the saved one."""
    device = pick_device(cfg.device)
    reset_parameters(model, cfg.seed)  # the same start in every process (exact resume)
    model = model.to(device)
    if init_from is not None:
        model.load_state_dict(init_from.state_dict())
    ema = copy.deepcopy(model).eval() if cfg.ema > 0 else None
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=cfg.lr_halve_every, gamma=0.5)
    state = _State(model, ema, opt, sched)
    for stale in out.parent.glob(f".{out.name}.*.part"):  # left by a run killed mid-save
        stale.unlink()
    if out.exists():
        state.resume(out, kind, cfg, extra)
    return state


def _report(on_checkpoint: Callable, st: _State) -> None:
    """Call on_checkpoint(step, model) on the weights used for sampling; training resumes."""
    model = st.ema if st.ema is not None else st.model
    model.eval()
    with torch.no_grad():
        on_checkpoint(st.step, model)
    st.model.train()


def train(model: torch.nn.Module, loss_fn: Callable, batch_fn: Callable, cfg: TrainConfig,
          out: str | Path, kind: str | None = None, extra: dict | None = None,
          desc: str = "train", init_from: torch.nn.Module | None = None,
          on_checkpoint: Callable | None = None) -> torch.nn.Module:
    """Train `model` for cfg.steps, checkpointing atomically to `out` and resuming from it.

    Returns the EMA model (or the model itself when EMA is off), in eval mode.
    `extra` is stored in the checkpoint (e.g. σ levels); `init_from` seeds the weights of
    a fresh run (fine-tuning). `on_checkpoint(step, model)` runs after each checkpoint with
    the EMA (or plain) model in eval mode and no gradient, e.g. to log held-out NLL.
    """
    kind, out = kind or model.kind, Path(out)
    st = _start(model, cfg, out, kind, init_from, extra)
    device = pick_device(cfg.device)
    bar = progress(total=cfg.steps, initial=st.step, desc=desc, unit="step")
    st.model.train()
    while st.step < cfg.steps:
        gen = step_generator(cfg.seed, st.step, device)
        torch.manual_seed(cfg.seed * 1_000_003 + st.step)  # dropout & co.: a function of step
        loss = loss_fn(st.model, batch_fn(st.step, gen), gen)
        if not torch.isfinite(loss):
            raise RuntimeError(f"NaN/inf loss at step {st.step}; lower the learning rate "
                               "or check the training data")
        st.opt.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(st.model.parameters(), cfg.grad_clip)
        st.opt.step()
        st.sched.step()
        if st.ema is not None:   # warm-up: short runs still move
            _ema_update(st.ema, st.model, min(cfg.ema, (1 + st.step) / (10 + st.step)))
        st.step += 1
        st.losses.append(float(loss.detach()))
        bar.update(1)
        bar.set_postfix(loss=f"{st.losses[-1]:.4f}", refresh=False)
        if st.step % cfg.checkpoint_every == 0 or st.step == cfg.steps:
            save_checkpoint(out, st.payload(kind, cfg, extra))
            if on_checkpoint is not None:
                _report(on_checkpoint, st)
    bar.close()
    if not out.exists():  # zero-step runs still leave a checkpoint
        save_checkpoint(out, st.payload(kind, cfg, extra))
    return (st.ema if st.ema is not None else st.model).eval()
