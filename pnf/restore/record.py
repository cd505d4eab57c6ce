"""One run record per restoration: what ran, with which setting, how long, from which code.

    >>> rec = run_record("superres", {"factor": 4, "resample": False}, "pnf", info, 12.3)
    >>> write_json("up.run.json", rec)                    # atomic (pnf.atomic)
    >>> read_record("up.run.json")["iterations"]          # T per level; None: a baseline
    256

`pnf restore` writes it beside its output (OUT.wav -> OUT.run.json) or to --timing;
`pnf image restore` writes it as OUTPUT_DIR/run.json. Its `seconds` is the wall time the
workflow's timing files always held (images: the sampling time), so `pnf evaluate item
--run RECORD` reads the iterations and seconds from it instead of flags.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from pnf.report.provenance import code_version


def record_path(output: str | Path) -> Path:
    """Where a restoration writing `output` puts its record: OUT.wav -> OUT.run.json."""
    return Path(output).with_suffix(".run.json")


@functools.cache
def _code_version() -> str:
    return code_version()       # one `git describe` per process (many items per process)


def run_record(task: str, setting: dict, method: str, info: dict, seconds: float,
               **extra) -> dict:
    """The record of one restoration.

    setting: the task's own options (factor, gap, names, c, ...); info: what
    pnf.restoration.restore returned ({"levels", "iterations", "seed", "precision",
    "sampling"}; empty for a baseline, which samples nothing); seconds: the wall time.
    """
    return {"task": task, "setting": setting, "method": method,
            "levels": info.get("levels"), "iterations": info.get("iterations"),
            "seed": info.get("seed"), "precision": info.get("precision"),
            "seconds": seconds, "sampling_seconds": info.get("sampling"), **extra,
            "code_version": _code_version()}


def read_record(path: str | Path) -> dict:
    """A run record (or a bare {"seconds": ...} timing file) as a dict; one-line errors."""
    try:
        record = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such run record; give the JSON file that "
                                "`pnf restore` wrote (OUT.run.json or --timing)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: not a run record ({err}); give the JSON file that "
                         "`pnf restore` wrote") from None
    if not isinstance(record, dict):
        raise ValueError(f"{path}: not a run record (a JSON object); give the JSON file "
                         "that `pnf restore` wrote")
    return record
