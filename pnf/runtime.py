"""Runtime settings: which device runs the models.

    >>> from pnf.runtime import pick_device
    >>> pick_device("auto")          # cuda when present, else cpu
"""

from __future__ import annotations

import torch


def pick_device(device: str = "auto") -> torch.device:
    """CUDA when present (or asked for), else CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)
