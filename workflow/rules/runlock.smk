# Stale-lock recovery. Snakemake locks the output files of a run under .snakemake/locks/ and
# removes the lock when it exits; a run killed with SIGKILL (OOM killer, scancel, power cut)
# leaves it behind and every later run stops with a LockException. This file runs when the
# Snakefile is parsed, before Snakemake takes its lock: each run holds an exclusive
# flock on .snakemake/pnf-run.lock for as long as its process lives (the kernel releases it
# when the process dies, however it dies). Whoever gets that flock knows no other run is
# alive in this folder, so any Snakemake lock present is stale and is removed; whoever does
# not get it leaves the locks alone, so Snakemake refuses the second, concurrent run.
# Jobs that re-parse the Snakefile (cluster jobs, --mode remote/subprocess) do nothing here.
import fcntl
import sys
from pathlib import Path

RUN_LOCK = ".snakemake/pnf-run.lock"


def hold_run_lock(path=RUN_LOCK):
    """The open, flocked run-lock file (kept for the process lifetime), or None when another
    run in this folder holds it. Removes Snakemake's locks when they can only be stale."""
    if not getattr(workflow, "is_main_process", True):
        return None
    lock = Path(path)
    lock.parent.mkdir(exist_ok=True)
    handle = open(lock, "a")  # close-on-exec: jobs started by this run do not inherit it
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    stale = sorted((lock.parent / "locks").glob("*.lock"))
    for path in stale:
        path.unlink(missing_ok=True)
    if stale:
        print(f"pnf: removed {len(stale)} stale Snakemake lock(s) of a run that was killed "
              f"(no other run holds {lock}); finished outputs are kept", file=sys.stderr)
    return handle


RUN_LOCK_HANDLE = hold_run_lock()
