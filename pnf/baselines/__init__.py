"""Baselines the paper compares PnF with: spline, KEE, Conv-TasNet, Demucs, gap fills.

    >>> import numpy as np
    >>> from pnf.baselines import apply
    >>> y = np.sin(np.arange(1000) * 0.05)
    >>> apply("spline", "superres", y, factor=4).shape
    (4000,)
    >>> mask = np.ones(4000, bool); mask[1000:1500] = False
    >>> apply("linear", "inpaint", np.zeros(4000), mask=mask).shape
    (4000,)

`apply(method, task, observed, ...)` is the one entry the restore layer uses; the methods of
a task are those whose spec (`pnf.methods`) serves it. What the task observed says which
call runs (the task's restore side passes it; nothing here branches on a task's name):
- `factor`: observed is y = x[::factor]; returns n * factor samples (spline; a learned
  method trained on clean clips restores spline(y) at the factor it was trained for).
- `mask`: observed is the full signal with the gaps zeroed, `mask` True where observed
  (zero, linear, spline: `pnf.baselines.gapfill`).
- neither, learned: observed is the network's input, e.g. the mixture (T,) -> (2, T)
  [piano, voice] (convtasnet, demucs: ours; demucs_pkg: the `demucs` package's model
  class, an extra).
Learned methods need `checkpoint` (trained with `pnf train baseline`); its kind is the
method's name.
"""

from __future__ import annotations

import numpy as np
import torch

from pnf.baselines.convtasnet import ConvTasNet
from pnf.baselines.demucs import Demucs
from pnf.baselines.gapfill import fill_gaps
from pnf.baselines.kee import KEE
from pnf.baselines.spline import check_factor, spline_upsample
from pnf.checkpoints import load_model
from pnf.methods import METHODS, methods_for

__all__ = ["apply", "KEE", "ConvTasNet", "Demucs", "fill_gaps", "spline_upsample"]

CHUNK = 2 ** 17      # samples per network pass when applying to long signals
CONTEXT = 2 ** 14    # extra samples each side of a chunk (covers every receptive field)


def _check(method: str, task: str) -> None:
    tasks = {t for spec in METHODS.values() for t in spec.tasks}   # the tasks with baselines
    if task not in tasks:
        raise ValueError(f"unknown task {task!r}; valid tasks: {sorted(tasks)}")
    if method not in methods_for(task):
        raise ValueError(f"unknown {task} baseline {method!r}; valid: {list(methods_for(task))}")


def _signal(observed) -> np.ndarray:
    x = np.asarray(observed, dtype=np.float32)
    if x.ndim != 1 or x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"the observed signal must be a non-empty finite 1-D array, got shape "
                         f"{x.shape}; give a mono signal")
    return x


def _load(method: str, checkpoint: str | None, device) -> torch.nn.Module:
    if checkpoint is None:
        raise ValueError(f"{method} needs a checkpoint; train one with "
                         f"`pnf train baseline --method {method}` and pass it")
    return load_model(checkpoint, kinds=(method,), device=device)


@torch.no_grad()
def run_chunked(model: torch.nn.Module, x: np.ndarray, device="cpu") -> np.ndarray:
    """model((1, T)) over (T,) in overlapping chunks; output (..., T) as numpy."""
    outs = []
    for start in range(0, len(x), CHUNK):
        lo, hi = max(start - CONTEXT, 0), min(start + CHUNK + CONTEXT, len(x))
        seg = torch.from_numpy(x[lo:hi]).to(device).unsqueeze(0)   # (1, T_seg)
        y = model(seg)[0]                                          # (..., T_seg)
        outs.append(y[..., start - lo: start - lo + CHUNK].cpu().numpy())
    return np.concatenate(outs, axis=-1)


def _learned(method, x, factor, checkpoint, device):
    """A network's output: on spline(y) at its trained factor when it learned from clean
    clips (input spline(x[::K]), target x), on the observation itself otherwise."""
    model = _load(method, checkpoint, device)
    if METHODS[method].trains_on == "clean":
        trained = model.config.factor
        if factor is not None and check_factor(factor) != trained:
            raise ValueError(f"{checkpoint}: this {method} model was trained for factor "
                             f"{trained}, not {factor}; pass a checkpoint trained with "
                             f"--factor {factor}")
        x = spline_upsample(x, trained)
    return run_chunked(model, x, device)


def apply(method: str, task: str, observed: np.ndarray, *, factor: int | None = None,
          mask: np.ndarray | None = None, checkpoint: str | None = None,
          device="cpu") -> np.ndarray:
    """Restore `observed` with baseline `method` for `task` (see the module docstring)."""
    _check(method, task)
    x = _signal(observed)
    if METHODS[method].learned:
        return _learned(method, x, factor, checkpoint, device)
    if mask is not None:
        return fill_gaps(x, mask, method)
    if factor is None:
        raise ValueError(f"{method} for {task}: filling gaps needs mask (True where observed), "
                         "upsampling needs factor; pass the one the task observes")
    return spline_upsample(x, check_factor(factor))
