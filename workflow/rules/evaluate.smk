# Scores: one JSON record per restored item (pnf evaluate item, one job per task and
# dataset), then one metrics table
# (<OUT>/metrics.csv per item, <OUT>/metrics.json per cell: `dvc metrics show` reads it).


# Every item of one task and dataset is scored by ONE job: the same `pnf evaluate item` call
# per item, in one process (workflow/scripts/score_items.py), so scoring pays the process
# start-up once per task and dataset, not per item (<OUT>/budget). Records stay per item.
for _task in SCORED_TASKS:

    rule:
        name:
            f"score_{_task}"
        input:
            lambda w, task=_task: PLAN.score_batch_inputs(task, w.dataset),
        output:
            PLAN.score_batch_outputs(_task),
        wildcard_constraints:
            dataset="|".join(PLAN.datasets(_task)),
        params:
            calls=lambda w, task=_task: PLAN.score_calls(task, w.dataset),
        conda:
            ENV
        log:
            f"{LOGS}/score/{{dataset}}/{_task}.log",
        benchmark:
            f"{BENCH}/score-{_task}/{{dataset}}.tsv"
        threads: 1
        resources:
            **res("light"),
        script:
            "../scripts/score_items.py"


rule collect:
    """Gather this configuration's score records into <OUT>/metrics.{csv,json}."""
    input:
        SCORE_TARGETS,
    output:
        csv=f"{OUT}/metrics.csv",
        json=f"{OUT}/metrics.json",
    conda:
        ENV
    log:
        f"{LOGS}/collect.log",
    benchmark:
        f"{BENCH}/collect/collect.tsv",
    threads: 1
    resources:
        **res("light"),
    script:
        "../scripts/collect_scores.py"
