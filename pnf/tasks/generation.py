"""Audio generation: from a mel spectrogram (mel-conditioned prior), or unconditional.

    >>> SpectrogramGeneration(mel, length=N, quantizer=q)   # mel: (B, 80, frames)
    >>> Unconditional(length=N, batch=4, quantizer=q)

`pnf restore spectrogram`: pnf.restore.generation.
"""

from __future__ import annotations

import torch

from pnf.audio import Quantizer
from pnf.tasks.audio import TOP
from pnf.tasks.base import Task, uniform_bins


class SpectrogramGeneration(Task):
    """Generate audio from a mel spectrogram through a mel-conditioned prior."""

    def __init__(self, mel: torch.Tensor, length: int, quantizer: Quantizer):
        self.mel = mel if mel.dim() == 3 else mel[None]             # (B, M, F)
        self.length, self.q = length, quantizer
        self.free = torch.ones(1, 1, 1, dtype=torch.bool)

    def init(self, generator):
        return uniform_bins((1, self.mel.shape[0], self.length), generator)

    def conditions(self):
        return [self.mel]

    def finish(self, x):
        return self.q.from_bins(x[0].detach().cpu().clamp(0, TOP))


class Unconditional(SpectrogramGeneration):
    """Sample from the prior alone."""

    def __init__(self, length: int, batch: int, quantizer: Quantizer):
        self.length, self.batch, self.q = length, batch, quantizer
        self.free = torch.ones(1, 1, 1, dtype=torch.bool)

    def init(self, generator):
        return uniform_bins((1, self.batch, self.length), generator)

    def conditions(self):
        return [None]
