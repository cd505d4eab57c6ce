# Report: figures, the demo page, the paper's tables and the claims table under
# <OUT> = results/<experiment>. `results/tables` (VIEW) is the target that pulls everything
# (make reproduce asks for it): a copy of <OUT>/tables, whose rule also waits for figures
# and demo.
CLAIMS = f"{OUT}/configs/claims.yaml"  # the config's `claims:` rules (claims table, demo)
# Prior quality (`pnf evaluate prior`): one record per audio prior, on the scored test clips.
PRIOR_QUALITY = [f"{OUT}/prior-quality/{Path(p).stem}.json" for p in TRAIN_TARGETS
                 if Path(p).parent.name == "priors" and not p.endswith("-pixelcnn.pt")]


rule prior_quality:
    """Held-out bits per sample of one prior beside a histogram and a linear predictor, and
    its ancestral samples' spectra against the test audio (pnf/priors/quality.py)."""
    input:
        prior=f"{OUT}/priors/{{dataset}}-{{kind}}.pt",
        data=lambda w: f"{dataset_dir(w.dataset)}/manifest.csv",
    output:
        f"{OUT}/prior-quality/{{dataset}}-{{kind}}.json",
    wildcard_constraints:
        kind=AUDIO_PRIORS,
    params:
        clips=config["test_clips"],
        seconds=config["test_seconds"],
        sample_seconds=min(config["test_seconds"], 1.0),
    conda:
        ENV
    log:
        f"{LOGS}/report/prior-quality-{{dataset}}-{{kind}}.log",
    benchmark:
        f"{BENCH}/prior_quality/report/{{dataset}}-{{kind}}.tsv"
    threads: 1
    resources:
        **res("restore", gpu=False),   # the network on held-out clips and ancestral sampling
    shell:
        "OMP_NUM_THREADS={threads} pnf evaluate prior --prior {input.prior} "
        "--data $(dirname {input.data}) --split test --clips {params.clips} "
        "--seconds {params.seconds} --samples 2 --sample-seconds {params.sample_seconds} "
        "--out-json {output} > {log} 2>&1"


rule claims_config:
    """The experiment's `claims:` and `claims_gate:` sections as a file (rewritten when the
    config changes them)."""
    output:
        CLAIMS,
    params:
        text=yaml_text({"claims": config["claims"], "claims_gate": config["claims_gate"]}),
    conda:
        ENV
    log:
        f"{LOGS}/configs/claims.log",
    benchmark:
        f"{BENCH}/claims_config/configs/claims.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "printf '%s' {params.text:q} > {output} 2> {log}"


rule figures:
    """PNG figures: quality vs iterations, wall time, spectrogram panels."""
    input:
        metrics=f"{OUT}/metrics.csv",
        restored=PLAN.restored_targets(),
    output:
        report(directory(f"{OUT}/figures"), patterns=["{name}.png"],
               caption="../report/figure.rst", category=figure_category,
               labels=lambda w: {"figure": w.name}),
    params:
        restored=lambda w, input: tree_root(input.restored[0]),
        stamp=stamp("figures"),
        experiment=EXP,
    conda:
        ENV
    log:
        f"{LOGS}/report/figures.log",
    benchmark:
        f"{BENCH}/figures/report/figures.tsv",
    threads: 1
    resources:
        **res("restore", gpu=False),   # the wall-time figure times network updates on 16 s of audio
    shell:
        "pnf report figures --metrics {input.metrics} --restored {params.restored} --out {output} "
        "--experiment {params.experiment} {params.stamp} > {log} 2>&1"


rule demo:
    """Static HTML demo page with audio players and spectrograms."""
    input:
        figures=f"{OUT}/figures",
        restored=PLAN.restored_targets(),
        claims=CLAIMS,
        priors=PRIOR_QUALITY,
    output:
        directory(f"{OUT}/demo"),  # not in `snakemake --report`: a folder needs a .zip report
    params:
        restored=lambda w, input: tree_root(input.restored[0]),
        claims=lambda w, input: (
            f"--claims {input.claims} --priors {' '.join(input.priors)}" if config["claims"] else ""
        ),
        title=f"pnf: parallel and flexible sampling ({config['experiment']})",
        note=f"experiment {config['experiment']}; data: {config['data_note']}",
        stamp=stamp("demo"),
        experiment=EXP,
    conda:
        ENV
    log:
        f"{LOGS}/report/demo.log",
    benchmark:
        f"{BENCH}/demo/report/demo.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "pnf report demo --restored {params.restored} --figures {input.figures} --out {output} "
        "--title {params.title:q} --note {params.note:q} {params.claims} --experiment {params.experiment} "
        "{params.stamp} > {log} 2>&1"


rule tables:
    """Tables (CSV, Markdown, LaTeX) in the paper's layout; also builds figures and demo."""
    input:
        metrics=f"{OUT}/metrics.csv",
        figures=f"{OUT}/figures",
        demo=f"{OUT}/demo",
        claims=CLAIMS,
        priors=PRIOR_QUALITY,
    output:
        report(directory(f"{OUT}/tables"), patterns=["{name}.csv"],
               caption="../report/table.rst", category="Tables",
               labels=lambda w: {"table": w.name}),
    params:
        experiment=config["experiment"],
        note=config["data_note"],
        stamp=stamp("tables"),
        claims=lambda w, input, output: (
            f"&& pnf report claims --metrics {input.metrics} --rules {input.claims} --walltime "
            f"{input.figures}/walltime.csv --out {output} --experiment {config['experiment']} "
            f"--priors {' '.join(input.priors)} --benchmarks {BENCH} {stamp('claims')}"
            if config["claims"]
            else ""
        ),
        priors=lambda w, input, output: (
            f"&& pnf report priors --records {' '.join(input.priors)} --out {output} "
            f"--experiment {config['experiment']}"
            if input.priors
            else ""
        ),
    conda:
        ENV
    log:
        f"{LOGS}/report/tables.log",
    benchmark:
        f"{BENCH}/tables/report/tables.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "(pnf report tables --metrics {input.metrics} --out {output} "
        "--experiment {params.experiment} --data-note {params.note:q} {params.stamp} "
        "{params.claims} {params.priors}) "
        "> {log} 2>&1"


rule startup_probe:
    """The start-up cost of a bare `pnf` process, benchmarked 5 times (the budget's probe)."""
    output:
        f"{OUT}/configs/pnf-help.txt",
    conda:
        ENV
    log:
        f"{LOGS}/report/startup_probe.log",
    benchmark:
        repeat(f"{BENCH}/startup/pnf-help.tsv", 5)
    threads: 1
    resources:
        **res("light"),
    shell:
        "pnf --help > {output} 2> {log}"


rule budget:
    """Where the experiment's time went: benchmark records per rule kind (table, figure).
    Runs after the tables, so every job but this one and the view has its record."""
    input:
        tables=f"{OUT}/tables",
        probe=f"{OUT}/configs/pnf-help.txt",
    output:
        directory(f"{OUT}/budget"),
    params:
        experiment=EXP,
        records=BENCH,
        stamp=stamp("budget"),
    conda:
        ENV
    log:
        f"{LOGS}/report/budget.log",
    threads: 1
    resources:
        **res("light"),
    shell:
        "pnf report budget --benchmarks {params.records} --out {output} "
        "--experiment {params.experiment} {params.stamp} > {log} 2>&1"


rule tables_view:
    """results/tables: a copy of the configured experiment's tables (the target users know),
    with EXPERIMENT.txt naming where they come from; redone when the experiment changes.
    Also waits for the time budget (<OUT>/budget)."""
    input:
        tables=f"{OUT}/tables",
        budget=f"{OUT}/budget",
    output:
        directory(VIEW),
    params:
        experiment=EXP,
        line=f"experiment {EXP}: a copy of {OUT}/tables (other experiments: results/<name>/tables)",
    conda:
        ENV
    log:
        f"{LOGS}/report/tables_view.log",
    benchmark:
        f"{BENCH}/tables_view/report/tables_view.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "(cp -R {input.tables} {output} && cp {input.budget}/budget.md {output}/ && "
        "printf '%s\\n' {params.line:q} > {output}/EXPERIMENT.txt) > {log} 2>&1"


rule docs:
    """`snakemake docs`: snapshot this experiment's results into docs/data/<experiment> and
    render docs/results.md and the README's results block from every snapshot there (commit
    them; `pnf report docs --check` in the tests catches a stale or hand-edited number)."""
    input:
        tables=f"{OUT}/tables",
        metrics=f"{OUT}/metrics.csv",
        budget=f"{OUT}/budget",
    output:
        directory(f"docs/data/{EXP}"),
    params:
        experiment=EXP,
    conda:
        ENV
    log:
        f"{LOGS}/report/docs.log",
    benchmark:
        f"{BENCH}/docs/report/docs.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "pnf report docs --experiment {params.experiment} > {log} 2>&1"
