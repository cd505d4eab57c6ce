"""A Gaussian AR(1) prior whose answers are known in closed form (for testing the sampler).

    >>> prior = GaussianAR(a=0.8, q=1.0)
    >>> prior.log_prob(x, sigma=0.3)              # x: (B, T)
    >>> mean, cov = prior.moments(T, sigma=0.3)   # the exact joint N(mean, cov)

At noise level σ the model is x_t - μ = a (x_{t-1} - μ) + e_t with e_t ~ N(0, q + σ²) and
x_0 - μ ~ N(0, q / (1 - a²) + σ²): an autoregressive model with receptive field 1, written
through the same interface as the WaveNet priors, whose joint is a known Gaussian.
"""

from __future__ import annotations

import math

import torch

from pnf.priors.base import Prior


class GaussianAR(Prior):
    receptive_field = 1

    def __init__(self, a: float = 0.8, q: float = 1.0, mean: float = 0.0):
        if not -1 < a < 1:
            raise ValueError("GaussianAR needs |a| < 1 (a stationary process)")
        self.a, self.q, self.mean = a, q, mean

    def variances(self, T: int, sigma: float) -> torch.Tensor:
        """(T,) conditional variances of x_t given x_<t."""
        v = torch.full((T,), self.q + sigma**2, dtype=torch.float64)
        v[0] = self.q / (1 - self.a**2) + sigma**2
        return v

    def log_prob_terms(self, x, sigma, cond=None):
        d = x - self.mean                                          # (B, T)
        pred = torch.cat([torch.zeros_like(d[:, :1]), self.a * d[:, :-1]], dim=1)
        var = self.variances(x.shape[1], sigma).to(x)
        return -0.5 * ((d - pred) ** 2 / var + torch.log(2 * math.pi * var))

    def moments(self, T: int, sigma: float) -> tuple[torch.Tensor, torch.Tensor]:
        """Exact mean (T,) and covariance (T, T) of the joint at level σ (float64)."""
        A = torch.eye(T, dtype=torch.float64) - self.a * torch.diag(torch.ones(T - 1), -1).double()
        Ainv = torch.linalg.inv(A)                                 # x - μ = A⁻¹ e
        cov = Ainv @ torch.diag(self.variances(T, sigma)) @ Ainv.T
        return torch.full((T,), self.mean, dtype=torch.float64), cov
