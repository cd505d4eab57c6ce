"""Atomic PNG output for every report figure.

    >>> save_figure(fig, Path("results/figures/iterations.png"))
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from pnf.atomic import atomic_path  # noqa: E402
from pnf.report.provenance import footer  # noqa: E402


def save_figure(fig, path: Path) -> Path:
    """Save atomically (temporary file + os.replace) and close the figure; under
    `provenance.stamped`, with the footer under the figure and in the PNG's Description."""
    line = footer()
    try:
        if line:
            fig.text(0.5, 0.0, line, ha="center", va="top", fontsize=6, color="0.4", wrap=True)
        with atomic_path(path, suffix=".png") as tmp:
            fig.savefig(tmp, dpi=100, bbox_inches="tight",
                        metadata={"Description": line} if line else None)
    finally:
        plt.close(fig)
    return path
