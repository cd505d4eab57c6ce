"""`pnf bench {langevin,ancestral}`: speed against this machine's own same-run ceilings.

    pnf bench langevin --config experiments/small.yaml --json results/bench/langevin.json
    pnf bench langevin --size small --seconds 1 --precisions fp32 bf16 --batches 1 4
    pnf bench ancestral --size small --seconds 0.5       # cached samples/s at batch 1
    pnf bench profile --config experiments/small.yaml    # op groups: share, bytes, GB/s

FLOPs count the matmul work of one update: the forward pass plus the input-gradient
backward pass (about the same again; no weight gradients are needed when sampling).
`ratio` is achieved GFLOP/s over an fp32 matmul timed in the same process; the bf16
ceiling and a copy bandwidth (GB/s) are measured in the same run. With one CPU thread
(OMP_NUM_THREADS=1) times are process CPU seconds, so other processes sharing the cores
do not inflate them (the row's `clock` says which). See pnf.bench.
"""

from __future__ import annotations

import argparse
import resource

import torch

from pnf.bench.machine import Machine, clock
from pnf.bench.target import Target
from pnf.precision import GEMM_DTYPES
from pnf.priors.ancestral import ancestral_sample
from pnf.priors.train import WAVENET_SIZES
from pnf.runtime import pick_device


def register(sub) -> None:
    bench = sub.add_parser("bench", help="measure sampling speed against the matmul ceiling")
    what = bench.add_subparsers(dest="what", metavar="WHAT", required=True)
    for name, text, func in [
            ("langevin", "seconds per Langevin update (forward + input grad)", run_langevin),
            ("ancestral", "samples per second of cached sequential sampling", run_ancestral),
            ("profile", "where one update's time goes: op groups, bytes, GB/s", run_profile)]:
        p = what.add_parser(name, help=text, description=text)
        src = p.add_mutually_exclusive_group()
        src.add_argument("--size", choices=list(WAVENET_SIZES), help="a named size (default small)")
        src.add_argument("--config", help="an experiment file: bench the prior it trains")
        p.add_argument("--seconds", type=float,
                       help="signal length (default: the experiment's test clips, else 1)")
        p.add_argument("--repeats", type=int, default=3, help="timed calls per row (median)")
        p.add_argument("--device", default="auto")
        if name == "langevin":
            _langevin_args(p)
        if name == "profile":
            p.add_argument("--precision", default="fp32", choices=list(GEMM_DTYPES))
            p.add_argument("--json", help="write the rows here (a JSON list)")
        p.set_defaults(func=func)


def _langevin_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--precisions", nargs="+", default=list(GEMM_DTYPES),
                   choices=list(GEMM_DTYPES))
    p.add_argument("--batches", type=int, nargs="+", default=[1, 2, 4, 8],
                   help="chains of one clip per batched update")
    p.add_argument("--window", type=int, help="bench the segment of a windowed update")
    p.add_argument("--no-train", action="store_true", help="skip the training rows")
    p.add_argument("--no-peer", action="store_true", help="skip the wavenet_vocoder row")
    p.add_argument("--ancestral-seconds", type=float, default=0.25,
                   help="length of the cached ancestral sampling row")
    p.add_argument("--json", help="write the rows here (a JSON list)")
    p.add_argument("--figure", help="write a small PNG of seconds per chain here")


def _check(args) -> Target:
    """All user mistakes, before any heavy work."""
    if (args.seconds is not None and args.seconds <= 0) or args.repeats < 1 \
            or any(b < 1 for b in getattr(args, "batches", [1])):
        raise ValueError("--seconds, --repeats and --batches must be positive")
    return Target.from_args(args.config, args.size, args.seconds)


def run_langevin(args) -> int:
    from pnf.bench.langevin import update_rows
    from pnf.bench.peer import peer_row
    from pnf.bench.report import draw, print_table, write_json
    from pnf.bench.training import train_rows

    target = _check(args)
    device = pick_device(args.device)
    torch.manual_seed(0)
    machine = Machine.measure(device)
    rf = target.build("cpu").receptive_field
    seg = min(target.samples, args.window + 2 * rf) if args.window else None
    rows = update_rows(target, machine, args.precisions, args.batches, args.repeats, seg)
    peer = None if args.no_peer else peer_row(target, machine, args.repeats, seg)
    rows += [peer] if peer else []
    rows += [] if args.no_train else train_rows(target, machine, args.precisions, args.repeats)
    rows.append(ancestral_row(target, args.ancestral_seconds))
    c = target.net_config
    print(f"model {target.size} ({c.layers} layers, R={c.residual_channels}, "
          f"G={c.gate_channels}, S={c.skip_channels}, σ input {c.sigma_input}), receptive "
          f"field {rf}, device {device}, threads {torch.get_num_threads()}")
    print(f"same-run ceilings: matmul fp32 {machine.gflops['fp32']:.1f} GFLOP/s, bf16 "
          f"{machine.gflops['bf16']:.1f} GFLOP/s; copy bandwidth {machine.bandwidth_gbs:.1f} GB/s")
    print_table(rows)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak memory (RSS) {rss:.2f} GiB")
    if args.json:
        write_json(rows, args.json)
    if args.figure:
        draw(rows, args.figure)
    return 0


def ancestral_row(target: Target, seconds: float) -> dict:
    """Cached ancestral sampling at batch 1 on the CPU: samples per second."""
    torch.manual_seed(0)
    net = target.build("cpu")
    length = round(seconds * target.net_config.rate)
    ancestral_sample(net, 64, 1, progress=False)  # warm-up
    now = clock()
    start = now()
    ancestral_sample(net, length, 1, progress=False)
    rate = length / (now() - start)
    return {"impl": "pnf", "kind": "ancestral", "size": target.size, "precision": "fp32",
            "batch": 1, "samples": length, "samples_per_second": round(rate)}


def run_ancestral(args) -> int:
    target = _check(args)
    row = ancestral_row(target, args.seconds or 0.5)
    print(f"model {target.size}: cached ancestral sampling {row['samples_per_second']} "
          f"samples/s (batch 1, {row['samples']} steps, CPU)")
    return 0


def run_profile(args) -> int:
    """Print (and with --json write) the update's op groups against the copy bandwidth."""
    from pnf.bench.profile import profile_rows
    from pnf.bench.report import write_json

    target = _check(args)
    machine = Machine.measure(pick_device(args.device))
    rows = profile_rows(target, machine, args.precision, args.repeats)
    print(f"model {target.size}, {target.samples} samples, {args.precision}; copy bandwidth "
          f"{machine.bandwidth_gbs:.1f} GB/s, matmul fp32 {machine.gflops['fp32']:.1f} GFLOP/s")
    print(f"{'group':<12}{'s/update':>10}{'share':>8}{'GB/update':>11}{'GB/s':>8}")
    for r in rows:
        gbs = "" if r["gbs"] is None else f"{r['gbs']:.1f}"
        print(f"{r['group']:<12}{r['seconds_per_update']:>10.4f}{r['share']:>8.1%}"
              f"{r['gbytes_per_update']:>11.3f}{gbs:>8}")
    if args.json:
        write_json(rows, args.json)
    return 0
