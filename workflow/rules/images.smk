# Images (PixelCNN++, docs/method.md#tasks): the image set -> one smoothed PixelCNN++
# prior -> PnF 2x super-resolution, centre-hole inpainting and two-image separation of the
# first `images.test_images` test images -> the <OUT>/restored layout, scored by the
# shared `score` rule (PSNR). Layout (dataset = images.set, task = images):
#   <OUT>/restored/<set>/images/superres<F>/{truth,input,pnf}/cN.npy     (test image N)
#   <OUT>/restored/<set>/images/inpaint<H>/{truth,input,pnf}/cN.npy
#   <OUT>/restored/<set>/images/separate2/{truth,pnf}/cK-{a,b}.npy, input/cK-mix.npy
#     (mixture K = test images 2K + 2K+1; the estimates are matched to the sources by the
#     permutation with the lower squared error: one shared prior cannot name them)
# Targets (cells, restored files, prior, data) are listed in rules/common.smk.

if IMAGES:
    # the image task (pnf/task_specs.py): its results folder, its single-image rows' verbs
    (IMAGE_TASK,) = tasks_where(observation="image")
    IMAGE_VERBS = [v for v in task_spec(IMAGE_TASK).verbs if not mixture_items(IMAGE_TASK, v)]
    IMG = f"{R}/{IMAGE_SET}/{IMAGE_TASK}"  # restored images
    IMG_TIMING = f"{TIMING}/{IMAGE_SET}/{IMAGE_TASK}"
    IMG_DATA = f"{set_dir(IMAGE_SET)}/manifest.csv"
    IMG_PRIOR = f"{OUT}/priors/{IMAGE_SET}-pixelcnn.pt"

    rule image_set:
        """The image set: embedded crops (`pnf data build images`) or CIFAR-10 (`pnf data fetch`)."""
        input:
            fetch_archive(IMAGE_SET),
        output:
            IMG_DATA,
        params:
            root=lambda w, output: Path(output[0]).parents[1],
            how=f"build images --size {config['data']['size']} --seed {config['data']['seed']}"
            if IMAGE_SET == "images"
            else f"fetch cifar10 {config['data']['fetch_args'].get('cifar10', '')}",
        conda:
            ENV
        log:
            f"{LOGS}/data/{IMAGE_SET}.log",
        benchmark:
            f"{BENCH}/image_set/data/{IMAGE_SET}.tsv",
        threads: 1
        resources:
            **res("light"),
        shell:
            "pnf data {params.how} --out {params.root} > {log} 2>&1"

    rule image_prior_config:
        """The `pnf image train` YAML (rewritten when the experiment changes it)."""
        output:
            f"{OUT}/configs/pixelcnn-{IMAGE_SET}.yaml",
        params:
            text=yaml_text(IMAGES["prior"]),
        conda:
            ENV
        log:
            f"{LOGS}/configs/pixelcnn-{IMAGE_SET}.log",
        benchmark:
            f"{BENCH}/image_prior_config/configs/pixelcnn-{IMAGE_SET}.tsv",
        threads: 1
        resources:
            **res("light"),
        shell:
            "printf '%s' {params.text:q} > {output} 2> {log}"

    rule train_image_prior:
        """The smoothed PixelCNN++ prior; a killed run resumes from <out>.parts/."""
        input:
            cfg=f"{OUT}/configs/pixelcnn-{IMAGE_SET}.yaml",
            data=IMG_DATA,
        output:
            IMG_PRIOR,
        params:
            device=config["device"],
        conda:
            ENV
        log:
            f"{LOGS}/train/pixelcnn-{IMAGE_SET}.log",
        benchmark:
            f"{BENCH}/train_image_prior/train/pixelcnn-{IMAGE_SET}.tsv",
        threads: threads("train")
        resources:
            **res("train"),
        shell:
            "OMP_NUM_THREADS={threads} pnf image train --config {input.cfg} "
            "--data $(dirname {input.data}) --out {output} --device {params.device} > {log} 2>&1"

    rule image_restore:
        """PnF super-resolution or inpainting of test image N (item cN): truth, observation
        (unobserved pixels 0), restoration and the run record (its `seconds` is the timing)."""
        input:
            prior=IMG_PRIOR,
            data=IMG_DATA,
        output:
            truth=f"{IMG}/{{setting}}/truth/{{clip}}.npy",
            observed=f"{IMG}/{{setting}}/input/{{clip}}.npy",
            pnf=f"{IMG}/{{setting}}/pnf/{{clip}}.npy",
            timing=f"{IMG_TIMING}/{{setting}}/pnf/{{clip}}.json",
        wildcard_constraints:
            setting=f"({'|'.join(IMAGE_VERBS)})\\d+",
        params:
            task=lambda w: PLAN.setting(IMAGE_TASK, w.setting).kind,
            index=lambda w: clip_index(w.clip),
            args=lambda w: PLAN.task_args(IMAGE_TASK, w.setting),
            langevin=lambda w: PLAN.sampler_args(IMAGE_TASK, w.setting),
        conda:
            ENV
        log:
            f"{LOGS}/restore/{IMAGE_SET}/{IMAGE_TASK}/{{setting}}/pnf/{{clip}}.log",
        benchmark:
            f"{BENCH}/image_restore/restore/{IMAGE_SET}/{IMAGE_TASK}/{{setting}}/pnf/{{clip}}.tsv",
        threads: threads("restore")
        resources:
            **res("restore"),
        shell:
            "tmp=$(mktemp -d) && trap 'rm -rf $tmp' EXIT && "
            "OMP_NUM_THREADS={threads} pnf image restore {params.task} --prior {input.prior} "
            "--input $(dirname {input.data})/test.npy --index {params.index} {params.args} "
            "{params.langevin} --output-dir $tmp > {log} 2>&1 && "
            "cp $tmp/truth.npy {output.truth} && cp $tmp/input.npy {output.observed} && "
            "cp $tmp/pnf.npy {output.pnf} && cp $tmp/run.json {output.timing}"

    rule image_separate:
        """PnF separation of mixture K (test images 2K + 2K+1, one shared prior): sources
        cK-a/cK-b, the mixture cK-mix (values in [-2, 2]) and the run record."""
        input:
            prior=IMG_PRIOR,
            data=IMG_DATA,
        output:
            truth=[f"{IMG}/{IMAGE_PAIR}/truth/{{clip}}-{s}.npy" for s in "ab"],
            observed=f"{IMG}/{IMAGE_PAIR}/input/{{clip}}-mix.npy",
            pnf=[f"{IMG}/{IMAGE_PAIR}/pnf/{{clip}}-{s}.npy" for s in "ab"],
            timing=f"{IMG_TIMING}/{IMAGE_PAIR}/pnf/{{clip}}.json",
        params:
            index=lambda w: f"--index {2 * clip_index(w.clip)} --index {2 * clip_index(w.clip) + 1}",
            args=lambda w: PLAN.task_args(IMAGE_TASK, IMAGE_PAIR),
            langevin=lambda w: PLAN.sampler_args(IMAGE_TASK, IMAGE_PAIR),
            task=lambda w: PLAN.setting(IMAGE_TASK, IMAGE_PAIR).kind,
        conda:
            ENV
        log:
            f"{LOGS}/restore/{IMAGE_SET}/{IMAGE_TASK}/{IMAGE_PAIR}/pnf/{{clip}}.log",
        benchmark:
            f"{BENCH}/image_separate/restore/{IMAGE_SET}/{IMAGE_TASK}/{IMAGE_PAIR}/pnf/{{clip}}.tsv",
        threads: threads("restore")
        resources:
            **res("restore"),
        shell:
            "tmp=$(mktemp -d) && trap 'rm -rf $tmp' EXIT && "
            "OMP_NUM_THREADS={threads} pnf image restore {params.task} --prior {input.prior} "
            "--input $(dirname {input.data})/test.npy {params.index} {params.args} "
            "{params.langevin} --output-dir $tmp > {log} 2>&1 && "
            "python workflow/scripts/split_pair.py $tmp/truth.npy $tmp/pnf-a.npy $tmp/pnf-b.npy "
            "{output.truth} {output.pnf} 2>> {log} && "
            "cp $tmp/input.npy {output.observed} && cp $tmp/run.json {output.timing}"
