"""`pnf restore TASK`: one verb per registered task (pnf.tasks.registry), audio and images.

    pnf restore superres --prior piano.pt --input clip.wav --output up.wav --factor 4
    pnf restore inpaint --prior piano.pt --input clip.wav --output filled.wav --gap 1.0:1.2
    pnf restore separate --prior piano-lin.pt --prior voice-lin.pt --input mix.wav \\
        --output sep.wav --names piano voice           # writes sep-piano.wav, sep-voice.wav
    pnf restore superres --method spline --input clip.wav --output up.wav --factor 4
    pnf restore image-inpaint --prior images.pt --input test.npy --index 3 --output-dir D

Each task class declares its flags, how its observation is read, which baselines apply
and what it writes (through its `io` class); this module only runs the steps in order.
"""

from __future__ import annotations

import time

import pnf.tasks  # noqa: F401  (registers the built-in tasks)
from pnf.commands.common import run_sampler
from pnf.tasks.registry import restore_tasks


def register(sub) -> None:
    restore = sub.add_parser("restore", help="restore audio or images with a prior (or a "
                                             "baseline)",
                             description="Restore by annealed Langevin dynamics on smoothed "
                                         "autoregressive priors, or with a baseline "
                                         "(--method). Audio inputs of any rate are resampled.")
    add_task_verbs(restore.add_subparsers(dest="task", metavar="TASK", required=True),
                   restore_tasks().values())


def add_task_verbs(tasks, classes, prefix: str = "") -> None:
    """One sub-verb per task class (its name less `prefix`), flags declared by the class."""
    for cls in classes:
        p = tasks.add_parser(cls.name.removeprefix(prefix), help=cls.help,
                             description=cls.help)
        cls.io.add_arguments(p, cls)
        p.set_defaults(func=run, task_class=cls)


def first_item(out, n_sources: int):
    """The first batch item of task.finish(): (*shape) or, for several sources, (S, *shape)."""
    return out[:, 0] if n_sources > 1 else out[0]


def run(args) -> int:
    cls = args.task_class
    start = time.perf_counter()
    priors = cls.io.load_priors(args, cls) if args.method == "pnf" else None
    rate = cls.io.rate(priors)
    obs = cls.observe(args, rate)
    run_info = {"sampling": None, "levels": None}
    if priors:
        task = cls.from_args(args, obs, priors)
        schedule = cls.io.schedule(args, priors[0])
        x, run_info["sampling"] = run_sampler(priors, task, schedule, args)
        run_info["levels"] = list(schedule.sigmas)
        result = first_item(task.finish(x), task.n_sources)
    else:
        result = cls.baseline(args, obs, rate)
    outputs = cls.outputs(args, obs, result)
    run_info["seconds"] = time.perf_counter() - start
    cls.io.write(args, cls, obs, outputs, rate, run_info)
    return 0
