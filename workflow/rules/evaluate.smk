# Scores: one JSON record per restored item (pnf evaluate item), then one metrics table
# (<OUT>/metrics.csv per item, <OUT>/metrics.json per cell: `dvc metrics show` reads it).


rule score:
    """Score one item against its truth (SNR, LSD, SI-SDR; SDR/SIR/SAR for separation)."""
    input:
        unpack(score_inputs),
    output:
        f"{SCORES}/{{dataset}}/{{task}}/{{setting}}/{{method}}/{{item}}.json",
    params:
        args=score_args,
    conda:
        ENV
    log:
        f"{LOGS}/score/{{dataset}}/{{task}}/{{setting}}/{{method}}/{{item}}.log",
    benchmark:
        f"{BENCH}/score/score/{{dataset}}/{{task}}/{{setting}}/{{method}}/{{item}}.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "seconds=$(python workflow/scripts/timing_seconds.py {input.timing}) && "
        "OMP_NUM_THREADS={threads} pnf evaluate item --truth {input.truth} "
        "--estimate {input.estimate} --dataset {wildcards.dataset} --task {wildcards.task} "
        "--setting {wildcards.setting} --method {wildcards.method} --item {wildcards.item} "
        "{params.args} --seconds $seconds --out {output} > {log} 2>&1"


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
