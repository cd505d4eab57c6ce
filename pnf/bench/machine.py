"""This machine's own ceilings, measured in the running process: matmul GFLOP/s, GB/s.

    >>> m = Machine.measure(torch.device("cpu"))
    >>> m.gflops["fp32"], m.gflops["bf16"], m.bandwidth_gbs
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from pnf.precision import GEMM_DTYPES


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def clock() -> Callable[[], float]:
    """The process's CPU time on one CPU thread (robust to other processes sharing the
    cores: time spent descheduled is not counted), else wall time."""
    one_thread = torch.get_num_threads() == 1 and not torch.cuda.is_available()
    return time.process_time if one_thread else time.perf_counter


def median_seconds(fn: Callable, device: torch.device, repeats: int) -> float:
    """Median time (see `clock`) of `fn()` over `repeats` calls, after one warm-up call."""
    fn()
    now = time.perf_counter if device.type == "cuda" else clock()
    times = []
    for _ in range(repeats):
        sync(device)
        start = now()
        fn()
        sync(device)
        times.append(now() - start)
    return statistics.median(times)


def matmul_gflops(device: torch.device, dtype: torch.dtype, n: int = 2048,
                  budget_s: float = 0.2) -> float:
    """GFLOP/s of an n×n matmul in `dtype`, at the largest size up to `n` (from 256, doubling)
    whose single product takes under `budget_s`: a CPU without bf16 matrix units runs a
    2048² bf16 product for a minute, so the ceiling is measured where it finishes."""
    def product(size: int) -> Callable:
        a = torch.randn(size, size, device=device).to(dtype)
        b = torch.randn(size, size, device=device).to(dtype)
        return lambda: torch.mm(a, b)

    size = 256
    while size < n and median_seconds(product(size), device, 1) * 8 <= budget_s:
        size *= 2                                   # the next size still fits the budget
    return 2 * size**3 / median_seconds(product(size), device, 5) / 1e9


def copy_bandwidth(device: torch.device, mbytes: int = 256) -> float:
    """GB/s of a large float32 copy (bytes read + bytes written)."""
    src = torch.ones(mbytes << 18, device=device)
    dst = torch.empty_like(src)
    return 2 * src.numel() * 4 / median_seconds(lambda: dst.copy_(src), device, 5) / 1e9


@dataclass
class Machine:
    device: torch.device
    gflops: dict            # precision name -> matmul GFLOP/s
    bandwidth_gbs: float

    @classmethod
    def measure(cls, device: torch.device) -> Machine:
        rates = {name: matmul_gflops(device, dt) for name, dt in GEMM_DTYPES.items()}
        return cls(device, rates, copy_bandwidth(device))

    def row_fields(self, gflop: float, seconds: float) -> dict:
        """The ceiling columns of a row doing `gflop` matmul work in `seconds`."""
        return {"gflop_per_update": round(gflop, 4), "seconds_per_update": round(seconds, 5),
                "ceiling_gflops_fp32": round(self.gflops["fp32"], 1),
                "ceiling_gflops_bf16": round(self.gflops["bf16"], 1),
                "ratio": round(gflop / seconds / self.gflops["fp32"], 4),
                "bandwidth_gbs": round(self.bandwidth_gbs, 1),
                "clock": "cpu" if clock() is time.process_time else "wall"}
