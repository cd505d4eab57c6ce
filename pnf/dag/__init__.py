"""The Snakemake workflow's plan, built from an experiment config alone (no file read), so
`snakemake -n` plans the paper run with no data present; workflow/rules/ call it.

    >>> from pnf.dag import Dag, check_config
    >>> check_config(config)                    # parse-time checks beyond the schema
    >>> dag = Dag(config)
    >>> dag.score_targets("superres")[:1]
    ['results/smoke/scores/piano/superres/x4/pnf/c000.json']

pnf.dag.plan: settings rows, methods, items, cells and target lists; pnf.dag.jobs: each
job's flags and input files; pnf.dag.checks: the config checks. Tasks and methods are read
from their specs (pnf.task_specs, pnf.methods).
"""

from pnf.dag.checks import check_config
from pnf.dag.jobs import Dag
from pnf.dag.plan import AUDIO_PRIORS, MIX, PNF_METHODS, Cell, Plan, clip_index, is_pnf

__all__ = ["AUDIO_PRIORS", "MIX", "PNF_METHODS", "Cell", "Dag", "Plan", "check_config",
           "clip_index", "is_pnf"]
