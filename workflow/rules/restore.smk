# Restorations: test items -> truth/input files -> every method at every setting.
# Layout: <OUT>/restored/<dataset>/<task>/<setting>/<method>/<item>.wav, with the
# pseudo-methods `truth` (the clean clip) and `input` (what the method saw), and a wall-time
# record per restoration call under <OUT>/timing/ (same layout, .json).

# The tasks these rules restore, read from their specs (pnf/task_specs.py): audio clips with
# the mu-law prior (restore_pnf, restore_baseline), the mixture (rule separate) and the
# mel-conditioned generation (spectrogram_pnf, spectrogram_ancestral).
MULAW_TASKS = "|".join(tasks_where(observation="clip", prior="mulaw"))
(MIXTURE_TASK,) = tasks_where(observation="mixture")
(MEL_TASK,) = tasks_where(prior="mel")


rule test_item:
    """The N-th test clip of a dataset (cN), cut to test_seconds, at the dataset's rate."""
    input:
        lambda w: f"{dataset_dir(w.dataset)}/manifest.csv",
    output:
        f"{OUT}/items/{{dataset}}/{{clip}}.wav",
    wildcard_constraints:
        dataset="|".join(config["datasets"]),
    params:
        index=lambda w: clip_index(w.clip),
        source=lambda w: config["datasets"][w.dataset]["source"],
        seconds=config["test_seconds"],
        rate=lambda w: dataset_rate(w.dataset),
    conda:
        ENV
    log:
        f"{LOGS}/items/{{dataset}}/{{clip}}.log",
    benchmark:
        f"{BENCH}/test_item/items/{{dataset}}/{{clip}}.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "python workflow/scripts/test_item.py --manifest {input} --index {params.index} "
        "--seconds {params.seconds} --rate {params.rate} --source {params.source} "
        "--out {output} 2> {log}"


rule mix_item:
    """The N-th test mixture and its exact sources, cut identically."""
    input:
        f"{DATA_ROOT}/{MIX_SET}/manifest.csv",
    output:
        mix=f"{OUT}/items/{MIX}/{{clip}}-mix.wav",
        sources=[f"{OUT}/items/{MIX}/{{clip}}-{s}.wav" for s in SOURCES],
    params:
        index=lambda w: clip_index(w.clip),
        sources=" ".join(SOURCES),
        seconds=config["test_seconds"],
    conda:
        ENV
    log:
        f"{LOGS}/items/{MIX}/{{clip}}.log",
    benchmark:
        f"{BENCH}/mix_item/items/{MIX}/{{clip}}.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "python workflow/scripts/test_item.py --manifest {input} --index {params.index} "
        "--seconds {params.seconds} --source mix {params.sources} "
        "--out {output.mix} {output.sources} 2> {log}"


rule truth:
    """Ground truth next to the restorations: the test item cut to the task's clip length (a
    hard link when it is the whole item)."""
    input:
        f"{OUT}/items/{{dataset}}/{{item}}.wav",
    output:
        f"{R}/{{dataset}}/{{task}}/{{setting}}/truth/{{item}}.wav",
    params:
        cut=lambda w, input, output: PLAN.cut_command(PLAN.task_seconds(w.task), input, output),
    conda:
        ENV
    log:
        f"{LOGS}/truth/{{dataset}}/{{task}}/{{setting}}/{{item}}.log",
    benchmark:
        f"{BENCH}/truth/truth/{{dataset}}/{{task}}/{{setting}}/{{item}}.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "({params.cut}) 2> {log}"


rule mixture_input:
    """The separation input: the mixture, cut as its sources are (rule truth)."""
    input:
        f"{OUT}/items/{MIX}/{{clip}}-mix.wav",
    output:
        f"{R}/{MIX}/{MIXTURE_TASK}/{{setting}}/input/{{clip}}-mix.wav",
    params:
        cut=lambda w, input, output: PLAN.cut_command(PLAN.task_seconds(MIXTURE_TASK), input, output),
    conda:
        ENV
    log:
        f"{LOGS}/input/{MIX}/{MIXTURE_TASK}/{{setting}}/{{clip}}.log",
    benchmark:
        f"{BENCH}/mixture_input/input/{MIX}/{MIXTURE_TASK}/{{setting}}/{{clip}}.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "({params.cut}) 2> {log}"


# The baselines without a network (spline, zero, linear) and the observation cuts of one
# task and dataset run as ONE job over every setting and item: the same `pnf restore` call
# per item, in one process (workflow/scripts/light_restore.py), so they pay the process and
# torch start-up once (<OUT>/budget). Outputs stay per item, as before.
for _task in [t for t in PLAN.observe if t in TASKS]:
    _grid = dict(setting=[s.name for s in PLAN.settings(_task)], clip=ITEMS, allow_missing=True)
    _cell = f"{R}/{{dataset}}/{_task}/{{setting}}"

    rule:
        name:
            f"restore_light_{_task}"
        input:
            expand(f"{_cell}/truth/{{clip}}.wav", **_grid),
        output:
            observed=expand(f"{_cell}/input/{{clip}}.wav", **_grid),
            wavs=expand(f"{_cell}/{{method}}/{{clip}}.wav", method=PLAN.light_methods(_task), **_grid),
            timing=expand(f"{TIMING}/{{dataset}}/{_task}/{{setting}}/{{method}}/{{clip}}.json",
                          method=PLAN.light_methods(_task), **_grid),
        wildcard_constraints:
            dataset="|".join(TASKS[_task]["datasets"]),
        params:
            spec=lambda w, task=_task: PLAN.light_spec(task, w.dataset),
        conda:
            ENV
        log:
            f"{LOGS}/restore/{{dataset}}/{_task}/light.log",
        benchmark:
            f"{BENCH}/restore_light-{_task}/{{dataset}}.tsv"
        threads: 1
        resources:
            **res("light"),
        shell:
            "OMP_NUM_THREADS={threads} python workflow/scripts/light_restore.py {params.spec:q} "
            "> {log} 2>&1"


rule restore_pnf:
    """PnF (annealed Langevin on the smoothed mu-law prior): super-resolution, inpainting;
    method pnf is the paper's, pnf-warm / pnf-mean<K> are variants of ours (variant_flags)."""
    input:
        truth=f"{R}/{{dataset}}/{{task}}/{{setting}}/truth/{{clip}}.wav",
        prior=f"{OUT}/priors/{{dataset}}-mulaw.pt",
    output:
        wav=f"{R}/{{dataset}}/{{task}}/{{setting}}/{{method}}/{{clip}}.wav",
        timing=f"{TIMING}/{{dataset}}/{{task}}/{{setting}}/{{method}}/{{clip}}.json",
    wildcard_constraints:
        task=MULAW_TASKS,
        method=PNF_METHODS,
    params:
        args=lambda w: PLAN.task_args(w.task, w.setting),
        langevin=lambda w: PLAN.sampler_args(w.task, w.setting),
        variant=lambda w: PLAN.variant_flags(w.task)[w.method],
    conda:
        ENV
    log:
        f"{LOGS}/restore/{{dataset}}/{{task}}/{{setting}}/{{method}}/{{clip}}.log",
    benchmark:
        f"{BENCH}/restore_pnf/restore/{{dataset}}/{{task}}/{{setting}}/{{method}}/{{clip}}.tsv",
    threads: threads("restore")
    resources:
        **res("restore"),
    shell:
        "OMP_NUM_THREADS={threads} pnf restore {wildcards.task} --prior {input.prior} "
        "{params.args} {params.langevin} {params.variant} --input {input.truth} "
        "--output {output.wav} --timing {output.timing} > {log} 2>&1"


rule restore_baseline:
    """A learned baseline (super-resolution, inpainting); the others run in
    restore_light_<task>."""
    input:
        truth=f"{R}/{{dataset}}/{{task}}/{{setting}}/truth/{{clip}}.wav",
        model=PLAN.baseline_model,
    output:
        wav=f"{R}/{{dataset}}/{{task}}/{{setting}}/{{method}}/{{clip}}.wav",
        timing=f"{TIMING}/{{dataset}}/{{task}}/{{setting}}/{{method}}/{{clip}}.json",
    wildcard_constraints:
        task=MULAW_TASKS,
        method="|".join(LEARNED),
    params:
        args=lambda w: PLAN.task_args(w.task, w.setting),
        model=lambda w, input: f"--model {input.model}" if input.model else "",
    conda:
        ENV
    log:
        f"{LOGS}/restore/{{dataset}}/{{task}}/{{setting}}/{{method}}/{{clip}}.log",
    benchmark:
        f"{BENCH}/restore_baseline-{{method}}/restore/{{dataset}}/{{task}}/{{setting}}/{{method}}/{{clip}}.tsv",
    threads: lambda w: threads(baseline_kind(w))
    resources:
        **baseline_res(),
    shell:
        "OMP_NUM_THREADS={threads} pnf restore {wildcards.task} --method {wildcards.method} "
        "{params.model} {params.args} --input {input.truth} --output {output.wav} "
        "--timing {output.timing} > {log} 2>&1"


rule separate:
    """Separation of a mixture: PnF (or a variant of ours) with one linear prior per source,
    or a separator."""
    input:
        mix=f"{R}/{MIX}/{MIXTURE_TASK}/{{setting}}/input/{{clip}}-mix.wav",
        priors=lambda w: [f"{OUT}/priors/{s}-linear.pt" for s in SOURCES]
        if is_pnf(w.method) else [],
        model=PLAN.baseline_model,
    output:
        wavs=[f"{R}/{MIX}/{MIXTURE_TASK}/{{setting}}/{{method}}/{{clip}}-{s}.wav" for s in SOURCES],
        timing=f"{TIMING}/{MIX}/{MIXTURE_TASK}/{{setting}}/{{method}}/{{clip}}.json",
    wildcard_constraints:
        method=f"{PNF_METHODS}|{trained_on(None, MIXTURE_TASK)}",
    params:
        out=lambda w: f"{R}/{MIX}/{MIXTURE_TASK}/{w.setting}/{w.method}/{w.clip}.wav",
        how=lambda w, input: (" ".join(f"--prior {p}" for p in input.priors)
                              + f" {PLAN.task_args(MIXTURE_TASK, w.setting)} "
                              + PLAN.sampler_args(MIXTURE_TASK, w.setting) + " "
                              + PLAN.variant_flags(MIXTURE_TASK)[w.method]) if is_pnf(w.method)
        else f"--method {w.method} --model {input.model}",
        names=" ".join(SOURCES),
        task=MIXTURE_TASK,
    conda:
        ENV
    log:
        f"{LOGS}/restore/{MIX}/{MIXTURE_TASK}/{{setting}}/{{method}}/{{clip}}.log",
    benchmark:
        f"{BENCH}/separate-{{method}}/restore/{MIX}/{MIXTURE_TASK}/{{setting}}/{{method}}/{{clip}}.tsv",
    threads: threads("restore")
    resources:
        **res("restore"),
    shell:
        "OMP_NUM_THREADS={threads} pnf restore {params.task} {params.how} --input {input.mix} "
        "--output {params.out} --names {params.names} --timing {output.timing} > {log} 2>&1"


rule spectrogram_pnf:
    """Spectrogram-conditioned generation by PnF on the mel prior, at T iterations."""
    input:
        truth=f"{R}/{{dataset}}/{MEL_TASK}/{{setting}}/truth/{{clip}}.wav",
        prior=f"{OUT}/priors/{{dataset}}-mel.pt",
    output:
        wav=f"{R}/{{dataset}}/{MEL_TASK}/{{setting}}/pnf/{{clip}}.wav",
        timing=f"{TIMING}/{{dataset}}/{MEL_TASK}/{{setting}}/pnf/{{clip}}.json",
    wildcard_constraints:
        setting=r"it\d+",
    params:
        langevin=lambda w: PLAN.sampler_args(MEL_TASK, w.setting),
        task=MEL_TASK,
    conda:
        ENV
    log:
        f"{LOGS}/restore/{{dataset}}/{MEL_TASK}/{{setting}}/pnf/{{clip}}.log",
    benchmark:
        f"{BENCH}/spectrogram_pnf/restore/{{dataset}}/{MEL_TASK}/{{setting}}/pnf/{{clip}}.tsv",
    threads: threads("restore")
    resources:
        **res("restore"),
    shell:
        "OMP_NUM_THREADS={threads} pnf restore {params.task} --prior {input.prior} "
        "{params.langevin} --input {input.truth} --output {output.wav} "
        "--timing {output.timing} > {log} 2>&1"


rule spectrogram_ancestral:
    """The same mel prior sampled sequentially (cached ancestral sampling)."""
    input:
        truth=f"{R}/{{dataset}}/{MEL_TASK}/ar/truth/{{clip}}.wav",
        prior=f"{OUT}/priors/{{dataset}}-mel.pt",
    output:
        wav=f"{R}/{{dataset}}/{MEL_TASK}/ar/ancestral/{{clip}}.wav",
        timing=f"{TIMING}/{{dataset}}/{MEL_TASK}/ar/ancestral/{{clip}}.json",
    params:
        seed=PLAN.schedule(MEL_TASK)["seed"] if MEL_TASK in TASKS else 0,
    conda:
        ENV
    log:
        f"{LOGS}/restore/{{dataset}}/{MEL_TASK}/ar/ancestral/{{clip}}.log",
    benchmark:
        f"{BENCH}/spectrogram_ancestral/restore/{{dataset}}/{MEL_TASK}/ar/ancestral/{{clip}}.tsv",
    threads: threads("restore")
    resources:
        **res("restore"),
    shell:
        "OMP_NUM_THREADS={threads} pnf sample ancestral --prior {input.prior} "
        "--mel-from {input.truth} --output {output.wav} --seed {params.seed} "
        "--timing {output.timing} > {log} 2>&1"
