"""Run a checked request: load the priors, read the observation, restore, write every file.

    >>> from pnf.restore.request import request
    >>> run(request(args))          # 0; the outputs and the run record written, or none

PnF is pnf.restoration.restore (the function the studies call in memory too); a baseline
is the task's `baseline`. The files are written all or nothing (pnf.atomic).
"""

from __future__ import annotations

import dataclasses
import time

from pnf.atomic import all_or_nothing
from pnf.restoration import restore
from pnf.restore.audio_io import chain_paths
from pnf.restore.request import Request


def run(req: Request, start: float | None = None) -> int:
    """Restore as `req` says; `start`: when the command began (perf_counter), for `seconds`."""
    cls, start = req.task, time.perf_counter() if start is None else start
    priors = cls.io.load_priors(req, cls) if req.method == "pnf" else None
    if priors:
        schedule = cls.io.schedule(req.schedule, priors[0])
        cls.check_run(req, priors, schedule)
    rate = cls.io.rate(priors, req)
    obs = cls.observe(req, rate)
    info = {}
    if priors:
        results, info = restore(priors, cls, obs, schedule, req.sampling, req.setting,
                                f"restoring {req.input}")
    else:
        results = [cls.baseline(req, obs, rate)]
    outputs, chains = {}, req.sampling.chains
    for i, result in enumerate(results):
        chain = req if chains == 1 else dataclasses.replace(
            req, output=str(chain_paths(req.output, chains)[i]))
        outputs.update(cls.outputs(chain, obs, result))
    info["seconds"] = time.perf_counter() - start
    with all_or_nothing():                     # every output of the run, or none
        cls.io.write(req, cls, obs, outputs, rate, info)
    return 0
