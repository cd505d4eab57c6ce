"""PixelCNN++ (Salimans et al. 2017) over noisy images in [-1, 1] (docs/method.md#models).

    >>> from pnf.priors.pixelcnn import PixelCNN
    >>> net = PixelCNN(PixelCNN.Config(resnets=1, filters=16, mixtures=3, resolutions=2))
    >>> out = net(x_noisy, sigma=0.1)        # (B, 3, H, W) -> (B, 10·mixtures, H, W)

`out[:, :, i, j]` parametrizes the discretized logistic mixture of pixel (i, j) from the
pixels before it in raster order only: a vertical stream `u` (rows above, through
down-shifted convolutions) and a horizontal stream `ul` (also the pixels to the left,
through down-right-shifted ones), gated resnets with concat_elu, a down pass and an up
pass with skip connections (U-Net like). The R→G→B dependence inside a pixel is in
`pnf.priors.logistic`. σ is known per network (`sigma_input=False`, the paper) or given
as an input (`sigma_input=True`: a σ embedding biases every gated resnet).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from pnf.priors.logistic import n_outputs


@dataclass
class PixelCNNConfig:
    resnets: int = 5          # gated resnets per block (paper: 5)
    filters: int = 160        # channels of both streams (paper: 160)
    mixtures: int = 10        # logistic mixture components (paper: 10)
    resolutions: int = 3      # 32x32, 16x16, 8x8 in the paper
    dropout: float = 0.0
    sigma_input: bool = False

    def __post_init__(self):
        if min(self.resnets, self.filters, self.mixtures, self.resolutions) < 1:
            raise ValueError("resnets, filters, mixtures and resolutions must be >= 1")


def concat_elu(x: torch.Tensor) -> torch.Tensor:
    return F.elu(torch.cat([x, -x], dim=1))


def down_shift(x):   # move everything one row down (row 0 becomes zeros)
    return F.pad(x, (0, 0, 1, 0))[:, :, :-1]


def right_shift(x):  # move everything one column right
    return F.pad(x, (1, 0))[..., :-1]


class ShiftedConv(nn.Module):
    """A conv that sees only rows above (down) or also the columns left (down-right)."""

    def __init__(self, cin, cout, size=(2, 3), stride=1, right=False):
        super().__init__()
        kh, kw = size
        # (left, right, top, bottom) padding
        self.pad = (kw - 1, 0, kh - 1, 0) if right else ((kw - 1) // 2, (kw - 1) // 2, kh - 1, 0)
        self.conv = nn.Conv2d(cin, cout, size, stride=stride)

    def forward(self, x):
        return self.conv(F.pad(x, self.pad))


class ShiftedDeconv(nn.Module):
    """Stride-2 transposed conv, cropped so that outputs stay causal."""

    def __init__(self, cin, cout, size=(2, 3), right=False):
        super().__init__()
        self.size, self.right = size, right
        self.conv = nn.ConvTranspose2d(cin, cout, size, stride=2, output_padding=1)

    def forward(self, x):
        y = self.conv(x)
        kh, kw = self.size
        H, W = y.shape[-2] - kh + 1, y.shape[-1] - kw + 1
        col = 0 if self.right else (kw - 1) // 2
        return y[:, :, :H, col: col + W]


class GatedResnet(nn.Module):
    def __init__(self, filters, right: bool, skip: int, dropout: float, sigma_dim: int):
        super().__init__()
        size = (2, 2) if right else (2, 3)
        self.conv1 = ShiftedConv(2 * filters, filters, size, right=right)
        self.skip = nn.Conv2d(2 * skip * filters, filters, 1) if skip else None
        self.conv2 = ShiftedConv(2 * filters, 2 * filters, size, right=right)
        self.drop = nn.Dropout(dropout)
        self.sigma = nn.Linear(sigma_dim, filters) if sigma_dim else None

    def forward(self, x, a=None, emb=None):
        h = self.conv1(concat_elu(x))
        if a is not None:
            h = h + self.skip(concat_elu(a))
        if emb is not None:
            h = h + self.sigma(emb)[:, :, None, None]
        h = self.conv2(self.drop(concat_elu(h)))
        a_, b_ = h.chunk(2, dim=1)
        return x + a_ * torch.sigmoid(b_)


class PixelCNN(nn.Module):
    kind = "pixelcnn"   # its name in pnf.checkpoints.KINDS
    Config = PixelCNNConfig
    SIGMA_DIM = 32

    def bytes_per_position(self) -> int:
        """Memory of one pixel of one image in a training pass, activations kept for
        backward (an upper estimate; see pnf.resources)."""
        c = self.config
        return 4 * (40 * c.resnets * c.resolutions * c.filters + 30 * c.mixtures)

    def __init__(self, config: PixelCNNConfig):
        super().__init__()
        c = self.config = config
        F_, emb = c.filters, (self.SIGMA_DIM if c.sigma_input else 0)

        def stack(n, right, skip):
            return nn.ModuleList(GatedResnet(F_, right, skip, c.dropout, emb) for _ in range(n))
        self.up_u = nn.ModuleList(stack(c.resnets, False, 0) for _ in range(c.resolutions))
        self.up_ul = nn.ModuleList(stack(c.resnets, True, 1) for _ in range(c.resolutions))
        # the down pass: one more resnet per block below the top resolution (as PixelCNN++)
        n_down = [c.resnets] + [c.resnets + 1] * (c.resolutions - 1)
        self.down_u = nn.ModuleList(stack(n, False, 1) for n in n_down)
        self.down_ul = nn.ModuleList(stack(n, True, 2) for n in n_down)
        lower = c.resolutions - 1
        self.shrink_u = nn.ModuleList(ShiftedConv(F_, F_, stride=2) for _ in range(lower))
        self.shrink_ul = nn.ModuleList(ShiftedConv(F_, F_, (2, 2), 2, True) for _ in range(lower))
        self.grow_u = nn.ModuleList(ShiftedDeconv(F_, F_) for _ in range(lower))
        self.grow_ul = nn.ModuleList(ShiftedDeconv(F_, F_, (2, 2), True) for _ in range(lower))
        self.init_u = ShiftedConv(4, F_, (2, 3))
        self.init_ul_up = ShiftedConv(4, F_, (1, 3))
        self.init_ul_left = ShiftedConv(4, F_, (2, 1), right=True)
        self.head = nn.Conv2d(F_, n_outputs(c.mixtures), 1)
        if c.sigma_input:
            self.sigma_embed = nn.Sequential(nn.Linear(16, emb), nn.SiLU(), nn.Linear(emb, emb))

    def embed_sigma(self, sigma, batch: int, device) -> torch.Tensor:
        """(B, SIGMA_DIM) from log-scale Fourier features of σ."""
        dtype = self.head.weight.dtype
        s = torch.as_tensor(sigma, dtype=dtype, device=device).reshape(-1)
        s = s.expand(batch) if s.numel() == 1 else s
        freqs = 1.5 ** torch.arange(8, device=device, dtype=dtype)
        angle = torch.log(s.clamp_min(1e-4))[:, None] * 0.5 * freqs             # (B, 8)
        return self.sigma_embed(torch.cat([angle.sin(), angle.cos()], dim=1))

    def forward(self, x: torch.Tensor, sigma=None) -> torch.Tensor:
        """x: (B, 3, H, W) noisy image in [-1, 1] scale. Returns (B, 10K, H, W)."""
        c = self.config
        factor = 2 ** (c.resolutions - 1)
        if x.shape[-1] % factor or x.shape[-2] % factor:
            raise ValueError(f"image sides must be multiples of {factor} for "
                             f"{c.resolutions} resolutions, got {tuple(x.shape[-2:])}")
        emb = self.embed_sigma(sigma, x.shape[0], x.device) if c.sigma_input else None
        x = torch.cat([x, torch.ones_like(x[:, :1])], dim=1)     # (B, 4, H, W): marks borders
        u = down_shift(self.init_u(x))
        ul = down_shift(self.init_ul_up(x)) + right_shift(self.init_ul_left(x))
        us, uls = [u], [ul]
        for level in range(c.resolutions):
            for ru, rul in zip(self.up_u[level], self.up_ul[level], strict=True):
                u = ru(u, emb=emb)
                ul = rul(ul, u, emb)
                us.append(u)
                uls.append(ul)
            if level < c.resolutions - 1:
                u, ul = self.shrink_u[level](u), self.shrink_ul[level](ul)
                us.append(u)
                uls.append(ul)
        u, ul = us.pop(), uls.pop()
        for level in range(c.resolutions):
            for ru, rul in zip(self.down_u[level], self.down_ul[level], strict=True):
                u = ru(u, us.pop(), emb)
                ul = rul(ul, torch.cat([u, uls.pop()], dim=1), emb)
            if level < c.resolutions - 1:
                u, ul = self.grow_u[level](u), self.grow_ul[level](ul)
        return self.head(F.elu(ul))
