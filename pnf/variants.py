"""Two PnF variants of OURS (not the paper's): warm start, and the mean of K chains.

    pnf restore superres --prior piano.pt --input clip.wav --output up.wav --factor 4 \\
        --warm-start --mean-of 4           # spline start at a matched σ; mean of 4 chains

Warm start: the free samples start from the task's reference estimate (`Task.warm_start`:
the spline for super-resolution, the zero fill for inpainting, m/S per source for
separation) and annealing starts at the first ladder level σ <= the estimate's RMS error
in bins (at least the last level); the levels above are skipped, every kept level has the
paper's step η(σ). `--start-sigma auto` estimates that error from the observation alone:

    >>> start_level([20.0, 5.0, 1.0], 6.0)     # the first level <= 6
    1
    >>> spline_error(y, q.to_bins)             # (B, n) observed y -> RMS bins, cross-validated

Mean of K (`--mean-of K`): K chains run as one batch (as --batch K would) and their final
waveforms are averaged per output (per source for separation). A single posterior sample
pays for its variance in SNR; the posterior mean is what SNR rewards.
"""

from __future__ import annotations

import dataclasses
import math
import sys

import numpy as np
import torch

OURS = "ours, not the paper's"


def add_arguments(p, task: type) -> None:
    """The variant flags of an audio `pnf restore` verb (warm start: tasks that have a
    reference estimate, `task.warm_reference`)."""
    g = p.add_argument_group(f"PnF variants ({OURS})")
    if task.warm_reference is not None:
        g.add_argument("--warm-start", action="store_true",
                       help=f"({OURS}) start the free samples from the {task.warm_reference} "
                            "and skip the ladder levels above --start-sigma")
        g.add_argument("--start-sigma", metavar="auto|SIGMA",
                       help="with --warm-start: σ in bins where annealing starts, at the first "
                            "ladder level <= it (at least the last); auto (default) estimates "
                            "the reference's RMS error from the observed samples alone")
    g.add_argument("--mean-of", type=int, default=1, metavar="K",
                   help=f"({OURS}) run K chains as one batch and write their mean (per source "
                        "for separation) as OUT; with --batch N, N means of K chains each")


def check(method: str, run) -> int:
    """Consistency of the variant flags of `run` (pnf.restoration.Sampling) with --method
    `method` (ValueError); returns K of --mean-of."""
    k, warm, start = run.mean_of, run.warm_start, run.start_sigma
    used = [f for f, on in (("--warm-start", warm), ("--start-sigma", start is not None),
                            (f"--mean-of {k}", k > 1)) if on]
    if used and method != "pnf":
        raise ValueError(f"{used[0]}: a PnF variant; it needs --method pnf, not {method}")
    if start is not None and not warm:
        raise ValueError(f"--start-sigma {start}: applies to a warm start; add --warm-start")
    return k


def start_level(sigmas, sigma: float) -> int:
    """Index of the first level <= sigma in a high-to-low ladder; the last if none is."""
    return next((i for i, s in enumerate(sigmas) if s <= sigma), len(sigmas) - 1)


def warm_schedule(schedule, sigma: float):
    """The schedule from start_level on: the same δ and σ_L, so the same η at every kept level."""
    k = start_level(schedule.sigmas, sigma)
    return dataclasses.replace(schedule, sigmas=tuple(schedule.sigmas)[k:])


def warm(task, schedule, start_sigma=None):
    """(initial state, shortened schedule) of a warm start from σ = `start_sigma` (None or
    "auto": the task's estimate of its reference's error); says on stderr where it starts."""
    state, estimate = task.warm_start()                             # (S, B, *shape), bins
    sigma = estimate if start_sigma in (None, "auto") else float(start_sigma)
    short = warm_schedule(schedule, sigma)
    print(f"pnf: warm start ({OURS}) from the {task.warm_reference}: estimated RMS error "
          f"{estimate:.3g} bins; annealing from σ = {short.sigmas[0]:g}, "
          f"{len(short.sigmas)} of {len(schedule.sigmas)} levels", file=sys.stderr)
    return state, short


def mean_of(items: list, k: int) -> list:
    """Consecutive groups of k chain results -> their means (N·k items -> N)."""
    if k == 1:
        return items
    return [torch.stack([torch.as_tensor(x) for x in items[i: i + k]]).mean(0)
            for i in range(0, len(items), k)]


# ------------------------------------------------------- error estimates (observed only)


def _rms(a) -> float:
    a = np.asarray(a, np.float64)
    return float(np.sqrt(np.mean(a * a))) if a.size else math.nan


def held_out_error(y: np.ndarray, step: int, to_bins) -> float:
    """RMS bin error at the observed samples the spline through every step-th one skips.

    y: (B, n) observed samples. Only the span up to the last kept knot is scored (no
    extrapolated tail); inf when fewer than two knots remain.
    """
    from pnf.baselines.spline import spline_upsample  # lazy: pnf.baselines loads models

    n = y.shape[-1]
    m = (n - 1) // step * step + 1                       # positions 0 .. last knot
    if m < step + 1:
        return math.inf
    up = spline_upsample(y[..., :m:step], step)[..., :m]          # (B, m)
    skip = np.arange(m) % step != 0
    return _rms(to_bins(up[..., skip]) - to_bins(y[..., :m][..., skip]))


def spline_error(y: np.ndarray, to_bins) -> float:
    """Estimated RMS bin error of the spline at any factor from the observed samples y (B, n).

    Cross-validation: the spline through every 2nd observed sample, scored on the others.
    Those sit mid-way between knots (where a spline errs most) at twice the spacing, so the
    estimate leans high, deliberately: a σ too high only costs levels, one too low would
    hold the chain near the spline. Not scaled down to the factor: on the smoke piano and
    voice clips the true error at ×4…×32 was 1.0–2.0× below it, and a fitted slope
    (e2²/e4 from spacings 2 and 4) fell under the truth in 2 of those 8 cases.
    """
    return held_out_error(y, 2, to_bins)


def fill_error(wave: np.ndarray, observed: np.ndarray, method: str, to_bins) -> float:
    """Estimated RMS bin error of gap fill `method`, from pseudo-gaps in observed signal.

    wave, observed: (B, N). Beside each gap [a, b), one observed sample away on each side,
    up to b - a observed samples (fewer where the observed run is shorter) are hidden too,
    filled by `method` and scored against what was observed. A shorter pseudo-gap does not
    change the zero fill's expected error (the signal's RMS about silence) but would lower
    a linear or spline fill's; inf when no observed sample is free to hide.
    """
    from pnf.baselines.gapfill import fill_gaps, find_gaps  # lazy, as above

    errors = []
    for x, mask in zip(np.asarray(wave, np.float64), np.asarray(observed, bool), strict=True):
        gaps = find_gaps(mask)
        for j, (a, b) in enumerate(gaps):
            start = gaps[j - 1][1] if j else 0                      # observed run before
            stop = gaps[j + 1][0] if j + 1 < len(gaps) else len(x)  # and after the gap
            for lo, hi in ((max(a - 1 - (b - a), start + 1), a - 1),
                           (b + 1, min(b + 1 + (b - a), stop - 1))):
                if hi <= lo:
                    continue
                hidden = mask.copy()
                hidden[lo:hi] = False
                fill = fill_gaps(np.where(hidden, x, 0.0), hidden, method)
                errors.append(to_bins(fill[lo:hi]) - to_bins(x[lo:hi]))
    return _rms(np.concatenate(errors)) if errors else math.inf
