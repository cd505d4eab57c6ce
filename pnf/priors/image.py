"""The smoothed PixelCNN++ image prior and its training.

The method: docs/method.md#smoothing and docs/method.md#models.

    >>> from pnf.priors.image import ImagePriorConfig, train_image_prior
    >>> cfg = ImagePriorConfig.from_dict({"model": {"size": "tiny"}, "training": {"steps": 50}})
    >>> prior = train_image_prior(cfg, data="data/embedded/images", out="images.pt")
    >>> prior.log_prob_terms(x, sigma=0.1)           # x: (B, 3, 32, 32) -> (B, 3, 32, 32)

Training: the network sees x̃ = x + σ ε and is scored by the clean discretized-logistic
loss of x (snapped to the 8-bit grid), reported in bits per dimension. `sigma_mode:
per_level` (the paper) trains a clean model (σ = 0) for `training.steps`, then fine-tunes
one copy of it per σ level for `finetune_steps`; `sigma_mode: input` trains one
σ-conditioned model on σ log-uniform over the levels (and σ = 0 for a quarter of the
batch). Networks checkpoint to `<out>.parts/` (resumable); the finished prior is packed
into `out` (`kind: prior`, `model_kind: pixelcnn`) and `pnf.priors.load_prior` rebuilds it.
"""

from __future__ import annotations

import math
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from pnf.checkpoints import check_size, load_prior, pack_prior, save_checkpoint
from pnf.config import from_dict
from pnf.priors.base import NetworkPrior
from pnf.priors.logistic import discretized_log_prob, smoothed_log_prob
from pnf.priors.pixelcnn import PixelCNN, PixelCNNConfig
from pnf.priors.train import fixed_sigma, log_uniform_sigma, sized_config
from pnf.resources import check_training
from pnf.runtime import pick_device
from pnf.sigmas import image_sigmas
from pnf.training import TrainConfig, train
from pnf.validate import regular_file

PIXELCNN_SIZES = {
    "tiny": dict(resnets=1, filters=16, mixtures=3, resolutions=2),
    "small": dict(resnets=2, filters=64, mixtures=5, resolutions=3),
    "paper": dict(resnets=5, filters=160, mixtures=10, resolutions=3),
}


class ImagePrior(NetworkPrior):
    """Smoothed PixelCNN++: x (B, 3, H, W) on the [-1, 1] scale, σ on the same scale."""

    receptive_field = None     # unbounded (no windowing for images)

    def __init__(self, nets, levels, sigma_input: bool, grid: int = 256):
        if not nets:
            raise ValueError("a prior needs at least one network")
        if grid < 2:
            raise ValueError(f"the density grid (--grid) must be >= 2 points, got {grid}")
        self.nets, self.levels, self.sigma_input = nets, list(levels), sigma_input
        self.grid = grid    # grid points of the smoothed density (64 is faster than 256)
        for net in nets:
            net.eval().requires_grad_(False)

    def bytes_per_position(self) -> int:
        """One pixel (3 channels) in a gradient pass: the density grid dominates; about
        what the tiny prior measures at --grid 64 on the CPU (pnf.resources)."""
        c = self.nets[0].config
        return 4 * (36 * self.grid * c.mixtures + 40 * c.resnets * c.resolutions * c.filters)

    def ladder(self):
        """The prior's own levels, high to low (σ-conditioned or per level)."""
        return sorted(self.levels, reverse=True)

    def log_prob_terms(self, x, sigma, cond=None):
        """(B, 3, H, W): log p_σ(x̃_c,i,j | everything before it), chain-rule per channel."""
        out = self.net_for(sigma)(x, sigma)              # (B, 10K, H, W)
        return smoothed_log_prob(out, x, sigma, self.grid)


@dataclass
class ImagePriorConfig:
    model: dict = field(default_factory=lambda: {"size": "tiny"})
    training: dict = field(default_factory=dict)
    sigma_mode: str = "input"            # "per_level" (paper) or "input" (ours)
    sigmas: list | None = None           # default: the 19-level ladder 1.0 -> 0.01
    finetune_steps: int | None = None    # per-level fine-tuning steps (default: steps)
    flip: bool = True                    # random horizontal flips of training images

    @classmethod
    def from_dict(cls, d: dict) -> ImagePriorConfig:
        cfg = from_dict(cls, d, "image prior config")
        if cfg.sigma_mode not in ("per_level", "input"):
            raise ValueError(f"sigma_mode must be 'per_level' or 'input', got {cfg.sigma_mode!r}")
        if cfg.sigmas is not None and (not cfg.sigmas or min(cfg.sigmas) <= 0):
            raise ValueError("sigmas must be a non-empty list of positive noise levels")
        cfg.train_config()
        check_size(PixelCNN, cfg.net_config(), "pixelcnn")
        return cfg

    def levels(self) -> list[float]:
        return sorted(float(s) for s in (self.sigmas or image_sigmas()))

    def net_config(self) -> PixelCNNConfig:
        return sized_config(PixelCNNConfig, PIXELCNN_SIZES, self.model, self.sigma_mode)

    def train_config(self) -> TrainConfig:
        return TrainConfig.from_dict(self.training)


def read_images(path: str | Path) -> torch.Tensor:
    """(N, 3, H, W) float32 in [-1, 1] from a .npy file; a one-line error otherwise."""
    path = regular_file(path, "image", "build it with `pnf data build images --out "
                        "data/embedded`")
    try:
        x = np.load(path)
    except (ValueError, OSError, EOFError) as err:
        raise ValueError(f"{path}: not a readable .npy array ({str(err).splitlines()[0]}); "
                         "give a float32 .npy of (N, 3, H, W) images") from None
    if not isinstance(x, np.ndarray) or x.ndim != 4 or x.shape[1] != 3:
        raise ValueError(f"{path}: expected (N, 3, H, W) images, got shape "
                         f"{getattr(x, 'shape', None)}")
    check_pixels(path, x)
    return torch.from_numpy(x.astype(np.float32))


def check_pixels(path, x: np.ndarray) -> None:
    """Images are floats in [-1, 1]: integer arrays (0..255) and other ranges are refused."""
    if x.size == 0:
        raise ValueError(f"{path}: holds no images (shape {x.shape}); give at least one")
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"{path}: pixels are {x.dtype}, not floats in [-1, 1]; convert them "
                         "first, e.g. x / 127.5 - 1 for 0..255 images")
    finite = np.isfinite(x)
    if not finite.all():
        raise ValueError(f"{path}: {int((~finite).sum())} pixel(s) are NaN or infinite; "
                         "repair the images")
    low, high = float(x.min()), float(x.max())
    if low < -1 or high > 1:
        raise ValueError(f"{path}: pixels span [{low:g}, {high:g}], outside [-1, 1]; rescale "
                         "them, e.g. x / 127.5 - 1 for 0..255 images")


def image_batches(images: torch.Tensor, batch: int, flip: bool):
    """batch_fn: deterministic random images (and flips) from the step's generator."""
    def batch_fn(step, gen):
        idx = torch.randint(len(images), (batch,), generator=gen, device=gen.device).cpu()
        x = images[idx].to(gen.device)                               # (B, 3, H, W)
        if flip:
            mirror = torch.rand(batch, generator=gen, device=gen.device) < 0.5
            x = torch.where(mirror[:, None, None, None], x.flip(-1), x)
        return x
    return batch_fn


def image_loss(sigma_of):
    """loss_fn: clean discretized-logistic NLL in nats per sub-pixel given x̃ = x + σε."""
    def loss(net, x, gen):
        sigma = sigma_of(x.shape[0], gen).to(x.device)               # (B,)
        noisy = x + sigma[:, None, None, None] * torch.randn(x.shape, generator=gen,
                                                             device=x.device)
        return -discretized_log_prob(net(noisy, sigma), x, noisy).mean()
    return loss


def bits_per_dim(net, images: torch.Tensor, sigma: float = 0.0, batch: int = 32,
                 seed: int = 0) -> float:
    """Mean clean-loss bits per sub-pixel of `images` with inputs noised at σ."""
    gen = torch.Generator().manual_seed(seed)
    total = 0.0
    with torch.no_grad():
        for x in images.split(batch):
            noisy = x + sigma * torch.randn(x.shape, generator=gen)
            total += -discretized_log_prob(net(noisy, sigma), x, noisy).sum().item()
    return total / images.numel() / math.log(2)


def train_image_prior(cfg: ImagePriorConfig, data: str | Path, out: str | Path) -> ImagePrior:
    """Train (or resume, or skip if finished) the image prior described by `cfg`."""
    out = Path(out)
    if out.exists():
        print(f"pnf: {out} is already trained; delete it to retrain", file=sys.stderr)
        return load_prior(out)
    net_cfg, tcfg = cfg.net_config(), cfg.train_config()
    images = read_images(Path(data) / "train.npy")                 # (N, 3, H, W)
    levels = 1 if cfg.sigma_mode == "input" else 1 + len(cfg.levels())
    check_training(PixelCNN, net_cfg, tcfg.batch_size, images.shape[-2] * images.shape[-1],
                   tcfg.steps + (levels - 1) * (cfg.finetune_steps or tcfg.steps),
                   "training this image prior", pick_device(tcfg.device))
    batch_fn = image_batches(images, tcfg.batch_size, cfg.flip)
    parts, levels = out.with_name(out.name + ".parts"), cfg.levels()
    meta = {"prior_config": asdict(cfg)}
    if cfg.sigma_mode == "input":
        nets = [train(PixelCNN(net_cfg), image_loss(log_uniform_sigma(levels)), batch_fn, tcfg,
                      parts / "net.pt", extra=meta, desc="image prior (σ input)")]
    else:
        clean = train(PixelCNN(net_cfg), image_loss(fixed_sigma(0.0)), batch_fn, tcfg,
                      parts / "clean.pt", extra=meta, desc="image prior σ=0")
        tune = TrainConfig(**{**asdict(tcfg), "steps": cfg.finetune_steps or tcfg.steps})
        nets = [train(PixelCNN(net_cfg), image_loss(fixed_sigma(s)), batch_fn, tune,
                      parts / f"level-{i:02d}.pt", extra=meta, desc=f"image prior σ={s:.3g}",
                      init_from=clean) for i, s in enumerate(levels)]
    save_checkpoint(out, {**pack_prior(nets, levels, cfg.sigma_mode == "input"), **meta})
    shutil.rmtree(parts, ignore_errors=True)
    return load_prior(out)
