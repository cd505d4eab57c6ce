"""Two whole-pipeline runs side by side, from Snakemake's own logs (no benchmark records
needed, so code from before the records existed can be compared too).

    python scripts/compare_runs.py OLD_DIR NEW_DIR [--wall-old S --wall-new S]

Each DIR is a run's working directory; its .snakemake/log/*.snakemake.log files are read
(all of them, in time order: a resumed run adds one). Prints, per stage, the jobs and the
job-seconds (finish minus start of each job, 1 s resolution) of each run and their ratio,
and the scheduled span (first job's start to the last job's end). `--wall-*` add the
end-to-end wall times measured outside (install included) to the last line.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from pnf.report.budget import STAGES
from pnf.report.budget import stage as budget_stage

STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
START = re.compile(r"^(?:local)?rule (\w+):$")
JOBID = re.compile(r"^\s+jobid: (\d+)$")
METHOD = re.compile(r"^\s+wildcards: .*\bmethod=(\w+)")
FINISH = re.compile(r"^Finished jobid: (\d+)")


def stage(rule: str, method: str | None) -> str:
    """The budget's stage of a job (pnf.report.budget.stage), from the rule's name in the
    log: a per-task rule such as score_superres counts as its kind, score."""
    parts = rule.split("_")
    prefixes = ("_".join(parts[:i]) for i in range(len(parts), 0, -1))
    rule = next((p for p in prefixes if p in STAGES), rule)
    return budget_stage(f"{rule}-{method}" if method else rule)


def jobs(run_dir: Path) -> list[tuple[str, float, float]]:
    """[(stage, start, end)] in POSIX seconds for every finished job of the run's logs."""
    started, done = {}, []
    for log in sorted((run_dir / ".snakemake" / "log").glob("*.snakemake.log")):
        now = rule = key = None
        for line in log.read_text().splitlines():
            if m := STAMP.match(line):
                now = datetime.strptime(m.group(1), "%a %b %d %H:%M:%S %Y").timestamp()
            elif m := START.match(line):
                rule = m.group(1)
            elif (m := JOBID.match(line)) and rule:
                key = (log, m.group(1))
                started[key] = [rule, None, now]
            elif (m := METHOD.match(line)) and key in started:   # wildcards follow the jobid
                started[key][1] = m.group(1)
            elif (m := FINISH.match(line)) and (log, m.group(1)) in started:
                rule_, method, t0 = started.pop((log, m.group(1)))
                done.append((stage(rule_, method), t0, now))
    if not done:
        raise SystemExit(f"{run_dir}: no finished jobs in .snakemake/log/")
    return done


def summary(run: list) -> dict[str, list[float]]:
    """{stage: [jobs, job-seconds]} plus "all"."""
    out = defaultdict(lambda: [0, 0.0])
    for name, t0, t1 in run:
        for key in (name, "all"):
            out[key][0] += 1
            out[key][1] += t1 - t0
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("old", type=Path)
    p.add_argument("new", type=Path)
    p.add_argument("--wall-old", type=float, help="end-to-end seconds of OLD (install included)")
    p.add_argument("--wall-new", type=float, help="end-to-end seconds of NEW")
    a = p.parse_args(argv)
    runs = [jobs(a.old), jobs(a.new)]
    sums = [summary(r) for r in runs]
    print("| stage | jobs old | jobs new | job-s old | job-s new | old/new |\n"
          "|:--|--:|--:|--:|--:|--:|")
    for key in sorted(set(sums[0]) | set(sums[1]), key=lambda k: (k == "all", k)):
        (n0, s0), (n1, s1) = sums[0][key], sums[1][key]
        ratio = f"{s0 / s1:.2f}" if s1 else "-"
        print(f"| {key} | {n0} | {n1} | {s0:,.0f} | {s1:,.0f} | {ratio} |")
    spans = [max(t1 for _, _, t1 in r) - min(t0 for _, t0, _ in r) for r in runs]
    print(f"| scheduled span (s) | | | {spans[0]:,.0f} | {spans[1]:,.0f} | "
          f"{spans[0] / spans[1]:.2f} |")
    if a.wall_old and a.wall_new:
        print(f"| end to end, install included (s) | | | {a.wall_old:,.0f} | {a.wall_new:,.0f} | "
              f"{a.wall_old / a.wall_new:.2f} |")


if __name__ == "__main__":
    main()
