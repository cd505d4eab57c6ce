"""Memory and time a request will need, estimated from its sizes before any work starts.

    >>> from pnf.resources import Need, check, plan
    >>> need = Need("restoring 13230000 samples x 1 chain", memory=5.4e10, flops=2e14)
    >>> check(need, hint="add --window 200000 or split the file")   # ValueError above a cap
    >>> schedule = plan([prior], schedule, (1, 4, 13_230_000), "restoring in.wav")

A long input whose whole-signal gradient would pass the memory cap is sampled in random
windows (pnf.langevin: exactly the full gradient restricted to the window) unless
--window was given; one that does not fit even so is refused before any work.

Caps: PNF_MAX_MEMORY_GB (default: 80% of the machine's memory, less under a `ulimit -v`
address-space limit, of which torch itself takes a share), PNF_MAX_MINUTES (default 60) of
estimated compute on this device. The rate behind the time estimate is EFFICIENCY x the
device's fp32 matmul ceiling (pnf.bench.machine), measured once per machine, torch version
and thread count and cached in ~/.cache/pnf/flops.json; PNF_FLOPS sets it instead. The
estimates of memory per position come from the networks (`bytes_per_position`, about 2x
what the tiny and small priors measure); FLOPs are 2 per weight per position, forward, and
again for the gradient.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

EFFICIENCY = 0.4    # share of the fp32 matmul ceiling the networks reach by this FLOP count:
                    # measured 0.46 (tiny WaveNet), 0.4 (small), 1.1 (PixelCNN, whose lower
                    # resolutions see fewer positions), so estimates err long, up to 2.7x
TORCH_SHARE = 3 << 30     # address space torch and its libraries map besides the tensors
GB = 1 << 30
_NOTED: set[str] = set()   # time estimates already printed


@dataclass
class Need:
    what: str          # "restoring 13230000 samples x 4 chains"
    memory: float      # bytes at the peak
    flops: float       # total floating-point operations


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise ValueError(f"{name}={text!r}: give a finite number > 0")
    return value


def memory_cap(device=None) -> float:
    """Bytes a request may use: PNF_MAX_MEMORY_GB, else 90% of a CUDA device's memory when
    it runs there, else 80% of the machine's memory, less under ulimit -v."""
    if device is not None and str(device).startswith("cuda"):
        import torch

        total = torch.cuda.get_device_properties(torch.device(device)).total_memory
        return _env_number("PNF_MAX_MEMORY_GB", 0.9 * total / GB) * GB
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    cap = 0.8 * total
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    if limit != resource.RLIM_INFINITY:
        cap = min(cap, max(limit - TORCH_SHARE, 0) / 2)
    return _env_number("PNF_MAX_MEMORY_GB", cap / GB) * GB


def flops_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pnf" / "flops.json"


def _device_key(device) -> str:
    """What the measured rate depends on: the device's model, torch, the thread count."""
    import torch

    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
    else:
        cpuinfo = Path("/proc/cpuinfo")
        lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
        name = next((x.split(":", 1)[1].strip() for x in lines if x.startswith("model name")),
                    platform.processor() or platform.machine())
    return f"{name} | torch {torch.__version__} | {torch.get_num_threads()} threads"


def device_flops(device=None) -> float:
    """FLOP/s behind the time estimate on `device` (default CPU): PNF_FLOPS, else EFFICIENCY
    x the fp32 matmul ceiling, measured once (about 0.5 s) and cached per `_device_key`.

        >>> device_flops()    # e.g. 2.1e10 on one core of a 2-core cloud CPU
    """
    if "PNF_FLOPS" in os.environ:
        return _env_number("PNF_FLOPS", 0)
    import torch

    device = torch.device(device or "cpu")
    key, path = _device_key(device), flops_cache()
    try:
        cached = json.loads(path.read_text())
    except (OSError, ValueError):
        cached = {}
    gflops = cached.get(key) if isinstance(cached, dict) else None
    if not (isinstance(gflops, float) and 0 < gflops < 1e7):
        from pnf.bench.machine import matmul_gflops

        gflops = matmul_gflops(device, torch.float32)
        _store(path, {**(cached if isinstance(cached, dict) else {}), key: gflops})
    return EFFICIENCY * gflops * 1e9


def _store(path: Path, table: dict) -> None:
    """Best effort: a read-only home only costs a measurement next time."""
    from pnf.atomic import write_json

    try:
        write_json(path, table)
    except ValueError:          # pnf.atomic's one-line write failure
        pass


def minutes_text(minutes: float) -> str:
    return f"{minutes:.2g} min" if minutes < 90 else f"{minutes / 60:.3g} h"


def check(need: Need, hint: str, device=None, time_hint: str | None = None) -> None:
    """ValueError (one line, with `hint`, or `time_hint` for time) when `need` passes the
    memory or time cap; a note on stderr when it will take more than a minute."""
    cap, limit = memory_cap(device), _env_number("PNF_MAX_MINUTES", 60)
    if need.memory > cap:
        raise ValueError(f"{need.what} needs about {need.memory / GB:.3g} GB of memory, "
                         f"more than the cap of {cap / GB:.3g} GB (PNF_MAX_MEMORY_GB); {hint}")
    rate = device_flops(device)
    minutes = need.flops / rate / 60
    estimate = (f"about {minutes_text(minutes)} on this machine ({need.flops:.3g} FLOP at "
                f"{rate / 1e9:.3g} GFLOP/s)")
    if minutes > limit:
        raise ValueError(f"{need.what} needs {estimate}, more than the cap of "
                         f"{minutes_text(limit)} (PNF_MAX_MINUTES raises it); {time_hint or hint}")
    if minutes > 1 and estimate not in _NOTED:   # plan() may size one request twice
        _NOTED.add(estimate)
        print(f"pnf: {need.what}: {estimate}", file=sys.stderr)


def gradient_need(priors, positions: int, chains: int, updates: float, what: str) -> Need:
    """`updates` gradient passes over `positions` x `chains` under `priors` (one per source).

    memory: activations of one pass (bytes_per_position each) plus the state and noise;
    flops: 4 per weight per position (forward and input gradient) per update.
    """
    per_position = sum(p.bytes_per_position() for p in priors) + 64
    flops_per_position = sum(4 * p.weights() for p in priors)
    return Need(what, memory=per_position * positions * chains,
                flops=flops_per_position * positions * chains * updates)


def fit_window(priors, length: int, chains: int, receptive_field: int,
               reserved: float = 0, device=None) -> int | None:
    """The widest window (multiple of 1024, padded by the receptive field on both sides)
    whose gradient pass fits the memory cap less `reserved` bytes; None when not even
    1024 samples fit."""
    per_sample = (sum(p.bytes_per_position() for p in priors) + 64) * chains
    width = int((memory_cap(device) - reserved) // per_sample) - 2 * receptive_field
    width = min(width // 1024 * 1024, length)
    return width if width >= 1024 else None


def plan(priors, schedule, shape: tuple, what: str, device=None):
    """The schedule to run for a state of `shape` (S, B, *dims): unchanged when it fits the
    caps; windowed (a note on stderr) when the whole signal would not fit and no window was
    asked for; else ValueError naming --window and splitting.
    """
    sources, chains, length = shape[0], shape[1], shape[-1]
    positions = math.prod(shape[2:])
    fields = [p.receptive_field for p in priors]
    rf = None if None in fields else max(fields)
    if rf is not None and schedule.window is None and \
            _need(priors, schedule, positions, chains, sources, rf, what).memory > \
            memory_cap(device):
        width = fit_window(priors, length, chains, rf, 16 * positions * chains * sources,
                           device)
        if width is not None and width < length:
            print(f"pnf: {what}: the whole signal does not fit the memory cap; sampling "
                  f"random windows of {width} samples (--window {width})", file=sys.stderr)
            schedule = dataclasses.replace(schedule, window=width)
    audio = rf is not None
    hint = ("lower --window, --batch or --mean-of, or split the input" if audio
            else "lower --batch, --count, --size or --grid")
    time_hint = ("lower --iterations, the levels, --batch or --mean-of, or split the input"
                 if audio else "lower --iterations, the levels, --batch, --count or --size")
    check(_need(priors, schedule, positions, chains, sources, rf, what), hint, device,
          time_hint)
    return schedule


def _need(priors, schedule, positions: int, chains: int, sources: int, rf, what) -> Need:
    """Gradient passes of `schedule`; state: 16 bytes per position (x, noise, mask, copy)."""
    length = positions
    if schedule.window is not None and schedule.window < length and rf is not None:
        positions = min(schedule.window + 2 * rf, length)
    passes = len(schedule.sigmas) * schedule.steps_per_level(length)
    need = gradient_need(priors, positions, chains, passes, what)
    need.memory += 16 * length * chains * sources
    return need


def training_need(model, batch: int, positions: int, steps: int, what: str) -> Need:
    """Training `model` (built on the meta device is enough) for `steps` steps of `batch`
    crops of `positions`: activations and their gradients (2x bytes_per_position, when
    the network gives it), weights with Adam's moments and the EMA (16 bytes each);
    6 FLOPs per weight per position (forward, input and weight gradients)."""
    weights = sum(p.numel() for p in model.parameters())
    per_position = model.bytes_per_position() if hasattr(model, "bytes_per_position") else 0
    return Need(what, memory=2 * per_position * batch * positions + 16 * weights,
                flops=6.0 * weights * batch * positions * steps)


def check_training(model_cls, cfg, batch: int, positions: int, steps: int, what: str,
                   device=None) -> None:
    """ValueError before training when `training_need` passes a cap."""
    import torch

    with torch.device("meta"):
        model = model_cls(cfg)
    check(training_need(model, batch, positions, steps, what),
          "lower batch_size, crop or steps, or use a smaller model", device)
