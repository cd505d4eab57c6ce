"""The restore layer: the `pnf restore` command line turned into a restoration and its
files (pnf.restoration runs the sampler; pnf.tasks are the sampler's side of a task).

    >>> from pnf.restore.record import read_record
    >>> read_record("up.run.json")["seconds"]
"""
