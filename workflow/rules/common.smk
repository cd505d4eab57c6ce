# Shared names and helpers: paths, the config checks, per-rule resources and the plan. Every
# job list derives from the config alone (no file is read at parse time), so `snakemake -n`
# plans the paper run with no data present. What the tasks and methods are comes from their
# specs (pnf/task_specs.py, pnf/methods.py); the plan built from them is pnf/dag/ (PLAN below:
# settings rows, methods, items, target lists, each job's flags and input files).
import os
import shlex
import sys
from pathlib import Path

import yaml

from pnf.dag import AUDIO_PRIORS, MIX, PNF_METHODS, Dag, check_config, clip_index, is_pnf
from pnf.experiments import deep_merge
from pnf.methods import METHODS, learned
from pnf.report.provenance import config_hash
from pnf.task_specs import IMAGE_PAIR, mixture_items, task_label, task_spec, tasks_where

envvars:
    "PATH",


# Jobs call `pnf` and `python` from the environment that runs Snakemake (e.g. .venv/bin).
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
# A job's up-front time estimate (pnf.resources) may reach 4x the longest runtime its
# experiment plans (resources.<kind>.runtime, minutes) before the job refuses to start; a
# PNF_MAX_MINUTES set in the environment wins.
os.environ.setdefault("PNF_MAX_MINUTES", str(4 * max(
    [r.get("runtime", 60) for r in config.get("resources", {}).values()] or [60])))
ENV = "../../environment.yml"  # conda users: --sdm conda builds the same environment
check_config(config)  # what the schema cannot say: pnf/dag/checks.py
PLAN = Dag(config)
# Every output of the DAG lives under OUT = results/<experiment>, so smoke, small and paper
# results sit side by side; a new rule names its paths f"{OUT}/..." (never "results/...").
# The one exception is the view results/tables (rules/report.smk): a copy of the configured
# experiment's tables, the target users know.
EXP = config["experiment"]
OUT = PLAN.out  # results/<experiment>
VIEW = "results/tables"  # copy of f"{OUT}/tables", rebuilt when the experiment changes
R = PLAN.restored  # <OUT>/restored/<dataset>/<task>/<setting>/<method>/<item>.wav
TIMING = PLAN.timing  # same layout, one run record per restoration call (pnf.restore.record)
SCORES = PLAN.scores  # same layout, one JSON record per item
LOGS = f"{OUT}/logs"
BENCH = f"{OUT}/benchmarks"  # <BENCH>/<kind>/...tsv: every rule's `benchmark:` (pnf report budget)
TASKS = config["tasks"]
DATA_ROOT = config["data"]["root"]
MIX_SET = config["mixture_set"]
ITEMS = PLAN.clips  # test clips c000, c001, ...
IMAGES = PLAN.images  # PixelCNN++ experiments (rules/images.smk); None = none
IMAGE_SET = IMAGES["set"] if IMAGES else ""  # data set and results `dataset` of the images
SOURCES = PLAN.sources  # the two separation sources (datasets)
SCORED_TASKS = list(PLAN.specs)  # the configured tasks, the image tasks last
set_dir, dataset_dir, dataset_rate = PLAN.set_dir, PLAN.dataset_dir, PLAN.dataset_rate
DATA_TARGETS = PLAN.data_targets()
TRAIN_TARGETS = PLAN.train_targets()
SCORE_TARGETS = PLAN.score_targets()


def tree_root(path):
    """<OUT>/restored (or <OUT>/scores) from a file <root>/<d>/<task>/<setting>/<m>/<item>."""
    return str(Path(path).parents[4])


def fetch_archive(name):
    """The archive a fetch's `--archive PATH` (data.fetch_args) names, as the fetch's input
    (whatever makes it then runs first, e.g. rules/data.smk), or none."""
    words = shlex.split(config["data"].get("fetch_args", {}).get(name, ""))
    return [words[i + 1] for i, w in enumerate(words[:-1]) if w == "--archive"]


def res(kind, gpu=True):
    """Resources of a rule class (train, restore, light); gpu only when the class asks for
    one and the job uses it (gpu=False: a CPU job with the class's memory and time)."""
    spec = config["resources"][kind]
    out = {"mem_mb": spec["mem_mb"], "runtime": spec["runtime"]}
    if spec["gpu"] and gpu:
        out["gpu"] = spec["gpu"]
    return out


def threads(kind):
    return config["resources"][kind]["threads"]


LEARNED = learned()  # baselines with a network (pnf/methods.py)


def trained_on(kind, task=None):
    """Wildcard pattern of the learned methods trained on `kind` (clean, mixtures), or of
    those serving `task`; a pattern matching nothing when there are none."""
    names = [m for m in LEARNED if kind in (None, METHODS[m].trains_on)
             and task in (None, *METHODS[m].tasks)]
    return "|".join(names) or "(?!)"


def baseline_kind(w):
    """A learned baseline runs as a restore-class job, a signal-processing one as light."""
    return "restore" if w.method in LEARNED else "light"


def baseline_res():
    """Per-job resources of a baseline restoration (no GPU for the signal-processing ones)."""
    return {key: (lambda w, key=key: res(baseline_kind(w)).get(key, 0))
            for key in ("mem_mb", "runtime", "gpu")}


def yaml_text(mapping):
    return yaml.safe_dump(mapping, sort_keys=True)


wildcard_constraints:
    dataset="[a-z][a-z0-9]*",
    setting="[a-z0-9]+",
    method="[a-z]+([-_][a-z0-9]+)*",
    item=r"c\d+(-[a-z]+)?",
    clip=r"c\d+",
    factor=r"\d+",


# Every table, figure, claims table and demo page carries a footer (pnf/report/provenance.py):
# experiment, config hash, code version, date, the rule and the command that rebuilds it.
REBUILD = f"snakemake --cores all results/tables --configfile experiments/{EXP}.yaml"


def figure_category(wildcards):
    """`snakemake --report` groups figures by task: spec-<dataset>-<task>-<setting>.png."""
    parts = wildcards.name.split("-")
    if parts[0] == "spec" and len(parts) == 4:
        return task_label(parts[2])
    return "Summary figures"


def stamp(rule):
    """The provenance flags of `pnf report` for a job of `rule`."""
    return (f"--config-hash {config_hash(config)} --rule {rule} "
            f"--rebuild {shlex.quote(REBUILD)}")


# ------------------------------------------------------------------ the prior study
PRIOR_STUDY = config.get("study", {}).get("priors", {})
STUDY_PRIORS = f"{OUT}/study/priors"


def study_prior(variant):
    """The variant's spec ({dataset, kind, set}); an unknown name is a config error."""
    if variant not in PRIOR_STUDY:
        raise ValueError(f"study.priors has no variant {variant!r}; add it to the config")
    return PRIOR_STUDY[variant]


def study_prior_yaml(variant):
    """The variant's `pnf train prior` config: the experiment's prior, then its `set`."""
    spec = study_prior(variant)
    return yaml_text(deep_merge(PLAN.prior_config(spec["dataset"], spec["kind"]),
                                spec.get("set", {})))
