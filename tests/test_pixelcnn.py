"""The smoothed PixelCNN++ prior: causal network, exact smoothed density, a loss that falls.

- Causality: the output at pixel p depends only on pixels before p in raster order, for
  every shipped size (tiny, small, paper; σ per level and σ as input); through the whole
  prior, changing G of a pixel changes its B term but not its R term or anything earlier.
- The smoothed density integrates to 1 per channel and equals a brute-force convolution
  of the discretized mixture pmf (computed here independently) with the Gaussian.
- A tiny model's clean discretized-logistic loss falls on the embedded images.
"""

import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from pnf.checkpoints import load_prior
from pnf.priors.image import (
    PIXELCNN_SIZES,
    ImagePrior,
    ImagePriorConfig,
    bits_per_dim,
    read_images,
    train_image_prior,
)
from pnf.priors.logistic import discretized_log_prob, smoothed_log_prob
from pnf.priors.pixelcnn import PixelCNN, PixelCNNConfig
from pnf.training import reset_parameters


def before(pixel, side):
    rows, cols = torch.meshgrid(torch.arange(side), torch.arange(side), indexing="ij")
    return (rows < pixel[0]) | ((rows == pixel[0]) & (cols <= pixel[1]))


# every shipped size (small on 16x16 inputs: causality does not depend on the side)
CASES = [("tiny", False, 32), ("tiny", True, 32), ("small", True, 16), ("paper", False, 32)]


@pytest.mark.parametrize("size,sigma_input,side", CASES)
def test_network_is_causal(size, sigma_input, side):
    """Changing pixel p changes no output at p or before it, and does change later ones."""
    torch.manual_seed(0)
    net = PixelCNN(PixelCNNConfig(**PIXELCNN_SIZES[size], sigma_input=sigma_input)).eval()
    x = torch.randn(1, 3, side, side)
    with torch.no_grad():
        base = net(x, 0.1)
        pixels = [(0, 0), (5, side - 1), (side // 2, 3), (side - 1, side - 2)]
        for p in pixels[: 2 if size == "paper" else 4]:
            y = x.clone()
            y[0, :, p[0], p[1]] += 1.0
            moved = (net(y, 0.1) - base).abs().amax(1)[0]          # (side, side)
            assert moved[before(p, side)].max() < 1e-5, f"{size}: output at/before {p} moved"
            assert moved[~before(p, side)].max() > 1e-4, f"{size}: nothing after {p} sees it"


def tiny_prior(sigma_input=False, grid=64):
    torch.manual_seed(1)
    cfg = PixelCNNConfig(**PIXELCNN_SIZES["tiny"], sigma_input=sigma_input)
    net = PixelCNN(cfg).double()
    with torch.no_grad():                     # larger head: strong, varied mixtures
        net.head.weight.mul_(20)
    return ImagePrior([net], [0.1], sigma_input, grid=grid)


def test_prior_terms_respect_channel_order():
    prior = tiny_prior()
    x = torch.rand(1, 3, 8, 8, dtype=torch.float64) * 2 - 1
    base = prior.log_prob_terms(x, 0.1)                          # (1, 3, 8, 8)
    y = x.clone()
    y[0, 1, 3, 4] += 0.3                                         # change G of pixel (3, 4)
    moved = (prior.log_prob_terms(y, 0.1) - base).abs()[0]       # (3, 8, 8)
    order = torch.arange(3 * 64).view(8, 8, 3).permute(2, 0, 1)  # raster, then R, G, B
    here = order[1, 3, 4]
    assert moved[order < here].max() < 1e-12                     # R of (3, 4) and all earlier
    assert moved[1, 3, 4] > 1e-3 and moved[2, 3, 4] > 1e-3       # its own G term and B term
    assert moved[order > here].max() > 1e-3                     # later pixels do react


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def brute_force_density(out, xt, sigma, grid):
    """p_σ(x̃) of one pixel by explicit loops: Σ_k π_k Π_c Σ_j P_ck(g_j) N(x̃_c; g_j, σ²)."""
    out = out.reshape(-1).numpy()
    K = len(out) // 10
    pi = np.exp(out[:K] - out[:K].max())
    pi /= pi.sum()
    mu, log_s, coef = (out[K:].reshape(3, 3, K)[i] for i in range(3))
    log_s, coef = np.maximum(log_s, -7.0), np.tanh(coef)
    g = np.linspace(-1, 1, grid)
    half = 1.0 / (grid - 1)
    total = 0.0
    for k in range(K):
        means = [mu[0, k], mu[1, k] + coef[0, k] * xt[0],
                 mu[2, k] + coef[1, k] * xt[0] + coef[2, k] * xt[1]]
        prod = pi[k]
        for c in range(3):
            s = np.exp(log_s[c, k])
            cdf_hi = np.where(g > 1 - half / 2, 1.0, _sigmoid((g + half - means[c]) / s))
            cdf_lo = np.where(g < -1 + half / 2, 0.0, _sigmoid((g - half - means[c]) / s))
            pmf = cdf_hi - cdf_lo
            assert abs(pmf.sum() - 1) < 1e-12
            gauss = np.exp(-0.5 * ((xt[c] - g) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
            prod *= (pmf * gauss).sum()
        total += prod
    return total


@pytest.mark.parametrize("grid,sigma", [(64, 0.05), (256, 0.02)])
def test_smoothed_density_is_the_convolved_pmf(grid, sigma):
    gen = torch.Generator().manual_seed(2)
    K = 3
    out = torch.randn(1, 10 * K, 1, 1, generator=gen, dtype=torch.float64)
    out[:, K + 3 * K: K + 6 * K] -= 2.0                           # scales ~ e^-2: peaked pmfs
    for _ in range(5):
        xt = (torch.rand(3, generator=gen, dtype=torch.float64) * 2.4 - 1.2).numpy()
        terms = smoothed_log_prob(out, torch.from_numpy(xt).view(1, 3, 1, 1), sigma, grid)
        want = brute_force_density(out, xt, sigma, grid)
        assert math.isclose(terms.sum().exp().item(), want, rel_tol=1e-6)
    # each channel's conditional integrates to 1 over a fine grid of x̃_c
    step = sigma / 20
    axis = torch.arange(-1.5, 1.5, step, dtype=torch.float64)      # (N,)
    fixed = torch.tensor([0.3, -0.4, 0.1], dtype=torch.float64)
    for c in range(3):
        x = fixed.repeat(len(axis), 1)
        x[:, c] = axis
        terms = smoothed_log_prob(out.expand(len(axis), -1, -1, -1), x.view(-1, 3, 1, 1),
                                  sigma, grid)
        mass = terms[:, c, 0, 0].exp().sum().item() * step
        assert abs(mass - 1) < 1e-6, (c, mass)


def test_clean_loss_is_the_discretized_mixture():
    gen = torch.Generator().manual_seed(3)
    out = torch.randn(4, 20, 1, 1, generator=gen, dtype=torch.float64)
    x = torch.randint(0, 256, (4, 3, 1, 1), generator=gen) / 127.5 - 1.0
    lp = discretized_log_prob(out, x.double()).sum((1, 2, 3)).exp()
    # with a vanishing σ the smoothed density times the bin width is the pmf
    for b in range(4):
        dens = brute_force_density(out[b], x[b].view(3).double().numpy(), 1e-3, 256)
        assert math.isclose(lp[b].item(), dens * (2 * math.pi * 1e-6) ** 1.5, rel_tol=1e-6)


def test_tiny_model_loss_falls(tmp_path):
    subprocess.run([sys.executable, "-m", "pnf.cli", "data", "build", "images", "--out",
                    str(tmp_path), "--size", "smoke"], check=True, capture_output=True)
    data = tmp_path / "images"
    cfg = ImagePriorConfig.from_dict({
        "model": {"size": "tiny"}, "sigma_mode": "input", "sigmas": [0.3, 0.01],
        "training": {"steps": 40, "batch_size": 8, "lr": 4e-3, "ema": 0.9,
                     "checkpoint_every": 1000, "device": "cpu"}})
    test = read_images(data / "test.npy")
    fresh = PixelCNN(cfg.net_config())
    reset_parameters(fresh, 0)
    start = bits_per_dim(fresh.eval(), test, 0.01)
    prior = train_image_prior(cfg, data, tmp_path / "prior.pt")
    end = bits_per_dim(prior.net_for(0.01), test, 0.01)
    print(f"tiny PixelCNN++ test bits/dim at σ=0.01: {start:.3f} -> {end:.3f} (40 steps)")
    assert end < start - 1.0, (start, end)
    again = load_prior(tmp_path / "prior.pt")
    assert isinstance(again, ImagePrior) and again.sigma_input and again.receptive_field is None
