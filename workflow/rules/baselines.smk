# Learned baselines: KEE per dataset and factor (super-resolution), Conv-TasNet and Demucs
# (separation, trained on piano + voice mixtures made on the fly).


rule baseline_config:
    """The `pnf train baseline` YAML of one learned baseline."""
    output:
        f"{OUT}/configs/{{method}}.yaml",
    wildcard_constraints:
        method="kee|convtasnet|demucs",
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


rule train_kee:
    """KEE U-Net for one dataset and factor."""
    input:
        cfg=f"{OUT}/configs/kee.yaml",
        data=lambda w: f"{dataset_dir(w.dataset)}/manifest.csv",
    output:
        f"{OUT}/baselines/kee-{{dataset}}-x{{factor}}.pt",
    params:
        source=lambda w: config["datasets"][w.dataset]["source"],
        rate=lambda w: dataset_rate(w.dataset),
    conda:
        ENV
    log:
        f"{LOGS}/train/kee-{{dataset}}-x{{factor}}.log",
    benchmark:
        f"{BENCH}/train_kee/train/kee-{{dataset}}-x{{factor}}.tsv",
    threads: threads("train")
    resources:
        **res("train"),
    shell:
        "OMP_NUM_THREADS={threads} pnf train baseline --method kee --config {input.cfg} "
        "--data $(dirname {input.data}) --factor {wildcards.factor} --out {output} "
        "--source {params.source} --rate {params.rate} > {log} 2>&1"


rule train_separator:
    """Conv-TasNet or Demucs on mixtures of the two separation sources."""
    input:
        cfg=f"{OUT}/configs/{{method}}.yaml",
        first=lambda w: f"{dataset_dir(TASKS['separate']['sources'][0])}/manifest.csv",
        second=lambda w: f"{dataset_dir(TASKS['separate']['sources'][1])}/manifest.csv",
    output:
        f"{OUT}/baselines/{{method}}.pt",
    wildcard_constraints:
        method="convtasnet|demucs",
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
