"""Rows for training the target's prior: optimizer steps per second, fp32 and bf16.

    >>> rows = train_rows(target, machine, precisions=("fp32", "bf16"), repeats=3)

One step is what `pnf train` does per batch (pnf.priors.train.prior_loss: noisy crop in,
clean bins out, cross-entropy; backward; Adam), at the target's crop and batch size.
"""

from __future__ import annotations

import resource

import torch

from pnf.bench.machine import Machine, median_seconds
from pnf.bench.target import Target
from pnf.priors.train import log_uniform_sigma, prior_loss
from pnf.priors.wavenet import WaveNet


def train_rows(target: Target, machine: Machine, precisions, repeats: int) -> list[dict]:
    device = machine.device
    crop = target.prior.crop if target.prior else 4096
    batch = int(target.prior.training.get("batch_size", 8)) if target.prior else 8
    loss_fn = prior_loss(log_uniform_sigma(target.sigmas if len(target.sigmas) > 1
                                           else [0.1, 10.0]))
    rows = []
    for precision in precisions:
        torch.manual_seed(0)
        net = WaveNet(target.net_config).to(device).train()
        net.precision = precision
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        gen = torch.Generator(device).manual_seed(0)
        bins = torch.randint(0, 256, (batch, crop), generator=gen, device=device)

        def step(net=net, opt=opt, gen=gen, bins=bins):
            opt.zero_grad(set_to_none=True)
            loss_fn(net, (bins, None), gen).backward()
            opt.step()

        sec = median_seconds(step, device, repeats)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append({"impl": "pnf", "kind": "train", "size": target.size,
                     "precision": precision, "batch": batch, "samples": crop,
                     **machine.row_fields(3 * target.forward_flops(crop * batch) / 1e9, sec),
                     "steps_per_second": round(1 / sec, 3), "peak_rss_mb": round(rss),
                     "grad_cosine": None, "grad_eta_err": None})
    return rows
