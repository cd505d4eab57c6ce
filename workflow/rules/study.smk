# The convergence study: `snakemake convergence` restores VALIDATION clips (the
# last test-split clips, never among the scored items) at each count of `study.iterations`
# with the experiment's priors and ladder, and draws quality against updates per level and,
# per sampler schedule (`study.schedules`), against network evaluations
# (workflow/scripts/convergence.py). Not part of results/tables: it costs more than the rest.
STUDY = config.get("study", {})
STUDY_SOURCES = SOURCES if STUDY.get("separation") else []


rule study_config:
    """The slice of the experiment the study reads (data, datasets, ladder, step, sources)."""
    output:
        f"{OUT}/configs/study.yaml",
    params:
        text=lambda w: yaml_text({k: config[k] for k in ("data", "datasets", "mixture_set",
                                                          "sampler", "tasks")}),
    conda:
        ENV
    log:
        f"{LOGS}/configs/study.log",
    benchmark:
        f"{BENCH}/study_config/configs/study.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "printf '%s' {params.text:q} > {output} 2> {log}"


rule convergence:
    """PnF against updates per level: a resumable CSV and its figure."""
    input:
        cfg=f"{OUT}/configs/study.yaml",
        priors=[f"{OUT}/priors/{d}-mulaw.pt" for d in TASKS.get("superres", {}).get("datasets", [])]
        + [f"{OUT}/priors/{s}-linear.pt" for s in STUDY_SOURCES],
    output:
        csv=f"{OUT}/convergence/convergence.csv",
        figure=f"{OUT}/convergence/convergence.png",
        evaluations=f"{OUT}/convergence/evaluations.png",
    params:
        datasets=" ".join(TASKS.get("superres", {}).get("datasets", [])),
        factors=" ".join(map(str, STUDY.get("factors", []))),
        iterations=" ".join(map(str, STUDY.get("iterations", []))),
        schedules=" ".join(STUDY.get("schedules", ["langevin"])),
        seconds=STUDY.get("seconds"),
        separation="" if STUDY_SOURCES else "--no-separation",
        priors=lambda w, input: str(Path(input.priors[0]).parent),
    conda:
        ENV
    log:
        f"{LOGS}/study/convergence.log",
    benchmark:
        f"{BENCH}/convergence/study/convergence.tsv",
    threads: threads("restore")
    resources:
        **res("restore"),
    shell:
        "OMP_NUM_THREADS={threads} python workflow/scripts/convergence.py --config {input.cfg} "
        "--prior-set base={params.priors} --datasets {params.datasets} --factors {params.factors} "
        "--iterations {params.iterations} --seconds {params.seconds} {params.separation} "
        "--schedules {params.schedules} --csv {output.csv}.partial --figure {output.figure} "
        "--figure-evaluations {output.evaluations} > {log} 2>&1 "
        "&& mv {output.csv}.partial {output.csv}"


# The prior study: `snakemake prior_study` trains every variant of `study.priors`
# (the experiment's prior of a kind, deep-merged with the variant's `set`) on the training
# split, measures it on VALIDATION clips (`pnf evaluate prior --split validation`: bits per
# sample beside a histogram and a linear predictor, ancestral samples' spectra against the
# held-out audio) and ranks the variants by quality against training CPU minutes (their
# `benchmark:` records): results/<experiment>/study/priors/prior-study.{md,csv,png}.
rule study_prior_config:
    """The `pnf train prior` YAML of one study variant."""
    output:
        f"{STUDY_PRIORS}/{{variant}}.yaml",
    params:
        text=lambda w: study_prior_yaml(w.variant),
    conda:
        ENV
    log:
        f"{LOGS}/study/prior-config-{{variant}}.log",
    benchmark:
        f"{BENCH}/study_prior_config/study/{{variant}}.tsv"
    threads: 1
    resources:
        **res("light"),
    shell:
        "printf '%s' {params.text:q} > {output} 2> {log}"


rule study_train_prior:
    """Train one study variant (its benchmark record is the study's cost axis)."""
    input:
        cfg=f"{STUDY_PRIORS}/{{variant}}.yaml",
        data=lambda w: f"{dataset_dir(study_prior(w.variant)['dataset'])}/manifest.csv",
    output:
        f"{STUDY_PRIORS}/{{variant}}.pt",
    params:
        device=config["device"],
    conda:
        ENV
    log:
        f"{LOGS}/study/train-{{variant}}.log",
    benchmark:
        f"{STUDY_PRIORS}/{{variant}}.tsv"
    threads: threads("train")
    resources:
        **res("train"),
    shell:
        "OMP_NUM_THREADS={threads} pnf train prior --config {input.cfg} "
        "--data $(dirname {input.data}) --out {output} --device {params.device} > {log} 2>&1"


rule study_prior_quality:
    """One variant on the validation clips (never the scored test clips)."""
    input:
        prior=f"{STUDY_PRIORS}/{{variant}}.pt",
        data=lambda w: f"{dataset_dir(study_prior(w.variant)['dataset'])}/manifest.csv",
    output:
        record=f"{STUDY_PRIORS}/{{variant}}.json",
        samples=directory(f"{STUDY_PRIORS}/{{variant}}-samples"),
    params:
        clips=config["test_clips"],
        seconds=config["test_seconds"],
    conda:
        ENV
    log:
        f"{LOGS}/study/quality-{{variant}}.log",
    benchmark:
        f"{BENCH}/study_prior_quality/study/{{variant}}.tsv"
    threads: 1
    resources:
        **res("light"),
    shell:
        "OMP_NUM_THREADS={threads} pnf evaluate prior --prior {input.prior} "
        "--data $(dirname {input.data}) --split validation --clips {params.clips} "
        "--seconds {params.seconds} --samples 2 --sample-seconds {params.seconds} "
        "--out-json {output.record} --samples-out {output.samples} > {log} 2>&1"


rule prior_study:
    """The study's table and figures (pnf report prior-study)."""
    input:
        records=[f"{STUDY_PRIORS}/{v}.json" for v in PRIOR_STUDY],
        rules=CLAIMS,
    output:
        table=f"{STUDY_PRIORS}/prior-study.md",
        csv=f"{STUDY_PRIORS}/prior-study.csv",
        figure=f"{STUDY_PRIORS}/prior-study.png",
        curves=f"{STUDY_PRIORS}/prior-study-nll.png",
        samples=f"{STUDY_PRIORS}/prior-study-samples.png",
    params:
        experiment=EXP,
    conda:
        ENV
    log:
        f"{LOGS}/study/prior-study.log",
    benchmark:
        f"{BENCH}/prior_study/study/prior-study.tsv"
    threads: 1
    resources:
        **res("light"),
    shell:
        "pnf report prior-study --records {input.records} --rules {input.rules} "
        "--out $(dirname {output.table}) --experiment {params.experiment} > {log} 2>&1"
