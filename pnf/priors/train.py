"""Train a smoothed WaveNet prior: noisy input, clean target, cross-entropy.

The method: docs/method.md#smoothing.

    >>> from pnf.priors.train import PriorConfig, train_prior
    >>> cfg = PriorConfig.from_dict(yaml.safe_load(open("experiments/models/wavenet-tiny.yaml")))
    >>> prior = train_prior(cfg, data="data/embedded/piano", out="results/priors/piano.pt")

`sigma_mode: per_level` trains one network per σ (the paper): the lowest level from
scratch for `training.steps`, each next level fine-tuned from the previous one for
`finetune_steps`. `sigma_mode: input` trains one σ-conditioned network on σ drawn
log-uniformly over the ladder. Each network checkpoints to `<out>.parts/` (resumable);
the finished prior is packed into `out` and the parts are removed. When the data has
held-out clips, every checkpoint logs their NLL (pnf.priors.curve) into `<out>.heldout.csv`.
"""

from __future__ import annotations

import math
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F

from pnf.audio import RATE, Quantizer, mel_spectrogram
from pnf.checkpoints import check_size, load_prior, pack_prior, save_checkpoint
from pnf.clips import load_clips, random_crops
from pnf.config import from_dict
from pnf.precision import resolve_precision
from pnf.priors.curve import HeldoutCurve
from pnf.priors.wavenet import WaveNet, WaveNetConfig
from pnf.resources import check_training
from pnf.runtime import pick_device
from pnf.training import TrainConfig, train

# Named model sizes; an experiment may name one or spell out WaveNetConfig fields.
WAVENET_SIZES = {
    "tiny": dict(layers=6, cycles=2, residual_channels=16, gate_channels=32,
                 skip_channels=16),
    "small": dict(layers=20, cycles=2, residual_channels=64, gate_channels=128,
                  skip_channels=64),
    "paper": dict(layers=30, cycles=3, residual_channels=128, gate_channels=256,
                  skip_channels=128),
}


@dataclass
class PriorConfig:
    model: dict = field(default_factory=lambda: {"size": "tiny"})
    training: dict = field(default_factory=dict)
    sigma_mode: str = "input"            # "per_level" (paper) or "input" (ours)
    sigmas: list = field(default_factory=lambda: [10.0, 1.0, 0.1])
    crop: int = 4096                     # training clip length in samples
    finetune_steps: int | None = None    # per-level fine-tuning steps (default: steps)
    source: str | None = None            # manifest `source` filter (e.g. "piano")
    precision: str = "fp32"              # trunk matmuls while training: fp32 | bf16

    @classmethod
    def from_dict(cls, d: dict) -> PriorConfig:
        cfg = from_dict(cls, d, "prior config")
        if cfg.sigma_mode not in ("per_level", "input"):
            raise ValueError(f"sigma_mode must be 'per_level' or 'input', got {cfg.sigma_mode!r}")
        cfg.train_config()   # validate keys early
        resolve_precision(cfg.precision, "cpu")
        check_size(WaveNet, cfg.net_config(), "wavenet")
        return cfg

    def net_config(self) -> WaveNetConfig:
        return sized_config(WaveNetConfig, WAVENET_SIZES, self.model, self.sigma_mode)

    def train_config(self) -> TrainConfig:
        return TrainConfig.from_dict(self.training)


def sized_config(config_cls, sizes: dict, model: dict, sigma_mode: str):
    """A network config from a `model:` mapping: a named `size` overridden by explicit fields."""
    model = dict(model)
    size = model.pop("size", None)
    if size is not None and (not isinstance(size, str) or size not in sizes):
        raise ValueError(f"unknown model size {size!r}; use one of {list(sizes)}")
    merged = {**sizes.get(size, {}), **model, "sigma_input": sigma_mode == "input"}
    return from_dict(config_cls, merged, "model")


def prior_loss(sigma_of):
    """loss_fn for pnf.training.train; sigma_of(batch_size, generator) -> (B,) σ."""
    def loss(net, batch, gen):
        bins, cond = batch                                        # (B, T) int, (B, M, T)
        sigma = sigma_of(bins.shape[0], gen).to(bins.device)      # (B,)
        noise = torch.randn(bins.shape, generator=gen, device=bins.device)
        noisy = bins.float() + sigma[:, None] * noise             # x̃ = x + σ ε
        c = None if cond is None else net.condition(cond, bins.shape[1])
        return F.cross_entropy(net(noisy, sigma, c), bins)
    return loss


def prior_batches(clips, crop: int, batch: int, quantizer: Quantizer, mel: bool,
                  rate: int = RATE):
    """batch_fn: deterministic random crops -> (clean bins, mel at `rate` or None)."""
    def batch_fn(step, gen):
        wave = random_crops(clips, crop, batch, gen)              # (B, T)
        m = mel_spectrogram(wave, rate=rate) if mel else None
        return quantizer.quantize(wave).to(gen.device), None if m is None else m.to(gen.device)
    return batch_fn


def train_prior(cfg: PriorConfig, data: str | Path, out: str | Path):
    """Train (or resume, or skip if finished) the prior described by `cfg`; returns it."""
    out = Path(out)
    if out.exists():
        print(f"pnf: {out} is already trained; delete it to retrain", file=sys.stderr)
        return load_prior(out)
    net_cfg, tcfg = cfg.net_config(), cfg.train_config()
    if net_cfg.mel_channels and cfg.crop % 256:
        raise ValueError("crop must be a multiple of the mel hop (256) for a mel prior")
    levels = 1 if cfg.sigma_mode == "input" else len(cfg.sigmas)
    check_training(WaveNet, net_cfg, tcfg.batch_size, cfg.crop, tcfg.steps + (levels - 1) *
                   (cfg.finetune_steps or tcfg.steps), "training this prior",
                   pick_device(tcfg.device))
    q = Quantizer(net_cfg.quantization)
    clips = load_clips(data, "train", cfg.source, net_cfg.rate)
    batch_fn = prior_batches(clips, cfg.crop, tcfg.batch_size, q, net_cfg.mel_channels > 0,
                             net_cfg.rate)
    parts = out.with_name(out.name + ".parts")
    sigmas = sorted(float(s) for s in cfg.sigmas)
    meta = {"prior_config": asdict(cfg)}
    curve = HeldoutCurve.start(data, cfg.source, q, net_cfg.rate, parts / "heldout.csv")
    hook = (lambda i, s: curve.hook(i, s)) if curve else (lambda i, s: None)
    if cfg.sigma_mode == "input":
        nets = [train(_new_net(net_cfg, cfg.precision), prior_loss(log_uniform_sigma(sigmas)),
                      batch_fn, tcfg, parts / "net.pt", extra=meta, desc="prior (σ input)",
                      on_checkpoint=hook(0, sigmas[0]))]
    else:
        nets, previous = [], None
        for i, sigma in enumerate(sigmas):
            steps = tcfg.steps if i == 0 else (cfg.finetune_steps or tcfg.steps)
            level_cfg = TrainConfig(**{**asdict(tcfg), "steps": steps})
            previous = train(_new_net(net_cfg, cfg.precision), prior_loss(fixed_sigma(sigma)),
                             batch_fn, level_cfg, parts / f"level-{i:02d}.pt", extra=meta,
                             desc=f"prior σ={sigma:g}", init_from=previous,
                             on_checkpoint=hook(i, sigma))
            nets.append(previous)
    save_checkpoint(out, {**pack_prior(nets, sigmas, cfg.sigma_mode == "input"), **meta})
    if curve:
        curve.finish(curve_path(out))
    shutil.rmtree(parts, ignore_errors=True)
    return load_prior(out)


def curve_path(prior: str | Path) -> Path:
    """The held-out NLL curve logged while `prior` trained (pnf.priors.curve), beside it."""
    return Path(prior).with_name(Path(prior).name + ".heldout.csv")


def _new_net(config: WaveNetConfig, precision: str) -> WaveNet:
    """A fresh WaveNet whose trunk matmuls run in `precision` (pnf.precision)."""
    net = WaveNet(config)
    net.precision = resolve_precision(precision, "cuda" if torch.cuda.is_available() else "cpu")
    return net


def fixed_sigma(sigma: float):
    """σ sampler for per-level training: always `sigma`; (n, generator) -> (n,)."""
    def fixed(n, gen):
        return torch.full((n,), sigma, device=gen.device)
    return fixed


def log_uniform_sigma(levels: list[float]):
    """σ sampler for σ-input training: log-uniform over the levels' range."""
    lo, hi = math.log(min(levels)), math.log(max(levels))

    def draw(n, gen):
        return torch.exp(lo + (hi - lo) * torch.rand(n, generator=gen, device=gen.device))
    return draw
