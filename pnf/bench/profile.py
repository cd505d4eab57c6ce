"""Where one Langevin update's time goes: the profiler's ops grouped by kind, with bytes.

    >>> rows = profile_rows(target, machine, precision="fp32")
    >>> [(r["group"], r["share"]) for r in rows]        # matmul, activation, copy, ...

`pnf bench profile --config experiments/small.yaml` prints them. For each group: its share
of the profiled self CPU time; that share of an unprofiled update timed in the same run (the
profiler's per-op cost inflates groups of many small ops: an estimate); the bytes its ops
touch (inputs read plus one output written, from the recorded shapes: an estimate; views,
allocations and Python records count none) and the GB/s that implies, next to the copy
bandwidth measured in the same run. A group near that bandwidth is memory-bound: only
fewer bytes make it faster.
"""

from __future__ import annotations

import math

import torch
from torch.profiler import ProfilerActivity, profile

from pnf.bench.langevin import input_gradient
from pnf.bench.machine import Machine, median_seconds
from pnf.bench.target import Target

VIEWS = {"view", "slice", "select", "narrow", "as_strided", "transpose", "permute", "expand",
         "squeeze", "unsqueeze", "reshape", "_reshape_alias", "_unsafe_view", "unfold", "detach",
         "alias", "t", "view_as", "expand_as"}     # exact aten names: no data moved
GROUPS = {   # op name fragment -> group (first match wins; the rest is "other")
    "matmul": ("mm", "matmul", "linear", "conv", "baddbmm"),
    "activation": ("tanh", "sigmoid"),
    "copy": ("copy_", "_to_copy", "cat", "clone", "contiguous", "index", "pad", "stack"),
    "elementwise": ("add", "mul", "sub", "div", "exp", "log", "neg", "where", "sum",
                    "softmax", "relu", "pow", "sqrt", "fill", "zero", "max", "erf", "clamp",
                    "gt", "lt", "ge", "le", "eq", "ne"),
}


def group_of(name: str) -> str:
    if not name.startswith("aten::"):
        return "python"                    # autograd Functions, engine: their own overhead
    op = name.removeprefix("aten::")
    if op in VIEWS:
        return "view"
    return next((g for g, keys in GROUPS.items() if any(k in op for k in keys)), "other")


def _bytes(group: str, shapes, item: int) -> int:
    """Inputs read plus one output the size of the largest input (an estimate)."""
    if group in ("view", "python", "other"):
        return 0
    sizes = [math.prod(s) for s in shapes if s]
    return item * (sum(sizes) + max(sizes, default=0))


def profile_rows(target: Target, machine: Machine, precision: str = "fp32",
                 updates: int = 3) -> list[dict]:
    """One row per op group for `updates` profiled updates (after a warm-up), per update."""
    net = target.build(machine.device)
    net.precision = precision
    gen = torch.Generator().manual_seed(0)
    x = (torch.rand(1, target.samples, generator=gen) * 255).to(machine.device)  # (1, T)
    input_gradient(net, x, 1.0)                                          # warm-up
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        for _ in range(updates):
            input_gradient(net, x, 1.0)
    item = 2 if precision == "bf16" else 4
    totals: dict[str, list[float]] = {}
    for evt in prof.key_averages(group_by_input_shape=True):
        name = group_of(evt.key)
        g = totals.setdefault(name, [0.0, 0.0])
        g[0] += evt.self_cpu_time_total
        g[1] += _bytes(name, evt.input_shapes, item) * evt.count / updates
    whole = sum(t for t, _ in totals.values())
    real = median_seconds(lambda: input_gradient(net, x, 1.0), machine.device, updates)
    return [{"group": g, "seconds_per_update": round(real * t / whole, 4),
             "share": round(t / whole, 3), "gbytes_per_update": round(b / 1e9, 3),
             "gbs": round(b / 1e9 / (real * t / whole), 1) if t else None,
             "bandwidth_gbs": round(machine.bandwidth_gbs, 1), "precision": precision,
             "size": target.size, "samples": target.samples}
            for g, (t, b) in sorted(totals.items(), key=lambda kv: -kv[1][0])]
