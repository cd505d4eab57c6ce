"""The workflow's plan of one experiment, built from its config alone (no file is read).

    >>> from pnf.dag import Plan
    >>> plan = Plan(config)                      # a resolved, validated experiment config
    >>> plan.setting("superres", "x4").factor    # one row per task and setting folder
    4
    >>> plan.cells()[0]                          # (dataset, task, setting, method, item)
    ('piano', 'superres', 'x4', 'pnf', 'c000')
    >>> plan.restored_targets()[:1]              # every restored, truth and input file
    ['results/smoke/restored/images/images/inpaint16/input/c000.npy']

Layout under OUT = results/<experiment>: restored/<dataset>/<task>/<setting>/<method>/<item>
(.wav, or .npy for the image tasks), timing/ (same layout, one run record per restoration
call: pnf.restore.record), scores/ (same layout, one JSON record per item),
priors/<dataset>-<kind>.pt, baselines/ (learned methods' checkpoints). What each task
means comes from its spec (pnf.task_specs), what each baseline means from its spec
(pnf.methods); this module names neither. The methods `pnf` (PnF, the paper's) and
pnf-<variant> (ours) run on the priors.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pnf.audio import RATE
from pnf.experiments import deep_merge
from pnf.methods import METHODS, learned, methods_for
from pnf.task_specs import TASK_SPECS, Setting, TaskSpec, task_spec

MIX = "mix"      # results dataset of the separation mixtures
PNF = "pnf"      # the paper's PnF; our variants are pnf-<variant>
PNF_METHODS = r"pnf(-[a-z0-9]+)*"  # pnf and our variants: pnf-warm, pnf-mean4, pnf-warm-mean4
# The checkpoint of a learned method by what it trains on: one per dataset and factor
# (clean clips of one source), or one shared model (mixtures of the separation sources).
MODEL_FILES = {"clean": "{method}-{dataset}-{setting}.pt", "mixtures": "{method}.pt"}
# Wildcard pattern of the audio prior kinds (WaveNets <OUT>/priors/<dataset>-<kind>.pt)
AUDIO_PRIORS = "|".join(dict.fromkeys(s.prior for s in TASK_SPECS.values() if not s.image))


def is_pnf(method: str) -> bool:
    """PnF, the paper's, or one of our variants of it."""
    return method == PNF or method.startswith(f"{PNF}-")


def clip_index(clip: str) -> int:
    """Index N of a test clip or image cN."""
    return int(clip.lstrip("c"))


@dataclass(frozen=True)
class Cell:
    """One scored restoration (the wildcards of its record's path)."""

    dataset: str
    task: str
    setting: str
    method: str
    item: str


class Plan:
    """Rows, methods, items, cells and target files of one experiment (see the module)."""

    def __init__(self, config: dict):
        self.config = config
        self.out = f"results/{config['experiment']}"
        self.restored, self.timing = f"{self.out}/restored", f"{self.out}/timing"
        self.scores = f"{self.out}/scores"
        self.clips = [f"c{i:03d}" for i in range(config["test_clips"])]  # audio test items
        self.specs: dict[str, TaskSpec] = {t: task_spec(t) for t in config["tasks"]}
        # the image tasks' section is `images`, not under `tasks:`; they come last
        self.specs.update({s.name: s for s in TASK_SPECS.values() if s.image and s.section(config)})
        self.rows = {(s.task, s.name): s for t in self.specs for s in self._rows(t)}
        images = [self.section(t) for t, s in self.specs.items() if s.image]
        self.images: dict | None = images[0] if images else None  # the image tasks' section
        mixing = [self.section(t) for t, s in self.specs.items() if s.mixture]
        self.sources: list[str] = mixing[0]["sources"] if mixing else []
        self.observe = {t: light[0] for t in config["tasks"]
                        if (light := [m for m in methods_for(t) if m not in learned()])}

    # ------------------------------------------------------------------ settings
    def section(self, task: str) -> dict:
        """The config section of a task that the experiment runs."""
        return self.specs[task].section(self.config)

    def task_seconds(self, task: str) -> float:
        """Length of a task's clips: the first `tasks.<task>.seconds` of each test item (ours,
        so super-resolution need not pay for inpainting's context), else all of test_seconds."""
        return self.config["tasks"].get(task, {}).get("seconds", self.config["test_seconds"])

    def _rows(self, task: str) -> list[Setting]:
        return self.specs[task].rows(self.section(task), self.task_seconds(task))

    def setting(self, task: str, name: str) -> Setting:
        """The Setting row of `task`'s folder `name` (e.g. setting("inpaint", "gap200"))."""
        try:
            return self.rows[(task, name)]
        except KeyError:
            known = sorted(n for t, n in self.rows if t == task)
            raise ValueError(f"task {task} has no setting {name!r} in this experiment "
                             f"(configured: {known})") from None

    def settings(self, task: str) -> list[Setting]:
        """The Setting rows of a task, in config order."""
        return [s for s in self.rows.values() if s.task == task]

    def schedule(self, task: str) -> dict:
        """Langevin settings of a task: `sampler` deep-merged with the task's `schedule`, or
        the image tasks' own `images.sampler`."""
        if self.specs[task].image:
            return self.section(task)["sampler"]
        own = self.section(task).get("schedule", self.specs[task].schedule)
        return deep_merge(self.config["sampler"], own)

    # ------------------------------------------------------------------ methods and items
    def variant_flags(self, task: str) -> dict[str, str]:
        """{method: extra `pnf restore` flags}: the paper's PnF ("pnf") and the variants of
        ours that `tasks.<task>.variants` switches on (rows beside pnf in the tables)."""
        spec = self.config["tasks"].get(task, {}).get("variants") or {}
        warm, k, both = (spec.get("warm_start", False), spec.get("mean_of", 1),
                         spec.get("combined", False))
        rows = {PNF: ""}
        if warm:
            rows[f"{PNF}-warm"] = "--warm-start"
        if k > 1:
            rows[f"{PNF}-mean{k}"] = f"--mean-of {k}"
        if warm and k > 1 and both:
            rows[f"{PNF}-warm-mean{k}"] = f"--warm-start --mean-of {k}"
        for name in spec.get("schedules", []):  # faster schedules (pnf.langevin.SCHEDULES)
            rows[f"{PNF}-{name}"] = f"--schedule {name}"
            if warm and both:
                rows[f"{PNF}-warm-{name}"] = f"--warm-start --schedule {name}"
        return rows

    def baselines(self, task: str) -> list[str]:
        """The baselines an experiment runs for a task (`tasks.<task>.baselines`)."""
        return self.config["tasks"].get(task, {}).get("baselines", [])

    def light_methods(self, task: str) -> list[str]:
        """The task's baselines without a network (one light job per task and dataset)."""
        return [m for m in self.baselines(task) if m not in learned()]

    def methods(self, setting: Setting) -> list[str]:
        """Methods of a setting: PnF (and our variants) and the task's baselines, or the
        row's own (cached ancestral sampling)."""
        if setting.only:
            return list(setting.only)
        return [*self.variant_flags(setting.task), *self.baselines(setting.task)]

    def datasets(self, task: str) -> list[str]:
        """Result datasets of a task: its datasets, `mix` (mixtures) or the image set."""
        spec = self.specs[task]
        if spec.image:
            return [self.section(task)["set"]]
        return [MIX] if spec.mixture else self.section(task)["datasets"]

    def prior_datasets(self, task: str) -> list[str]:
        """The datasets a task's priors are trained on: its datasets, sources or image set."""
        spec, section = self.specs[task], self.section(task)
        return [section["set"]] if spec.image else section.get("datasets",
                                                               section.get("sources", []))

    def items(self, setting: Setting) -> list[str]:
        """Test items: cN; mixtures cN-<source>; image mixtures cK-a/cK-b (test images 2K
        and 2K+1, N // 2 mixtures of the first N test images)."""
        if self.specs[setting.task].image:
            n = self.section(setting.task)["test_images"]
            if setting.mixture:
                return [f"c{k:03d}-{s}" for k in range(n // 2) for s in "ab"]
            return [f"c{i:03d}" for i in range(n)]
        if setting.mixture:
            return [f"{i}-{s}" for i in self.clips for s in self.sources]
        return self.clips

    def suffix(self, task: str) -> str:
        """Restored files are WAV audio, or .npy (3, H, W) arrays for the image tasks."""
        return ".npy" if self.specs[task].image else ".wav"

    @functools.cache  # noqa: B019 (one plan per workflow, alive as long as it)
    def cells(self) -> list[tuple[str, str, str, str, str]]:
        """(dataset, task, setting, method, item) of every scored restoration."""
        return [(d, task, s.name, m, i) for task in self.specs for d in self.datasets(task)
                for s in self.settings(task) for m in self.methods(s) for i in self.items(s)]

    # ------------------------------------------------------------------ target files
    def path(self, root: str, cell: tuple, ext: str) -> str:
        return f"{root}/{'/'.join(cell)}{ext}"

    def restored_targets(self) -> list[str]:
        """Every restored file plus the truth and input files next to it."""
        files = {self.path(self.restored, c, self.suffix(c[1])) for c in self.cells()}
        for d, task, setting, _m, item in self.cells():
            ext, row = self.suffix(task), self.setting(task, setting)
            cell = f"{self.restored}/{d}/{task}/{setting}"
            files.add(f"{cell}/truth/{item}{ext}")
            if row.mixture:
                files.add(f"{cell}/input/{item.rsplit('-', 1)[0]}-mix{ext}")
            elif row.observed:
                files.add(f"{cell}/input/{item}{ext}")
        return sorted(files)

    def score_targets(self, task: str | None = None) -> list[str]:
        """The score records of every cell (of one task: an experiment target)."""
        return [self.path(self.scores, c, ".json") for c in self.cells()
                if task in (None, c[1])]

    def model_file(self, method: str, dataset: str, setting: str) -> str:
        """The checkpoint of learned `method` for one dataset and setting (e.g. x4)."""
        name = MODEL_FILES[METHODS[method].trains_on].format(method=method, dataset=dataset,
                                                             setting=setting)
        return f"{self.out}/baselines/{name}"

    def train_targets(self) -> list[str]:
        """Every prior and learned baseline the restorations need."""
        out = {f"{self.out}/priors/{d}-{spec.prior}.pt" for t, spec in self.specs.items()
               for d in self.prior_datasets(t)}
        out |= {self.model_file(m, d, setting) for d, _, setting, m, _ in self.cells()
                if m in learned()}
        return sorted(out)

    def set_dir(self, name: str) -> str:
        """Folder of a data set (piano, voice, mix, supra, vctk) under data.root."""
        return f"{self.config['data']['root']}/{name}"

    def dataset_dir(self, dataset: str) -> str:
        """Folder of a dataset's set (`mix`: the mixture set)."""
        return self.set_dir(self.config["mixture_set"] if dataset == MIX
                            else self.config["datasets"][dataset]["set"])

    def dataset_rate(self, dataset: str) -> int:
        """Sample rate of a dataset's test items: `datasets.<name>.rate`, else pnf's 22 050 Hz
        (the mixtures always: both sources are read at it)."""
        return self.config["datasets"].get(dataset, {}).get("rate", RATE)

    def data_targets(self) -> list[str]:
        """The manifest of every data set the experiment reads."""
        out = set()
        for task, spec in self.specs.items():
            if spec.image:
                out.add(f"{self.set_dir(self.section(task)['set'])}/manifest.csv")
                continue
            out |= {f"{self.dataset_dir(d)}/manifest.csv" for d in self.prior_datasets(task)}
            if spec.mixture:
                out.add(f"{self.dataset_dir(MIX)}/manifest.csv")
        return sorted(out)
