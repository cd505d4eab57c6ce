"""Checks of a state dict against the model its checkpoint's config builds.

    >>> mismatch(model, state)    # "the stored config does not match the stored weights: ..."
    >>> non_finite(state)         # "non-finite weights (NaN or inf) in 1 tensor(s), e.g. ..."

Each returns one line, or None when the weights are sound (pnf.checkpoints raises them
as errors when loading and lists them as problems in `pnf describe`).
"""

from __future__ import annotations

import torch


def mismatch(model: torch.nn.Module, state: dict) -> str | None:
    """One line on how `state` differs from `model`'s weights (None when it fits)."""
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [k for k in own if k in state and getattr(state[k], "shape", None) !=
              own[k].shape]
    if not (missing or unexpected or shapes):
        return None
    parts = [f"{len(v)} {what} (e.g. {v[0]!r})" for v, what in
             ((missing, "missing"), (unexpected, "unexpected"), (shapes, "of another shape"))
             if v]
    return "the stored config does not match the stored weights: " + ", ".join(parts)


def non_finite(state: dict) -> str | None:
    """One line naming the tensors of `state` holding NaN or inf (None when all finite)."""
    bad = [k for k, v in state.items() if isinstance(v, torch.Tensor)
           and v.is_floating_point() and not torch.isfinite(v).all()]
    if not bad:
        return None
    return f"non-finite weights (NaN or inf) in {len(bad)} tensor(s), e.g. {bad[0]!r}"
