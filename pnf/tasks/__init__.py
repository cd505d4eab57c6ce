"""Restoration tasks: what was observed and how it enters the Langevin update.

    >>> from pnf.tasks import SuperResolution
    >>> task = SuperResolution(y, factor=4, quantizer=prior.quantizer)
    >>> x = task.finish(anneal([prior], task, schedule))     # (B, T) waveform

A task gives `n_sources`, `init(generator)`, a boolean `free` mask (updated entries),
`log_likelihood(x, sigma, span)` for soft observations, `conditions()` per source and
`finish(x)` back to the data domain. A new task is one new class; the sampler is unchanged.
These modules are the sampler's side only: the command line, the files and the baselines
of `pnf restore NAME` are the restore layer's (pnf.restore).
"""

from pnf.tasks.audio import Inpainting, SuperResolution
from pnf.tasks.base import Task
from pnf.tasks.generation import SpectrogramGeneration, Unconditional
from pnf.tasks.image import (
    ImageInpainting,
    ImageSeparation,
    ImageSuperResolution,
    ImageUnconditional,
)
from pnf.tasks.separation import Separation

__all__ = ["Task", "Inpainting", "Separation", "SpectrogramGeneration",
           "SuperResolution", "Unconditional", "ImageInpainting", "ImageSeparation",
           "ImageSuperResolution", "ImageUnconditional"]
