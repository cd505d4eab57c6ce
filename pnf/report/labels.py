"""Display names and orderings shared by tables, figures and the demo page.

    >>> from pnf.report.labels import method_label, setting_label, natural_key
    >>> method_label("convtasnet"), setting_label("x4"), setting_label("gap200")
    ('Conv-TasNet', '×4', '200 ms')
    >>> method_label("pnf-warm"), method_label("pnf-mean4")      # variants of ours
    ('PnF, warm start (ours)', 'PnF, mean of 4 (ours)')
    >>> sorted(["x16", "x4", "x8"], key=natural_key)
    ['x4', 'x8', 'x16']
"""

from __future__ import annotations

import re

from pnf.methods import METHODS
from pnf.task_specs import TASK_SPECS

# Ours and the pseudo-methods; each baseline's label is its spec's (pnf.methods).
METHOD_LABELS = {
    "truth": "Ground truth", "input": "Input", "pnf": "PnF", "ancestral": "Ancestral",
    **{m.name: m.label for m in METHODS.values()},
    "pnf-warm": "PnF, warm start (ours)",
    "pnf-tweedie": "PnF + Tweedie step (ours)", "pnf-pc": "PnF predictor-corrector (ours)",
    "pnf-pc-tweedie": "PnF predictor-corrector + Tweedie step (ours)",
    "pnf-warm-tweedie": "PnF + Tweedie step, warm start (ours)",
    "pnf-warm-pc": "PnF predictor-corrector, warm start (ours)",
    "pnf-warm-pc-tweedie": "PnF predictor-corrector + Tweedie step, warm start (ours)",
}
# Our PnF variants with K chains averaged (pnf-mean4, pnf-warm-mean4): not the paper's.
MEAN_LABELS = {r"pnf-mean(\d+)": "PnF, mean of {} (ours)",
               r"pnf-warm-mean(\d+)": "PnF, warm start, mean of {} (ours)"}
# Rows and players appear in this order (the baselines in registry order); unknown methods
# follow, alphabetically.
METHOD_ORDER = ("truth", "input", "ancestral", *METHODS, "pnf", "pnf-warm")
PSEUDO_METHODS = {"truth", "input"}
METRIC_LABELS = {"snr": "SNR", "lsd": "LSD", "si_sdr": "SI-SDR", "sdr": "SDR", "sir": "SIR",
                 "sar": "SAR", "psnr": "PSNR", "seconds": "Time (s)", "duration": "Length (s)"}


def natural_key(text: str) -> tuple:
    """Sort key that orders embedded numbers numerically: x4 < x8 < x16."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(text)))


def method_key(method: str) -> tuple:
    rank = METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER)
    return rank, natural_key(method)


def method_label(method: str) -> str:
    """pnf → PnF, pnf-mean4 → PnF, mean of 4 (ours); unknown names as they are."""
    for pattern, fmt in MEAN_LABELS.items():
        match = re.fullmatch(pattern, method)
        if match:
            return fmt.format(match.group(1))
    return METHOD_LABELS.get(method, method)


def setting_label(setting: str) -> str:
    """x4 → ×4, gap200 → 200 ms, it512 → 512 it., 2src → 2 sources, inpaint16 → inpainting 16."""
    patterns = ((r"x(\d+)", "×{}"), (r"gap(\d+)", "{} ms"), (r"it(\d+)", "{} it."),
                (r"(\d+)src", "{} sources"))
    for pattern, fmt in patterns:
        match = re.fullmatch(pattern, setting)
        if match:
            return fmt.format(match.group(1))
    verbs = {verb: label for spec in TASK_SPECS.values() for verb, label in spec.verbs.items()}
    match = re.fullmatch(r"([a-z]+)(\d+)", setting)
    if match and match.group(1) in verbs:
        return f"{verbs[match.group(1)]} ({match.group(2)})"
    return setting


def metric_label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric)
