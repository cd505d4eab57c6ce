# Data: the embedded sets (built offline, deterministic) or the paper's (fetched once).
# Each set is a folder with manifest.csv, written last by pnf, so it marks a finished set.

if config["data"]["kind"] == "embedded":

    rule embedded_set:
        """Build one embedded set (piano, voice, mix) with `pnf data build`."""
        input:
            lambda w: [f"{DATA_ROOT}/{s}/manifest.csv" for s in ("piano", "voice")]
            if w.name == "mix" else [],
        output:
            f"{DATA_ROOT}/{{name}}/manifest.csv",
        wildcard_constraints:
            name="piano|voice|mix",
        params:
            root=lambda w, output: Path(output[0]).parents[1],
            size=config["data"]["size"],
            seed=config["data"]["seed"],
            nc="--allow-noncommercial" if config["data"]["allow_noncommercial"] else "",
        conda:
            ENV
        log:
            f"{LOGS}/data/{{name}}.log",
        benchmark:
            f"{BENCH}/embedded_set/data/{{name}}.tsv",
        threads: 1
        resources:
            **res("light"),
        shell:
            "pnf data build {wildcards.name} --out {params.root} --size {params.size} "
            "--seed {params.seed} {params.nc} > {log} 2>&1"

else:

    rule real_set:
        """Download and prepare one of the paper's sets (`pnf data fetch`)."""
        input:
            lambda w: fetch_archive(w.name),
        output:
            f"{DATA_ROOT}/{{name}}/manifest.csv",
        wildcard_constraints:
            name="vctk|supra",
        params:
            root=lambda w, output: Path(output[0]).parents[1],
            extra=lambda w: config["data"]["fetch_args"].get(w.name, ""),
        conda:
            ENV
        log:
            f"{LOGS}/data/{{name}}.log",
        benchmark:
            f"{BENCH}/real_set/data/{{name}}.tsv",
        threads: 1
        resources:
            **res("light"),
        shell:
            "pnf data fetch {wildcards.name} --out {params.root} {params.extra} > {log} 2>&1"

    rule real_mix:
        """Piano + voice mixtures from the real sets: `pnf data build mix` reads
        <root>/piano and <root>/voice, linked here to the real sets."""
        input:
            piano=lambda w: f"{dataset_dir(SOURCES[0])}/manifest.csv",
            voice=lambda w: f"{dataset_dir(SOURCES[1])}/manifest.csv",
        output:
            f"{DATA_ROOT}/{MIX_SET}/manifest.csv",
        params:
            root=lambda w, output: Path(output[0]).parents[1],
            size=config["data"]["size"],
            seed=config["data"]["seed"],
        conda:
            ENV
        log:
            f"{LOGS}/data/{MIX_SET}.log",
        benchmark:
            f"{BENCH}/real_mix/data/{MIX_SET}.tsv",
        threads: 1
        resources:
            **res("light"),
        shell:
            "(ln -sfn $(basename $(dirname {input.piano})) {params.root}/piano && "
            "ln -sfn $(basename $(dirname {input.voice})) {params.root}/voice && "
            "pnf data build mix --out {params.root} --size {params.size} "
            "--seed {params.seed}) > {log} 2>&1"


# Miniature archives in the published layouts (pnf/datasets/miniature.py), made when a
# fetch's `--archive` names one under <data.root>/archives (experiments/paper-mini.yaml).
MINIATURES = {"VCTK-Corpus-0.92.zip": "vctk", "supra.zip": "supra",
              "cifar-10-python.tar.gz": "cifar10"}


rule miniature_archive:
    """A small archive shaped like a published one, and its sha256 beside it."""
    output:
        archive=f"{DATA_ROOT}/archives/{{file}}",
        sha256=f"{DATA_ROOT}/archives/{{file}}.sha256",
    wildcard_constraints:
        file="|".join(re.escape(f) for f in MINIATURES),
    params:
        name=lambda w: MINIATURES[w.file],
    conda:
        ENV
    log:
        f"{LOGS}/data/archives/{{file}}.log",
    benchmark:
        f"{BENCH}/miniature_archive/data/{{file}}.tsv",
    threads: 1
    resources:
        **res("light"),
    shell:
        "pnf data miniature {params.name} --out {output.archive} > {log} 2>&1"
