"""A smoothed Gaussian AR(1) prior whose answers are known in closed form (tests the sampler).

    >>> prior = GaussianAR(a=0.8, q=1.0)
    >>> prior.log_prob(x, sigma=0.3)              # x: (B, T)
    >>> mean, cov = prior.moments(T, sigma=0.3)   # the exact joint N(mean, C + σ²I)

The data are the stationary AR(1) process x_t - μ = a (x_{t-1} - μ) + e_t, e_t ~ N(0, q),
with covariance C_ij = q a^|i-j| / (1 - a²). At noise level σ the prior is what the method
smooths the data density into: p_σ = p * N(0, σ²I), i.e. N(μ, C + σ²I). That is no longer
AR(1) (it is ARMA(1, 1)), so its terms log p_σ(x_t | x_<t) see the whole past
(receptive_field None); they come from the Cholesky factor L of C + σ²I: with
e = L⁻¹(x - μ), term_t = -e_t²/2 - log L_tt - log(2π)/2.
"""

from __future__ import annotations

import math

import torch

from pnf.priors.base import Prior


class GaussianAR(Prior):
    receptive_field = None        # the smoothed process depends on all of its past

    def __init__(self, a: float = 0.8, q: float = 1.0, mean: float = 0.0):
        if not -1 < a < 1:
            raise ValueError("GaussianAR needs |a| < 1 (a stationary process)")
        self.a, self.q, self.mean = a, q, mean

    def moments(self, T: int, sigma: float) -> tuple[torch.Tensor, torch.Tensor]:
        """Exact mean (T,) and covariance C + σ²I (T, T) of the level-σ density (float64)."""
        i = torch.arange(T, dtype=torch.float64)
        lag = (i[:, None] - i[None, :]).abs()                      # (T, T) |i - j|
        cov = self.q / (1 - self.a**2) * torch.full_like(lag, self.a) ** lag
        cov = cov + sigma**2 * torch.eye(T, dtype=torch.float64)
        return torch.full((T,), self.mean, dtype=torch.float64), cov

    def log_prob_terms(self, x, sigma, cond=None):
        """(B, T) terms log p_σ(x_t | x_<t) of N(μ, C + σ²I)."""
        _, cov = self.moments(x.shape[1], sigma)
        chol = torch.linalg.cholesky(cov).to(x)                    # (T, T) lower
        e = torch.linalg.solve_triangular(chol, (x - self.mean).T, upper=False).T  # (B, T)
        return -0.5 * (e**2 + math.log(2 * math.pi)) - torch.log(torch.diagonal(chol))
