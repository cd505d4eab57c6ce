"""`pnf image {train,restore,sample}`: the PixelCNN++ prior and PnF on images.

    pnf data build images --out data/embedded --size smoke
    pnf image train --config experiments/models/pixelcnn-tiny.yaml \\
        --data data/embedded/images --out results/priors/images.pt
    pnf image restore inpaint --prior results/priors/images.pt \\
        --input data/embedded/images/test.npy --index 3 --output-dir results/images/inpaint/3
    pnf image sample --prior results/priors/images.pt --output results/images/samples --count 4

`pnf image restore TASK` is `pnf restore image-TASK` (same task classes, same code; see
pnf.restore.image_io for the outputs). train: the prior file OUT (+ OUT.parts/ while
running); prints test bits/dim. sample: DIR/samples.npy (N, 3, 32, 32), DIR/sample-<i>.png,
DIR/run.json. Step size η = lr·(σ/σ_L)²; the default ladder is the prior's levels.
Cost: one Langevin step of the tiny prior on one 32x32 image ≈ 0.15 s on one CPU core at
--grid 256, so T=300 x 19 levels is ~15 min per image on a CPU; smoke runs should use
fewer levels/iterations (and --grid 64).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from pnf.atomic import all_or_nothing, write_bytes_atomic, write_json
from pnf.checkpoints import load_prior
from pnf.commands.common import run_sampler
from pnf.commands.restore import add_task_verbs
from pnf.datasets.manifest import save_npy
from pnf.restore.image_io import ImageIO, add_image_schedule_args, image_schedule, png_bytes
from pnf.restore.registry import restore_tasks
from pnf.validate import check_args, check_outputs


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
    t.add_argument("--restart", action="store_true",
                   help="discard an unfinished run in OUT.parts and train from step 0 (a "
                        "run resumes only under the config it was started with)")
    t.set_defaults(func=run_train)

    r = what.add_parser("restore", help="restore test images with PnF (= pnf restore image-*)")
    image_tasks = [c for c in restore_tasks().values() if c.io is ImageIO]
    add_task_verbs(r.add_subparsers(dest="task", metavar="TASK", required=True), image_tasks,
                   prefix="image-")

    s = what.add_parser("sample", help="unconditional samples by PnF")
    s.add_argument("--prior", required=True, help="image prior file (.pt)")
    s.add_argument("--output", required=True, help="output folder")
    s.add_argument("--count", type=int, default=4)
    s.add_argument("--size", type=int, default=32, help="image side (default 32)")
    add_image_schedule_args(s)
    s.set_defaults(func=run_sample)


def run_train(args) -> int:
    from pnf.commands.train import prior_config_dict
    from pnf.priors.image import ImagePriorConfig, bits_per_dim, read_images, train_image_prior
    from pnf.training import discard_unfinished

    cfg = ImagePriorConfig.from_dict(prior_config_dict(args))
    if args.restart:
        discard_unfinished(args.out)
    prior = train_image_prior(cfg, args.data, args.out)
    if (Path(args.data) / "test.npy").is_file():
        sigma = min(prior.levels)
        net = prior.net_for(sigma).cpu()
        bpd = bits_per_dim(net, read_images(Path(args.data) / "test.npy"), sigma)
        print(f"pnf: test bits/dim at σ={sigma:.3g}: {bpd:.3f}", file=sys.stderr)
    return 0


def sample_paths(out: Path, count: int) -> list[Path]:
    """Every file `pnf image sample` writes into `out`."""
    return [out / "samples.npy", *(out / f"sample-{i}.png" for i in range(count)),
            out / "run.json"]


def run_sample(args) -> int:
    from pnf.tasks.image import ImageUnconditional

    check_args(args)
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--output {out}: is a file; give a folder")
    check_outputs(sample_paths(out, args.count), inputs=[args.prior])
    task = ImageUnconditional(args.count, args.size)
    prior = load_prior(args.prior, grid=args.grid, model_kinds=ImageIO.model_kinds)
    schedule = image_schedule(args, prior)
    x, seconds = run_sampler([prior], task, schedule, args, (1, args.count, 3, args.size,
                                                             args.size))
    levels = list(schedule.sigmas)
    samples = task.finish(x)                                       # (N, 3, H, W)
    with all_or_nothing():                     # every output of the run, or none
        save_npy(out / "samples.npy", samples.numpy().astype(np.float32))
        for i, img in enumerate(samples):
            write_bytes_atomic(out / f"sample-{i}.png", png_bytes(img))
        write_json(out / "run.json", {"count": args.count, "seconds": seconds,
                                       "levels": levels, "iterations": args.iterations,
                                       "lr": args.lr})
    return 0
