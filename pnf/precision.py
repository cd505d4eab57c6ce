"""Numeric precision of the WaveNet trunk's matmuls: "fp32" or "bf16".

    >>> from pnf.precision import resolve_precision
    >>> prior.set_precision(resolve_precision("auto", device))   # the device's default

bf16 runs only the trunk GEMMs (dilated taps, residual and skip 1x1 convs) in bfloat16;
the input lift, tanh/sigmoid, the residual and skip sums, the head, the smoothed
log-likelihood (forward and backward), the Langevin state and the noise stay float32.
(Wrapping the whole gradient in torch.autocast would also run the smoothing's backward in
bf16, which ruins the input gradient at small σ.) The per-device default is the fastest
precision that passes the accuracy guard in `pnf bench langevin` and tests/test_precision.py.
"""

from __future__ import annotations

import torch

GEMM_DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}
PRECISIONS = tuple(GEMM_DTYPES)
# fp32 everywhere: bf16 misses the η·∇ guard (≤ 1e-3 of the noise std) at the top level
# σ = 42.9 of the small experiment (1.2e-3; cosine passes, tests/test_precision.py), and on
# the CPU the update is memory-bound, so bf16 does not pay there (pnf bench langevin).
DEFAULTS = {"cpu": "fp32", "cuda": "fp32"}


def resolve_precision(name: str | None, device) -> str:
    """`name`, or the device's default for None / "auto"; a one-line error if unknown."""
    if name is None or name == "auto":
        return DEFAULTS.get(torch.device(device).type, "fp32")
    if name not in GEMM_DTYPES:
        raise ValueError(f"unknown precision {name!r}; use one of {['auto', *PRECISIONS]}")
    return name
