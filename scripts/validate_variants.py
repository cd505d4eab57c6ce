"""PnF and our variants on VALIDATION clips: how `small`'s super-resolution rows were chosen.

    python scripts/validate_variants.py --config experiments/small.yaml \\
        --priors results/small/priors --csv results/small/validation/variants.csv

For each dataset and factor, restores the validation clip (pnf.clips.pick_clip: the
manifest's validation split, else its last test-split clip, cut to --seconds; never a
scored item) once per RUN (NAME=FLAGS: --method pnf|spline, --iterations and the variant
flags of `pnf restore superres`), in memory through pnf.restoration.restore (the function
`pnf restore` runs), on the experiment's ladder and step, and prints SNR and LSD against
the truth with the spline's. One CSV row per restoration, appended as it finishes: a
killed run resumes where it stopped. (Before 2026-12-05 each run was a `pnf restore`
subprocess whose output went through a 16-bit WAV; the numbers below are from then.)

Measured 2026-11-30 (0.5 s, the 32/64/32 priors trained 1 500 steps, the default runs;
SNR dB / LSD): piano x4 pnf64 5.88 / 7.94, warm64 9.38 / 7.36, mean4x16 3.11 / 8.35,
warm-mean4x16 10.55 / 7.51, spline 16.51 / 5.34; piano x16 0.59 / 7.32, 2.86 / 7.72,
0.18 / 8.00, 3.89 / 8.37, spline 8.94 / 7.83; voice x4 0.89 / 3.19, 4.89 / 2.80,
1.25 / 2.93, 4.62 / 2.96, spline 6.21 / 9.53; voice x16 -0.23 / 3.13, 1.64 / 3.13,
-0.07 / 3.06, 1.94 / 3.10, spline 3.24 / 13.53.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import torch

from pnf import variants
from pnf.baselines import apply
from pnf.checkpoints import load_prior
from pnf.clips import pick_clip, read_clip
from pnf.config import read_yaml
from pnf.measures import lsd, snr
from pnf.restoration import restore, task_options
from pnf.restore.audio import SuperResolutionRestore
from pnf.restore.audio_io import Observed, add_schedule_args, schedule_for
from pnf.restore.request import sampling
from pnf.rows import append_rows, read_rows

RUNS = ["spline=--method spline", "pnf64=--iterations 64", "warm64=--iterations 64 --warm-start",
        "mean4x16=--iterations 16 --mean-of 4",
        "warm-mean4x16=--iterations 16 --warm-start --mean-of 4"]
FIELDS = ["dataset", "factor", "run", "snr", "lsd", "clip"]


def run_flags(flags: str, sampler: dict) -> argparse.Namespace:
    """A run's `pnf restore superres` flags (--method pnf|spline, the schedule's and the
    variants'), declared as `pnf restore` declares them, on the experiment's ladder and step."""
    p = argparse.ArgumentParser(prog="validate_variants --runs", add_help=False)
    p.add_argument("--method", default="pnf", choices=["pnf", "spline"])
    add_schedule_args(p, eta=SuperResolutionRestore.eta)
    variants.add_arguments(p, SuperResolutionRestore.sampler)
    p.set_defaults(levels=sampler["levels"], delta=sampler["delta"],
                   seed=sampler.get("seed", 0), device="cpu")
    return p.parse_args(flags.split())


def restored(prior, wave, factor: int, sampler: dict, flags: str):
    """x`factor` super-resolution of `wave` (n,) as `pnf restore superres FLAGS` runs it: (n,)."""
    args, y = run_flags(flags, sampler), wave[::factor]
    if args.method == "spline":
        return apply("spline", "superres", y, factor=factor)[: len(wave)]
    run = dataclasses.replace(sampling(args), progress=False)
    results, _ = restore([prior], "superres", Observed(y, len(wave)), schedule_for(args, prior),
                         run, task_options("superres", ["--factor", str(factor)]))
    return results[0].numpy()[: len(wave)]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", required=True, help="experiment YAML (data, ladder, step)")
    p.add_argument("--priors", type=Path, required=True, help="folder of <dataset>-mulaw.pt")
    p.add_argument("--csv", type=Path, required=True)
    p.add_argument("--datasets", nargs="+", default=["piano", "voice"])
    p.add_argument("--factors", type=int, nargs="+", default=[4, 16])
    p.add_argument("--runs", nargs="+", default=RUNS, metavar="NAME=FLAGS")
    p.add_argument("--seconds", type=float, default=0.5)
    args = p.parse_args(argv)
    cfg = read_yaml(args.config, "experiment")
    done = {(r["dataset"], r["factor"], r["run"]) for r in read_rows(args.csv)}
    torch.set_num_threads(1)
    for dataset in args.datasets:
        spec = cfg["datasets"][dataset]
        manifest = Path(cfg["data"]["root"]) / spec["set"] / "manifest.csv"
        rows = pick_clip(manifest, "validation", 0, [spec["source"]])
        wave = read_clip(manifest, rows, args.seconds)[0]
        prior = load_prior(args.priors / f"{dataset}-mulaw.pt")
        for factor in args.factors:
            for run in args.runs:
                name, _, flags = run.partition("=")
                if (dataset, str(factor), name) in done:
                    continue
                est = restored(prior, wave, factor, cfg["sampler"], flags)
                row = dict(zip(FIELDS, (dataset, factor, name, snr(wave, est), lsd(wave, est),
                                        rows[0]["clip"]), strict=True))
                append_rows(args.csv, [row], FIELDS)
                print(f"{dataset} x{factor} {name}: SNR {row['snr']:.2f} dB, "
                      f"LSD {row['lsd']:.2f}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
