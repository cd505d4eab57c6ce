"""Convergence study: PnF quality against updates per level and against the prior.

    python workflow/scripts/convergence.py --config experiments/small.yaml \\
        --prior-set base=results/small/priors --iterations 16 64 256 1024 \\
        --csv results/small/convergence.csv --figure results/small/figures/convergence.png

For one x4 and one x16 clip per dataset (super-resolution, SNR and LSD) and one mixture
(separation, SI-SDR per source), it restores with the experiment's ladder and step rule at
each iteration count and scores against the truth; the spline (super-resolution) and the
mixture itself (separation) are the reference lines. Clips are VALIDATION clips
(pnf.clips.pick_clip): a manifest's validation split, else its last test-split clip, never
among the scored items (the first `test_clips`). Each restoration is pnf.restoration's,
the one `pnf restore` runs.
Each finished restoration is one CSV row, appended at once: a killed study resumes with the
same command and skips what is done. `--prior-set NAME=DIR` (repeatable) compares priors
(size, training steps): DIR holds <dataset>-mulaw.pt and <dataset>-linear.pt.
`--schedules` compares sampler schedules (pnf.langevin.SCHEDULES: the paper's `langevin` and
ours); each row records the run's network evaluations, and `--figure-evaluations` draws
quality against them (pnf.report.convergence.plot_evaluations).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

from pnf.baselines import apply
from pnf.checkpoints import load_prior
from pnf.clips import pick_clip, read_clip
from pnf.experiments import read_experiment
from pnf.langevin import SCHEDULES, Schedule
from pnf.measures import lsd, si_sdr, snr, spectral_gaps
from pnf.restoration import Sampling, restore, task_options
from pnf.restore.audio_io import Observed
from pnf.rows import append_rows, read_rows

FIELDS = ["prior_set", "task", "dataset", "setting", "iterations", "metric", "value",
          "seconds", "clip", "schedule", "evaluations"]


def validation_clip(manifest: Path, sources: list[str], seconds: float, rate: int) -> list:
    """[clip id, wave of each source]: the validation clip (pnf.clips.pick_clip), cut to
    `seconds`, at `rate` (the priors')."""
    rows = pick_clip(manifest, "validation", 0, sources)
    return [rows[0]["clip"], *read_clip(manifest, rows, seconds, rate)]


def pnf_result(priors, task: str, obs: Observed, flags: list[str], schedule, seed: int,
               warm: bool = False):
    """The PnF estimate (pnf.restoration.restore, as `pnf restore TASK FLAGS [--warm-start]`
    runs it): (n,) for one source, (S, n) for several."""
    run = Sampling(seed=seed, device="cpu", progress=False, warm_start=warm)
    results, _ = restore(priors, task, obs, schedule, run, task_options(task, flags))
    return results[0]


def superres_rows(prior, wave, factor, schedule, seed, warm=False):
    """[(metric, value)] of PnF x`factor` on `wave`, and the spline's: SNR, LSD and the
    gate's spectral gaps (highband_gap dB, flatness_gap decades) to the truth through the
    prior's quantizer, as the claims' gate measures outputs (pnf.report.gate)."""
    y = wave[::factor]
    out = pnf_result([prior], "superres", Observed(y, len(y) * factor),
                     ["--factor", str(factor)], schedule, seed, warm).numpy()[: len(wave)]
    spline = apply("spline", "superres", y, factor=factor)[: len(wave)]
    q = prior.quantizer
    heard = q.from_bins(q.quantize(wave).astype(np.float32))     # the truth in the prior's bins
    return [[("snr", snr(wave, est)), ("lsd", lsd(wave, est)),
             *spectral_gaps(heard, est, prior.rate).items()] for est in (out, spline)]


def separation_rows(priors, mix, sources, names, schedule, seed):
    """[(metric, value)]: SI-SDR of each PnF source estimate; the mixture as the estimate."""
    est = pnf_result(priors, "separate", Observed(mix, len(mix)), [], schedule, seed)
    pnf = [(f"si_sdr_{n}", si_sdr(s, e.numpy()[: len(s)]))
           for n, s, e in zip(names, sources, est, strict=True)]
    ref = [(f"si_sdr_{n}", si_sdr(s, mix)) for n, s in zip(names, sources, strict=True)]
    return pnf, ref


def done_keys(path: Path) -> set:
    return {(r["prior_set"], r["task"], r["dataset"], r["setting"], r["iterations"],
             r.get("schedule", "langevin")) for r in read_rows(path)}


def jobs(args):
    """(task, dataset, setting) in the study; iterations loop outside (short runs first)."""
    out = [("superres", d, f"x{k}") for d in args.datasets for k in args.factors]
    if args.separation:
        out.append(("separate", "mix", "mix"))
    return out


def run_one(args, cfg, prior_dir: Path, job, iterations: int, kind: str = "langevin"):
    task, dataset, setting = job
    root, s = Path(cfg["data"]["root"]), cfg["sampler"]
    schedule = Schedule(sigmas=s["levels"], delta=s["delta"], iterations=iterations, kind=kind,
                        n_levels=args.n_levels)
    if task == "superres":
        prior = load_prior(prior_dir / f"{dataset}-mulaw.pt")
        clip, wave = validation_clip(root / cfg["datasets"][dataset]["set"] / "manifest.csv",
                                     [cfg["datasets"][dataset]["source"]], args.seconds,
                                     prior.rate)
        rows = superres_rows(prior, wave, int(setting[1:]), schedule, args.seed, args.warm_start)
        return (clip, rows,
                schedule.evaluations(len(wave)))
    names = cfg["tasks"]["separate"]["sources"]
    priors = [load_prior(prior_dir / f"{n}-linear.pt") for n in names]
    clip, mix, *srcs = validation_clip(root / cfg["mixture_set"] / "manifest.csv",
                                       ["mix", *names], args.seconds, priors[0].rate)
    return (clip, separation_rows(priors, mix, srcs, names, schedule, args.seed),
            schedule.evaluations(len(mix)))


def study(args) -> None:
    cfg = read_experiment(args.config)
    torch.set_num_threads(1)
    done = done_keys(args.csv)
    runs = [(it, kind, name, Path(d), job) for it in args.iterations for kind in args.schedules
            for name, d in args.prior_set for job in jobs(args)]
    for iterations, kind, name, prior_dir, job in runs:
        label = f"{kind}-warm" if args.warm_start else kind     # the CSV's schedule column
        if (name, *job, str(iterations), label) in done:
            continue
        t0 = time.perf_counter()
        clip, (pnf, ref), evals = run_one(args, cfg, prior_dir, job, iterations, kind)
        sec = time.perf_counter() - t0
        rows = [dict(zip(FIELDS, (name, *job, iterations, m, v, sec, clip, label, evals),
                         strict=True)) for m, v in pnf]
        rows += [dict(zip(FIELDS, ("reference", *job, iterations, m, v, 0, clip, label, 0),
                          strict=True)) for m, v in ref]
        append_rows(args.csv, rows, FIELDS)
        print(f"{name} {label} {' '.join(job)} T={iterations} ({evals} evaluations): "
              + ", ".join(f"{m}={v:.2f}" for m, v in pnf) + f" ({sec:.0f} s)",
              file=sys.stderr, flush=True)


def prior_set(text: str) -> tuple[str, str]:
    name, sep, path = text.partition("=")
    if not sep or not name or not Path(path).is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: give NAME=DIR with an existing DIR")
    return name, path


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", required=True, help="experiment YAML (data, ladder, step)")
    p.add_argument("--prior-set", type=prior_set, action="append", required=True)
    p.add_argument("--datasets", nargs="*", default=["piano", "voice"])
    p.add_argument("--factors", type=int, nargs="+", default=[4, 16])
    p.add_argument("--no-separation", dest="separation", action="store_false")
    p.add_argument("--iterations", type=int, nargs="+", default=[16, 64, 256, 1024])
    p.add_argument("--schedules", nargs="+", default=["langevin"], choices=list(SCHEDULES),
                   help="sampler schedules to compare (langevin: the paper's)")
    p.add_argument("--n-levels", type=int, help="re-space the ladder (pnf.langevin.Schedule)")
    p.add_argument("--warm-start", action="store_true",
                   help="(ours) super-resolution chains start from the spline; rows are "
                        "labelled <schedule>-warm")
    p.add_argument("--seconds", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--csv", type=Path, required=True)
    p.add_argument("--figure", type=Path, help="also draw the figure (see convergence_plot)")
    p.add_argument("--figure-evaluations", type=Path,
                   help="also draw quality against network evaluations, one line per schedule")
    return p.parse_args(argv)


if __name__ == "__main__":
    args = parse()
    study(args)
    if args.figure:
        from pnf.report.convergence import plot_convergence
        plot_convergence(args.csv, args.figure)
    if args.figure_evaluations:
        from pnf.report.convergence import plot_evaluations
        plot_evaluations(args.csv, args.figure_evaluations)
