"""Atomic PNG output for every report figure.

    >>> save_figure(fig, Path("results/figures/iterations.png"))
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from pnf.atomic import atomic_path  # noqa: E402


def save_figure(fig, path: Path) -> Path:
    """Save atomically (temporary file + os.replace) and close the figure."""
    try:
        with atomic_path(path, suffix=".png") as tmp:
            fig.savefig(tmp, dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
