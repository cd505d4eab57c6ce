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
    pnf report priors --records results/smoke/prior-quality/*.json --out results/smoke/tables
    pnf report plan --config experiments/paper.yaml --gpu-name H100 --gpu-tflops 200 --gpus 8
    pnf report docs --experiment smoke        # docs/results.md + README results, from a run
    pnf report docs --check                   # exit 1 if they differ from docs/data's render
    pnf report budget --benchmarks results/smoke/benchmarks --out results/smoke/budget \\
        --experiment smoke
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys

from pnf.report import provenance


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("report", help="tables, figures and the demo page",
                            description="Make the paper's tables and figures and a demo page.")
    what = parser.add_subparsers(dest="report_what", metavar="WHAT", required=True)

    p = what.add_parser("tables", help="CSV, Markdown and LaTeX tables in the paper's layout")
    p.add_argument("--metrics", default="results/smoke/metrics.csv", help="per-item metrics CSV")
    p.add_argument("--out", default="results/smoke/tables")
    p.add_argument("--experiment", required=True, help="experiment name, shown in captions")
    p.add_argument("--data-note", default="", help="what data produced it, shown in captions")
    provenance.add_arguments(p)
    p.set_defaults(func=_tables)

    p = what.add_parser("figures", help="PNG figures (iterations, wall time, spectra, images)")
    p.add_argument("--metrics", help="per-item metrics CSV")
    p.add_argument("--restored", help="restored-file tree")
    p.add_argument("--out", default="results/smoke/figures")
    p.add_argument("--walltime", default="tiny", choices=["tiny", "small", "paper", "none"],
                   help="WaveNet size whose wall time vs length is measured (none: skip)")
    p.add_argument("--walltime-seconds", type=float, nargs="+", metavar="S",
                   help="signal lengths in seconds (default 0.25 0.5 1 2 4 8 16)")
    p.add_argument("--experiment", default="", help="experiment name, shown in the footer")
    provenance.add_arguments(p)
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
    p.add_argument("--experiment", default="", help="experiment name, shown in the footer")
    provenance.add_arguments(p)
    _gate_args(p)
    p.set_defaults(func=_demo)

    for more in (_register_check, _register_claims, _register_plan, _register_docs,
                 _register_priors, _register_budget):
        more(what)


def _register_check(what: argparse._SubParsersAction) -> None:
    p = what.add_parser("check", help="fail (exit 1) on missing cells or regressed metrics",
                        description="Print one line per problem and exit 1 if there is any. "
                        "File formats: see pnf/report/check.py.")
    p.add_argument("--metrics", default="results/smoke/metrics.csv")
    p.add_argument("--expect", help="JSON of cells that must be present")
    p.add_argument("--reference", help="JSON of reference means and per-metric tolerances")
    p.add_argument("--tolerance", help="override tolerances: NUMBER or NAME=NUMBER,...")
    p.set_defaults(func=_check)


def _register_priors(what: argparse._SubParsersAction) -> None:
    """`pnf report priors` and `pnf report reference`."""
    p = what.add_parser("priors", help="prior-quality table and NLL-vs-training-time figure",
                        description="From `pnf evaluate prior` records: prior-quality.md/.csv "
                        "and prior-nll.png (see pnf/report/priors.py).")
    p.add_argument("--records", nargs="+", required=True, help="JSON records, NAME.json each")
    p.add_argument("--out", required=True, help="folder to write into")
    p.add_argument("--experiment", default="", help="experiment name, shown in the title")
    p.set_defaults(func=_priors)

    p = what.add_parser("prior-study", help="the prior study: quality against training CPU min",
                        description="From the study's variants (NAME.json `pnf evaluate prior` "
                        "record on validation clips, NAME.yaml train config, NAME.tsv training "
                        "benchmark, side by side): prior-study.md/.csv/.png and "
                        "prior-study-nll.png (see pnf/report/prior_study.py).")
    p.add_argument("--records", nargs="+", required=True, help="the variants' JSON records")
    p.add_argument("--rules", help="YAML with a `claims_gate:` section (default thresholds "
                   "without it)")
    p.add_argument("--out", required=True, help="folder to write into")
    p.add_argument("--experiment", default="", help="experiment name, shown in the title")
    p.set_defaults(func=_prior_study)

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
    p.add_argument("--benchmarks", help="the run's benchmark records (e.g. results/smoke/"
                   "benchmarks): the wall-time claim adds its sampling jobs' seconds")
    p.add_argument("--out", default="results/smoke/tables")
    p.add_argument("--experiment", default="", help="experiment name, shown in the title")
    provenance.add_arguments(p)
    _gate_args(p)
    p.set_defaults(func=_claims)


def _register_docs(what: argparse._SubParsersAction) -> None:
    p = what.add_parser("docs", help="render docs/results.md and the README's results",
                        description="Snapshot an experiment's results into docs/data/<name> "
                        "(--experiment), then render docs/results.md and the README's results "
                        "block from every snapshot there. --check renders without writing and "
                        "exits 1 when a committed file differs (a number typed by hand or left "
                        "stale).")
    p.add_argument("--experiment", help="snapshot results/<experiment> first (after a run)")
    p.add_argument("--results", default="results", help="where the experiments' results are")
    p.add_argument("--docs", default="docs", help="docs folder (its data/ holds the snapshots)")
    p.add_argument("--readme", default="README.md", help="README with the results markers")
    p.add_argument("--bench", metavar="JSON", help="snapshot `pnf bench langevin --json` rows "
                   "for docs/performance.md, e.g. results/bench/langevin.json")
    p.add_argument("--check", action="store_true", help="only compare; write nothing")
    p.set_defaults(func=_docs)


def _gate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--priors", nargs="*", default=[], metavar="JSON",
                   help="prior-quality records (`pnf evaluate prior`, named <set>-<kind>.json) "
                   "for the adequacy gate; its thresholds: the rules file's `claims_gate:` "
                   "(pnf/report/gate.py). Without a prior's record its audio claims are not "
                   "testable")


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
    p.add_argument("--benchmarks", help="benchmark records of a run of it (e.g. "
                   "results/small/benchmarks): adds the job-seconds it took per stage")
    p.set_defaults(func=_plan)


def _register_budget(what: argparse._SubParsersAction) -> None:
    p = what.add_parser("budget", help="where an experiment's time went (benchmark records)",
                        description="Sum Snakemake's benchmark records per rule kind: "
                        "job-seconds, share, mean, max RSS, start-up share "
                        "(pnf/report/budget.py). Writes budget.csv, budget.md, budget.png.")
    p.add_argument("--benchmarks", required=True, help="e.g. results/smoke/benchmarks")
    p.add_argument("--out", required=True, help="folder, e.g. results/smoke/budget")
    p.add_argument("--experiment", default="", help="experiment name, shown in the title")
    provenance.add_arguments(p)
    p.set_defaults(func=_budget)


def _stamping(func):
    """Run a report verb under its provenance footer (pnf.report.provenance)."""
    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        with provenance.stamped(provenance.from_args(args, args.experiment)):
            return func(args)
    return run


@_stamping
def _tables(args: argparse.Namespace) -> int:
    from pnf.report.tables import write_tables

    written = write_tables(args.metrics, args.out, args.experiment, args.data_note or "—")
    print(f"pnf: wrote {len(written)} table files to {args.out}", file=sys.stderr)
    return 0


@_stamping
def _figures(args: argparse.Namespace) -> int:
    from pnf.report.figures import write_figures

    if args.walltime_seconds and min(args.walltime_seconds) <= 0:
        raise ValueError("--walltime-seconds: give lengths above 0, e.g. 0.25 1 4")
    size = None if args.walltime == "none" else args.walltime
    written = write_figures(args.metrics, args.restored, args.out, size, args.walltime_seconds)
    print(f"pnf: wrote {len(written)} figures to {args.out}", file=sys.stderr)
    return 0


@_stamping
def _claims(args: argparse.Namespace) -> int:
    from pnf.report.claims import claims_frame, load_claims, write_claims

    for path in (args.metrics, args.walltime):
        if path and not os.path.isfile(path):
            raise FileNotFoundError(f"{path}: no such file; run `pnf evaluate collect` (metrics)"
                                    " or `pnf report figures` (walltime.csv) first")
    if args.benchmarks and not os.path.isdir(args.benchmarks):
        raise FileNotFoundError(f"{args.benchmarks}: no such folder; give the run's "
                                "results/<experiment>/benchmarks")
    from pnf.report.budget import read_benchmarks
    from pnf.report.gate import load_gate

    gate = load_gate(args.rules, args.priors)
    records = read_benchmarks(args.benchmarks) if args.benchmarks else None
    frame = claims_frame(load_claims(args.rules), args.metrics, args.walltime, gate,
                         records)
    write_claims(frame, args.out, args.experiment or args.rules)
    print(f"pnf: {len(frame)} claims -> {args.out}/claims.md", file=sys.stderr)
    return 0


@_stamping
def _demo(args: argparse.Namespace) -> int:
    from pnf.report.demo import write_demo

    if args.metrics and not os.path.isfile(args.metrics):
        raise FileNotFoundError(f"{args.metrics}: no metrics CSV; run `pnf evaluate collect`")
    claims = gate = None
    if args.claims:
        from pnf.report.claims import load_claims
        from pnf.report.gate import load_gate

        claims, gate = load_claims(args.claims), load_gate(args.claims, args.priors)
    page = write_demo(args.restored, args.figures, args.out, title=args.title, note=args.note,
                      metrics=args.metrics, claims=claims, gate=gate)
    print(f"pnf: demo page {page}", file=sys.stderr)
    return 0


def _prior_study(args: argparse.Namespace) -> int:
    from pnf.report.prior_study import write_prior_study

    written = write_prior_study(args.records, args.out, args.rules, args.experiment)
    print(f"pnf: wrote {len(written)} prior-study files to {args.out}", file=sys.stderr)
    return 0


def _priors(args: argparse.Namespace) -> int:
    from pnf.report.priors import write_prior_report

    written = write_prior_report(args.records, args.out, args.experiment)
    print(f"pnf: wrote {len(written)} prior-quality files to {args.out}", file=sys.stderr)
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

    from pnf.experiments import read_experiment
    from pnf.report.plan import plan, summary, to_markdown

    if args.gpu_tflops <= 0 or args.gpus < 1:
        raise ValueError("--gpu-tflops must be above 0 and --gpus at least 1")
    cfg = read_experiment(args.config)
    if not isinstance(cfg, dict) or not {"tasks", "priors", "sampler"} <= set(cfg):
        raise ValueError(f"{args.config}: not an experiment config (needs tasks, priors, "
                         "sampler)")
    measured = _measured(args.benchmarks)
    jobs = plan(cfg)
    print(to_markdown(jobs, args.gpu_tflops, args.gpus, args.gpu_name,
                      cfg.get("experiment", args.config), measured), end="")
    if args.out:
        from pnf.atomic import write_text_atomic

        data = {"gpu": args.gpu_name, "tflops": args.gpu_tflops, "gpus": args.gpus,
                **summary(jobs, args.gpu_tflops, args.gpus), "jobs": jobs.to_dict("records")}
        if measured is not None:
            data["measured"] = measured.to_dict("records")
        write_text_atomic(args.out, json.dumps(data, indent=1) + "\n")
    return 0


def _docs(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pnf.report.docs import check_docs, take_bench_snapshot, take_snapshot, write_docs

    docs, readme = Path(args.docs), Path(args.readme)
    if not readme.is_file():
        raise FileNotFoundError(f"{readme}: no such README; give --readme")
    if args.check:
        stale = check_docs(docs / "data", docs, readme)
        for line in stale:
            print(line)
        return 1 if stale else 0
    if args.experiment:
        print(f"pnf: snapshot -> {take_snapshot(args.results, args.experiment, docs / 'data')}",
              file=sys.stderr)
    if args.bench:
        print(f"pnf: snapshot -> {take_bench_snapshot(args.bench, docs / 'data')}",
              file=sys.stderr)
    write_docs(docs / "data", docs, readme)
    print(f"pnf: rendered the docs under {docs} and the results block of {readme}",
          file=sys.stderr)
    return 0


def _measured(benchmarks: str | None):
    """Job-seconds per stage from a run's benchmark records (None without --benchmarks)."""
    if benchmarks is None:
        return None
    from pnf.report.budget import budget, by_stage, read_benchmarks

    if not os.path.isdir(benchmarks):
        raise FileNotFoundError(f"{benchmarks}: no such folder; give a run's "
                                "results/<experiment>/benchmarks")
    return by_stage(budget(read_benchmarks(benchmarks)))


@_stamping
def _budget(args: argparse.Namespace) -> int:
    from pnf.report.budget import write_budget

    if not os.path.isdir(args.benchmarks):
        raise FileNotFoundError(f"{args.benchmarks}: no such folder; run the experiment "
                                "(make reproduce) first")
    written = write_budget(args.benchmarks, args.out, args.experiment or args.benchmarks)
    print(f"pnf: time budget -> {written[1]}", file=sys.stderr)
    return 0


def _reference(args: argparse.Namespace) -> int:
    from pnf.atomic import write_text_atomic
    from pnf.report.check import make_reference

    ref = make_reference(args.metrics, args.tolerance)
    write_text_atomic(args.out, json.dumps(ref, indent=1, sort_keys=True) + "\n")
    print(f"pnf: reference with {len(ref['cells'])} cells -> {args.out}", file=sys.stderr)
    return 0
