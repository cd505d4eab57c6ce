# Learned baselines (pnf/methods.py), one training rule per what a method trains on: clean
# clips of one dataset (one model per dataset and factor, e.g. KEE for super-resolution), or
# mixtures of the two separation sources made on the fly (one shared model, e.g. Conv-TasNet).


rule baseline_config:
    """The `pnf train baseline` YAML of one learned baseline."""
    output:
        f"{OUT}/configs/{{method}}.yaml",
    wildcard_constraints:
        method=trained_on(None),
    params:
        text=lambda w: yaml_text(config["baselines"][w.method]),
    conda:
        ENV
    log:
        f"{LOGS}/configs/{{method}}.log",
    benchmark:
        f"{BENCH}/baseline_config/configs/{{method}}.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "printf '%s' {params.text:q} > {output} 2> {log}"


rule train_clean:
    """A learned baseline on clean clips of one dataset, for one factor."""
    input:
        cfg=f"{OUT}/configs/{{method}}.yaml",
        data=lambda w: f"{dataset_dir(w.dataset)}/manifest.csv",
    output:
        f"{OUT}/baselines/{{method}}-{{dataset}}-x{{factor}}.pt",
    wildcard_constraints:
        method=trained_on("clean"),
    params:
        source=lambda w: config["datasets"][w.dataset]["source"],
        rate=lambda w: dataset_rate(w.dataset),
    conda:
        ENV
    log:
        f"{LOGS}/train/{{method}}-{{dataset}}-x{{factor}}.log",
    benchmark:
        f"{BENCH}/train_{{method}}/train/{{method}}-{{dataset}}-x{{factor}}.tsv",
    threads: threads("train")
    resources:
        **res("train"),
    shell:
        "OMP_NUM_THREADS={threads} pnf train baseline --method {wildcards.method} "
        "--config {input.cfg} --data $(dirname {input.data}) --factor {wildcards.factor} "
        "--out {output} --source {params.source} --rate {params.rate} > {log} 2>&1"


rule train_mixtures:
    """A learned baseline on mixtures of the two separation sources (one shared model)."""
    input:
        cfg=f"{OUT}/configs/{{method}}.yaml",
        first=lambda w: f"{dataset_dir(SOURCES[0])}/manifest.csv",
        second=lambda w: f"{dataset_dir(SOURCES[1])}/manifest.csv",
    output:
        f"{OUT}/baselines/{{method}}.pt",
    wildcard_constraints:
        method=trained_on("mixtures"),
    conda:
        ENV
    log:
        f"{LOGS}/train/{{method}}.log",
    benchmark:
        f"{BENCH}/train_separator/train/{{method}}.tsv",
    threads: threads("train")
    resources:
        **res("train"),
    shell:
        "OMP_NUM_THREADS={threads} pnf train baseline --method {wildcards.method} "
        "--config {input.cfg} --piano $(dirname {input.first}) "
        "--voice $(dirname {input.second}) --out {output} > {log} 2>&1"
