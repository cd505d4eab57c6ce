"""WaveNet prior: smoothing is the right density, the net is causal, sampling is cached."""

import math

import numpy as np
import pytest
import torch

from pnf.priors.ancestral import ancestral_sample, naive_sample
from pnf.priors.smoothing import smoothed_log_prob
from pnf.priors.train import WAVENET_SIZES
from pnf.priors.wavenet import WaveNet, WaveNetConfig


def test_smoothing_equals_numerical_convolution():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 256, 3, generator=g, dtype=torch.float64) * 3
    sigma = 1.7
    xs = torch.linspace(-40, 295, 8001, dtype=torch.float64)  # grid over x̃
    # independent reference: convolve the discrete pmf with a sampled Gaussian kernel
    pmf = torch.softmax(logits, 1)                                   # (2, 256, 3)
    kernel = torch.exp(-0.5 * ((xs[:, None] - torch.arange(256.0)) / sigma) ** 2) / (
        sigma * math.sqrt(2 * math.pi))                              # (X, 256)
    ref = torch.einsum("xk,bkt->btx", kernel, pmf)                   # (2, 3, X)
    ours = torch.exp(smoothed_log_prob(
        logits[:, :, :, None].expand(-1, -1, -1, len(xs)).reshape(2, 256, -1),
        xs.repeat(3)[None].expand(2, -1), sigma)).view(2, 3, -1)
    torch.testing.assert_close(ours, ref, rtol=1e-9, atol=1e-12)
    dx = xs[1] - xs[0]
    torch.testing.assert_close(ours.sum(-1) * dx, torch.ones(2, 3, dtype=torch.float64),
                               rtol=1e-6, atol=1e-6)                 # a density in x̃
    mean = (ours * xs).sum(-1) * dx
    torch.testing.assert_close(mean, (pmf * torch.arange(256.0)[:, None]).sum(1), rtol=1e-6,
                               atol=1e-5)


def test_smoothing_is_stable_far_from_the_bins():
    logits = torch.zeros(1, 256, 1)
    lp = smoothed_log_prob(logits, torch.tensor([[-500.0]]), 0.05)
    expected = -math.log(256) - 0.5 * (500 / 0.05) ** 2 - math.log(0.05 * math.sqrt(2 * math.pi))
    assert torch.isfinite(lp).all()
    assert abs(float(lp) - expected) / abs(expected) < 1e-6


def reference_smoothed(logits, x, sigma):
    """The textbook formula, differentiated by autograd: (B, K, T) logits, (B,) σ."""
    sigma = sigma.view(-1, 1, 1)
    inner = logits - (x.unsqueeze(1) - torch.arange(256.0, dtype=x.dtype).view(1, -1, 1)) ** 2 / (
        2 * sigma**2)
    return (torch.logsumexp(inner, 1) - torch.logsumexp(logits, 1)
            - torch.log(sigma.view(-1, 1) * math.sqrt(2 * math.pi)))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_smoothing_gradient_equals_autograd_of_the_formula(dtype):
    g = torch.Generator().manual_seed(1)
    logits = (torch.randn(3, 256, 40, generator=g, dtype=torch.float64) * 4).to(dtype)
    x = (torch.rand(3, 40, generator=g, dtype=torch.float64) * 400 - 70).to(dtype)
    sigma = torch.tensor([0.05, 1.0, 40.0], dtype=dtype)
    weights = torch.randn(3, 40, generator=g, dtype=torch.float64).to(dtype)
    results = []
    for fn in (smoothed_log_prob, reference_smoothed):
        a, b = logits.clone().requires_grad_(True), x.clone().requires_grad_(True)
        value = fn(a, b, sigma)
        results.append((value, *torch.autograd.grad((value * weights).sum(), (a, b))))
    tol = {"rtol": 1e-10, "atol": 1e-9} if dtype == torch.float64 else {"rtol": 1e-4,
                                                                         "atol": 1e-3}
    for ours, ref in zip(*results, strict=True):
        torch.testing.assert_close(ours, ref, **tol)


CONFIGS = {name: WaveNetConfig(**size) for name, size in WAVENET_SIZES.items()}
CONFIGS["tiny-sigma-mel"] = WaveNetConfig(**WAVENET_SIZES["tiny"], sigma_input=True,
                                          mel_channels=8, upsample_scales=(2, 2))
CONFIGS["tiny-k3"] = WaveNetConfig(**WAVENET_SIZES["tiny"], kernel_size=3)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_causal_within_receptive_field(name):
    torch.manual_seed(0)
    net = WaveNet(CONFIGS[name]).double().eval()
    R = net.receptive_field
    T = R + 64
    x = torch.rand(1, T, dtype=torch.float64) * 255
    cond = torch.randn(1, 8, T, dtype=torch.float64) if net.config.mel_channels else None
    t = T - 40
    y = x.clone()
    y[0, t] += 50.0
    with torch.no_grad():
        a, b = net(x, 2.0, cond), net(y, 2.0, cond)
    diff = (a - b).abs().amax(1)[0]                                   # (T,)
    assert diff[: t + 1].max() < 1e-9          # outputs at <= t never see x_t
    assert diff[t + 1] > 1e-6                  # x_t informs the next prediction
    if t + R + 1 < T:
        assert diff[t + R + 1:].max() < 1e-9   # and nothing beyond the receptive field
    assert diff[min(t + R, T - 1)] > 0 or t + R >= T


@pytest.mark.parametrize("name", ["tiny", "tiny-sigma-mel", "tiny-k3"])
def test_cached_ancestral_equals_naive(name):
    torch.manual_seed(1)
    net = WaveNet(CONFIGS[name]).eval()
    length = 120
    cond = torch.randn(2, 8, length) if net.config.mel_channels else None
    fast = ancestral_sample(net.double(), length, batch=2, sigma=0.5, seed=3,
                            cond=None if cond is None else cond.double(), dtype=np.float64,
                            progress=False)
    slow = naive_sample(net, length, batch=2, sigma=0.5, seed=3, cond=cond,
                        dtype=torch.float64)
    assert np.array_equal(fast, slow)
    assert len(np.unique(fast)) > 5            # a real draw, not a constant


def reference_forward(net, x, sigma, cond):
    """The textbook WaveNet with nn.Conv1d layers, written independently of the fast path."""
    c = net.config
    h = net.lift(torch.nn.functional.pad(x / 127.5 - 1.0, (1, -1)).unsqueeze(1))
    skip, half, R = 0, c.gate_channels // 2, c.residual_channels
    biases = net.sigma_biases(sigma, x.shape[0], x.device) if c.sigma_input else None
    for i, (conv, out) in enumerate(zip(net.convs, net.outs, strict=True)):
        g = conv(torch.nn.functional.pad(h, ((c.kernel_size - 1) * net.dilations[i], 0)))
        if biases is not None:
            g = g + biases[:, i, :, None]
        if cond is not None:
            g = g + net.cond_proj[i](cond)
        z = torch.tanh(g[:, :half]) * torch.sigmoid(g[:, half:])
        rs = out(z)
        h = (h + rs[:, :R]) * math.sqrt(0.5)
        skip = skip + rs[:, R:]
    relu = torch.nn.functional.relu
    return net.head2(relu(net.head1(relu(skip))))


@pytest.mark.parametrize("name", ["tiny", "tiny-sigma-mel", "tiny-k3", "small"])
def test_fast_forward_equals_reference_convolutions(name):
    torch.manual_seed(2)
    net = WaveNet(CONFIGS[name]).double()
    x = torch.rand(3, 700, dtype=torch.float64) * 255
    cond = torch.randn(3, 8, 700, dtype=torch.float64) if net.config.mel_channels else None
    sigma = torch.tensor([0.5, 2.0, 9.0], dtype=torch.float64)
    torch.testing.assert_close(net(x, sigma, cond), reference_forward(net, x, sigma, cond))


def test_smoothing_layouts_agree():
    logits = torch.randn(2, 256, 50, dtype=torch.float64)
    x = torch.rand(2, 50, dtype=torch.float64) * 300 - 20
    sigma = torch.tensor([0.3, 12.0], dtype=torch.float64)
    torch.testing.assert_close(smoothed_log_prob(logits, x, sigma),
                               smoothed_log_prob(logits.transpose(1, 2), x, sigma, dim=-1))


@pytest.mark.parametrize("name", ["tiny", "tiny-sigma-mel", "tiny-k3"])
def test_fast_input_gradient_equals_reference(name):
    """The hand-written backward passes (gated unit, dilated taps) give autograd's answer."""
    torch.manual_seed(4)
    net = WaveNet(CONFIGS[name]).double()
    x = (torch.rand(2, 300, dtype=torch.float64) * 255).requires_grad_(True)
    cond = torch.randn(2, 8, 300, dtype=torch.float64) if net.config.mel_channels else None
    weights = torch.randn(2, 256, 300, dtype=torch.float64)
    fast, = torch.autograd.grad((net(x, 3.0, cond) * weights).sum(), x)
    ref, = torch.autograd.grad((reference_forward(net, x, 3.0, cond) * weights).sum(), x)
    torch.testing.assert_close(fast, ref)
    params = [p for p in net.parameters() if p.requires_grad]
    fast_w = torch.autograd.grad((net(x, 3.0, cond) * weights).sum(), params, allow_unused=True)
    ref_w = torch.autograd.grad((reference_forward(net, x, 3.0, cond) * weights).sum(), params,
                                allow_unused=True)
    for a, b in zip(fast_w, ref_w, strict=True):   # weight gradients too (training)
        assert (a is None) == (b is None)
        if a is not None:
            torch.testing.assert_close(a, b)
