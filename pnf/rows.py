"""A study's result rows: appended to a CSV as each run finishes, so a killed study resumes.

    >>> append_rows(Path("r.csv"), [{"run": "pnf64", "snr": 5.9}], ["run", "snr"])
    >>> {r["run"] for r in read_rows(Path("r.csv"))}        # what is done: {'pnf64'}

Used by the convergence study (workflow/scripts/convergence.py) and
scripts/validate_variants.py: each skips the rows a previous run already wrote.
"""

from __future__ import annotations

import csv
from pathlib import Path


def append_rows(path: Path, rows: list[dict], fields: list[str]) -> None:
    """Append `rows` to the CSV at `path` (header first when it is new), flushed at once."""
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fields)
        if new:
            w.writeheader()
        w.writerows(rows)
        f.flush()


def read_rows(path: Path) -> list[dict]:
    """The rows written so far; none when the CSV does not exist yet."""
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))
