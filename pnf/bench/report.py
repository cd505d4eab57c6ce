"""Print bench rows as a table, write them as JSON, draw the small figure.

    >>> write_json(rows, "results/bench/langevin.json"); draw(rows, "results/bench/langevin.png")
"""

from __future__ import annotations

import json

from pnf.atomic import atomic_path, write_text_atomic

COLUMNS = ["impl", "kind", "precision", "batch", "samples", "seconds_per_update",
           "seconds_per_chain", "steps_per_second", "samples_per_second", "gflop_per_update",
           "ratio", "grad_cosine", "grad_eta_err"]


def print_table(rows: list[dict]) -> None:
    cols = [c for c in COLUMNS if any(r.get(c) is not None for r in rows)]
    cells = [[_fmt(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    print("  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True)))
    for row in cells:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1e4 else f"{v:.0f}"
    return str(v)


def write_json(rows: list[dict], path) -> None:
    write_text_atomic(path, json.dumps(rows, indent=1, allow_nan=False) + "\n")


def draw(rows: list[dict], path) -> None:
    """Seconds per chain against batch, one line per impl/precision (log scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    updates = [r for r in rows if r["kind"] == "update"]
    for key in sorted({(r["impl"], r["precision"]) for r in updates}):
        pts = sorted((r["batch"], r["seconds_per_chain"]) for r in updates
                     if (r["impl"], r["precision"]) == key)
        ax.plot(*zip(*pts, strict=True), marker="o", label=f"{key[0]} {key[1]}")
    ax.set(xscale="log", yscale="log", xlabel="chains per batch",
           ylabel="seconds per chain-update",
           title=f"Langevin update, {updates[0]['size']}, {updates[0]['samples']} samples")
    ax.legend(fontsize=7)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)
