"""WaveNet over noisy scalar audio (bin units) with a 256-way output (docs/method.md#models).

    >>> from pnf.priors.wavenet import WaveNet
    >>> net = WaveNet(WaveNet.Config(layers=10, cycles=1, residual_channels=32,
    ...                              gate_channels=64, skip_channels=32))
    >>> logits = net(x_noisy, sigma=1.6)      # x_noisy: (B, T) bins -> (B, 256, T)

`logits[:, :, t]` predicts the clean bin of x_t from x̃_<t only (input shifted by one,
causal dilated convolutions). σ is known either because the net was trained at one
noise level (`sigma_input=False`, the paper: one net per level) or because σ is an input
(`sigma_input=True`, ours: one net for all levels, embedded and added to every gate).
With `mel_channels > 0` the net is locally conditioned on an upsampled mel spectrogram.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from pnf.precision import GEMM_DTYPES
from pnf.priors.chunked import head_log_prob
from pnf.priors.kernels import dilated_gate, dilated_taps, gated_tanh
from pnf.priors.smoothing import smoothed_log_prob

MAX_LAYERS_PER_CYCLE = 20     # dilations up to 2^19: a receptive field of ~0.5 M samples


@dataclass
class WaveNetConfig:
    layers: int = 30                 # dilated layers in all cycles
    cycles: int = 3                  # dilations 1, 2, ..., 2^(layers/cycles - 1), repeated
    kernel_size: int = 2
    residual_channels: int = 128
    gate_channels: int = 256         # split in half: tanh part and sigmoid part
    skip_channels: int = 128
    classes: int = 256
    sigma_input: bool = False        # σ as a network input (one net for every level)
    mel_channels: int = 0            # > 0: local conditioning on a mel spectrogram
    upsample_scales: tuple = (4, 4, 4, 4)  # product must equal the mel hop (256)
    quantization: str = "mulaw"      # "mulaw" or "linear" (separation needs linear)
    rate: int = 22050

    def __post_init__(self):
        if self.layers % self.cycles:
            raise ValueError(f"layers ({self.layers}) must be a multiple of cycles "
                             f"({self.cycles}); fix the model config")
        if self.layers // self.cycles > MAX_LAYERS_PER_CYCLE:
            raise ValueError(f"layers / cycles = {self.layers // self.cycles}: at most "
                             f"{MAX_LAYERS_PER_CYCLE} layers per cycle (dilation 2^"
                             f"{MAX_LAYERS_PER_CYCLE - 1}); add cycles")
        if self.gate_channels % 2:
            raise ValueError("gate_channels must be even (tanh and sigmoid halves)")
        self.upsample_scales = tuple(self.upsample_scales)


class MelUpsampler(nn.Module):
    """(B, M, F) mel frames -> (B, M, F * prod(scales)) per-sample features."""

    def __init__(self, channels: int, scales: tuple):
        super().__init__()
        self.ups = nn.ModuleList(nn.ConvTranspose1d(channels, channels, s, stride=s)
                                 for s in scales)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        for up in self.ups:
            mel = F.leaky_relu(up(mel), 0.4)
        return mel


def _add_mm(acc: torch.Tensor | None, a: torch.Tensor, w: torch.Tensor, dtype) -> torch.Tensor:
    """acc + a @ w (acc None: 0) with the GEMM in a's dtype and the result in `dtype`."""
    if a.dtype == dtype:
        return a @ w if acc is None else torch.addmm(acc, a, w)
    prod = a @ w.to(a.dtype)
    return prod.to(dtype) if acc is None else acc + prod


def _gate(h, batch: int, dilation: int, w_taps, bias) -> torch.Tensor:
    """Gate pre-activations (B·T, G) of a dilated layer; bias (B|1, 1, G) in w_taps' dtype."""
    G, k = w_taps.shape[1], w_taps.shape[0] // h.shape[1]
    if not (w_taps.requires_grad or bias.requires_grad):     # sampling: no weight gradient
        return dilated_gate(h, batch, dilation, w_taps, bias.view(-1, G))
    taps = dilated_taps(h, batch, dilation, k, w_taps.dtype)
    if bias.shape[0] == 1:
        return torch.addmm(bias.view(1, G), taps, w_taps)
    return (taps @ w_taps).view(batch, -1, G).add_(bias).view(-1, G)   # a σ per batch item


class WaveNet(nn.Module):
    kind = "wavenet"   # its name in pnf.checkpoints.KINDS
    Config = WaveNetConfig

    def __init__(self, config: WaveNetConfig):
        super().__init__()
        c = self.config = config
        self.precision = "fp32"          # trunk GEMMs: "fp32" or "bf16" (pnf.precision)
        per_cycle = c.layers // c.cycles
        self.dilations = [2 ** (i % per_cycle) for i in range(c.layers)]
        self.lift = nn.Conv1d(1, c.residual_channels, 1)
        self.convs = nn.ModuleList(nn.Conv1d(c.residual_channels, c.gate_channels,
                                             c.kernel_size, dilation=d) for d in self.dilations)
        half = c.gate_channels // 2
        # one 1x1 conv per layer gives both the residual and the skip contribution
        self.outs = nn.ModuleList(nn.Conv1d(half, c.residual_channels + c.skip_channels, 1)
                                  for _ in self.dilations)
        self.head1 = nn.Conv1d(c.skip_channels, c.skip_channels, 1)
        self.head2 = nn.Conv1d(c.skip_channels, c.classes, 1)
        if c.sigma_input:
            self.sigma_embed = nn.Sequential(nn.Linear(16, 64), nn.SiLU())
            self.sigma_proj = nn.Linear(64, c.layers * c.gate_channels)
        if c.mel_channels:
            self.upsample = MelUpsampler(c.mel_channels, c.upsample_scales)
            self.cond_proj = nn.ModuleList(nn.Conv1d(c.mel_channels, c.gate_channels, 1)
                                           for _ in self.dilations)

    def bytes_per_position(self) -> int:
        """Memory one sample of one chain takes in a gradient pass (activations kept for
        backward), about 2x what tiny and small measure on the CPU; see pnf.resources."""
        c = self.config
        return 4 * (c.layers * (c.residual_channels + c.gate_channels + c.skip_channels)
                    + 5 * c.classes // 2 + c.mel_channels)

    @property
    def receptive_field(self) -> int:
        """Past samples each output sees: x_{t-R} .. x_{t-1} (the input is shifted by one)."""
        return 1 + sum((self.config.kernel_size - 1) * d for d in self.dilations)

    def sigma_biases(self, sigma, batch: int, device) -> torch.Tensor:
        """(B, layers, G) gate biases from σ (log-scale Fourier features)."""
        dtype = self.lift.weight.dtype
        s = torch.as_tensor(sigma, dtype=dtype, device=device).reshape(-1)
        s = s.expand(batch) if s.numel() == 1 else s
        freqs = torch.arange(8, device=device, dtype=dtype)
        angle = torch.log(s.clamp_min(1e-3))[:, None] * 0.5 * (1.5 ** freqs)  # (B, 8)
        feats = torch.cat([angle.sin(), angle.cos()], dim=1)                 # (B, 16)
        return self.sigma_proj(self.sigma_embed(feats)).view(batch, len(self.dilations), -1)

    def forward(self, x: torch.Tensor, sigma=None, cond: torch.Tensor | None = None):
        """x: (B, T) noisy bins; cond: (B, M, T) upsampled mel. Returns (B, classes, T)."""
        return self.logits_last(x, sigma, cond).transpose(1, 2)

    def logits_last(self, x: torch.Tensor, sigma=None, cond: torch.Tensor | None = None):
        """As `forward` but channels-last, (B, T, classes)."""
        w1, b1, w2, b2 = self.head_weights()
        hid = F.relu(torch.addmm(b1, F.relu(self.trunk(x, sigma, cond)), w1.T))
        return torch.addmm(b2, hid, w2.T).view(*x.shape, -1)

    def smoothed_terms(self, x: torch.Tensor, sigma, cond: torch.Tensor | None = None):
        """Smoothed log-density terms (B, T) of x; the head runs in chunks (pnf.priors.chunked).

        Where the weights need a gradient (training), the plain full-tensor path is used.
        """
        if torch.is_grad_enabled() and any(p.requires_grad for p in self.parameters()):
            return smoothed_log_prob(self.logits_last(x, sigma, cond), x, sigma, dim=-1)
        weights = [w.detach() for w in self.head_weights()]
        return head_log_prob(self.trunk(x, sigma, cond), x, sigma, weights)

    def head_weights(self) -> tuple[torch.Tensor, ...]:
        """(w1 (S, S), b1 (S,), w2 (classes, S), b2 (classes,)) of the two head 1x1 convs."""
        return (self.head1.weight[:, :, 0], self.head1.bias,
                self.head2.weight[:, :, 0], self.head2.bias)

    def trunk(self, x: torch.Tensor, sigma=None, cond: torch.Tensor | None = None):
        """(B, T) noisy bins -> (B·T, S) skip sum of all layers, before the head's ReLU.

        Every layer is a few large matmuls over (B·T, C) rows: the dilated taps are stacked
        into one matmul; the residual and skip 1x1 convs fuse their additions into the GEMM
        (addmm). The residual stream h_{l+1} = √½ (h_l + out_l) is carried unscaled as
        h'_l = h_l / c_l (c_l = √½^l): the scales move into the small weight matrices, so no
        pass over the activations (forward or backward) multiplies by √½.
        """
        c = self.config
        B, T = x.shape
        R = c.residual_channels
        inp = F.pad(x / 127.5 - 1.0, (1, -1))                    # (B, T), shifted by one
        h = torch.addcmul(self.lift.bias, inp.unsqueeze(-1), self.lift.weight[:, 0, 0])
        h = h.reshape(B * T, R)                                   # (B·T, R)
        skip = None
        gate_bias = self._gate_biases(sigma, B, x.device)         # per layer (B|1, 1, G)
        cond_t = None if cond is None else cond.transpose(1, 2).reshape(B * T, -1)
        scale = 1.0                                               # c_l: h_l = c_l · h
        G, k = c.gate_channels, c.kernel_size
        dt = h.dtype if self.precision == "fp32" else GEMM_DTYPES[self.precision]
        for i, d in enumerate(self.dilations):
            # (G, R, k) conv weight as one (k·R, G) matrix over the stacked dilated taps
            w_taps = (self.convs[i].weight.permute(2, 1, 0).reshape(k * R, G) * scale).to(dt)
            g = _gate(h, B, d, w_taps, gate_bias[i].to(dt))       # (B·T, G)
            if cond_t is not None:
                g = torch.addmm(g, cond_t.to(dt), self.cond_proj[i].weight[:, :, 0].T.to(dt))
            z = gated_tanh(g)                                     # (B·T, G/2)
            w = self.outs[i].weight[:, :, 0]                      # (R+S, G/2)
            h = _add_mm(h, z, w[:R].T / scale, h.dtype).add_(self.outs[i].bias[:R] / scale)
            scale *= math.sqrt(0.5)
            skip = _add_mm(skip, z, w[R:].T, h.dtype)
        return skip + sum(o.bias[R:] for o in self.outs)          # skip biases, added once

    def _gate_biases(self, sigma, batch: int, device) -> list[torch.Tensor]:
        """Per layer, conv bias (+ σ embedding, + mel projection bias) as (B|1, 1, G)."""
        biases = [cv.bias for cv in self.convs]
        if self.config.mel_channels:
            biases = [b + p.bias for b, p in zip(biases, self.cond_proj, strict=True)]
        if not self.config.sigma_input:
            return [b.view(1, 1, -1) for b in biases]
        s = self.sigma_biases(sigma, batch, device)               # (B, L, G)
        return [b + s[:, i, None] for i, b in enumerate(biases)]

    def condition(self, mel: torch.Tensor, length: int) -> torch.Tensor:
        """(B, M, F) mel -> (B, M, length) per-sample conditioning (cropped or zero-padded)."""
        if not self.config.mel_channels:
            raise ValueError("this WaveNet is not mel-conditioned; use a prior trained with "
                             "model.mel_channels > 0 for spectrogram conditioning")
        up = self.upsample(mel)
        return F.pad(up, (0, max(length - up.shape[-1], 0)))[..., :length]
