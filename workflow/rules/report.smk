# Report: figures, the demo page and the paper's tables. `results/tables` is the target that
# pulls everything (make reproduce asks for it), so its rule also waits for figures and demo.


rule figures:
    """PNG figures: quality vs iterations, wall time, spectrogram panels."""
    input:
        metrics="results/metrics.csv",
        restored=restored_targets(),
    output:
        directory("results/figures"),
    params:
        restored=lambda w, input: tree_root(input.restored[0]),
    conda:
        ENV
    log:
        f"{LOGS}/report/figures.log",
    threads: 1
    resources:
        **res("light"),
    shell:
        "pnf report figures --metrics {input.metrics} --restored {params.restored} --out {output} "
        "> {log} 2>&1"


rule demo:
    """Static HTML demo page with audio players and spectrograms."""
    input:
        figures="results/figures",
        restored=restored_targets(),
    output:
        directory("results/demo"),
    params:
        restored=lambda w, input: tree_root(input.restored[0]),
        title=f"pnf: parallel and flexible sampling ({config['experiment']})",
        note=f"experiment {config['experiment']}; data: {config['data_note']}",
    conda:
        ENV
    log:
        f"{LOGS}/report/demo.log",
    threads: 1
    resources:
        **res("light"),
    shell:
        "pnf report demo --restored {params.restored} --figures {input.figures} --out {output} "
        "--title {params.title:q} --note {params.note:q} > {log} 2>&1"


rule tables:
    """Tables (CSV, Markdown, LaTeX) in the paper's layout; also builds figures and demo."""
    input:
        metrics="results/metrics.csv",
        figures="results/figures",
        demo="results/demo",
    output:
        directory("results/tables"),
    params:
        experiment=config["experiment"],
        note=config["data_note"],
    conda:
        ENV
    log:
        f"{LOGS}/report/tables.log",
    threads: 1
    resources:
        **res("light"),
    shell:
        "pnf report tables --metrics {input.metrics} --out {output} "
        "--experiment {params.experiment} --data-note {params.note:q} > {log} 2>&1"
