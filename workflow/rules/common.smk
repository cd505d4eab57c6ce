# Shared names and helpers: paths, test items, per-rule resources, Langevin arguments and
# the full target lists. Every job list derives from the config alone (no file is read at
# parse time), so `snakemake -n` plans the paper run with no data present.
import os
import sys
from pathlib import Path

import yaml

envvars:
    "PATH",


# Jobs call `pnf` and `python` from the environment that runs Snakemake (e.g. .venv/bin).
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
ENV = "../../environment.yml"  # conda users: --sdm conda builds the same environment
R = "results/restored"  # results/restored/<dataset>/<task>/<setting>/<method>/<item>.wav
TIMING = "results/timing"  # same layout, {"seconds": ...} per restoration call
SCORES = "results/scores"  # same layout, one JSON record per item
LOGS = "results/logs"
MIX = "mix"  # dataset name of the separation mixtures
TASKS = config["tasks"]
DATA_ROOT = config["data"]["root"]
MIX_SET = config["mixture_set"]
ITEMS = [f"c{i:03d}" for i in range(config["test_clips"])]
IMAGES = config.get("images")  # PixelCNN++ experiments (rules/images.smk); None = none
IMAGE_SET = IMAGES["set"] if IMAGES else ""  # data set and results `dataset` of the images


def _check_config():
    for task, key in [("superres", "factors"), ("inpaint", "gaps_ms")]:
        spec = TASKS.get(task)
        if spec and len(spec["iterations"]) != len(spec[key]):
            raise ValueError(f"tasks.{task}.iterations needs one entry per {key} "
                             f"({len(spec[key])}), got {len(spec['iterations'])}")
    for task, spec in TASKS.items():
        names = spec.get("datasets", spec.get("sources", []))
        unknown = sorted(set(names) - set(config["datasets"]))
        if unknown:
            raise ValueError(f"tasks.{task} names dataset(s) {unknown} that are not under "
                             f"`datasets:` ({sorted(config['datasets'])})")


_check_config()


def tree_root(path):
    """results/restored (or results/scores) from a file <root>/<d>/<task>/<setting>/<m>/<item>."""
    return str(Path(path).parents[4])


def set_dir(name):
    """Folder of a data set (piano, voice, mix, supra, vctk) under data.root."""
    return f"{DATA_ROOT}/{name}"


def dataset_dir(dataset):
    return set_dir(MIX_SET if dataset == MIX else config["datasets"][dataset]["set"])


def res(kind):
    """Resources of a rule class (train, restore, light); gpu only when asked for."""
    spec = config["resources"][kind]
    out = {"mem_mb": spec["mem_mb"], "runtime": spec["runtime"]}
    if spec["gpu"]:
        out["gpu"] = spec["gpu"]
    return out


def threads(kind):
    return config["resources"][kind]["threads"]


def merged(base, over):
    """Deep merge of two config mappings (`over` wins)."""
    out = dict(base)
    for key, value in over.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(
            out.get(key), dict) else value
    return out


def prior_config(dataset, kind):
    cfg = merged(config["priors"]["base"], config["priors"].get(kind, {}))
    return {**cfg, "source": config["datasets"][dataset]["source"]}


def yaml_text(mapping):
    return yaml.safe_dump(mapping, sort_keys=True)


def schedule(task):
    return merged(config["sampler"], TASKS[task].get("schedule", {}))


def iterations(task, setting):
    """Langevin iterations per level for a PnF setting (x8, gap200, 2src, it512)."""
    if task == "images":
        return IMAGES["sampler"]["iterations"]
    spec = TASKS[task]
    if task == "superres":
        return spec["iterations"][spec["factors"].index(int(setting[1:]))]
    if task == "inpaint":
        return spec["iterations"][spec["gaps_ms"].index(int(setting[3:]))]
    if task == "spectrogram":
        return int(setting[2:])
    return spec["iterations"]


def langevin_args(task, setting):
    """`pnf restore` schedule flags for one task and setting."""
    s = schedule(task)
    args = [f"--iterations {iterations(task, setting)}", f"--delta {s['delta']}",
            f"--seed {s['seed']}", f"--device {config['device']}"]
    if s.get("levels"):
        args.append("--levels " + " ".join(str(v) for v in s["levels"]))
    if s.get("window"):
        args.append(f"--window {s['window']}")
    return " ".join(args)


def gap_span(setting):
    """START:END in seconds of the gap, centred in the test clip."""
    gap = int(setting[3:]) / 1000
    start = round(config["test_seconds"] / 2 - gap / 2, 6)
    if start < 0:
        raise ValueError(f"gap {setting} is longer than test_seconds ({config['test_seconds']})")
    return f"{start}:{round(start + gap, 6)}"


def task_args(task, setting):
    """The observation flags of a task (factor or gap)."""
    if task == "superres":
        return f"--factor {setting[1:]}"
    if task == "inpaint":
        return f"--gap {gap_span(setting)}"
    return ""


def image_sampler_args():
    """`pnf image restore` Langevin flags from images.sampler."""
    s = IMAGES["sampler"]
    args = [f"--iterations {s['iterations']}", f"--lr {s['lr']}", f"--grid {s['grid']}",
            f"--seed {s['seed']}", f"--device {config['device']}"]
    if s.get("levels"):
        args.append("--levels " + " ".join(str(v) for v in s["levels"]))
    return " ".join(args)


def image_task_args(setting):
    """Task flags of an image setting: superres<F> -> --factor F, inpaint<H> -> --hole H."""
    if setting.startswith("superres"):
        return f"--factor {setting[len('superres'):]}"
    if setting.startswith("inpaint"):
        return f"--hole {setting[len('inpaint'):]}"
    return f"--c {IMAGES['c']}"


SOURCES = TASKS.get("separate", {}).get("sources", [])


def baseline_model(w):
    if w.method == "kee":
        return f"results/baselines/kee-{w.dataset}-{w.setting}.pt"
    if w.method in ("convtasnet", "demucs"):
        return f"results/baselines/{w.method}.pt"
    return []


def suffix(task):
    """Restored files are WAV audio, or .npy (3, H, W) arrays for the image tasks."""
    return ".npy" if task == "images" else ".wav"


def separating(task, setting):
    """Separation cells: items <clip>-<source>, input <clip>-mix (audio or image)."""
    return task == "separate" or setting.startswith("separate")


def score_inputs(w):
    clip = w.item.rsplit("-", 1)[0]
    cell = f"{w.dataset}/{w.task}/{w.setting}"
    ext = suffix(w.task)
    out = {"truth": f"{R}/{cell}/truth/{w.item}{ext}",
           "estimate": f"{R}/{cell}/{w.method}/{w.item}{ext}",
           "timing": f"{TIMING}/{cell}/{w.method}/{clip}.json"}
    if w.task == "separate":
        out["mixture"] = f"{R}/{cell}/input/{clip}-mix.wav"
    return out


def score_args(w, input):
    """Metadata flags of one record: factor, gap, iterations, source, mixture."""
    args = []
    if w.task == "superres":
        args.append(f"--factor {w.setting[1:]}")
    if w.task == "inpaint":
        args.append(f"--gap-ms {w.setting[3:]}")
    if w.method == "pnf":
        args.append(f"--iterations {iterations(w.task, w.setting)}")
    if w.task == "separate":
        args += [f"--source {w.item.rsplit('-', 1)[1]}", f"--mixture {input.mixture}"]
    return " ".join(args)


# ------------------------------------------------------------------ what the DAG produces


def settings(task):
    spec = TASKS[task]
    return {"superres": lambda: [f"x{k}" for k in spec["factors"]],
            "inpaint": lambda: [f"gap{g}" for g in spec["gaps_ms"]],
            "separate": lambda: ["2src"],
            "spectrogram": lambda: [f"it{t}" for t in spec["iterations"]]}[task]()


def methods(task):
    return ["pnf", *TASKS[task].get("baselines", [])]


def image_settings():
    """superres<factor>, inpaint<hole>, separate2 for the configured image tasks."""
    if not IMAGES:
        return []
    names = {"superres": f"superres{IMAGES['factor']}", "inpaint": f"inpaint{IMAGES['hole']}",
             "separate": "separate2"}
    return [names[t] for t in IMAGES["tasks"]]


def image_items(setting):
    """c000... = test image 0...; separation item cK-a/cK-b = test images 2K and 2K+1."""
    n = IMAGES["test_images"]
    if separating("images", setting):
        return [f"c{k:03d}-{s}" for k in range(n // 2) for s in "ab"]
    return [f"c{i:03d}" for i in range(n)]


def cells():
    """(dataset, task, setting, method, item) of every scored restoration."""
    out = []
    for task in TASKS:
        if task == "separate":
            items = [f"{i}-{s}" for i in ITEMS for s in TASKS[task]["sources"]]
            out += [(MIX, task, "2src", m, i) for m in methods(task) for i in items]
            continue
        for d in TASKS[task]["datasets"]:
            out += [(d, task, s, m, i) for s in settings(task) for m in methods(task)
                    for i in ITEMS]
            if task == "spectrogram" and TASKS[task]["ancestral"]:
                out += [(d, task, "ar", "ancestral", i) for i in ITEMS]
    out += [(IMAGE_SET, "images", s, "pnf", i) for s in image_settings() for i in image_items(s)]
    return out


def _path(root, cell, ext):
    return f"{root}/{'/'.join(cell)}{ext}"


def restored_targets():
    """Every restored file plus the truth and input files next to it."""
    files = {_path(R, c, suffix(c[1])) for c in cells()}
    for d, task, setting, _m, item in cells():
        ext = suffix(task)
        files.add(f"{R}/{d}/{task}/{setting}/truth/{item}{ext}")
        if separating(task, setting):
            files.add(f"{R}/{d}/{task}/{setting}/input/{item.rsplit('-', 1)[0]}-mix{ext}")
        elif task in ("superres", "inpaint", "images"):
            files.add(f"{R}/{d}/{task}/{setting}/input/{item}{ext}")
    return sorted(files)


SCORE_TARGETS = [_path(SCORES, c, ".json") for c in cells()]
_USED = sorted({d for t in TASKS.values() for d in t.get("datasets", t.get("sources", []))})
DATA_TARGETS = sorted({f"{dataset_dir(d)}/manifest.csv" for d in _USED}
                      | ({f"{dataset_dir(MIX)}/manifest.csv"} if "separate" in TASKS else set())
                      | ({f"{set_dir(IMAGE_SET)}/manifest.csv"} if IMAGES else set()))


def train_targets():
    """Every prior and learned baseline the restorations need."""
    out = set()
    for task, kind in [("superres", "mulaw"), ("inpaint", "mulaw"), ("spectrogram", "mel")]:
        out |= {f"results/priors/{d}-{kind}.pt" for d in TASKS.get(task, {}).get("datasets", [])}
    if "superres" in TASKS and "kee" in TASKS["superres"]["baselines"]:
        out |= {f"results/baselines/kee-{d}-x{k}.pt" for d in TASKS["superres"]["datasets"]
                for k in TASKS["superres"]["factors"]}
    if "separate" in TASKS:
        out |= {f"results/priors/{s}-linear.pt" for s in TASKS["separate"]["sources"]}
        out |= {f"results/baselines/{m}.pt" for m in TASKS["separate"]["baselines"]}
    if IMAGES:
        out.add(f"results/priors/{IMAGE_SET}-pixelcnn.pt")
    return sorted(out)


TRAIN_TARGETS = train_targets()


wildcard_constraints:
    dataset="[a-z][a-z0-9]*",
    setting="[a-z0-9]+",
    method="[a-z]+",
    item=r"c\d+(-[a-z]+)?",
    clip=r"c\d+",
    factor=r"\d+",
