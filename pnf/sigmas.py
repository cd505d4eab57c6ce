"""Noise ladders (σ, high to low) and the Langevin step-size rules of audio and images.

    >>> from pnf.sigmas import AUDIO_SIGMAS, image_sigmas, step_size, audio_delta
    >>> delta = audio_delta(0.05, AUDIO_SIGMAS)         # default δ: η = 0.05·σ² at every level
    >>> step_size(delta, 1.6, AUDIO_SIGMAS)             # η = δ·σ²/σ_L²
    >>> step_size(image_delta(3e-6), 0.5, image_sigmas())   # images: η = lr·(σ/σ_L)²

Audio σ are in bin units (0..255); image σ on the [-1, 1] pixel scale. Both rules are
η = δ·σ²/σ_L² (σ_L the last, lowest level); they differ only in how δ is chosen.
"""

from __future__ import annotations

from collections.abc import Sequence

# The paper's 24-level audio ladder in bin units (ratio ~1.6 at the ends, ~1.265 inside).
AUDIO_SIGMAS = (175.9, 110.0, 68.7, 54.3, 42.9, 34.0, 26.8, 21.2, 16.8, 13.3, 10.5, 8.29,
                6.55, 5.18, 4.1, 3.24, 2.56, 1.6, 1.0, 0.625, 0.39, 0.244, 0.15, 0.1)


def geometric_ladder(high: float, low: float, levels: int) -> tuple[float, ...]:
    """`levels` σ values geometric from `high` to `low` (both included)."""
    return tuple(high * (low / high) ** (i / (levels - 1)) for i in range(levels))


def image_sigmas(levels: int = 19, high: float = 1.0, low: float = 0.01) -> tuple:
    """The image ladder: `levels` values geometric from `high` to `low`."""
    return geometric_ladder(high, low, levels)


def step_size(delta: float, sigma: float, sigmas: Sequence[float]) -> float:
    """η = δ·σ²/σ_L², σ_L = sigmas[-1] (the lowest level of a high-to-low ladder)."""
    return delta * sigma**2 / sigmas[-1] ** 2


def audio_delta(eta: float, sigmas: Sequence[float]) -> float:
    """Audio default δ = eta·σ_L², i.e. η = eta·σ² at every level (the paper's rule)."""
    return eta * min(sigmas) ** 2


def image_delta(lr: float) -> float:
    """Image δ = lr, i.e. η = lr·(σ/σ_L)² (the paper's image rule)."""
    return lr
