"""PnF and our variants on VALIDATION clips: how `small`'s super-resolution rows were chosen.

    PYTHONPATH=. python scripts/validate_variants.py --config experiments/small.yaml \\
        --priors results/small/priors --csv results/small/validation/variants.csv

For each dataset and factor, restores the validation clip (the last test-split clip of the
manifest, cut to --seconds; never a scored item, see workflow/scripts/convergence.py) with
`pnf restore superres` once per RUN (NAME=FLAGS, the `pnf restore` flags of that row), on the
experiment's ladder and step, and prints SNR and LSD against the truth with the spline's.
One CSV row per restoration, appended as it finishes: a killed run resumes where it stopped.

Measured 2026-11-30 (0.5 s, the 32/64/32 priors trained 1 500 steps, the default runs;
SNR dB / LSD): piano x4 pnf64 5.88 / 7.94, warm64 9.38 / 7.36, mean4x16 3.11 / 8.35,
warm-mean4x16 10.55 / 7.51, spline 16.51 / 5.34; piano x16 0.59 / 7.32, 2.86 / 7.72,
0.18 / 8.00, 3.89 / 8.37, spline 8.94 / 7.83; voice x4 0.89 / 3.19, 4.89 / 2.80,
1.25 / 2.93, 4.62 / 2.96, spline 6.21 / 9.53; voice x16 -0.23 / 3.13, 1.64 / 3.13,
-0.07 / 3.06, 1.94 / 3.10, spline 3.24 / 13.53.
"""

from __future__ import annotations

import argparse
import csv
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow" / "scripts"))
from convergence import append, validation_clip  # noqa: E402

from pnf.audio import RATE, read_audio  # noqa: E402
from pnf.config import read_yaml  # noqa: E402
from pnf.measures import lsd, snr  # noqa: E402

RUNS = ["spline=--method spline", "pnf64=--iterations 64", "warm64=--iterations 64 --warm-start",
        "mean4x16=--iterations 16 --mean-of 4",
        "warm-mean4x16=--iterations 16 --warm-start --mean-of 4"]
FIELDS = ["dataset", "factor", "run", "snr", "lsd", "clip"]


def restore(prior: Path, wav: Path, out: Path, factor: int, sampler: dict, flags: str) -> None:
    """One `pnf restore superres` call on the experiment's ladder and step."""
    levels = " ".join(str(v) for v in sampler["levels"])
    cmd = (f"pnf restore superres --prior {prior} --input {wav} --output {out} "
           f"--factor {factor} --levels {levels} --delta {sampler['delta']} "
           f"--seed {sampler.get('seed', 0)} --device cpu {flags}")
    subprocess.run(shlex.split(cmd), check=True, stdout=subprocess.DEVNULL)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", required=True, help="experiment YAML (data, ladder, step)")
    p.add_argument("--priors", type=Path, required=True, help="folder of <dataset>-mulaw.pt")
    p.add_argument("--csv", type=Path, required=True)
    p.add_argument("--datasets", nargs="+", default=["piano", "voice"])
    p.add_argument("--factors", type=int, nargs="+", default=[4, 16])
    p.add_argument("--runs", nargs="+", default=RUNS, metavar="NAME=FLAGS")
    p.add_argument("--seconds", type=float, default=0.5)
    args = p.parse_args(argv)
    cfg = read_yaml(args.config, "experiment")
    done = set()
    if args.csv.exists():
        with args.csv.open(newline="") as f:
            done = {(r["dataset"], r["factor"], r["run"]) for r in csv.DictReader(f)}
    with tempfile.TemporaryDirectory() as tmp:
        for dataset in args.datasets:
            spec = cfg["datasets"][dataset]
            manifest = Path(cfg["data"]["root"]) / spec["set"] / "manifest.csv"
            clip, wave = validation_clip(manifest, spec["source"], args.seconds)
            wav = Path(tmp) / f"{dataset}.wav"
            sf.write(wav, np.asarray(wave), RATE, subtype="FLOAT")
            for factor in args.factors:
                for run in args.runs:
                    name, _, flags = run.partition("=")
                    if (dataset, str(factor), name) in done:
                        continue
                    out = Path(tmp) / f"{dataset}-x{factor}-{name}.wav"
                    restore(args.priors / f"{dataset}-mulaw.pt", wav, out, factor,
                            cfg["sampler"], flags)
                    est = read_audio(out, RATE, quiet=True)[: len(wave)]
                    row = dict(zip(FIELDS, (dataset, factor, name, snr(wave, est),
                                            lsd(wave, est), clip), strict=True))
                    append(args.csv, [row], FIELDS)
                    print(f"{dataset} x{factor} {name}: SNR {row['snr']:.2f} dB, "
                          f"LSD {row['lsd']:.2f}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
