"""`pnf report`: tables, figures, the demo page, and CI checks on the metrics.

    pnf report tables --metrics results/smoke/metrics.csv --out results/smoke/tables \\
        --experiment smoke \\
        --data-note "embedded piano, synthetic voice"
    pnf report figures --metrics results/smoke/metrics.csv --restored results/smoke/restored \\
        --out results/smoke/figures
    pnf report demo --restored results/smoke/restored --figures results/smoke/figures \\
        --out results/smoke/demo
    pnf report claims --metrics results/smoke/metrics.csv --rules experiments/smoke.yaml \\
        --walltime results/smoke/figures/walltime.csv --out results/smoke/tables --experiment smoke
    pnf report check --metrics results/smoke/metrics.csv --expect expect.json \\
        --reference reference.json --tolerance snr=1,lsd=0.2
    pnf report reference --metrics results/smoke/metrics.csv --out reference.json
    pnf report plan --config experiments/paper.yaml --gpu-name H100 --gpu-tflops 200 --gpus 8
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("report", help="tables, figures and the demo page",
                            description="Make the paper's tables and figures and a demo page.")
    what = parser.add_subparsers(dest="report_what", metavar="WHAT", required=True)

    p = what.add_parser("tables", help="CSV, Markdown and LaTeX tables in the paper's layout")
    p.add_argument("--metrics", default="results/smoke/metrics.csv", help="per-item metrics CSV")
    p.add_argument("--out", default="results/smoke/tables")
    p.add_argument("--experiment", required=True, help="experiment name, shown in captions")
    p.add_argument("--data-note", default="", help="what data produced it, shown in captions")
    p.set_defaults(func=_tables)

    p = what.add_parser("figures", help="PNG figures (iterations, wall time, spectra, images)")
    p.add_argument("--metrics", help="per-item metrics CSV")
    p.add_argument("--restored", help="restored-file tree")
    p.add_argument("--out", default="results/smoke/figures")
    p.add_argument("--walltime", default="tiny", choices=["tiny", "small", "paper", "none"],
                   help="WaveNet size whose wall time vs length is measured (none: skip)")
    p.add_argument("--walltime-seconds", type=float, nargs="+", metavar="S",
                   help="signal lengths in seconds (default 0.25 0.5 1 2 4 8 16)")
    p.set_defaults(func=_figures)

    p = what.add_parser("demo", help="static HTML demo page with audio players")
    p.add_argument("--restored", default="results/smoke/restored")
    p.add_argument("--figures", default="results/smoke/figures")
    p.add_argument("--out", default="results/smoke/demo")
    p.add_argument("--title", default="PnF: parallel and flexible sampling — demo")
    p.add_argument("--note", default="", help="a line under the title (experiment, data)")
    p.add_argument("--metrics", help="per-item metrics CSV for the tables (default: "
                   "metrics.csv beside the --restored folder, when there is one)")
    p.add_argument("--claims", help="YAML with a `claims:` section: adds the claims table")
    p.set_defaults(func=_demo)

    p = what.add_parser("check", help="fail (exit 1) on missing cells or regressed metrics",
                        description="Print one line per problem and exit 1 if there is any. "
                        "File formats: see pnf/report/check.py.")
    p.add_argument("--metrics", default="results/smoke/metrics.csv")
    p.add_argument("--expect", help="JSON of cells that must be present")
    p.add_argument("--reference", help="JSON of reference means and per-metric tolerances")
    p.add_argument("--tolerance", help="override tolerances: NUMBER or NAME=NUMBER,...")
    p.set_defaults(func=_check)

    _register_claims(what)
    _register_plan(what)

    p = what.add_parser("reference", help="write a reference file from the current metrics")
    p.add_argument("--metrics", default="results/smoke/metrics.csv")
    p.add_argument("--out", required=True)
    p.add_argument("--tolerance", help="tolerances to store: NUMBER or NAME=NUMBER,...")
    p.set_defaults(func=_reference)


def _register_claims(what: argparse._SubParsersAction) -> None:
    p = what.add_parser("claims", help="the claims table: verdicts from the config's rules",
                        description="Write claims.md and claims.csv: one row per claim of the "
                        "`claims:` section, with numbers and a verdict from its rules "
                        "(kinds: pnf/report/claim_rules.py).")
    p.add_argument("--metrics", default="results/smoke/metrics.csv", help="per-item metrics CSV")
    p.add_argument("--rules", required=True, help="YAML with a `claims:` section, e.g. "
                   "experiments/small.yaml")
    p.add_argument("--walltime", help="walltime.csv of `pnf report figures` (wall-time claim)")
    p.add_argument("--out", default="results/smoke/tables")
    p.add_argument("--experiment", default="", help="experiment name, shown in the title")
    p.set_defaults(func=_claims)


def _register_plan(what: argparse._SubParsersAction) -> None:
    p = what.add_parser("plan", help="GPU-hours and wall time an experiment needs",
                        description="Project an experiment's GPU cost from FLOPs counted per "
                        "training step and per Langevin update (see pnf/report/plan.py).")
    p.add_argument("--config", required=True, help="experiment YAML, e.g. experiments/paper.yaml")
    p.add_argument("--gpu-tflops", type=float, required=True,
                   help="assumed sustained TFLOP/s of one GPU on these matmuls")
    p.add_argument("--gpu-name", default="the assumed GPU", help="shown in the output")
    p.add_argument("--gpus", type=int, default=1, help="GPUs working in parallel (Slurm)")
    p.add_argument("--out", help="also write the job table and totals as JSON here")
    p.set_defaults(func=_plan)


def _tables(args: argparse.Namespace) -> int:
    from pnf.report.tables import write_tables

    written = write_tables(args.metrics, args.out, args.experiment, args.data_note or "—")
    print(f"pnf: wrote {len(written)} table files to {args.out}", file=sys.stderr)
    return 0


def _figures(args: argparse.Namespace) -> int:
    from pnf.report.figures import write_figures

    if args.walltime_seconds and min(args.walltime_seconds) <= 0:
        raise ValueError("--walltime-seconds: give lengths above 0, e.g. 0.25 1 4")
    size = None if args.walltime == "none" else args.walltime
    written = write_figures(args.metrics, args.restored, args.out, size, args.walltime_seconds)
    print(f"pnf: wrote {len(written)} figures to {args.out}", file=sys.stderr)
    return 0


def _claims(args: argparse.Namespace) -> int:
    from pnf.report.claims import claims_frame, load_claims, write_claims

    for path in (args.metrics, args.walltime):
        if path and not os.path.isfile(path):
            raise FileNotFoundError(f"{path}: no such file; run `pnf evaluate collect` (metrics)"
                                    " or `pnf report figures` (walltime.csv) first")
    frame = claims_frame(load_claims(args.rules), args.metrics, args.walltime)
    write_claims(frame, args.out, args.experiment or args.rules)
    print(f"pnf: {len(frame)} claims -> {args.out}/claims.md", file=sys.stderr)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from pnf.report.demo import write_demo

    if args.metrics and not os.path.isfile(args.metrics):
        raise FileNotFoundError(f"{args.metrics}: no metrics CSV; run `pnf evaluate collect`")
    claims = None
    if args.claims:
        from pnf.report.claims import load_claims

        claims = load_claims(args.claims)
    page = write_demo(args.restored, args.figures, args.out, title=args.title, note=args.note,
                      metrics=args.metrics, claims=claims)
    print(f"pnf: demo page {page}", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace) -> int:
    from pnf.report.check import check_metrics

    if not args.expect and not args.reference:
        raise ValueError("nothing to check: give --expect and/or --reference")
    problems = check_metrics(args.metrics, args.expect, args.reference, args.tolerance)
    for line in problems:
        print(line)
    return 1 if problems else 0


def _plan(args: argparse.Namespace) -> int:

    from pnf.config import read_yaml
    from pnf.report.plan import plan, summary, to_markdown

    if args.gpu_tflops <= 0 or args.gpus < 1:
        raise ValueError("--gpu-tflops must be above 0 and --gpus at least 1")
    cfg = read_yaml(args.config, "experiment")
    if not isinstance(cfg, dict) or not {"tasks", "priors", "sampler"} <= set(cfg):
        raise ValueError(f"{args.config}: not an experiment config (needs tasks, priors, "
                         "sampler)")
    jobs = plan(cfg)
    print(to_markdown(jobs, args.gpu_tflops, args.gpus, args.gpu_name,
                      cfg.get("experiment", args.config)), end="")
    if args.out:
        from pnf.atomic import write_text_atomic

        data = {"gpu": args.gpu_name, "tflops": args.gpu_tflops, "gpus": args.gpus,
                **summary(jobs, args.gpu_tflops, args.gpus), "jobs": jobs.to_dict("records")}
        write_text_atomic(args.out, json.dumps(data, indent=1) + "\n")
    return 0


def _reference(args: argparse.Namespace) -> int:
    from pnf.atomic import write_text_atomic
    from pnf.report.check import make_reference

    ref = make_reference(args.metrics, args.tolerance)
    write_text_atomic(args.out, json.dumps(ref, indent=1, sort_keys=True) + "\n")
    print(f"pnf: reference with {len(ref['cells'])} cells -> {args.out}", file=sys.stderr)
    return 0
