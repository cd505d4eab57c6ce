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
workflow's plan from these specs and the config alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

OBSERVATIONS = ("clip", "mixture", "image")


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

    def __post_init__(self):
        if self.observation not in OBSERVATIONS:
            raise ValueError(f"task {self.name}: observation {self.observation!r} is not one "
                             f"of {list(OBSERVATIONS)}")

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
            "separate": Setting("images", "separate2", "separate", it,
                                args=f"--c {spec['c']}", mixture=True)}
    return [rows[t] for t in spec["tasks"]]


TASK_SPECS: dict[str, TaskSpec] = {}


def register_task_spec(spec: TaskSpec) -> TaskSpec:
    """Add (or replace) a task spec; its name is its config section and results folder."""
    TASK_SPECS[spec.name] = spec
    return spec


for _spec in (
        TaskSpec("superres", _superres, "mulaw", pairs="factors", score=("factor",)),
        TaskSpec("inpaint", _inpaint, "mulaw", pairs="gaps_ms", score=("gap_ms",)),
        TaskSpec("separate", _separate, "linear", "mixture"),
        TaskSpec("spectrogram", _spectrogram, "mel", schedule={"delta": 0.001}),
        TaskSpec("images", _images, "pixelcnn", "image")):
    register_task_spec(_spec)


def task_spec(name: str) -> TaskSpec:
    """The spec of task `name` (ValueError naming the registered ones when unknown)."""
    if name not in TASK_SPECS:
        raise ValueError(f"unknown task {name!r}; registered: {sorted(TASK_SPECS)}")
    return TASK_SPECS[name]
