"""The `collect` rule: exactly the DAG's score records -> results/metrics.{csv,json}.

Run by Snakemake (`script:`), which hands over the record list in-process: the paper
experiment has thousands of records, more than fits on one shell command line, and a
folder scan would also pick up records left by an earlier configuration.
"""

from pnf.metrics import collect, write_metrics

snakemake = globals()["snakemake"]  # injected by Snakemake
with open(snakemake.log[0], "w") as log:
    records = collect(list(snakemake.input))
    write_metrics(records, snakemake.output.csv, snakemake.output.json)
    print(f"pnf: {len(records)} records -> {snakemake.output.csv}", file=log)
