# pnf: the experiments of "Parallel and Flexible Sampling from Autoregressive Models via
# Langevin Dynamics" (Jayaram & Thickstun 2021) as one Snakemake DAG. Run from this folder:
#
#   snakemake                                        # the configured experiment (smoke), all cores
#   snakemake --cores all results/tables             # the same, naming the target
#   snakemake --cores all results/tables --configfile experiments/small.yaml
#   (every experiment writes results/<experiment>/; results/tables is a copy of its tables)
#   snakemake -n --configfile experiments/paper.yaml # plan the paper run (no data needed)
#   snakemake --workflow-profile profiles/slurm --configfile experiments/paper.yaml  # Slurm
#
# profiles/default (cores: all, rerun-incomplete) is picked up by itself. A run killed with
# SIGKILL leaves Snakemake's lock behind; the next run removes it by itself (rules/runlock.smk)
# while a second run on the same folder at the same time is still refused.
# Rules live in workflow/rules/ and call the `pnf` CLI; see workflow/README.md.

from snakemake.utils import min_version, validate

min_version("8.0")

if not workflow.overwrite_configfiles:

    configfile: "experiments/smoke.yaml"


# `extends: paper.yaml` (pnf/experiments.py): the parent merged in, then validated whole
from pnf.experiments import resolve_loaded

_resolved = resolve_loaded(config, workflow.overwrite_configfiles, workflow.config_settings.overwrite_config)
if _resolved is not config:
    config.clear()
    config.update(_resolved)

# defaults filled in, unknown keys rejected
validate(config, "workflow/schemas/config.schema.yaml")


report: "workflow/report/workflow.rst"  # `snakemake --report results/<experiment>/report.html`


include: "workflow/rules/runlock.smk"
include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/baselines.smk"
include: "workflow/rules/restore.smk"
include: "workflow/rules/images.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/study.smk"


rule all:
    default_target: True
    input:
        VIEW,


# ---- The paper's experiments (docs/method.md#tasks): `snakemake superresolution` restores and
# scores one of them; `results/tables` collects them all into tables, figures and the demo.


rule superresolution:
    """x4, x8, x16, x32 (piano, voice): PnF vs cubic spline and KEE."""
    input:
        PLAN.score_targets("superres"),


rule inpainting:
    """Centred gaps of 100, 200, 400 ms (piano, voice): PnF vs zero, linear, spline fills."""
    input:
        PLAN.score_targets("inpaint"),


rule separation:
    """Piano + voice mixtures, one linear prior per source: PnF vs Conv-TasNet and Demucs."""
    input:
        PLAN.score_targets("separate"),


rule spectrogram_generation:
    """Mel-conditioned WaveNet: PnF at each iteration count vs cached ancestral sampling."""
    input:
        PLAN.score_targets("spectrogram"),


rule images:
    """PixelCNN++ on the image set: 2x super-resolution, centre hole, two-image separation."""
    input:
        PLAN.score_targets("images"),


# ---- Stage targets (`snakemake restore_all`): the stages of dvc.yaml.


rule data_all:
    input:
        DATA_TARGETS,


rule train_all:
    input:
        TRAIN_TARGETS,


rule restore_all:
    input:
        PLAN.restored_targets(),


rule evaluate_all:
    input:
        f"{OUT}/metrics.csv",
        f"{OUT}/metrics.json",


rule report_all:
    input:
        VIEW,
