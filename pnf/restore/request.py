"""A `pnf restore NAME` command line as a typed request, read and checked once.

    >>> req = request(parser.parse_args(["restore", "superres", "--prior", "p.pt",
    ...                                  "--input", "in.wav", "--output", "up.wav",
    ...                                  "--factor", "4"]))
    >>> req.task.name, req.setting.factor, req.schedule.iterations, req.sampling.seed
    ('superres', 4, 256, 0)

`request(args)` applies every option rule (pnf.validate), the variants' and the task's own
checks and the output paths, all before a model loads; the restore layer (pnf.restore.run)
and every task's restore side read the request, never the argparse object.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from pnf import variants
from pnf.checkpoints import check_checkpoint
from pnf.langevin import COMPILE_CUDA_ONLY
from pnf.methods import methods_for
from pnf.restoration import Sampling
from pnf.runtime import pick_device
from pnf.validate import check_args

# The schedule flags of the io classes (audio: delta, eta, window, schedule, n_levels;
# images: lr, grid); a request keeps those its verb has.
SCHEDULE_FLAGS = ("iterations", "levels", "delta", "eta", "window", "schedule", "n_levels",
                  "lr", "grid")


@dataclass(frozen=True)
class Request:
    """One restoration asked for."""

    task: type                        # the registered restore side (pnf.restore.base.Restore)
    setting: argparse.Namespace       # the task's own options: factor, gap, names, c, hole, ...
    input: str                        # audio file, or .npy of test images
    output: str                       # audio file (chains: OUT-1 ...), or the images' folder
    schedule: argparse.Namespace      # the schedule flags (SCHEDULE_FLAGS the verb has)
    sampling: Sampling = field(default_factory=Sampling)   # seed, device, precision, chains
    method: str = "pnf"               # pnf, or a baseline of the task (pnf.methods)
    priors: tuple[str, ...] = ()      # prior files
    model: str | None = None          # a learned baseline's checkpoint
    index: tuple[int, ...] = ()       # images: the test images restored
    save_input: str | None = None     # also write what the method saw here
    record: str | None = None         # the run record's path (None: beside the output)


def sampling(args) -> Sampling:
    """How a verb's chains run, from its flags (those it lacks at their defaults)."""
    return Sampling(seed=args.seed, device=args.device,
                    precision=getattr(args, "precision", "auto"),
                    compile=getattr(args, "compile", False), chains=getattr(args, "batch", 1),
                    mean_of=getattr(args, "mean_of", 1),
                    warm_start=getattr(args, "warm_start", False),
                    start_sigma=getattr(args, "start_sigma", None))


def check_compile(args) -> None:
    """--compile asks for torch.compile of the update: CUDA only (checked before any work)."""
    if getattr(args, "compile", False) and pick_device(args.device).type != "cuda":
        raise ValueError(COMPILE_CUDA_ONLY)


def task_setting(task: type, args: argparse.Namespace) -> argparse.Namespace:
    """The options `task` declares (its add_options), read from `args`: e.g.
    Namespace(factor=4, resample=False) for superres."""
    p = argparse.ArgumentParser(add_help=False)
    task.add_options(p)
    return argparse.Namespace(**{a.dest: getattr(args, a.dest) for a in p._actions})


def request(args: argparse.Namespace) -> Request:
    """The checked request of a parsed `pnf restore NAME` (or `pnf image restore`) line."""
    check_args(args)
    check_compile(args)
    cls = args.task_class
    req = Request(task=cls, setting=task_setting(cls, args), input=args.input,
                  output=getattr(args, "output", None) or args.output_dir,
                  schedule=argparse.Namespace(**{k: getattr(args, k) for k in SCHEDULE_FLAGS
                                                 if hasattr(args, k)}),
                  sampling=sampling(args), method=args.method, priors=tuple(args.prior),
                  model=getattr(args, "model", None), index=tuple(getattr(args, "index", ())),
                  save_input=getattr(args, "save_input", None),
                  record=getattr(args, "timing", None))
    check(req)
    return req


def check(req: Request) -> None:
    """The method, the chain count, the task's consistency and every output path."""
    cls, method = req.task, req.method
    if method != "pnf" and method not in methods_for(cls.name):
        raise ValueError(f"--method {method}: not a method of {cls.name}; give pnf"
                         + "".join(f", {b}" for b in methods_for(cls.name)))
    chains = req.sampling.chains
    if chains > 1 and method != "pnf":
        raise ValueError(f"--batch {chains}: only --method pnf draws independent chains; "
                         f"{method} gives one result")
    variants.check(method, req.sampling)
    cls.validate(req)
    cls.io.check_paths(req, cls)
    if method != "pnf" and req.model:
        check_checkpoint(req.model)
