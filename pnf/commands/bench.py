"""`pnf bench {langevin,ancestral}`: speed against this machine's own ceiling.

    pnf bench langevin --size small --seconds 1          # s/update, GFLOP/s, matmul ratio
    pnf bench langevin --size paper --seconds 60 --window 20000   # + peak memory
    pnf bench ancestral --size small --seconds 0.5       # samples/s at batch 1

FLOPs count the matmul work of one update: the forward pass plus the input-gradient
backward pass (about the same again; no weight gradients are needed when sampling).
The ceiling is a large float32 matmul timed in the same process on the same device.
"""

from __future__ import annotations

import resource
import time

import torch

from pnf.langevin import Schedule, gradient
from pnf.priors.ancestral import ancestral_sample
from pnf.priors.base import NetworkPrior
from pnf.priors.train import WAVENET_SIZES
from pnf.priors.wavenet import WaveNet, WaveNetConfig
from pnf.runtime import pick_device
from pnf.tasks import Unconditional


def register(sub) -> None:
    bench = sub.add_parser("bench", help="measure sampling speed against the matmul ceiling")
    what = bench.add_subparsers(dest="what", metavar="WHAT", required=True)
    for name, text in [("langevin", "seconds per Langevin update (forward + input grad)"),
                       ("ancestral", "samples per second of cached sequential sampling")]:
        p = what.add_parser(name, help=text, description=text)
        p.add_argument("--size", default="small", choices=list(WAVENET_SIZES))
        p.add_argument("--seconds", type=float, default=1.0, help="signal length")
        p.add_argument("--batch", type=int, default=1)
        p.add_argument("--repeats", type=int, default=5)
        p.add_argument("--device", default="auto")
        if name == "langevin":
            p.add_argument("--window", type=int, help="windowed updates of this length")
        p.set_defaults(func=run_langevin if name == "langevin" else run_ancestral)


def matmul_rate(device, n: int = 2048, repeats: int = 10) -> float:
    """Measured float32 GFLOP/s of an n×n matmul."""
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    torch.mm(a, b)
    _sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        torch.mm(a, b)
    _sync(device)
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def forward_flops(cfg: WaveNetConfig, samples: int) -> float:
    """Matmul FLOPs of one forward pass over `samples` positions."""
    R, G, S, k = cfg.residual_channels, cfg.gate_channels, cfg.skip_channels, cfg.kernel_size
    per_layer = k * R * G + (G // 2) * (R + S) + (G * cfg.mel_channels)
    return 2.0 * samples * (cfg.layers * per_layer + S * S + S * cfg.classes)


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def _net(args, device):
    cfg = WaveNetConfig(**WAVENET_SIZES[args.size])
    return WaveNet(cfg).to(device).eval(), cfg


def run_langevin(args) -> int:
    device = pick_device(args.device)
    torch.manual_seed(0)
    net, cfg = _net(args, device)
    prior = NetworkPrior([net], [1.0], sigma_input=False)
    length = round(args.seconds * cfg.rate)
    task = Unconditional(length, args.batch, prior.quantizer)
    x = task.init(torch.Generator(device).manual_seed(0)).to(device)
    window = args.window if args.window and args.window < length else None
    sched = Schedule(sigmas=(1.0,), window=window)
    span = (length // 2 - window // 2, length // 2 + window - window // 2) if window else None
    seg = length if window is None else min(length, window + 2 * net.receptive_field)
    gradient([prior], task, x, 1.0, [None], span)           # warm-up
    _sync(device)
    start = time.perf_counter()
    for _ in range(args.repeats):
        gradient([prior], task, x, 1.0, [None], span)
    _sync(device)
    per_update = (time.perf_counter() - start) / args.repeats
    flops = 2 * forward_flops(cfg, seg * args.batch)
    peak = matmul_rate(device)
    achieved = flops / per_update / 1e9
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"model {args.size} ({cfg.layers} layers, R={cfg.residual_channels}, "
          f"G={cfg.gate_channels}, S={cfg.skip_channels}), receptive field "
          f"{net.receptive_field}, device {device}, threads {torch.get_num_threads()}")
    print(f"signal {length} samples x batch {args.batch}; evaluated segment {seg} samples"
          + (f" (window {window} + 2 x receptive field)" if window else ""))
    print(f"updates per level at T=256: {sched.steps_per_level(length) if window else 256}")
    print(f"seconds per update      {per_update:.4f}")
    print(f"GFLOP per update        {flops / 1e9:.2f} (forward + input gradient, matmuls)")
    print(f"achieved GFLOP/s        {achieved:.1f}")
    print(f"matmul ceiling GFLOP/s  {peak:.1f} (float32 2048x2048, same process)")
    print(f"ratio                   {achieved / peak:.2f}")
    print(f"peak memory (RSS)       {rss:.2f} GiB")
    return 0


def run_ancestral(args) -> int:
    device = torch.device("cpu")
    torch.manual_seed(0)
    net, cfg = _net(args, device)
    length = round(args.seconds * cfg.rate)
    ancestral_sample(net, 64, args.batch, progress=False)  # warm-up
    start = time.perf_counter()
    ancestral_sample(net, length, args.batch, progress=False)
    rate = length * args.batch / (time.perf_counter() - start)
    print(f"model {args.size}: cached ancestral sampling {rate:.0f} samples/s "
          f"(batch {args.batch}, {length} steps, CPU)")
    return 0
