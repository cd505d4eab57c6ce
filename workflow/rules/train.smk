# Priors: one smoothed WaveNet per dataset and kind. mulaw: super-resolution and inpainting;
# linear: separation (mu-law breaks additivity); mel: spectrogram-conditioned generation.
# The kind's config is priors.base deep-merged with priors.<kind> (experiment YAML).


rule prior_config:
    """The `pnf train prior` YAML of one prior (rewritten when the experiment changes it)."""
    output:
        f"{OUT}/configs/prior-{{dataset}}-{{kind}}.yaml",
    wildcard_constraints:
        kind=AUDIO_PRIORS,
    params:
        text=lambda w: yaml_text(PLAN.prior_config(w.dataset, w.kind)),
    conda:
        ENV
    log:
        f"{LOGS}/configs/prior-{{dataset}}-{{kind}}.log",
    benchmark:
        f"{BENCH}/prior_config/configs/prior-{{dataset}}-{{kind}}.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "printf '%s' {params.text:q} > {output} 2> {log}"


rule train_prior:
    """Train one prior; a killed run resumes from <out>.parts/."""
    input:
        cfg=f"{OUT}/configs/prior-{{dataset}}-{{kind}}.yaml",
        data=lambda w: f"{dataset_dir(w.dataset)}/manifest.csv",
    output:
        f"{OUT}/priors/{{dataset}}-{{kind}}.pt",
    wildcard_constraints:
        kind=AUDIO_PRIORS,
    params:
        device=config["device"],
    conda:
        ENV
    log:
        f"{LOGS}/train/prior-{{dataset}}-{{kind}}.log",
    benchmark:
        f"{BENCH}/train_prior/train/prior-{{dataset}}-{{kind}}.tsv",
    threads: threads("train")
    resources:
        **res("train"),
    shell:
        "OMP_NUM_THREADS={threads} pnf train prior --config {input.cfg} "
        "--data $(dirname {input.data}) --out {output} --device {params.device} > {log} 2>&1"
