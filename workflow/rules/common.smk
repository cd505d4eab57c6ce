# Shared names and helpers: paths, test items, per-rule resources, Langevin arguments and
# the full target lists. Every job list derives from the config alone (no file is read at
# parse time), so `snakemake -n` plans the paper run with no data present.
import functools
import json
import os
import re
import shlex
import sys
from dataclasses import astuple, dataclass
from pathlib import Path

import yaml

from pnf.audio import RATE
from pnf.experiments import deep_merge
from pnf.methods import METHODS, learned, methods_for
from pnf.report.labels import TASK_LABELS
from pnf.report.provenance import config_hash

envvars:
    "PATH",


# Jobs call `pnf` and `python` from the environment that runs Snakemake (e.g. .venv/bin).
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
# A job's up-front time estimate (pnf.resources) may reach 4x the longest runtime its
# experiment plans (resources.<kind>.runtime, minutes) before the job refuses to start; a
# PNF_MAX_MINUTES set in the environment wins.
os.environ.setdefault("PNF_MAX_MINUTES", str(4 * max(
    [r.get("runtime", 60) for r in config.get("resources", {}).values()] or [60])))
ENV = "../../environment.yml"  # conda users: --sdm conda builds the same environment
# Every output of the DAG lives under OUT = results/<experiment>, so smoke, small and paper
# results sit side by side; a new rule names its paths f"{OUT}/..." (never "results/...").
# The one exception is the view results/tables (rules/report.smk): a copy of the configured
# experiment's tables, the target users know.
EXP = config["experiment"]
OUT = f"results/{EXP}"
VIEW = "results/tables"  # copy of f"{OUT}/tables", rebuilt when the experiment changes
R = f"{OUT}/restored"  # <OUT>/restored/<dataset>/<task>/<setting>/<method>/<item>.wav
TIMING = f"{OUT}/timing"  # same layout, {"seconds": ...} per restoration call
SCORES = f"{OUT}/scores"  # same layout, one JSON record per item
LOGS = f"{OUT}/logs"
BENCH = f"{OUT}/benchmarks"  # <BENCH>/<kind>/...tsv: every rule's `benchmark:` (pnf report budget)
MIX = "mix"  # dataset name of the separation mixtures
TASKS = config["tasks"]
DATA_ROOT = config["data"]["root"]
MIX_SET = config["mixture_set"]
ITEMS = [f"c{i:03d}" for i in range(config["test_clips"])]
IMAGES = config.get("images")  # PixelCNN++ experiments (rules/images.smk); None = none
IMAGE_SET = IMAGES["set"] if IMAGES else ""  # data set and results `dataset` of the images


def _check_config():
    if EXP in ("tables", "bench", "README.md"):
        raise ValueError(f"experiment {EXP!r} would clash with results/{EXP}: rename it")
    for task, key in [("superres", "factors"), ("inpaint", "gaps_ms")]:
        spec = TASKS.get(task)
        if spec and len(spec["iterations"]) != len(spec[key]):
            raise ValueError(f"tasks.{task}.iterations needs one entry per {key} "
                             f"({len(spec[key])}), got {len(spec['iterations'])}")
    for task, spec in TASKS.items():
        if spec.get("seconds", 0) > config["test_seconds"]:
            raise ValueError(f"tasks.{task}.seconds ({spec['seconds']}) is longer than "
                             f"test_seconds ({config['test_seconds']}); shorten it")
        names = spec.get("datasets", spec.get("sources", []))
        unknown = sorted(set(names) - set(config["datasets"]))
        if unknown:
            raise ValueError(f"tasks.{task} names dataset(s) {unknown} that are not under "
                             f"`datasets:` ({sorted(config['datasets'])})")
    _check_methods()


def _check_methods():
    """Baselines are registered methods (pnf/methods.py) serving their task; a learned one
    needs its `baselines.<name>` section, and every such section names a learned method."""
    sections = config.get("baselines", {})
    for task, spec in TASKS.items():
        chosen = spec.get("baselines", [])
        unknown = [m for m in chosen if m not in methods_for(task)]
        if unknown:
            raise ValueError(f"tasks.{task}.baselines: {unknown} are not methods of {task}; "
                             f"registered: {list(methods_for(task))}")
        missing = [m for m in chosen if m in learned() and m not in sections]
        if missing:
            raise ValueError(f"tasks.{task}.baselines: {missing} need a `baselines.<name>` "
                             "section (model, training, crop); add it")
    stray = sorted(set(sections) - set(learned()))
    if stray:
        raise ValueError(f"baselines: {stray} are not learned methods ({list(learned())}); "
                         "fix the name")


_check_config()


def tree_root(path):
    """<OUT>/restored (or <OUT>/scores) from a file <root>/<d>/<task>/<setting>/<m>/<item>."""
    return str(Path(path).parents[4])


def set_dir(name):
    """Folder of a data set (piano, voice, mix, supra, vctk) under data.root."""
    return f"{DATA_ROOT}/{name}"


def dataset_dir(dataset):
    return set_dir(MIX_SET if dataset == MIX else config["datasets"][dataset]["set"])


def dataset_rate(dataset):
    """Sample rate of a dataset's test items: `datasets.<name>.rate`, else pnf's 22 050 Hz
    (the mixtures always: both sources are read at it)."""
    return config["datasets"].get(dataset, {}).get("rate", RATE)


def fetch_archive(name):
    """The archive a fetch's `--archive PATH` (data.fetch_args) names, as the fetch's input
    (whatever makes it then runs first, e.g. rules/data.smk), or none."""
    words = shlex.split(config["data"].get("fetch_args", {}).get(name, ""))
    return [words[i + 1] for i, w in enumerate(words[:-1]) if w == "--archive"]


def res(kind):
    """Resources of a rule class (train, restore, light); gpu only when asked for."""
    spec = config["resources"][kind]
    out = {"mem_mb": spec["mem_mb"], "runtime": spec["runtime"]}
    if spec["gpu"]:
        out["gpu"] = spec["gpu"]
    return out


def threads(kind):
    return config["resources"][kind]["threads"]


LEARNED = learned()  # baselines with a network (pnf/methods.py)


def trained_on(kind, task=None):
    """Wildcard pattern of the learned methods trained on `kind` (clean, mixtures), or of
    those serving `task`; a pattern matching nothing when there are none."""
    names = [m for m in LEARNED if kind in (None, METHODS[m].trains_on)
             and task in (None, *METHODS[m].tasks)]
    return "|".join(names) or "(?!)"


def baseline_kind(w):
    """A learned baseline runs as a restore-class job, a signal-processing one as light."""
    return "restore" if w.method in LEARNED else "light"


def baseline_res():
    """Per-job resources of a baseline restoration (no GPU for spline, zero, linear)."""
    return {key: (lambda w, key=key: res(baseline_kind(w)).get(key, 0))
            for key in ("mem_mb", "runtime", "gpu")}


merged = deep_merge  # deep merge of two config mappings (`over` wins): pnf/experiments.py


def prior_config(dataset, kind):
    """priors.base deep-merged with priors.<kind>, at the rate of the items the prior
    restores: the dataset's (when it names one), but the mixtures' for the linear priors,
    which serve separation."""
    cfg = merged(config["priors"]["base"], config["priors"].get(kind, {}))
    if kind != "linear" and "rate" in config["datasets"][dataset]:
        cfg = merged(cfg, {"model": {"rate": dataset_rate(dataset)}})
    return {**cfg, "source": config["datasets"][dataset]["source"]}


def yaml_text(mapping):
    return yaml.safe_dump(mapping, sort_keys=True)


def schedule(task):
    """Langevin settings of a task: `sampler` deep-merged with the task's `schedule`, or
    `images.sampler` for the image tasks."""
    if task == "images":
        return IMAGES["sampler"]
    return merged(config["sampler"], TASKS[task].get("schedule", {}))


# ------------------------------------------------------------------ settings are data
# One row per (task, setting): the setting's folder name and what it means (factor, gap,
# hole, Langevin iterations). Built once from the config; every rule reads these rows and
# no rule parses a setting name.


@dataclass(frozen=True)
class Setting:
    """One column of a task's table, e.g. Setting("superres", "x4", "superres", 2, factor=4)."""

    task: str  # superres, inpaint, separate, spectrogram, images
    name: str  # folder name: x4, gap200, 2src, it512, ar, superres2, inpaint16, separate2
    kind: str  # what is restored: superres, inpaint, separate, spectrogram, ancestral
    iterations: int | None = None  # PnF Langevin iterations per level (None: no PnF)
    factor: int | None = None  # super-resolution factor
    gap_ms: int | None = None  # inpainting gap (audio)
    hole: int | None = None  # inpainting hole side (images)
    args: str = ""  # the task's observation flags (`pnf restore` / `pnf image restore`)


def task_seconds(task):
    """Length of a task's clips: the first `tasks.<task>.seconds` of each test item (ours, so
    super-resolution need not pay for inpainting's context), else all of test_seconds."""
    return TASKS.get(task, {}).get("seconds", config["test_seconds"])


def cut_command(seconds, src, dst):
    """Shell command from `src` to `dst` of a truth or mixture file: a hard link of the whole
    item (no process started), or its first `seconds` (workflow/scripts/cut_item.py)."""
    src, dst = shlex.quote(str(src)), shlex.quote(str(dst))
    if seconds >= config["test_seconds"]:
        return f"ln -f {src} {dst} || cp {src} {dst}"
    return f"python workflow/scripts/cut_item.py {src} {dst} --seconds {seconds}"


def gap_span(gap_ms):
    """START:END in seconds of a gap of `gap_ms`, centred in the task's clip."""
    gap, seconds = gap_ms / 1000, task_seconds("inpaint")
    start = round(seconds / 2 - gap / 2, 6)
    if start < 0:
        raise ValueError(f"gap gap{gap_ms} is longer than the inpainting clips ({seconds} s)")
    return f"{start}:{round(start + gap, 6)}"


def _audio_settings(task, spec):
    """Rows of one audio task, in config order (the ancestral row last)."""
    if task == "superres":
        return [Setting(task, f"x{k}", task, it, factor=k, args=f"--factor {k}")
                for k, it in zip(spec["factors"], spec["iterations"])]
    if task == "inpaint":
        return [Setting(task, f"gap{g}", task, it, gap_ms=g, args=f"--gap {gap_span(g)}")
                for g, it in zip(spec["gaps_ms"], spec["iterations"])]
    if task == "separate":
        return [Setting(task, "2src", task, spec["iterations"], args=f"--c {spec['c']}")]
    rows = [Setting(task, f"it{t}", task, t) for t in spec["iterations"]]
    return rows + ([Setting(task, "ar", "ancestral")] if spec["ancestral"] else [])


def _image_settings():
    """Rows of the image tasks: superres<factor>, inpaint<hole>, separate2."""
    if not IMAGES:
        return []
    it, f, h = IMAGES["sampler"]["iterations"], IMAGES["factor"], IMAGES["hole"]
    rows = {"superres": Setting("images", f"superres{f}", "superres", it, factor=f,
                                args=f"--factor {f}"),
            "inpaint": Setting("images", f"inpaint{h}", "inpaint", it, hole=h,
                               args=f"--hole {h}"),
            "separate": Setting("images", "separate2", "separate", it,
                                args=f"--c {IMAGES['c']}")}
    return [rows[t] for t in IMAGES["tasks"]]


SETTINGS = {(s.task, s.name): s
            for s in [r for t, spec in TASKS.items() for r in _audio_settings(t, spec)]
            + _image_settings()}


def parse_setting(task, name):
    """The Setting row of `task`'s folder `name` (e.g. parse_setting("inpaint", "gap200"))."""
    try:
        return SETTINGS[(task, name)]
    except KeyError:
        known = sorted(n for t, n in SETTINGS if t == task)
        raise ValueError(f"task {task} has no setting {name!r} in this experiment "
                         f"(configured: {known})") from None


def settings(task):
    """The Setting rows of a task, in config order."""
    return [s for s in SETTINGS.values() if s.task == task]


def iterations(task, setting):
    """Langevin iterations per level of a PnF setting."""
    return parse_setting(task, setting).iterations


def task_args(task, setting):
    """The observation flags of a setting (factor, gap, hole, separation weight)."""
    return parse_setting(task, setting).args


def sampler_args(task, setting):
    """Langevin flags of one PnF setting, for `pnf restore` (delta, window) and for
    `pnf image restore` (lr, grid) alike: whatever the task's schedule holds."""
    s = {**schedule(task), "iterations": iterations(task, setting), "device": config["device"]}
    args = [f"--{key} {s[key]}" for key in ("iterations", "delta", "lr", "grid", "seed", "device")
            if key in s]
    if s.get("levels"):
        args.append("--levels " + " ".join(str(v) for v in s["levels"]))
    if s.get("window"):
        args.append(f"--window {s['window']}")
    if s.get("schedule", "langevin") != "langevin" or s.get("n_levels"):
        args.append(f"--schedule {s.get('schedule', 'langevin')}")
        args += [f"--n-levels {s['n_levels']}"] if s.get("n_levels") else []
    return " ".join(args)


def clip_index(clip):
    """Index N of a test clip or image cN."""
    return int(clip.lstrip("c"))


SOURCES = TASKS.get("separate", {}).get("sources", [])


# The light jobs of a restore task: its baselines without a network, and the observation cut
# (rules/restore.smk, restore_light_<task>).
# Its --save-input writes what the method saw: the task's first signal-processing method.
OBSERVE = {t: light[0] for t in TASKS
           if (light := [m for m in methods_for(t) if m not in LEARNED])}


def light_methods(task):
    return [m for m in TASKS.get(task, {}).get("baselines", []) if m not in LEARNED]


def light_spec(task, dataset):
    """The job's calls as JSON: settings with their flags, methods, items, output roots."""
    return json.dumps({"task": task, "dataset": dataset, "observe": OBSERVE[task],
                       "settings": {s.name: s.args for s in settings(task)},
                       "methods": light_methods(task), "items": ITEMS, "restored": R,
                       "timing": TIMING})


# The checkpoint of a learned method by what it trains on: one per dataset and factor
# (clean clips of one source), or one shared model (mixtures of the separation sources).
MODEL_FILES = {"clean": "{method}-{dataset}-{setting}.pt", "mixtures": "{method}.pt"}


def model_file(method, dataset, setting):
    """The checkpoint of learned `method` for one dataset and setting (e.g. x4)."""
    name = MODEL_FILES[METHODS[method].trains_on].format(method=method, dataset=dataset,
                                                         setting=setting)
    return f"{OUT}/baselines/{name}"


def baseline_model(w):
    """The checkpoint a learned method's restoration reads (none for the others); the
    separation rule's wildcards name no dataset (its items are the mixtures')."""
    if w.method not in LEARNED:
        return []
    return model_file(w.method, getattr(w, "dataset", MIX), w.setting)


def suffix(task):
    """Restored files are WAV audio, or .npy (3, H, W) arrays for the image tasks."""
    return ".npy" if task == "images" else ".wav"


def separating(task, setting):
    """Separation cells: items <clip>-<source>, input <clip>-mix (audio or image)."""
    return parse_setting(task, setting).kind == "separate"


@dataclass(frozen=True)
class Cell:
    """One scored restoration (the wildcards of its record's path)."""
    dataset: str
    task: str
    setting: str
    method: str
    item: str


def score_inputs(w):
    """{truth, estimate, timing[, mixture]} files of one record."""
    clip = w.item.rsplit("-", 1)[0]
    cell = f"{w.dataset}/{w.task}/{w.setting}"
    ext = suffix(w.task)
    out = {"truth": f"{R}/{cell}/truth/{w.item}{ext}",
           "estimate": f"{R}/{cell}/{w.method}/{w.item}{ext}",
           "timing": f"{TIMING}/{cell}/{w.method}/{clip}.json"}
    if w.task == "separate":
        out["mixture"] = f"{R}/{cell}/input/{clip}-mix.wav"
    return out


def score_args(w, mixture=None):
    """Metadata flags of one record: factor, gap, source, mixture."""
    s = parse_setting(w.task, w.setting)
    args = []
    if w.task == "superres":
        args.append(f"--factor {s.factor}")
    if w.task == "inpaint":
        args.append(f"--gap-ms {s.gap_ms}")
    if w.task == "separate":
        args += [f"--source {w.item.rsplit('-', 1)[1]}", f"--mixture {mixture}"]
    return " ".join(args)


@functools.lru_cache
def batch_cells(task, dataset):
    return [Cell(*c) for c in cells() if c[1] == task and c[0] == dataset]


def score_batch_inputs(task, dataset):
    """Every file the records of one task and dataset read."""
    return sorted({f for c in batch_cells(task, dataset) for f in score_inputs(c).values()})


def score_batch_outputs(task):
    """The records of one task, {dataset} left as the rule's wildcard."""
    return [f"{SCORES}/{{dataset}}/{task}/{s.name}/{m}/{i}.json"
            for s in settings(task) for m in methods(s) for i in items(s)]


def score_calls(task, dataset):
    """`pnf evaluate item` argument lists of one task and dataset, each with the run
    record (timing) the script passes as --run."""
    out = []
    for c in batch_cells(task, dataset):
        files = score_inputs(c)
        out.append({"timing": files["timing"], "argv": [
            "evaluate", "item", "--truth", files["truth"], "--estimate", files["estimate"],
            "--dataset", c.dataset, "--task", c.task, "--setting", c.setting,
            "--method", c.method, "--item", c.item,
            *score_args(c, files.get("mixture")).split(),
            "--out", _path(SCORES, astuple(c), ".json")]})
    return out


# ------------------------------------------------------------------ what the DAG produces


PNF_METHODS = r"pnf(-[a-z0-9]+)*"  # pnf and our variants: pnf-warm, pnf-mean4, pnf-warm-mean4


def is_pnf(method):
    """PnF, the paper's, or one of our variants of it."""
    return method == "pnf" or method.startswith("pnf-")


def variant_flags(task):
    """{method: extra `pnf restore` flags}: the paper's PnF ("pnf") and the variants of ours
    that `tasks.<task>.variants` switches on (rows beside pnf in the tables)."""
    spec = TASKS.get(task, {}).get("variants") or {}
    warm, k = spec.get("warm_start", False), spec.get("mean_of", 1)
    rows = {"pnf": ""}
    if warm:
        rows["pnf-warm"] = "--warm-start"
    if k > 1:
        rows[f"pnf-mean{k}"] = f"--mean-of {k}"
    if warm and k > 1 and spec.get("combined", False):
        rows[f"pnf-warm-mean{k}"] = f"--warm-start --mean-of {k}"
    for name in spec.get("schedules", []):  # faster schedules (pnf.langevin.SCHEDULES)
        rows[f"pnf-{name}"] = f"--schedule {name}"
        if warm and spec.get("combined", False):
            rows[f"pnf-warm-{name}"] = f"--warm-start --schedule {name}"
    return rows


def methods(setting):
    """Methods of a setting: PnF (and our variants) and the task's baselines, or cached
    ancestral sampling."""
    if setting.kind == "ancestral":
        return ["ancestral"]
    return [*variant_flags(setting.task), *TASKS.get(setting.task, {}).get("baselines", [])]


def datasets(task):
    """Result datasets of a task: its datasets, `mix` (separation) or the image set."""
    if task == "images":
        return [IMAGE_SET]
    return [MIX] if task == "separate" else TASKS[task]["datasets"]


def items(setting):
    """Test items: cN; audio separation cN-<source>; image separation cK-a/cK-b (test
    images 2K and 2K+1, N // 2 mixtures of the first N test images)."""
    if setting.task == "images":
        n = IMAGES["test_images"]
        if setting.kind == "separate":
            return [f"c{k:03d}-{s}" for k in range(n // 2) for s in "ab"]
        return [f"c{i:03d}" for i in range(n)]
    if setting.kind == "separate":
        return [f"{i}-{s}" for i in ITEMS for s in SOURCES]
    return ITEMS


SCORED_TASKS = [*TASKS, *(["images"] if IMAGES else [])]


def cells():
    """(dataset, task, setting, method, item) of every scored restoration."""
    return [(d, task, s.name, m, i) for task in SCORED_TASKS for d in datasets(task)
            for s in settings(task) for m in methods(s) for i in items(s)]


def _path(root, cell, ext):
    return f"{root}/{'/'.join(cell)}{ext}"


def restored_targets():
    """Every restored file plus the truth and input files next to it."""
    files = {_path(R, c, suffix(c[1])) for c in cells()}
    for d, task, setting, _m, item in cells():
        ext, kind = suffix(task), parse_setting(task, setting).kind
        files.add(f"{R}/{d}/{task}/{setting}/truth/{item}{ext}")
        if kind == "separate":
            files.add(f"{R}/{d}/{task}/{setting}/input/{item.rsplit('-', 1)[0]}-mix{ext}")
        elif kind in ("superres", "inpaint"):
            files.add(f"{R}/{d}/{task}/{setting}/input/{item}{ext}")
    return sorted(files)


SCORE_TARGETS = [_path(SCORES, c, ".json") for c in cells()]


def scores_of(task):
    """The score records of one task (an experiment target of the Snakefile)."""
    return [path for path, c in zip(SCORE_TARGETS, cells()) if c[1] == task]

_USED = sorted({d for t in TASKS.values() for d in t.get("datasets", t.get("sources", []))})
DATA_TARGETS = sorted({f"{dataset_dir(d)}/manifest.csv" for d in _USED}
                      | ({f"{dataset_dir(MIX)}/manifest.csv"} if "separate" in TASKS else set())
                      | ({f"{set_dir(IMAGE_SET)}/manifest.csv"} if IMAGES else set()))


def train_targets():
    """Every prior and learned baseline the restorations need."""
    out = set()
    for task, kind in [("superres", "mulaw"), ("inpaint", "mulaw"), ("spectrogram", "mel")]:
        out |= {f"{OUT}/priors/{d}-{kind}.pt" for d in TASKS.get(task, {}).get("datasets", [])}
    out |= {model_file(m, d, setting) for d, _, setting, m, _ in cells() if m in LEARNED}
    if "separate" in TASKS:
        out |= {f"{OUT}/priors/{s}-linear.pt" for s in TASKS["separate"]["sources"]}
    if IMAGES:
        out.add(f"{OUT}/priors/{IMAGE_SET}-pixelcnn.pt")
    return sorted(out)


TRAIN_TARGETS = train_targets()


wildcard_constraints:
    dataset="[a-z][a-z0-9]*",
    setting="[a-z0-9]+",
    method="[a-z]+([-_][a-z0-9]+)*",
    item=r"c\d+(-[a-z]+)?",
    clip=r"c\d+",
    factor=r"\d+",


# Every table, figure, claims table and demo page carries a footer (pnf/report/provenance.py):
# experiment, config hash, code version, date, the rule and the command that rebuilds it.
REBUILD = f"snakemake --cores all results/tables --configfile experiments/{EXP}.yaml"


def figure_category(wildcards):
    """`snakemake --report` groups figures by task: spec-<dataset>-<task>-<setting>.png."""
    parts = wildcards.name.split("-")
    if parts[0] == "spec" and len(parts) == 4:
        return TASK_LABELS.get(parts[2], parts[2])
    return "Summary figures"


def stamp(rule):
    """The provenance flags of `pnf report` for a job of `rule`."""
    return (f"--config-hash {config_hash(config)} --rule {rule} "
            f"--rebuild {shlex.quote(REBUILD)}")


# ------------------------------------------------------------------ the prior study
PRIOR_STUDY = config.get("study", {}).get("priors", {})
STUDY_PRIORS = f"{OUT}/study/priors"


def study_prior(variant):
    """The variant's spec ({dataset, kind, set}); an unknown name is a config error."""
    if variant not in PRIOR_STUDY:
        raise ValueError(f"study.priors has no variant {variant!r}; add it to the config")
    return PRIOR_STUDY[variant]


def study_prior_yaml(variant):
    """The variant's `pnf train prior` config: the experiment's prior, then its `set`."""
    spec = study_prior(variant)
    return yaml_text(merged(prior_config(spec["dataset"], spec["kind"]), spec.get("set", {})))
