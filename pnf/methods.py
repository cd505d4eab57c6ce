"""The baselines by name: one spec per method, read by the library, the report and the workflow.

    >>> from pnf.methods import METHODS, method, methods_for
    >>> methods_for("superres")                     # --method values besides pnf, in order
    ('spline', 'kee')
    >>> spec = method("kee")
    >>> spec.learned, spec.trains_on, spec.loss     # a network, one per dataset and factor
    (True, 'clean', 'l2')
    >>> method("convtasnet").trains_on              # one model on mixtures of the sources
    'mixtures'

A spec says everything the project knows about a method: the restore tasks it serves, its
label in tables and figures, and, for a learned one, its network ("module:Class", rebuilt
from checkpoints of kind `name`), its training loss (`pnf.baselines.losses.LOSSES`) and what
it trains on (`pnf.baselines.train.TRAINS_ON`):
- "clean": clean clips of one source, input spline(x[::K]) and target x; one model per
  dataset and factor (results/<exp>/baselines/<name>-<dataset>-x<K>.pt);
- "mixtures": mixtures of the two separation sources made on the fly, target the sources;
  one shared model (results/<exp>/baselines/<name>.pt).
A method without a network (signal processing) runs as a light job in the workflow.

Adding a learned baseline is its model file, one `Method` entry below (or
`register_method`) and its `baselines.<name>` section in the experiment config.
Plug-ins: `PNF_METHOD_PLUGINS` (environment, space-separated module names) lists modules
imported when this one is, each calling `register_method`; nothing read from a config,
a checkpoint or a command line names code to run, so only the pnf package and modules the
person starting the process names (as with PYTHONPATH) can add methods. The tests use it to
register a toy baseline in a real workflow run.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass

PLUGINS = "PNF_METHOD_PLUGINS"   # environment: modules that register more methods
TRAINS_ON = ("clean", "mixtures")


@dataclass(frozen=True)
class Method:
    """One baseline, e.g. Method("kee", ("superres",), "KEE", model="pnf.baselines.kee:KEE")."""

    name: str                   # --method value, results folder, checkpoint kind
    tasks: tuple[str, ...]      # the restore tasks it serves
    label: str                  # tables, figures, demo page
    model: str | None = None    # "module:Class" of its network; None: signal processing
    what: str = ""              # one line for `pnf describe` (learned methods)
    loss: str | None = None     # pnf.baselines.losses.LOSSES key (learned methods)
    trains_on: str | None = None  # "clean" or "mixtures" (learned methods; see above)

    def __post_init__(self):
        learned = (self.model, self.loss, self.trains_on)
        if any(v is None for v in learned) and any(v is not None for v in learned):
            raise ValueError(f"method {self.name}: a learned method needs model, loss and "
                             "trains_on; a signal-processing one none of them")
        if self.trains_on is not None and self.trains_on not in TRAINS_ON:
            raise ValueError(f"method {self.name}: trains_on {self.trains_on!r} is not one "
                             f"of {list(TRAINS_ON)}")

    @property
    def learned(self) -> bool:
        """True for a method with a network (trained, restored as a restore-class job)."""
        return self.model is not None


METHODS: dict[str, Method] = {}


def register_method(spec: Method) -> Method:
    """Add (or replace) a method; its name is its --method value and checkpoint kind."""
    METHODS[spec.name] = spec
    return spec


for _spec in (
        Method("zero", ("inpaint",), "Zero fill"),
        Method("linear", ("inpaint",), "Linear"),
        Method("spline", ("superres", "inpaint"), "Spline"),
        Method("kee", ("superres",), "KEE", "pnf.baselines.kee:KEE",
               "KEE super-resolution baseline", "l2", "clean"),
        Method("convtasnet", ("separate",), "Conv-TasNet",
               "pnf.baselines.convtasnet:ConvTasNet", "Conv-TasNet separation baseline",
               "neg_snr", "mixtures"),
        Method("demucs", ("separate",), "Demucs", "pnf.baselines.demucs:Demucs",
               "Demucs separation baseline", "l1", "mixtures"),
        Method("demucs_pkg", ("separate",), "Demucs (package)",
               "pnf.baselines.demucs_pkg:PackageDemucs",
               "Demucs separation baseline (model class of the demucs package)", "l1",
               "mixtures")):
    register_method(_spec)


def method(name: str) -> Method:
    """The spec of `name` (ValueError naming the registered ones when unknown)."""
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; registered: {sorted(METHODS)}")
    return METHODS[name]


def methods_for(task: str) -> tuple[str, ...]:
    """The methods serving `task`, in registry order (e.g. methods_for("inpaint"))."""
    return tuple(m.name for m in METHODS.values() if task in m.tasks)


def learned() -> tuple[str, ...]:
    """The methods with a network, in registry order."""
    return tuple(m.name for m in METHODS.values() if m.learned)


def load_plugins(names: str | None = None) -> None:
    """Import the modules named in PNF_METHOD_PLUGINS (or `names`), which register methods."""
    for module in (os.environ.get(PLUGINS, "") if names is None else names).split():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as err:
            raise ImportError(f"{PLUGINS} names {module!r}, which cannot be imported ({err}); "
                              f"fix {PLUGINS} or PYTHONPATH") from None


load_plugins()
