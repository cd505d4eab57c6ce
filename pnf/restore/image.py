"""The restore side of the image tasks: `pnf restore image-*` (= `pnf image restore *`).

    pnf restore image-inpaint --prior images.pt --input test.npy --index 3 --output-dir D
    pnf image restore separate --prior images.pt --input test.npy --index 0 --index 1 \\
        --output-dir D

Test images are chosen by --index, the sampler's task (pnf.tasks.image) is built from them
while reading, and the outputs go to --output-dir (pnf.restore.image_io).
"""

from __future__ import annotations

from pathlib import Path

import torch

from pnf.restore.base import Restore
from pnf.restore.image_io import ImageIO, Images
from pnf.restore.registry import register_task
from pnf.tasks.image import ImageInpainting, ImageSeparation, ImageSuperResolution


class ImageRestore(Restore):
    """Test images chosen by --index, outputs in --output-dir."""

    io, images_needed, input_scale = ImageIO, 1, 1.0

    @classmethod
    def make(cls, setting, truth: torch.Tensor):
        """The sampler's task observing `truth` (n, 3, H, W) as the setting says."""
        raise TypeError(f"{cls.__name__} must define make()")

    @classmethod
    def observe(cls, req, rate):
        truth = cls.io.read(req, cls)
        task = cls.make(req.setting, truth)
        return Images(truth, torch.where(task.observed, task.images, 0.0)[0], task)

    @classmethod
    def build(cls, setting, obs, priors):
        return obs.task

    @classmethod
    def output_paths(cls, req, output):
        """The result files in the output folder `output` (each also as a .png)."""
        return [Path(output) / "pnf.npy"]


@register_task
class ImageInpaintingRestore(ImageRestore):
    """A centred --hole square of one test image is missing."""

    name, sampler = "image-inpaint", ImageInpainting
    help = "fill a centred square hole of a test image"

    @classmethod
    def add_options(cls, p):
        p.add_argument("--hole", type=int, default=16, help="inpainting hole side (default 16)")

    @classmethod
    def make(cls, setting, truth):
        return ImageInpainting(truth, setting.hole)


@register_task
class ImageSuperResolutionRestore(ImageRestore):
    """Every --factor-th pixel of one test image, in each direction, is observed."""

    name, sampler = "image-superres", ImageSuperResolution
    help = "fill in the pixels between every FACTOR-th one"

    @classmethod
    def add_options(cls, p):
        p.add_argument("--factor", type=int, default=2, help="superres factor (default 2)")

    @classmethod
    def make(cls, setting, truth):
        return ImageSuperResolution(truth[..., ::setting.factor, ::setting.factor],
                                    setting.factor)


@register_task
class ImageSeparationRestore(ImageRestore):
    """m = x1 + x2 of two test images; one shared prior for both sources."""

    name, sampler = "image-separate", ImageSeparation
    help, input_scale = "split the sum of two test images", 0.5
    shared_sources = images_needed = 2

    @classmethod
    def add_options(cls, p):
        p.add_argument("--c", type=float, default=1.0, help="separation γ = c/σ² (default 1)")

    @classmethod
    def observe(cls, req, rate):
        truth = cls.io.read(req, cls)
        mix = truth.sum(0)                                         # (3, H, W) in [-2, 2]
        return Images(truth, mix, ImageSeparation(mix, c=req.setting.c))

    @classmethod
    def outputs(cls, req, obs, result):
        return {"pnf-a.npy": result[0], "pnf-b.npy": result[1]}

    @classmethod
    def output_paths(cls, req, output):
        return [Path(output) / "pnf-a.npy", Path(output) / "pnf-b.npy"]
