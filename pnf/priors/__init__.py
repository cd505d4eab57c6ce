"""Smoothed autoregressive priors: `log_prob(x, sigma, cond=None) -> (B,)` over whole signals.

    >>> from pnf.priors import load_prior
    >>> prior = load_prior("prior.pt")             # a WaveNet family or a σ-conditioned net
    >>> lp = prior.log_prob(x_bins, sigma=1.6)       # x_bins: (B, T) in bin units

Every prior exposes `receptive_field` (samples of past context each term sees; None for
priors without a finite one) and `log_prob`. See `pnf.priors.base.Prior`.
"""

from pnf.checkpoints import load_prior
from pnf.priors.base import Prior
from pnf.priors.gaussian import GaussianAR
from pnf.priors.smoothing import smoothed_log_prob

__all__ = ["Prior", "GaussianAR", "load_prior", "smoothed_log_prob"]
