"""How an image restore task meets the command line: flags, reading test images, schedule, writing.

    pnf restore image-inpaint --prior images.pt --input test.npy --index 3 --output-dir D
    pnf image restore inpaint ...                     # the same verb (kept for the workflow)

Outputs in D (images (3, H, W) float32 in [-1, 1]; every .npy also as a .png):
truth.npy, input.npy (the observation on the full grid, unobserved pixels 0; separation:
the mixture in [-2, 2], its PNG halved), pnf.npy (separation: pnf-a.npy, pnf-b.npy) and
run.json (pnf.restore.record: task, setting, index, seconds of sampling, levels,
iterations, lr, seed, precision, code version).
Step rule: η = lr·(σ/σ_L)² (pnf.sigmas.image_delta); default ladder: the prior's levels.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from pnf.atomic import write_bytes_atomic, write_json
from pnf.checkpoints import load_prior
from pnf.datasets.manifest import save_npy
from pnf.langevin import Schedule
from pnf.restore.record import run_record
from pnf.sigmas import image_delta
from pnf.validate import check_outputs


@dataclass
class Images:
    truth: torch.Tensor            # (n, 3, H, W) the chosen test images
    signal: torch.Tensor           # what the sampler observes, on the full grid
    task: object = field(default=None, repr=False)   # the task built from them


def add_image_schedule_args(p) -> None:
    """Langevin flags of image sampling (η = lr·(σ/σ_L)²)."""
    p.add_argument("--iterations", type=int, default=300, help="T per level (default 300)")
    p.add_argument("--levels", type=float, nargs="+",
                   help="σ ladder high to low (default: the prior's levels)")
    p.add_argument("--lr", type=float, default=3e-6, help="η = lr·(σ/σ_L)² (default 3e-6)")
    p.add_argument("--grid", type=int, default=256,
                   help="grid points of the smoothed density (default 256; 64 is faster)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda")


def image_schedule(args, prior) -> Schedule:
    levels = args.levels or prior.ladder()
    return Schedule(sigmas=levels, delta=image_delta(args.lr), iterations=args.iterations)


def png_bytes(img: torch.Tensor, scale: float = 1.0) -> bytes:
    """(3, H, W) in [-1, 1] (after `scale`) -> PNG bytes."""
    from PIL import Image

    if not torch.isfinite(img).all():
        raise ValueError("an image to write holds NaN or infinite pixels; nothing was written")
    arr = ((img * scale).clamp(-1, 1).numpy().transpose(1, 2, 0) + 1) * 127.5
    buf = io.BytesIO()
    Image.fromarray(np.round(arr).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def save_image(path: Path, x: torch.Tensor, scale: float = 1.0) -> None:
    """x.npy (float32) plus a .png beside it (the first image of a stack)."""
    save_npy(path, x.numpy().astype(np.float32))
    write_bytes_atomic(path.with_suffix(".png"), png_bytes(x if x.dim() == 3 else x[0], scale))


class ImageIO:
    """Test images (.npy of (N, 3, H, W)) in, a folder of .npy/.png + run.json out."""

    model_kinds = ("pixelcnn",)     # the prior networks an image task can use

    @staticmethod
    def add_arguments(p, task: type) -> None:
        p.add_argument("--prior", action="append", default=[], help="image prior file (.pt)")
        p.add_argument("--input", required=True, help=".npy of (N, 3, H, W) images in [-1, 1]")
        p.add_argument("--index", type=int, action="append", required=True,
                       help=f"image index (give {task.images_needed})")
        p.add_argument("--output-dir", required=True)
        p.add_argument("--method", default="pnf", help="pnf (no image baselines)")
        task.add_options(p)
        add_image_schedule_args(p)

    @staticmethod
    def load_priors(req, task: type) -> list:
        if len(req.priors) != 1:
            raise ValueError(f"`restore {task.name}` needs exactly one --prior")
        prior = load_prior(req.priors[0], grid=req.schedule.grid,
                           model_kinds=ImageIO.model_kinds)
        return [prior] * task.shared_sources

    @staticmethod
    def check_paths(req, task: type) -> None:
        """--output-dir: a folder (or none yet) where files can be written; none of the
        files written there (truth, input, results, their PNGs, run.json) is, or links
        to, an input."""
        out = Path(req.output)
        if out.exists() and not out.is_dir():
            raise ValueError(f"--output-dir {out}: is a file; give a folder")
        arrays = [out / "truth.npy", out / "input.npy", *task.output_paths(req, out)]
        files = [*arrays, *(p.with_suffix(".png") for p in arrays), out / "run.json"]
        check_outputs(files, inputs=[req.input, *req.priors])

    @staticmethod
    def batched(obs, n: int):
        return obs

    @staticmethod
    def state_shape(obs: Images, chains: int, sources: int) -> tuple:
        """The sampler's state: (sources, 1, 3, H, W)."""
        return (sources, 1, *obs.truth.shape[-3:])

    @staticmethod
    def rate(priors, req) -> None:
        return None

    schedule = staticmethod(image_schedule)

    @staticmethod
    def read(req, task: type) -> torch.Tensor:
        """The --index images of --input: (n, 3, H, W)."""
        from pnf.priors.image import read_images

        images = read_images(req.input)
        if len(req.index) != task.images_needed:
            raise ValueError(f"{task.name} needs {task.images_needed} --index value(s), got "
                             f"{len(req.index)}")
        for i in req.index:
            if not 0 <= i < len(images):
                raise ValueError(f"--index {i} is outside {req.input} (0..{len(images) - 1})")
        return images[list(req.index)]

    @staticmethod
    def single_output(req, result) -> dict:
        return {"pnf.npy": result}

    @staticmethod
    def write(req, task: type, obs: Images, outputs: dict, rate, run: dict) -> None:
        out = Path(req.output)
        truth = obs.truth if task.images_needed > 1 else obs.truth[0]
        save_image(out / "truth.npy", truth)
        save_image(out / "input.npy", task.observation(req, obs, rate), task.input_scale)
        for name, x in outputs.items():
            save_image(out / name, x)
        short = task.name.removeprefix("image-")
        write_json(out / "run.json", run_record(short, vars(req.setting), req.method, run,
                                                run["sampling"], index=list(req.index),
                                                lr=req.schedule.lr))
        print(f"pnf: image {short} took {run['sampling']:.1f} s -> {out}", file=sys.stderr)
