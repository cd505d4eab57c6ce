"""The sampler samples the right distribution: closed-form Gaussian AR(1) priors.

Under GaussianAR priors (AR(1) data smoothed the way the method smooths: covariance
C + σ²I at level σ) every target (prior, inpainting and super-resolution posteriors,
two-source separation posterior) is an explicit Gaussian. Thousands of independent chains
run in one batch; their final states must match the exact mean and covariance within
Monte-Carlo error (5 standard errors per entry). Langevin's own discretization bias is
kept below 1% by the step size chosen here.
"""

import math

import pytest
import torch

from pnf.audio import Quantizer
from pnf.langevin import Schedule, anneal
from pnf.priors.gaussian import GaussianAR
from pnf.tasks import Inpainting, Separation, SuperResolution, Unconditional

CHAINS = 4000
SIGMAS = (8.0, 4.0, 2.0, 1.0, 0.5)
LIN = Quantizer("linear")
MID = LIN.silence  # 127.5 bins: the prior mean


def run(priors, task, iterations=1500, window=None, delta=0.03):
    sched = Schedule(sigmas=SIGMAS, delta=delta, iterations=iterations, window=window)
    return anneal(priors, task, sched, seed=1, progress=False).double()


def assert_gaussian(samples, mean, cov, z=5.0):
    """samples: (n, d). Entry-wise mean/covariance within z standard errors."""
    n = samples.shape[0]
    m = samples.mean(0)
    c = torch.cov(samples.T)
    var = torch.diag(cov)
    se_mean = torch.sqrt(var / n)
    se_cov = torch.sqrt((var[:, None] * var[None, :] + cov**2) / n)
    assert torch.all((m - mean).abs() < z * se_mean), ((m - mean) / se_mean).abs().max()
    assert torch.all((c - cov).abs() < z * se_cov), ((c - cov) / se_cov).abs().max()


def draw(mean, cov, seed):
    z = torch.randn(len(mean), generator=torch.Generator().manual_seed(seed), dtype=cov.dtype)
    return mean + torch.linalg.cholesky(cov) @ z


def conditional(mean, cov, observed, values):
    """Exact Gaussian conditional of the free entries given x[observed] = values."""
    f, o = ~observed, observed
    k = cov[f][:, o] @ torch.linalg.inv(cov[o][:, o])
    return mean[f] + k @ (values - mean[o]), cov[f][:, f] - k @ cov[o][:, f]


def test_unconditional_matches_joint():
    prior = GaussianAR(a=0.6, q=4.0, mean=MID)
    x = run([prior], Unconditional(length=8, batch=CHAINS, quantizer=LIN))[0]
    assert_gaussian(x, *prior.moments(8, SIGMAS[-1]))


def test_wrong_step_noise_would_fail():
    """The check has teeth: halving the injected noise (a classic bug) is detected."""
    prior = GaussianAR(a=0.6, q=4.0, mean=MID)
    x = run([prior], Unconditional(length=8, batch=CHAINS, quantizer=LIN))[0]
    mean, cov = prior.moments(8, SIGMAS[-1])
    shrunk = mean + (x - mean) / math.sqrt(2)
    with pytest.raises(AssertionError):
        assert_gaussian(shrunk, mean, cov)


@pytest.mark.parametrize("window", [None, 8])
def test_inpainting_matches_posterior(window):
    prior = GaussianAR(a=0.7, q=4.0, mean=MID)
    n, rate = 24, 10  # 10 "Hz": a gap of 0.8..1.6 s is samples 8..15
    mean, cov = prior.moments(n, SIGMAS[-1])
    truth = draw(mean, cov, seed=0)
    wave = LIN.from_bins(truth).float().expand(CHAINS, n)
    task = Inpainting(wave, gaps=[(0.8, 1.6)], rate=rate, quantizer=LIN)
    out = run([prior], task, iterations=800 if window else 1500, window=window)[0]
    observed = task.observed[0]
    assert torch.equal(task.finish(out[None].float())[:, observed], wave[:, observed])
    values = LIN.to_bins(wave[0].double())[observed]
    assert_gaussian(out[:, ~observed], *conditional(mean, cov, observed, values))


def test_superresolution_matches_posterior():
    prior = GaussianAR(a=0.7, q=4.0, mean=MID)
    k, n = 4, 16
    mean, cov = prior.moments(n, SIGMAS[-1])
    truth = draw(mean, cov, seed=3)
    y = LIN.from_bins(truth[::k]).float().expand(CHAINS, n // k)
    task = SuperResolution(y, factor=k, quantizer=LIN)
    out = run([prior], task)[0]
    observed = task.observed[0]
    assert torch.equal(task.finish(out[None].float())[:, ::k], y)
    values = LIN.to_bins(y[0].double())
    assert_gaussian(out[:, ~observed], *conditional(mean, cov, observed, values))


def separation_posterior(p1, p2, n, c, m):
    """Exact posterior mean (2n,) and covariance (2n, 2n) of (s1, s2) at σ_L, centred bins."""
    gamma = c / SIGMAS[-1] ** 2
    _, c1 = p1.moments(n, SIGMAS[-1])
    _, c2 = p2.moments(n, SIGMAS[-1])
    eye = torch.eye(n, dtype=torch.float64)
    both = torch.cat([eye, eye], 1)                                 # (n, 2n): s1 + s2
    prec = torch.block_diag(torch.linalg.inv(c1), torch.linalg.inv(c2)) + gamma * both.T @ both
    cov = torch.linalg.inv(prec)
    return cov @ (gamma * both.T @ m), cov


def separate(c, exact, delta, n=6, iterations=1500):
    """(samples (B, 2n), exact mean, exact cov) of a closed-form two-source separation."""
    p1, p2 = GaussianAR(a=0.7, q=4.0, mean=MID), GaussianAR(a=-0.5, q=2.0, mean=MID)
    m = torch.linspace(-6, 6, n, dtype=torch.float64)              # mixture, centred bins
    task = Separation((m / LIN.half).float().expand(CHAINS, n), [LIN, LIN], c=c, exact=exact)
    out = run([p1, p2], task, iterations=iterations, delta=delta) - MID   # (2, B, n)
    return (torch.cat([out[0], out[1]], 1), *separation_posterior(p1, p2, n, c, m))


def test_separation_matches_posterior():
    assert_gaussian(*separate(c=1.0, exact=True, delta=0.03))


PAPER_DELTA = 0.05 * SIGMAS[-1] ** 2     # the paper's audio rule η = 0.05·σ²: η·γ·S = 0.1·c


def sum_direction(samples, mean, cov):
    """Samples, mean and covariance of s1 + s2 (the direction the mixture term pins)."""
    n = samples.shape[1] // 2
    both = torch.cat([torch.eye(n), torch.eye(n)], 1).double()     # (n, 2n)
    return samples @ both.T, both @ mean, both @ cov @ both.T


@pytest.mark.parametrize("c", [15.0, 100.0])
def test_separation_exact_step_matches_posterior_at_large_c(c):
    """The paper's c = 15 and c = 100 (η·γ·S = 1.5 and 10) at the paper's step rule."""
    samples, mean, cov = separate(c=c, exact=True, delta=PAPER_DELTA)
    assert_gaussian(*sum_direction(samples, mean, cov))
    assert_gaussian(samples, mean, cov)


def test_separation_explicit_step_overdisperses_at_paper_c():
    """The check has teeth: the paper's explicit step at c = 15 leaves the sum direction
    ≈ 1/(1 − η·γ·S/2) = 4× too wide (Euler on an OU process), and diverges at c = 100."""
    samples, mean, cov = separate(c=15.0, exact=False, delta=PAPER_DELTA)
    sums, _, sum_cov = sum_direction(samples, mean, cov)
    ratio = (sums.var(0) / torch.diag(sum_cov)).mean()
    assert 3.0 < ratio < 5.0, ratio
    with pytest.raises(AssertionError):
        assert_gaussian(sums, *sum_direction(samples, mean, cov)[1:])
    with pytest.raises(RuntimeError, match="diverged"):
        separate(c=100.0, exact=False, delta=PAPER_DELTA, iterations=50)


def test_hard_constraints_hold_at_every_step():
    prior = GaussianAR(a=0.7, q=4.0, mean=MID)
    seen = []

    class Watched(SuperResolution):
        def log_likelihood(self, x, sigma, span):
            seen.append(torch.equal(x[0][:, ::4], self.q.to_bins(self.wave)[:, ::4]))
            return super().log_likelihood(x, sigma, span)

    y = torch.rand(3, 5) * 2 - 1
    task = Watched(y, factor=4, quantizer=Quantizer("mulaw"))
    out = anneal([prior], task, Schedule(SIGMAS, 0.01, 20), progress=False)
    assert len(seen) == 20 * len(SIGMAS) and all(seen)
    assert torch.equal(task.finish(out)[:, ::4], y)                # bit-identical


def test_windowed_gradient_equals_full_gradient():
    """Padding windows with the receptive field makes their gradient exact."""
    from pnf.langevin import gradient

    prior = GaussianAR(a=0.7, q=3.0, mean=MID)
    task = Unconditional(length=40, batch=2, quantizer=LIN)
    x = torch.rand(1, 2, 40, dtype=torch.float64) * 255
    full = gradient([prior], task, x, 1.0, [None])
    for a, b in [(0, 7), (10, 18), (33, 40)]:
        part = gradient([prior], task, x, 1.0, [None], (a, b))
        torch.testing.assert_close(part, full[..., a:b])
