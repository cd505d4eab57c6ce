"""Wall time vs signal length: PnF at a fixed update budget against cached ancestral sampling,
measured on this machine and projected for a GPU.

    >>> from pnf.report.walltime import measure, fig_walltime
    >>> table = measure(size="tiny", seconds=(0.25, 0.5, 1.0))  # one row per length
    >>> table.columns.tolist()
    ['seconds', 'samples', 'update_s', 'pnf_s', 'ancestral_s', 'pnf_gpu_s', 'ancestral_gpu_s']

Measured: the seconds of one Langevin update (forward + input gradient of a random-init
WaveNet, timed once per length after a warm-up) times the budget, and the length divided
by the measured samples/s of cached ancestral sampling (cost per step does not depend on
the length, so one timing serves every length). Projected: an update costs the larger of
its FLOPs (counted, `pnf.report.flops`) at an assumed sustained rate and a kernel-launch
floor; an ancestral step costs an assumed per-step latency. ASSUMPTIONS holds the numbers.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from pnf.report.flops import audio_update, update_flops_per_sample, wavenet

RATE = 22050
LENGTHS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)  # seconds of audio
BUDGET = (256, 24)  # iterations per level × noise levels: the paper's ×4 super-resolution
ASSUMPTIONS = {
    "gpu": "one H100/H200-class GPU",
    "tflops": 100.0,  # sustained TFLOP/s of the update's matmuls (TF32/bf16)
    "launch_s": 5e-6,  # per kernel launch
    "kernels_per_layer": 4,  # dilated conv, gate, residual/skip, bias: per layer and step
}
ANCESTRAL_STEPS = 2000


def _seconds(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def ancestral_rate(net: torch.nn.Module, steps: int = ANCESTRAL_STEPS) -> float:
    """Measured samples/s of cached ancestral sampling at batch 1 (CPU)."""
    from pnf.priors.ancestral import ancestral_sample

    ancestral_sample(net, 64, 1, progress=False)  # warm-up
    return steps / _seconds(lambda: ancestral_sample(net, steps, 1, progress=False))


def gpu_projection(net: torch.nn.Module, samples: np.ndarray, updates: int,
                   flops_per_sample: float, assume: dict = ASSUMPTIONS) -> tuple:
    """(PnF seconds, ancestral seconds) per length on the assumed GPU."""
    kernels = assume["kernels_per_layer"] * len(net.dilations) + 4  # + input and output head
    floor = 3 * kernels * assume["launch_s"]  # forward + backward launches of one update
    per_update = np.maximum(floor, flops_per_sample * samples / (assume["tflops"] * 1e12))
    step = kernels * assume["launch_s"]
    return updates * per_update, samples * step


def measure(size: str = "tiny", seconds=LENGTHS, budget=BUDGET) -> pd.DataFrame:
    """Measured and projected wall time per signal length (see the module docstring)."""
    torch.manual_seed(0)
    net = wavenet(size)
    updates = int(np.prod(budget))
    rate = ancestral_rate(net)
    audio_update(net, torch.rand(1, 2048) * 255)  # warm-up
    rows = []
    for s in seconds:
        x = torch.rand(1, round(s * RATE)) * 255  # (1, T) bins
        rows.append({"seconds": s, "samples": x.shape[1],
                     "update_s": _seconds(lambda x=x: audio_update(net, x))})
    df = pd.DataFrame(rows)
    df["pnf_s"] = df.update_s * updates
    df["ancestral_s"] = df.samples / rate
    df["pnf_gpu_s"], df["ancestral_gpu_s"] = gpu_projection(
        net, df.samples.to_numpy(float), updates, update_flops_per_sample(net))
    df.attrs.update(size=size, budget=budget, ancestral_rate=rate, layers=len(net.dilations),
                    flops_per_sample=update_flops_per_sample(net))
    return df


def crossover(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> float | None:
    """The first x where a - b changes sign (log-log interpolation), or None."""
    d = np.log(np.asarray(a)) - np.log(np.asarray(b))
    for i in range(len(d) - 1):
        if d[i] == 0 or d[i] * d[i + 1] < 0:
            t = d[i] / (d[i] - d[i + 1])
            return float(np.exp(np.log(x[i]) + t * (np.log(x[i + 1]) - np.log(x[i]))))
    return None


def _panel(ax, df, pnf, anc, title, kind):
    x = df.seconds.to_numpy()
    ax.plot(x, df[pnf], "o-", color="C0", label=f"PnF ({kind})")
    ax.plot(x, df[anc], "s--", color="C1", label=f"cached ancestral ({kind})")
    cross = crossover(x, df[pnf].to_numpy(), df[anc].to_numpy())
    if cross is not None:
        ax.axvline(cross, color="0.4", ls=":", lw=1.5)
        ax.annotate(f"crossover ≈ {cross:.2g} s", (cross, ax.get_ylim()[0]), xytext=(4, 8),
                    textcoords="offset points", fontsize=8, rotation=90, va="bottom")
    else:
        ax.text(0.97, 0.03, "no crossover in this range", transform=ax.transAxes, ha="right",
                fontsize=8)
    ax.set(xscale="log", yscale="log", title=title, xlabel="signal length (s of audio)",
           ylabel="wall time (s)", xticks=x, xticklabels=[f"{v:g}" for v in x])
    ax.legend(fontsize=8, loc="upper left")


def fig_walltime(out: Path, size: str = "tiny", seconds=LENGTHS, budget=BUDGET) -> Path:
    """walltime.png (two panels: measured here, projected for a GPU) and walltime.csv."""
    import matplotlib.pyplot as plt

    from pnf.atomic import write_text_atomic
    from pnf.report.savefig import save_figure

    df = measure(size, seconds, budget)
    a, meta = ASSUMPTIONS, df.attrs
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    threads = torch.get_num_threads()
    _panel(axes[0], df, "pnf_s", "ancestral_s", f"Measured on this CPU ({threads} thread"
           f"{'s' if threads > 1 else ''})", "measured")
    _panel(axes[1], df, "pnf_gpu_s", "ancestral_gpu_s", f"Projected for {a['gpu']}",
           "projected")
    fig.suptitle(f"Wall time vs length: random-init WaveNet '{size}' ({meta['layers']} layers), "
                 f"PnF at {budget[0]} iterations × {budget[1]} levels = {np.prod(budget)} "
                 "updates", y=1.02)
    fig.text(0.5, -0.1, f"Measured: one update timed per length, × {np.prod(budget)}; ancestral "
             f"{meta['ancestral_rate']:.0f} samples/s (numpy, cached). Projected (assumed): "
             f"{meta['flops_per_sample'] / 1e3:.0f} kFLOP per sample per update (counted) at "
             f"{a['tflops']:g} TFLOP/s sustained,\nat least {3 * a['kernels_per_layer']} kernel "
             f"launches per layer per update and {a['kernels_per_layer']} per layer per "
             f"ancestral step, {a['launch_s'] * 1e6:g} µs per launch.", ha="center", fontsize=8)
    write_text_atomic(out / "walltime.csv", df.to_csv(index=False))
    return save_figure(fig, out / "walltime.png")
