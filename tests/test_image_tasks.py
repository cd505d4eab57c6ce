"""Image tasks through the generic Langevin sampler, and `pnf image` end to end.

- Inpainting and 2x super-resolution under a (random) smoothed PixelCNN++: observed
  pixels hold their values at every step and come back bit-identical.
- Separation: under isotropic Gaussian priors the posterior of (x1, x2) given x1 + x2 = m
  with γ = c/σ² is Gaussian in closed form; thousands of chains must match it.
- `pnf data build images` -> `pnf image train` -> `pnf image restore ...` / `sample` writes
  the documented files.
"""

import json

import numpy as np
import pytest
import torch

from pnf.cli import main
from pnf.langevin import Schedule, anneal
from pnf.priors.base import Prior
from pnf.priors.image import PIXELCNN_SIZES, ImagePrior
from pnf.priors.pixelcnn import PixelCNN, PixelCNNConfig
from pnf.tasks import ImageInpainting, ImageSeparation, ImageSuperResolution

SIGMAS = (0.5, 0.2, 0.05)


def random_prior():
    torch.manual_seed(0)
    net = PixelCNN(PixelCNNConfig(**PIXELCNN_SIZES["tiny"], sigma_input=True))
    return ImagePrior([net], list(SIGMAS), sigma_input=True, grid=64)


@pytest.mark.parametrize("kind", ["inpaint", "superres"])
def test_hard_constraints_hold_at_every_step(kind):
    truth = torch.rand(2, 3, 16, 16) * 2 - 1
    base = ImageInpainting if kind == "inpaint" else ImageSuperResolution
    seen = []

    class Watched(base):
        def log_likelihood(self, x, sigma, span):
            seen.append(torch.equal(x[0][self.observed], self.images[self.observed]))
            return super().log_likelihood(x, sigma, span)

    task = Watched(truth, 8) if kind == "inpaint" else Watched(truth[..., ::2, ::2], 2)
    out = task.finish(anneal([random_prior()], task, Schedule(SIGMAS, 1e-3, 3),
                             progress=False))
    assert len(seen) == 3 * len(SIGMAS) and all(seen)
    obs = task.observed
    assert torch.equal(out[obs], truth[obs])                      # bit-identical
    assert obs.float().mean() == (0.75 if kind == "inpaint" else 0.25)
    assert not torch.equal(out[~obs], task.init(torch.Generator())[0][~obs])  # it moved


class IsotropicGaussian(Prior):
    """x ~ N(mean, s²) per entry; smoothed: N(mean, s² + σ²)."""

    def __init__(self, mean: float, s: float):
        self.mean, self.s = mean, s

    def log_prob_terms(self, x, sigma, cond=None):
        return -0.5 * (x - self.mean) ** 2 / (self.s**2 + sigma**2)


def test_separation_matches_gaussian_posterior():
    chains, c = 4000, 0.01
    p1, p2 = IsotropicGaussian(0.3, 0.5), IsotropicGaussian(-0.2, 0.3)
    m = torch.tensor([0.4, -0.6, 1.1]).view(1, 3, 1, 1).expand(chains, 3, 1, 1)
    task = ImageSeparation(m, c=c)
    x = anneal([p1, p2], task, Schedule((0.4, 0.2, 0.1), 0.01, 800), seed=1,
               progress=False).double()                           # (2, B, 3, 1, 1)
    gamma = c / 0.1**2
    v1, v2 = 0.5**2 + 0.1**2, 0.3**2 + 0.1**2
    prec = torch.tensor([[1 / v1 + gamma, gamma], [gamma, 1 / v2 + gamma]], dtype=torch.float64)
    cov = torch.linalg.inv(prec)
    for ch in range(3):
        mix = float(m[0, ch])
        mean = cov @ torch.tensor([0.3 / v1 + gamma * mix, -0.2 / v2 + gamma * mix],
                                  dtype=torch.float64)
        s = x[:, :, ch, 0, 0].T                                    # (B, 2)
        se = torch.sqrt(torch.diag(cov) / chains)
        assert torch.all((s.mean(0) - mean).abs() < 5 * se), (s.mean(0), mean)
        emp = torch.cov(s.T)
        se_cov = torch.sqrt((torch.diag(cov)[:, None] * torch.diag(cov)[None] + cov**2)
                            / chains)
        assert torch.all((emp - cov).abs() < 5 * se_cov), (emp, cov)


def test_cli_train_restore_sample(tmp_path):
    assert main(["data", "build", "images", "--out", str(tmp_path), "--size", "smoke"]) == 0
    data = tmp_path / "images"
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text("model: {size: tiny}\nsigma_mode: per_level\nsigmas: [0.3, 0.1]\n"
                   "finetune_steps: 1\ntraining: {steps: 2, batch_size: 2, device: cpu}\n")
    prior = tmp_path / "prior.pt"
    assert main(["image", "train", "--config", str(cfg), "--data", str(data),
                 "--out", str(prior)]) == 0
    quick = ["--prior", str(prior), "--iterations", "2", "--device", "cpu", "--grid", "64"]
    test = np.load(data / "test.npy")
    out = tmp_path / "inpaint"
    assert main(["image", "restore", "inpaint", "--input", str(data / "test.npy"),
                 "--index", "3", "--output-dir", str(out), *quick]) == 0
    truth, restored = np.load(out / "truth.npy"), np.load(out / "pnf.npy")
    assert truth.shape == restored.shape == (3, 32, 32) and np.array_equal(truth, test[3])
    keep = np.ones((32, 32), bool)
    keep[8:24, 8:24] = False
    assert np.array_equal(restored[:, keep], truth[:, keep])      # observed: bit-identical
    assert not np.array_equal(restored[:, ~keep], truth[:, ~keep])
    assert (out / "pnf.png").is_file() and (out / "input.npy").is_file()
    run = json.loads((out / "run.json").read_text())
    assert run["levels"] == [0.3, 0.1] and run["iterations"] == 2 and run["index"] == [3]
    assert run["setting"] == {"hole": 16} and run["task"] == "inpaint" and run["code_version"]

    out = tmp_path / "sep"
    assert main(["image", "restore", "separate", "--input", str(data / "test.npy"),
                 "--index", "1", "--index", "2", "--output-dir", str(out), *quick]) == 0
    assert np.load(out / "truth.npy").shape == (2, 3, 32, 32)
    assert np.load(out / "pnf-a.npy").shape == np.load(out / "pnf-b.npy").shape == (3, 32, 32)

    out = tmp_path / "sr"
    assert main(["image", "restore", "superres", "--input", str(data / "test.npy"),
                 "--index", "0", "--output-dir", str(out), *quick]) == 0
    assert np.array_equal(np.load(out / "pnf.npy")[:, ::2, ::2], test[0][:, ::2, ::2])

    out = tmp_path / "samples"
    assert main(["image", "sample", "--output", str(out), "--count", "2", *quick]) == 0
    assert np.load(out / "samples.npy").shape == (2, 3, 32, 32)
    assert main(["image", "restore", "separate", "--input", str(data / "test.npy"),
                 "--index", "1", "--output-dir", str(out), *quick]) == 2     # one-line error
