"""What an experiment costs on GPUs: FLOPs of every training and PnF job from the config,
counted per sample with torch's FLOP counter (`pnf.report.flops`), at an assumed sustained
rate.

    pnf report plan --config experiments/paper.yaml --gpu-name "H100 SXM" --gpu-tflops 200 \\
        --gpus 8

    >>> import yaml
    >>> from pnf.report.plan import plan
    >>> jobs = plan(yaml.safe_load(open("experiments/smoke.yaml")))  # one row per job kind
    >>> jobs.columns.tolist()
    ['stage', 'what', 'jobs', 'flops_per_job', 'flops']

Counted: WaveNet/PixelCNN++ training steps (forward + full backward over batch × crop; per-
level priors: the first level's steps plus finetune_steps for each further level), baseline
training steps (LSTM work is invisible to the counter: Demucs is undercounted), and every
Langevin update (forward + input gradient over the whole clip; separation: one per source).
Not counted: data preparation, scoring, the cheap baselines, and ancestral sampling (bound by
per-step latency, not FLOPs). Wall time on N GPUs = the larger of (stage FLOPs / N) and the
stage's longest job, for training then restoration.
"""

from __future__ import annotations

import pandas as pd

from pnf.experiments import deep_merge
from pnf.methods import method as spec_of
from pnf.report import flops as F
from pnf.task_specs import TASK_SPECS, mixture_items

RATE = 22050


def _model(spec: dict) -> tuple[str, dict]:
    model = dict(spec.get("model", {}))
    size = model.pop("size", "tiny")
    return size, {**model, "sigma_input": spec.get("sigma_mode", "input") == "input"}


def _training_steps(spec: dict, levels: int) -> int:
    steps = spec["training"]["steps"]
    if spec.get("sigma_mode", "input") == "input":
        return steps
    return steps + (levels - 1) * (spec.get("finetune_steps") or steps)


def _prior_kinds(cfg: dict) -> list[tuple[str, str]]:
    """(dataset, kind) of every audio prior the tasks need, as the workflow trains them: the
    datasets of the clean-data tasks, then the sources of the mixture tasks."""
    kinds = []
    audio = [spec for spec in TASK_SPECS.values() if not spec.image]
    for spec in sorted(audio, key=lambda spec: spec.mixture):
        section = spec.section(cfg) or {}
        names = section.get("sources" if spec.mixture else "datasets", [])
        kinds += [(name, spec.prior) for name in names]
    return list(dict.fromkeys(kinds))


def _train_rows(cfg: dict, per_sample: dict) -> list[dict]:
    rows = []
    for dataset, kind in _prior_kinds(cfg):
        spec = deep_merge(cfg["priors"]["base"], cfg["priors"].get(kind, {}))
        size, model = _model(spec)
        key = (size, tuple(sorted(model.items())))
        if key not in per_sample:
            per_sample[key] = F.update_flops_per_sample(F.wavenet(size, **model), train=True)
        tc = spec["training"]
        steps = _training_steps(spec, len(spec.get("sigmas", [1])))
        rows.append(dict(stage="train", what=f"prior {dataset}-{kind}", jobs=1,
                         flops_per_job=steps * tc["batch_size"] * spec["crop"] * per_sample[key]))
    for method, spec in cfg.get("baselines", {}).items():
        jobs, model = 1, dict(spec.get("model", {}))
        if spec_of(method).trains_on == "clean":    # one model per dataset and factor
            tasks = [cfg["tasks"].get(t, {}) for t in spec_of(method).tasks]
            jobs = sum(len(t.get("datasets", [])) * len(t.get("factors", [])) for t in tasks)
            factors = [k for t in tasks for k in t.get("factors", [])]
            model.setdefault("factor", (factors or [4])[0])
        per = F.baseline_train_flops_per_sample(method, model)
        tc = spec["training"]
        rows.append(dict(stage="train", what=f"baseline {method}", jobs=jobs,
                         flops_per_job=tc["steps"] * tc["batch_size"] * spec["crop"] * per))
    return rows


def _sweep(spec, section: dict) -> list[tuple]:
    """(what the row adds to its name, iterations) per PnF setting of an audio task: one
    count (a mixture), counts paired with the spec's `pairs` list, or counts alone."""
    its = section["iterations"]
    if isinstance(its, int):
        return [(None, its)]
    if spec.pairs:
        return list(zip(section[spec.pairs], its, strict=True))
    return [(f"{it} it.", it) for it in its]


def _restore_rows(cfg: dict, per_sample: dict) -> list[dict]:
    """Every audio task's PnF jobs: per dataset (a mixture task: once) and setting; each
    update covers the whole clip (a mixture: one per source) at the task's levels."""
    base = cfg["priors"]["base"]

    def per(kind):
        size, model = _model(deep_merge(base, cfg["priors"].get(kind, {})))
        if (size, kind) not in per_sample:
            per_sample[(size, kind)] = F.update_flops_per_sample(F.wavenet(size, **model))
        return per_sample[(size, kind)]
    rows = []
    for spec in TASK_SPECS.values():
        section = None if spec.image else spec.section(cfg)
        if not section:
            continue
        levels = len(section.get("schedule", {}).get("levels") or cfg["sampler"]["levels"])
        mixture = spec.mixture
        sources = len(section["sources"]) if mixture else 1
        for dataset in [None] if mixture else section["datasets"]:
            rate = cfg["datasets"].get(dataset, {}).get("rate", RATE)   # the mixtures: RATE
            samples = section.get("seconds", cfg["test_seconds"]) * rate
            for value, iters in _sweep(spec, section):
                what = " ".join(str(p) for p in (spec.name, dataset, value) if p is not None)
                rows.append(dict(stage="restore", what=what, jobs=cfg["test_clips"],
                                 flops_per_job=levels * iters * samples * per(spec.prior)
                                 * sources))
    return rows


def _image_rows(cfg: dict) -> list[dict]:
    """Each image task's prior training and PnF jobs: its single-image rows together (one
    job per test image each), its mixture rows (two sources per update)."""
    from pnf.sigmas import image_sigmas

    rows = []
    for spec in (spec for spec in TASK_SPECS.values() if spec.image):
        images = spec.section(cfg)
        if not images:
            continue
        prior = images["prior"]
        size, model = _model(prior)
        levels = len(images["sampler"].get("levels") or prior.get("sigmas") or image_sigmas())
        net = F.pixelcnn(size, **model)
        train = F.image_flops_per_image(net, train=True) * prior["training"]["batch_size"]
        per_image = levels * images["sampler"]["iterations"] * F.image_flops_per_image(net)
        n = images["test_images"]
        mixed = [verb for verb in spec.verbs if mixture_items(spec.name, verb)]
        single = [verb for verb in spec.verbs if verb not in mixed]
        rows += [dict(stage="train", what=f"prior {spec.name}", jobs=1,
                      flops_per_job=_training_steps(prior, levels) * train),
                 dict(stage="restore", what=f"{spec.name} {' + '.join(single)}",
                      jobs=len(single) * n, flops_per_job=per_image),
                 dict(stage="restore", what=f"{spec.name} {' + '.join(mixed)}",
                      jobs=len(mixed) * n, flops_per_job=2 * per_image)]
    return rows


def plan(cfg: dict) -> pd.DataFrame:
    """One row per kind of job: stage (train/restore), what, jobs, FLOPs per job and in all."""
    per_sample: dict = {}
    rows = _train_rows(cfg, per_sample) + _restore_rows(cfg, per_sample) + _image_rows(cfg)
    df = pd.DataFrame(rows, columns=["stage", "what", "jobs", "flops_per_job"])
    df["flops"] = df.jobs * df.flops_per_job
    return df


def summary(df: pd.DataFrame, tflops: float, gpus: int) -> dict:
    """GPU-hours per stage and in all, and wall hours on `gpus` GPUs."""
    rate = tflops * 1e12 * 3600  # FLOPs per GPU-hour
    out = {"gpu_hours": float(df.flops.sum() / rate), "wall_hours": 0.0}
    for stage, part in df.groupby("stage"):
        hours, longest = part.flops.sum() / rate, part.flops_per_job.max() / rate
        out[f"{stage}_gpu_hours"] = float(hours)
        out["wall_hours"] += float(max(hours / gpus, longest))
    return out


def to_markdown(df: pd.DataFrame, tflops: float, gpus: int, gpu: str, experiment: str,
                measured: pd.DataFrame | None = None) -> str:
    """The projection; `measured` (pnf.report.budget.by_stage of a run's benchmark records)
    adds what that run took on its own machine."""
    s = summary(df, tflops, gpus)
    rate = tflops * 1e12 * 3600
    lines = [f"Cost of `{experiment}` on {gpu} at an assumed {tflops:g} TFLOP/s sustained",
             "", "| stage | jobs | PFLOP | GPU-hours |", "|:--|--:|--:|--:|"]
    for row in df.itertuples(index=False):
        lines.append(f"| {row.stage} {row.what} | {row.jobs} | {row.flops / 1e15:,.1f} | "
                     f"{row.flops / rate:,.2f} |")
    train, restore = s.get("train_gpu_hours", 0), s.get("restore_gpu_hours", 0)
    lines += ["", f"Total: {s['gpu_hours']:,.1f} GPU-hours (training {train:,.1f}, "
              f"restoration {restore:,.1f}); wall time on {gpus} GPU{'s' if gpus > 1 else ''}: "
              f"{s['wall_hours']:,.1f} h "
              "(each stage: its FLOPs shared over the GPUs, or its longest job if longer)."]
    if measured is not None:
        lines += ["", "Measured in a run (benchmark records): job-seconds per stage",
                  "", "| stage | jobs | job-s | share |", "|:--|--:|--:|--:|"]
        lines += [f"| {r.stage} | {r.jobs} | {r.job_s:,.1f} | {r.share:.1%} |"
                  for r in measured.itertuples(index=False)]
    return "\n".join(lines) + "\n"
