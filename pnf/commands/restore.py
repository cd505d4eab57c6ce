"""`pnf restore TASK`: one verb per registered task (pnf.tasks.registry), audio and images.

    pnf restore superres --prior piano.pt --input clip.wav --output up.wav --factor 4
    pnf restore inpaint --prior piano.pt --input clip.wav --output filled.wav --gap 1.0:1.2
    pnf restore separate --prior piano-lin.pt --prior voice-lin.pt --input mix.wav \\
        --output sep.wav --names piano voice           # writes sep-piano.wav, sep-voice.wav
    pnf restore superres --method spline --input clip.wav --output up.wav --factor 4
    pnf restore image-inpaint --prior images.pt --input test.npy --index 3 --output-dir D

Each task class declares its flags, how its observation is read, which baselines apply
and what it writes (through its `io` class); this module only runs the steps in order.
PnF itself is pnf.restoration.restore, the function the studies call in memory too.
"""

from __future__ import annotations

import copy
import time

import pnf.tasks  # noqa: F401  (registers the built-in tasks)
from pnf import variants
from pnf.atomic import all_or_nothing
from pnf.checkpoints import check_checkpoint
from pnf.commands.common import check_compile, sampling
from pnf.methods import methods_for
from pnf.restoration import restore
from pnf.tasks.audio_io import chain_paths
from pnf.tasks.registry import restore_tasks
from pnf.validate import check_args


def register(sub) -> None:
    restore = sub.add_parser("restore", help="restore audio or images with a prior (or a "
                                             "baseline)",
                             description="Restore by annealed Langevin dynamics on smoothed "
                                         "autoregressive priors, or with a baseline "
                                         "(--method). Inpainting keeps the input's rate "
                                         "(samples outside the gaps bit-identical); "
                                         "super-resolution takes the "
                                         "prior's rate or rate/K (--resample for others). "
                                         "--batch N > 1 writes OUT-1 ... OUT-N. "
                                         "--warm-start and --mean-of K are variants of "
                                         "ours, not the paper's.")
    add_task_verbs(restore.add_subparsers(dest="task", metavar="TASK", required=True),
                   restore_tasks().values())


def add_task_verbs(tasks, classes, prefix: str = "") -> None:
    """One sub-verb per task class (its name less `prefix`), flags declared by the class."""
    for cls in classes:
        p = tasks.add_parser(cls.name.removeprefix(prefix), help=cls.help,
                             description=cls.help)
        cls.io.add_arguments(p, cls)
        p.set_defaults(func=run, task_class=cls)


def check(args, cls) -> int:
    """Every option, the task's consistency and every output path; returns the chain count."""
    check_args(args)
    check_compile(args)
    if args.method != "pnf" and args.method not in methods_for(cls.name):
        raise ValueError(f"--method {args.method}: not a method of {cls.name}; give pnf"
                         + "".join(f", {b}" for b in methods_for(cls.name)))
    chains = getattr(args, "batch", 1)
    if chains > 1 and args.method != "pnf":
        raise ValueError(f"--batch {chains}: only --method pnf draws independent chains; "
                         f"{args.method} gives one result")
    variants.check(args)
    cls.validate(args)
    cls.io.check_paths(args, cls)
    if args.method != "pnf" and getattr(args, "model", None):
        check_checkpoint(args.model)
    return chains


def run(args) -> int:
    cls = args.task_class
    start = time.perf_counter()
    chains = check(args, cls)
    priors = cls.io.load_priors(args, cls) if args.method == "pnf" else None
    if priors:
        schedule = cls.io.schedule(args, priors[0])
        cls.check_run(args, priors, schedule)
    rate = cls.io.rate(priors, args)
    obs = cls.observe(args, rate)
    run_info = {"sampling": None, "levels": None}
    if priors:
        results, run_info = restore(priors, cls, obs, schedule, sampling(args), args,
                                    f"restoring {args.input}")
    else:
        results = [cls.baseline(args, obs, rate)]
    outputs = {}
    for i, result in enumerate(results):
        chain = copy.copy(args)
        if chains > 1:
            chain.output = str(chain_paths(args.output, chains)[i])
        outputs.update(cls.outputs(chain, obs, result))
    run_info["seconds"] = time.perf_counter() - start
    with all_or_nothing():                     # every output of the run, or none
        cls.io.write(args, cls, obs, outputs, rate, run_info)
    return 0
