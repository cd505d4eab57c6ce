"""`pnf image {train,restore,sample}`: the PixelCNN++ prior and PnF on images.

    pnf data build images --out data/embedded --size smoke
    pnf image train --config experiments/models/pixelcnn-tiny.yaml \\
        --data data/embedded/images --out results/priors/images.pt
    pnf image restore inpaint --prior results/priors/images.pt \\
        --input data/embedded/images/test.npy --index 3 --output-dir results/images/inpaint/3
    pnf image restore separate --prior P.pt --input test.npy --index 3 --index 7 --output-dir D
    pnf image sample --prior results/priors/images.pt --output results/images/samples --count 4

Outputs (all images (3, 32, 32) float32 in [-1, 1]; every .npy also as a .png):
- train: the prior file OUT (+ OUT.parts/ while running); prints test bits/dim.
- restore superres|inpaint: DIR/truth.npy, DIR/input.npy (the observation on the full
  grid, unobserved pixels 0), DIR/pnf.npy (observed pixels bit-identical), DIR/run.json.
- restore separate: DIR/truth.npy (2, 3, 32, 32), DIR/input.npy (the mixture x_I + x_J,
  in [-2, 2]; its PNG shows it halved), DIR/pnf-a.npy, DIR/pnf-b.npy, DIR/run.json.
- sample: DIR/samples.npy (N, 3, 32, 32), DIR/sample-<i>.png, DIR/run.json.
Step size η = lr·(σ/σ_L)² (Schedule.delta = lr); the default ladder is the prior's levels.
Cost: one Langevin step of the tiny prior on one 32x32 image ≈ 0.15 s on one CPU core at
--grid 256, so T=300 x 19 levels is ~15 min per image on a CPU; smoke runs should use
fewer levels/iterations (and --grid 64).
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import numpy as np
import torch

from pnf.atomic import write_bytes_atomic, write_json
from pnf.datasets.manifest import save_npy
from pnf.langevin import Schedule, anneal
from pnf.training import pick_device

TASKS = ("superres", "inpaint", "separate")


def register(sub) -> None:
    image = sub.add_parser("image", help="PixelCNN++ prior and PnF on images",
                           description="Train a smoothed PixelCNN++ prior, restore images "
                                       "(super-resolution, inpainting, separation) and "
                                       "sample them by annealed Langevin dynamics.")
    what = image.add_subparsers(dest="image_what", metavar="WHAT", required=True)
    t = what.add_parser("train", help="train a smoothed PixelCNN++ prior",
                        description="Keys: model (size: tiny/small/paper and/or PixelCNN "
                                    "fields), training, sigma_mode (per_level|input), sigmas, "
                                    "finetune_steps, flip. A killed run resumes.")
    t.add_argument("--config", required=True, help="YAML file (a `prior:` key is accepted)")
    t.add_argument("--data", required=True, help="folder with train.npy (and test.npy)")
    t.add_argument("--out", required=True, help="prior file to write (.pt)")
    t.add_argument("--device", help="override training.device (auto, cpu, cuda)")
    t.set_defaults(func=run_train)

    r = what.add_parser("restore", help="restore test images with PnF")
    r.add_argument("task", choices=TASKS)
    r.add_argument("--input", required=True, help=".npy of (N, 3, H, W) images in [-1, 1]")
    r.add_argument("--index", type=int, action="append", required=True,
                   help="image index (give two for separate)")
    r.add_argument("--output-dir", required=True)
    r.add_argument("--factor", type=int, default=2, help="superres factor (default 2)")
    r.add_argument("--hole", type=int, default=16, help="inpainting hole side (default 16)")
    r.add_argument("--c", type=float, default=1.0, help="separation γ = c/σ² (default 1)")
    r.set_defaults(func=run_restore)

    s = what.add_parser("sample", help="unconditional samples by PnF")
    s.add_argument("--output", required=True, help="output folder")
    s.add_argument("--count", type=int, default=4)
    s.add_argument("--size", type=int, default=32, help="image side (default 32)")
    s.set_defaults(func=run_sample)
    for p in (r, s):
        p.add_argument("--prior", required=True, help="image prior file (.pt)")
        p.add_argument("--iterations", type=int, default=300, help="T per level (default 300)")
        p.add_argument("--levels", type=float, nargs="+",
                       help="σ ladder high to low (default: the prior's levels)")
        p.add_argument("--lr", type=float, default=3e-6, help="η = lr·(σ/σ_L)² (default 3e-6)")
        p.add_argument("--grid", type=int, default=256,
                       help="grid points of the smoothed density (default 256; 64 is faster)")
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda")


def run_train(args) -> int:
    from pnf.commands.train import prior_config_dict
    from pnf.priors.image import ImagePriorConfig, bits_per_dim, read_images, train_image_prior

    cfg = ImagePriorConfig.from_dict(prior_config_dict(args))
    prior = train_image_prior(cfg, args.data, args.out)
    if (Path(args.data) / "test.npy").is_file():
        sigma = min(prior.levels)
        net = prior.net_for(sigma).cpu()
        bpd = bits_per_dim(net, read_images(Path(args.data) / "test.npy"), sigma)
        print(f"pnf: test bits/dim at σ={sigma:.3g}: {bpd:.3f}", file=sys.stderr)
    return 0


def _anneal(prior, priors_n: int, task, args):
    """Run the sampler on the chosen device; returns (final state, seconds, levels)."""
    if args.grid < 2:
        raise ValueError(f"--grid must be >= 2, got {args.grid}")
    device = pick_device(args.device)
    prior = prior.to(device)
    prior.grid = args.grid
    levels = args.levels or sorted(prior.levels, reverse=True)
    sched = Schedule(sigmas=levels, delta=args.lr, iterations=args.iterations)
    start = time.perf_counter()
    x = anneal([prior] * priors_n, task, sched, seed=args.seed, device=device)
    return x, time.perf_counter() - start, list(levels)


def run_restore(args) -> int:
    from pnf.priors.base import load_prior
    from pnf.priors.image import read_images
    from pnf.tasks.image import ImageInpainting, ImageSeparation, ImageSuperResolution

    images = read_images(args.input)
    need = 2 if args.task == "separate" else 1
    if len(args.index) != need:
        raise ValueError(f"{args.task} needs {need} --index value(s), got {len(args.index)}")
    for i in args.index:
        if not 0 <= i < len(images):
            raise ValueError(f"--index {i} is outside {args.input} (0..{len(images) - 1})")
    truth = images[args.index]                                     # (need, 3, H, W)
    prior = load_prior(args.prior)
    out = Path(args.output_dir)
    if args.task == "separate":
        mix = truth.sum(0)
        task = ImageSeparation(mix, c=args.c)
        x, seconds, levels = _anneal(prior, 2, task, args)
        est = task.finish(x)[:, 0]                                 # (2, 3, H, W)
        _save(out / "truth.npy", truth)
        _save(out / "input.npy", mix, scale=0.5)
        _save(out / "pnf-a.npy", est[0])
        _save(out / "pnf-b.npy", est[1])
    else:
        task = (ImageSuperResolution(truth[..., ::args.factor, ::args.factor], args.factor)
                if args.task == "superres" else ImageInpainting(truth, args.hole))
        x, seconds, levels = _anneal(prior, 1, task, args)
        _save(out / "truth.npy", truth[0])
        _save(out / "input.npy", torch.where(task.observed, task.images, 0.0)[0])
        _save(out / "pnf.npy", task.finish(x)[0])
    write_json(out / "run.json", {"task": args.task, "index": args.index, "seconds": seconds,
                                   "levels": levels, "iterations": args.iterations,
                                   "lr": args.lr, "seed": args.seed})
    print(f"pnf: image {args.task} took {seconds:.1f} s -> {out}", file=sys.stderr)
    return 0


def run_sample(args) -> int:
    from pnf.priors.base import load_prior
    from pnf.tasks.image import ImageUnconditional

    task = ImageUnconditional(args.count, args.size)
    x, seconds, levels = _anneal(load_prior(args.prior), 1, task, args)
    samples = task.finish(x)                                       # (N, 3, H, W)
    out = Path(args.output)
    save_npy(out / "samples.npy", samples.numpy().astype(np.float32))
    for i, img in enumerate(samples):
        write_bytes_atomic(out / f"sample-{i}.png", _png(img))
    write_json(out / "run.json", {"count": args.count, "seconds": seconds, "levels": levels,
                                   "iterations": args.iterations, "lr": args.lr})
    return 0


def _png(img: torch.Tensor, scale: float = 1.0) -> bytes:
    """(3, H, W) in [-1, 1] (after `scale`) -> PNG bytes."""
    from PIL import Image

    arr = ((img * scale).clamp(-1, 1).numpy().transpose(1, 2, 0) + 1) * 127.5
    buf = io.BytesIO()
    Image.fromarray(np.round(arr).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _save(path: Path, x: torch.Tensor, scale: float = 1.0) -> None:
    """x.npy (float32) plus a .png beside it (the first image of a stack)."""
    save_npy(path, x.numpy().astype(np.float32))
    write_bytes_atomic(path.with_suffix(".png"), _png(x if x.dim() == 3 else x[0], scale))
