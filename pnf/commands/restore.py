"""`pnf restore TASK`: one verb per registered task (pnf.restore.registry), audio and images.

    pnf restore superres --prior piano.pt --input clip.wav --output up.wav --factor 4
    pnf restore inpaint --prior piano.pt --input clip.wav --output filled.wav --gap 1.0:1.2
    pnf restore separate --prior piano-lin.pt --prior voice-lin.pt --input mix.wav \\
        --output sep.wav --names piano voice           # writes sep-piano.wav, sep-voice.wav
    pnf restore superres --method spline --input clip.wav --output up.wav --factor 4
    pnf restore image-inpaint --prior images.pt --input test.npy --index 3 --output-dir D

Each task's restore side (pnf.restore) declares its flags, how its observation is read,
which baselines apply and what it writes (through its `io` class); this module declares
the verbs and hands the parsed line to the restore layer, which turns it into a checked
request (pnf.restore.request) and runs it (pnf.restore.run; PnF is pnf.restoration.restore).
Every restoration writes a run record beside its output (OUT.run.json, or --timing).
"""

from __future__ import annotations

import time

from pnf.restore.registry import restore_tasks
from pnf.restore.request import request
from pnf.restore.run import run as run_request


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


def run(args) -> int:
    """The parsed line as a checked request (before any model loads), then the restoration."""
    start = time.perf_counter()
    return run_request(request(args), start)
