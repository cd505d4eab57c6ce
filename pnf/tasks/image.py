"""Image tasks (docs/method.md#tasks): images are (B, 3, H, W) in [-1, 1], and so is the state.

    >>> from pnf.tasks.image import ImageInpainting
    >>> task = ImageInpainting(x, hole=16)                   # centre 16x16 hole
    >>> out = task.finish(anneal([prior], task, Schedule(image_sigmas(), 3e-6, 300)))
    >>> ImageSuperResolution(y, factor=2)                    # y = x[..., ::2, ::2]
    >>> ImageSeparation(m, c=1.0)                            # m = x1 + x2; anneal([p, p], ...)
    >>> ImageUnconditional(count=4, size=32)

Free pixels start as N(0, 1) noise (the paper's image init). Hard constraints hold the
observed pixels at their values (never written by the sampler) and `finish` returns them
bit-identical. Separation uses a soft Gaussian likelihood
log p(m | x1, x2) = -γ/2 ‖x1 + x2 - m‖² with γ = c / σ² (the paper: c = 1) and one shared
prior passed twice; both sources start from independent N(0, 1) noise, which breaks the
symmetry between the two identical priors.
"""

from __future__ import annotations

import torch

from pnf.tasks.base import Task


def _images(x) -> torch.Tensor:
    x = torch.as_tensor(x, dtype=torch.float32)
    x = x[None] if x.dim() == 3 else x
    if x.dim() != 4 or x.shape[1] != 3:
        raise ValueError(f"expected images of shape (B, 3, H, W) or (3, H, W), got "
                         f"{tuple(x.shape)}")
    return x                                                       # (B, 3, H, W)


def normal_init(shape, generator: torch.Generator) -> torch.Tensor:
    return torch.randn(shape, generator=generator, device=generator.device)


class ImageConstraint(Task):
    """Observed pixels (mask broadcastable to (B, 3, H, W)) are fixed; the rest are free."""

    def __init__(self, images, observed: torch.Tensor):
        self.images = _images(images)                              # (B, 3, H, W)
        self.observed = observed.expand_as(self.images)            # (B, 3, H, W) bool
        self.free = ~self.observed[None]                           # (1, B, 3, H, W)

    def init(self, generator):
        start = normal_init((1, *self.images.shape), generator)
        return torch.where(self.free.to(start.device), start,
                           self.images.to(start.device)[None])

    def finish(self, x):
        """(B, 3, H, W) in [-1, 1]; observed pixels bit-identical to the input."""
        out = x[0].detach().cpu().clamp(-1, 1)
        return torch.where(self.observed, self.images, out)


class ImageInpainting(ImageConstraint):
    """A centred `hole` x `hole` square is missing."""

    def __init__(self, images, hole: int = 16):
        images = _images(images)
        H, W = images.shape[-2:]
        if not 0 < hole <= min(H, W):
            raise ValueError(f"hole size must be in 1..{min(H, W)} for {H}x{W} images, "
                             f"got {hole}")
        observed = torch.ones(H, W, dtype=torch.bool)
        top, left = (H - hole) // 2, (W - hole) // 2
        observed[top: top + hole, left: left + hole] = False
        super().__init__(images, observed)


class ImageSuperResolution(ImageConstraint):
    """y = x[..., ::f, ::f] is known: every f-th pixel in each direction."""

    def __init__(self, low, factor: int = 2):
        if int(factor) != factor or factor < 2:
            raise ValueError(f"super-resolution factor must be an integer >= 2, got {factor}")
        low = _images(low)
        B, C, h, w = low.shape
        images = torch.zeros(B, C, h * factor, w * factor)
        images[..., ::factor, ::factor] = low
        observed = torch.zeros(h * factor, w * factor, dtype=torch.bool)
        observed[::factor, ::factor] = True
        super().__init__(images, observed)
        self.factor = factor


class ImageUnconditional(Task):
    """Sample `count` images of `size` x `size` from the prior alone."""

    def __init__(self, count: int = 1, size: int = 32):
        if count < 1 or size < 1:
            raise ValueError("count and size must be >= 1")
        self.shape = (1, count, 3, size, size)
        self.free = torch.ones(1, 1, 1, 1, 1, dtype=torch.bool)

    def init(self, generator):
        return normal_init(self.shape, generator)

    def finish(self, x):
        return x[0].detach().cpu().clamp(-1, 1)


class ImageSeparation(Task):
    """m = x1 + x2; soft Gaussian likelihood with γ = c / σ²; two sources, one prior."""

    n_sources = 2

    def __init__(self, mixture, c: float = 1.0):
        if c <= 0:
            raise ValueError(f"the likelihood weight c must be positive, got {c}")
        self.mix, self.c = _images(mixture), c                     # (B, 3, H, W)
        self.free = torch.ones(1, 1, 1, 1, 1, dtype=torch.bool)

    def init(self, generator):
        return normal_init((2, *self.mix.shape), generator)

    def log_likelihood(self, x, sigma, span):
        r = x.sum(0) - self.mix.to(x.device)                       # (B, 3, H, W)
        return -0.5 * (self.c / sigma**2) * (r * r).flatten(1).sum(1)   # (B,)

    def finish(self, x):
        """(2, B, 3, H, W) sources in [-1, 1]."""
        return x.detach().cpu().clamp(-1, 1)
