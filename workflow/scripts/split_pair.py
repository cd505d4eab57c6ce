"""Split a `pnf image restore separate` run into per-source files, matching estimates to sources.

    python workflow/scripts/split_pair.py truth.npy pnf-a.npy pnf-b.npy \
        truth-a.npy truth-b.npy est-a.npy est-b.npy

truth.npy holds both sources, (2, 3, H, W); pnf-a/pnf-b are the two estimates, (3, H, W).
One shared prior cannot name the sources, so the estimates are assigned by the permutation
with the lower total squared error, then written with the truths as four (3, H, W) arrays.
"""

from __future__ import annotations

import sys

import numpy as np


def squared_error(x: np.ndarray, y: np.ndarray) -> float:
    return float(((x - y) ** 2).sum())


def matched(truth: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The estimates in the order of truth's sources (swapped when that fits better)."""
    swapped = squared_error(a, truth[1]) + squared_error(b, truth[0])
    if swapped < squared_error(a, truth[0]) + squared_error(b, truth[1]):
        return b, a
    return a, b


def main(argv: list[str]) -> int:
    if len(argv) != 7:
        print("usage: split_pair.py TRUTH A B OUT_TRUTH_A OUT_TRUTH_B OUT_A OUT_B", file=sys.stderr)
        return 2
    truth, a, b = (np.load(p) for p in argv[:3])
    a, b = matched(truth, a, b)
    for path, array in zip(argv[3:], (truth[0], truth[1], a, b), strict=True):
        np.save(path, array)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
