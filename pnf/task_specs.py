"""What the workflow knows about each task: one frozen spec per task, keyed by its name.

    >>> from pnf.task_specs import TASK_SPECS, task_spec
    >>> spec = task_spec("superres")
    >>> spec.prior, spec.observation, spec.pairs, spec.score
    ('mulaw', 'clip', 'factors', ('factor',))
    >>> [s.name for s in spec.rows({"factors": [4, 8], "iterations": [64, 32]}, 2.0)]
    ['x4', 'x8']
    >>> task_spec("inpaint").rows({"gaps_ms": [200], "iterations": [8]}, 2.0)[0].args
    '--gap 0.9:1.1'

A spec names the task's config section (`tasks.<name>`, or `images` for the PixelCNN++
tasks), its setting grammar (`rows`: the section -> one `Setting` per folder such as `x4`,
`gap200`, `2src`, `it64`, `ar`, `superres2`, with the observation flags of `pnf restore` /
`pnf image restore`), the observation it reads ("clip": test clips of its datasets;
"mixture": mixtures of its two `sources`, results dataset `mix`; "image": test images of
the image set), the prior kind it restores with (mulaw, linear, mel, pixelcnn), the config
list its `iterations` pair with, and the setting fields its score records carry (`pnf
evaluate item --factor/--gap-ms`; a mixture task's records also carry the source and the
mixture). Its schedule is the experiment's `sampler` with `tasks.<name>.schedule` on top
(`schedule` when the section has none; the schema's default, checked by the tests), or
`images.sampler` alone for the image tasks. pnf.dag builds the
workflow's plan from these specs and the config alone. The report reads the rest from them:
each task's label, table (`Table`) and place, the quality metric of its figures, its demo
page section, the setting of its docs panel and the labels of its rows' verbs; the workflow's
rules find their tasks with `tasks_where` (e.g. the mixture task).

    >>> from pnf.task_specs import task_label, tasks_where
    >>> task_label("separate"), task_spec("images").table.name, tasks_where(prior="mel")
    ('Source separation', 'images', ['spectrogram'])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

OBSERVATIONS = ("clip", "mixture", "image")
IMAGE_PAIR_VERB = "separate"       # the image row that restores mixtures of two test images
IMAGE_PAIR = f"{IMAGE_PAIR_VERB}2"  # and its folder
DEMO_SECTIONS = ("generation", "restoration", "image")   # the demo page's kinds, in its order


@dataclass(frozen=True)
class Table:
    """How the report tabulates a task, e.g. Table("inpainting", "Audio inpainting", "setting",
    ("snr", "lsd"), joined=True): rows are methods, columns the values of `col`."""

    name: str                      # file stem: tables/<name>.{md,csv,tex}
    title: str
    col: str | None                # the field that makes columns: setting, source or None
    metrics: tuple[str, ...]
    joined: bool = False           # all metrics in one cell ("SNR / LSD"), not a column each
    rows: tuple[str, ...] = ("method",)  # row fields: method, or method and setting
    task: str = ""                 # the task it tabulates (set by its TaskSpec)


@dataclass(frozen=True)
class Setting:
    """One column of a task's table, e.g. Setting("superres", "x4", "superres", 2, factor=4)."""

    task: str            # the spec's name
    name: str            # folder name: x4, gap200, 2src, it512, ar, superres2, separate2
    kind: str            # what is restored (the `pnf image restore` verb of an image row)
    iterations: int | None = None  # PnF Langevin iterations per level (None: no PnF)
    factor: int | None = None      # super-resolution factor
    gap_ms: int | None = None      # inpainting gap (audio)
    hole: int | None = None        # inpainting hole side (images)
    args: str = ""                 # the observation flags of `pnf restore`
    observed: bool = False         # an input/<item> file holds what the methods saw
    mixture: bool = False          # items <clip>-<source>, input <clip>-mix
    only: tuple[str, ...] = ()     # its methods instead of PnF and the baselines


@dataclass(frozen=True)
class TaskSpec:
    """One task of the workflow, e.g. TaskSpec("separate", _separation, "linear", "mixture")."""

    name: str                      # tasks.<name> (or the `images` section), results folder
    rows: Callable[[dict, float], list[Setting]]  # (section, clip seconds) -> settings
    prior: str                     # prior kind: mulaw, linear, mel, pixelcnn
    observation: str = "clip"      # clip, mixture or image (see the module docstring)
    pairs: str | None = None       # the section's list that `iterations` pairs with
    score: tuple[str, ...] = ()    # Setting fields each score record carries
    schedule: dict = field(default_factory=dict)  # default of tasks.<name>.schedule
    label: str = ""                # its name in the report (default: the task's name)
    metric: str = "snr"            # the quality metric of its figures
    table: Table | None = None     # its table in the report (None: not tabulated)
    place: int = 0                 # its place in the report's tables and demo sections
    demo: str = "restoration"      # its demo page section: generation, restoration or image
    verbs: dict = field(default_factory=dict)  # labels of its rows' verbs (kind): superres2
    panel: str = ""                # the setting whose spectrogram panel the docs show

    def __post_init__(self):
        if self.observation not in OBSERVATIONS:
            raise ValueError(f"task {self.name}: observation {self.observation!r} is not one "
                             f"of {list(OBSERVATIONS)}")
        if self.demo not in DEMO_SECTIONS:
            raise ValueError(f"task {self.name}: demo section {self.demo!r} is not one of "
                             f"{list(DEMO_SECTIONS)}")
        object.__setattr__(self, "label", self.label or self.name)
        if self.table is not None:
            object.__setattr__(self, "table", replace(self.table, task=self.name))

    @property
    def mixture(self) -> bool:
        """A mixture task: its items are the sources of a mixture of its `sources`."""
        return self.observation == "mixture"

    @property
    def image(self) -> bool:
        """A PixelCNN++ task: its section is `images`, its items .npy arrays."""
        return self.observation == "image"

    def section(self, config: dict) -> dict | None:
        """The task's config section, or None when the experiment does not run it."""
        return config.get("images") if self.image else config["tasks"].get(self.name)


def gap_span(gap_ms: int, seconds: float) -> str:
    """START:END in seconds of a gap of `gap_ms`, centred in a clip of `seconds`."""
    gap = gap_ms / 1000
    start = round(seconds / 2 - gap / 2, 6)
    if start < 0:
        raise ValueError(f"gap gap{gap_ms} is longer than the inpainting clips ({seconds} s)")
    return f"{start}:{round(start + gap, 6)}"


def _superres(spec: dict, seconds: float) -> list[Setting]:
    pairs = zip(spec["factors"], spec["iterations"], strict=True)
    return [Setting("superres", f"x{k}", "superres", it, factor=k, args=f"--factor {k}",
                    observed=True) for k, it in pairs]


def _inpaint(spec: dict, seconds: float) -> list[Setting]:
    return [Setting("inpaint", f"gap{g}", "inpaint", it, gap_ms=g,
                    args=f"--gap {gap_span(g, seconds)}", observed=True)
            for g, it in zip(spec["gaps_ms"], spec["iterations"], strict=True)]


def _separate(spec: dict, seconds: float) -> list[Setting]:
    return [Setting("separate", "2src", "separate", spec["iterations"], args=f"--c {spec['c']}",
                    mixture=True)]


def _spectrogram(spec: dict, seconds: float) -> list[Setting]:
    """it<T> per iteration count, then cached ancestral sampling (`ar`) when asked for."""
    rows = [Setting("spectrogram", f"it{t}", "spectrogram", t) for t in spec["iterations"]]
    return rows + ([Setting("spectrogram", "ar", "ancestral", only=("ancestral",))]
                   if spec["ancestral"] else [])


def _images(spec: dict, seconds: float) -> list[Setting]:
    """superres<factor>, inpaint<hole>, separate2, in the order of `images.tasks`."""
    it, f, h = spec["sampler"]["iterations"], spec["factor"], spec["hole"]
    rows = {"superres": Setting("images", f"superres{f}", "superres", it, factor=f,
                                args=f"--factor {f}", observed=True),
            "inpaint": Setting("images", f"inpaint{h}", "inpaint", it, hole=h,
                               args=f"--hole {h}", observed=True),
            "separate": Setting("images", IMAGE_PAIR, "separate", it,
                                args=f"--c {spec['c']}", mixture=True)}
    return [rows[t] for t in spec["tasks"]]


TASK_SPECS: dict[str, TaskSpec] = {}


def register_task_spec(spec: TaskSpec) -> TaskSpec:
    """Add (or replace) a task spec; its name is its config section and results folder."""
    TASK_SPECS[spec.name] = spec
    return spec


for _spec in (
        TaskSpec("superres", _superres, "mulaw", pairs="factors", score=("factor",),
                 label="Super-resolution", place=1, panel="x4",
                 table=Table("superres", "Audio super-resolution", "setting", ("snr", "lsd"),
                             joined=True)),
        TaskSpec("inpaint", _inpaint, "mulaw", pairs="gaps_ms", score=("gap_ms",),
                 label="Inpainting", place=3, panel="gap200",
                 table=Table("inpainting", "Audio inpainting", "setting", ("snr", "lsd"),
                             joined=True)),
        TaskSpec("separate", _separate, "linear", "mixture", label="Source separation",
                 place=2, panel="2src",
                 table=Table("separation", "Source separation", "source",
                             ("si_sdr", "sdr", "sir", "sar"))),
        TaskSpec("spectrogram", _spectrogram, "mel", schedule={"delta": 0.001},
                 label="Spectrogram-conditioned generation", metric="lsd", place=4,
                 demo="generation", panel="it64",
                 table=Table("spectrogram", "Spectrogram-conditioned generation: PnF vs "
                             "ancestral sampling", None, ("lsd", "seconds"),
                             rows=("method", "setting"))),
        TaskSpec("images", _images, "pixelcnn", "image", label="PixelCNN++ image tasks",
                 metric="psnr", place=5, demo="image",
                 verbs={"superres": "2× super-resolution", "inpaint": "inpainting",
                        "separate": "separation"},
                 table=Table("images", "PixelCNN++ on images: PSNR (dB)", "setting",
                             ("psnr",)))):
    register_task_spec(_spec)


def in_report_order() -> list[TaskSpec]:
    """The registered specs in the report's order (`place`, then registration)."""
    return sorted(TASK_SPECS.values(), key=lambda spec: spec.place)


def task_label(task: str) -> str:
    """How the report names `task` (an unregistered task: its own name)."""
    return TASK_SPECS[task].label if task in TASK_SPECS else task


def mixture_items(task: str, setting: str = "") -> bool:
    """Whether the items of `task`'s folder (or image verb) `setting` are a mixture's sources
    (<clip>-<source>): every setting of a mixture task, an image task's separation row."""
    spec = TASK_SPECS.get(task)
    if spec is None:
        return False
    return spec.mixture or (spec.image and setting.startswith(IMAGE_PAIR_VERB))


def tasks_where(**facts) -> list[str]:
    """The registered tasks whose spec has every field given, in registration order, e.g.
    tasks_where(observation="mixture") == ["separate"]."""
    return [name for name, spec in TASK_SPECS.items()
            if all(getattr(spec, key) == value for key, value in facts.items())]


def task_spec(name: str) -> TaskSpec:
    """The spec of task `name` (ValueError naming the registered ones when unknown)."""
    if name not in TASK_SPECS:
        raise ValueError(f"unknown task {name!r}; registered: {sorted(TASK_SPECS)}")
    return TASK_SPECS[name]
