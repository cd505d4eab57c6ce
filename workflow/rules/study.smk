# The convergence study (issue #15): `snakemake convergence` restores VALIDATION clips (the
# last test-split clips, never among the scored items) at each count of `study.iterations`
# with the experiment's priors and ladder, and draws quality against updates per level and,
# per sampler schedule (`study.schedules`), against network evaluations
# (workflow/scripts/convergence.py). Not part of results/tables: it costs more than the rest.
STUDY = config.get("study", {})
STUDY_SOURCES = TASKS.get("separate", {}).get("sources", []) if STUDY.get("separation") else []


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
