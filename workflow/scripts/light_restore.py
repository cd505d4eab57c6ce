"""The signal-processing baselines (spline, zero, linear) and the observation files of one
task and dataset, every setting and item, in ONE process: each item is the same `pnf
restore` call the per-item rules made (same flags, files and --timing record), run through
pnf.cli.main in-process, so the DAG pays the process and torch start-up once, not per item
(see <OUT>/budget).

    python workflow/scripts/light_restore.py '{"task": "superres", "dataset": "piano",
        "settings": {"x4": "--factor 4"}, "methods": ["spline"], "observe": "spline",
        "items": ["c000"], "restored": "results/smoke/restored",
        "timing": "results/smoke/timing"}'
"""

import json
import sys
import tempfile
from pathlib import Path

from pnf.cli import main


def calls(spec: dict, scratch: Path) -> list[list[str]]:
    """`pnf` argument lists: per setting and item, the observation cut, then each method."""
    out = []
    for setting, flags in spec["settings"].items():
        cell = f"{spec['dataset']}/{spec['task']}/{setting}"
        for item in spec["items"]:
            truth = f"{spec['restored']}/{cell}/truth/{item}.wav"
            head = ["restore", spec["task"], *flags.split(), "--input", truth]
            out.append([*head, "--method", spec["observe"], "--output",
                        str(scratch / "discard.wav"), "--save-input",
                        f"{spec['restored']}/{cell}/input/{item}.wav"])
            out += [[*head, "--method", m, "--output", f"{spec['restored']}/{cell}/{m}/{item}.wav",
                     "--timing", f"{spec['timing']}/{cell}/{m}/{item}.json"]
                    for m in spec["methods"]]
    return out


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        for argv in calls(json.loads(sys.argv[1]), Path(scratch)):
            print("pnf " + " ".join(argv), file=sys.stderr, flush=True)
            if main(argv) != 0:
                sys.exit(f"pnf {' '.join(argv)} failed")
