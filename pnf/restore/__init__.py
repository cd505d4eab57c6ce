"""The restore layer: a `pnf restore NAME` command line -> a typed, checked request -> a
restoration, its files and its run record. The sampler's side of each task is pnf.tasks;
PnF itself is pnf.restoration.restore.

    >>> from pnf.restore.request import request
    >>> from pnf.restore.run import run
    >>> run(request(args))                      # args: a parsed `pnf restore NAME` line

Modules: `registry` (restore tasks by name), `base` (a task's restore side), one module per
task family (`audio`: superres, inpaint; `separation`; `generation`: spectrogram; `image`),
`audio_io` / `image_io` (files in and out, flags, schedule), `request`, `run`, `record`
(one run record per restoration). `registry.restore_tasks()` registers the built-in tasks
on its first call; importing this package imports none of them (nor torch).
"""
