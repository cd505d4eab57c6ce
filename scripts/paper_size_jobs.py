"""One job of each kind at the paper's REAL sizes on this machine: wall time and peak RSS.

    .venv/bin/python scripts/paper_size_jobs.py --data data/paper-mini --out results/paper-size
    (after `make reproduce EXPERIMENT=paper-mini`, whose prepared sets it trains on)

Each row runs the pipeline's own command under `/usr/bin/time` in its own process, on the
models, crops and batch sizes of experiments/paper.yaml, with the step counts cut to one:

- the WaveNet prior: one training step and one per-level fine-tuning step (`pnf train prior`,
  one level of the ladder), crop 10 240, batch 16 (and, where the memory estimate refuses
  that on this machine, at a quarter of the batch);
- KEE (x4), Conv-TasNet, Demucs: one training step (`pnf train baseline`);
- the PixelCNN++ prior: one training step and one fine-tuning step (`pnf image train`), at
  the paper's batch of 16 and at a quarter of it;
- one Langevin update of the paper WaveNet on a 4 s clip in a 20 000-sample window: forward
  and input gradient (`pnf bench langevin --window 20000`, its segment row).

Each job's address space is capped (--cap-gb, default 12): one that needs more is reported
as failed rather than left to the kernel's OOM killer. Writes OUT/jobs.md (job, wall s, peak
RSS GiB, or the refusal) and OUT/jobs.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path

import yaml

from pnf.experiments import deep_merge, read_experiment
from pnf.methods import method

ROOT = Path(__file__).resolve().parents[1]

ONE = {"steps": 1, "checkpoint_every": 1}


def configs(paper: dict) -> dict[str, dict]:
    """One-step configs of the paper's models (name -> YAML mapping)."""
    prior = deep_merge(paper["priors"]["base"], {"training": ONE, "finetune_steps": 1,
                                                 "sigmas": paper["priors"]["base"]["sigmas"][:1]})
    image = deep_merge(paper["images"]["prior"], {"training": ONE, "finetune_steps": 1,
                                                  "sigmas": [1.0]})
    quarter = deep_merge(prior, {"training": {"batch_size": prior["training"]["batch_size"] // 4}})
    image_quarter = deep_merge(image, {"training": {
        "batch_size": image["training"]["batch_size"] // 4}})
    out = {"prior": prior, "prior-quarter-batch": quarter, "pixelcnn": image,
           "pixelcnn-quarter-batch": image_quarter}
    for name in paper["baselines"]:
        out[name] = deep_merge(paper["baselines"][name], {"training": ONE})
    return out


def baseline_commands(paper: dict, cfg: Path, data: Path, out: Path, pnf: str) -> dict:
    """One step of each learned baseline of the paper (pnf.methods), on what it trains on:
    clean voice clips at x4, or mixtures of the piano and voice sets."""
    jobs = {}
    for name, spec in paper["baselines"].items():
        clean = method(name).trains_on == "clean"
        crop = f"{spec['crop']:,}".replace(",", " ")
        size = f"crop {crop}, batch {spec['training']['batch_size']}"
        data_args = (f"--data {data}/vctk --factor 4 --source voice" if clean
                     else f"--piano {data}/supra --voice {data}/vctk")
        jobs[f"{method(name).label}{' x4' if clean else ''}: 1 step ({size})"] = (
            f"{pnf} train baseline --method {name} --config {cfg}/{name}.yaml {data_args} "
            f"--out {out}/{name}.pt")
    return jobs


def commands(paper: dict, cfg: Path, data: Path, out: Path) -> dict[str, str]:
    """The job -> shell command (the workflow's rules, one step each)."""
    py = Path(sys.executable).parent
    pnf = f"{py}/pnf"
    return {
        "WaveNet prior: 1 step + 1 fine-tune step (crop 10 240, batch 16)":
            f"{pnf} train prior --config {cfg}/prior.yaml --data {data}/vctk "
            f"--out {out}/prior.pt --device cpu",
        "WaveNet prior, a quarter of the batch (4): 1 step + 1 fine-tune step":
            f"{pnf} train prior --config {cfg}/prior-quarter-batch.yaml --data {data}/vctk "
            f"--out {out}/prior-quarter-batch.pt --device cpu",
        **baseline_commands(paper, cfg, data, out, pnf),
        "PixelCNN++: 1 step + 1 fine-tune step (batch 16)":
            f"{pnf} image train --config {cfg}/pixelcnn.yaml --data {data}/cifar10 "
            f"--out {out}/pixelcnn.pt --device cpu",
        "PixelCNN++, a quarter of the batch (4): 1 step + 1 fine-tune step":
            f"{pnf} image train --config {cfg}/pixelcnn-quarter-batch.yaml --data {data}/cifar10 "
            f"--out {out}/pixelcnn-quarter-batch.pt --device cpu",
        "paper WaveNet, 4 s clip, 20 000-sample window: forward + input gradient":
            f"{pnf} bench langevin --config {ROOT}/experiments/paper.yaml --seconds 4 "
            f"--window 20000 --batches 1 --precisions fp32 --repeats 1 --no-train --no-peer "
            f"--device cpu --json {out}/langevin.json",
    }


def measure(command: str, log: Path, cap_gb: float) -> dict:
    """Wall seconds and peak RSS (GiB) of `command`, run under /usr/bin/time with its
    address space capped at `cap_gb` (a job that needs more fails instead of calling the
    kernel's OOM killer onto a shared machine)."""
    def cap():
        limit = int(cap_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    start = time.monotonic()
    with open(log, "w") as f:
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", *shlex.split(command)],
                              stdout=f, stderr=subprocess.PIPE, text=True, preexec_fn=cap,
                              env={**os.environ, "OMP_NUM_THREADS": "1"})
    wall = time.monotonic() - start
    lines = proc.stderr.strip().splitlines()
    refused = next((ln for ln in lines if ln.startswith("pnf: error:")), None)
    if proc.returncode and refused is None:
        refused = f"failed under a {cap_gb:g} GB address-space cap: {lines[-2][:200]}"
    return {"wall_s": round(wall, 1), "peak_rss_gib": round(int(lines[-1]) / 2**20, 2),
            "refused": refused}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data/paper-mini", help="prepared vctk, supra, cifar10")
    ap.add_argument("--out", default="results/paper-size")
    ap.add_argument("--cap-gb", type=float, default=12.0,
                    help="address-space cap per job in GB (default %(default)s)")
    ap.add_argument("--only", help="run only the jobs whose name contains this text")
    args = ap.parse_args()
    out, data = Path(args.out).resolve(), Path(args.data).resolve()
    (out / "configs").mkdir(parents=True, exist_ok=True)
    paper = read_experiment(ROOT / "experiments/paper.yaml")
    for name, cfg in configs(paper).items():
        (out / "configs" / f"{name}.yaml").write_text(yaml.safe_dump(cfg))
    rows = []
    for k, (job, command) in enumerate(commands(paper, out / "configs", data, out).items()):
        if args.only and args.only not in job:
            continue
        rows.append({"job": job, "command": command,
                     **measure(command, out / f"job{k}.log", args.cap_gb)})
        print(f"{job}: {rows[-1]['wall_s']} s, {rows[-1]['peak_rss_gib']} GiB "
              f"{rows[-1]['refused'] or ''}", flush=True)
    (out / "jobs.json").write_text(json.dumps(rows, indent=1))
    lines = ["| job | wall s | peak RSS GiB |", "|---|---|---|"]
    lines += [f"| {r['job']} | {r['wall_s']} | {r['peak_rss_gib']} |" if not r["refused"]
              else f"| {r['job']} | refused: {r['refused']} | |" for r in rows]
    (out / "jobs.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
