"""Runtime settings: which device runs the models.

    >>> from pnf.runtime import pick_device
    >>> pick_device("auto")          # cuda when present, else cpu
"""

from __future__ import annotations

import torch


def pick_device(device: str = "auto") -> torch.device:
    """CUDA when present (or asked for), else CPU; ValueError for one that cannot run."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ValueError(f"--device {device!r}: not a device; give auto, cpu or cuda") from None
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"--device {device!r}: pnf runs on cpu or cuda; give auto, cpu or cuda")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"--device {device}: no CUDA GPU is available here; use --device "
                         "cpu or auto")
    if dev.type == "cuda" and (dev.index or 0) >= torch.cuda.device_count():
        raise ValueError(f"--device {device}: only {torch.cuda.device_count()} CUDA "
                         "device(s) here; use --device cuda or auto")
    return dev
