"""The `score_<task>` rules: every record of one task and dataset in ONE process, each the
same `pnf evaluate item` call a per-item job would make (run through pnf.cli.main), so the
DAG pays the process start-up once per task and dataset, not per item (<OUT>/budget).

Run by Snakemake (`script:`): the call list arrives in-process (the paper experiment's
lists do not fit on a shell command line). Each call reads its restoration's run record
(--run: iterations and seconds).
"""

import sys
from contextlib import redirect_stderr, redirect_stdout

from pnf.cli import main

snakemake = globals()["snakemake"]  # injected by Snakemake
with open(snakemake.log[0], "w") as log, redirect_stderr(log), redirect_stdout(log):
    for call in snakemake.params.calls:
        argv = [*call["argv"], "--run", call["timing"]]
        print("pnf " + " ".join(argv), flush=True)
        if main(argv) != 0:
            sys.exit(f"pnf {' '.join(argv)} failed (see {snakemake.log[0]})")
