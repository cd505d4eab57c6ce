"""Index of the restored-file tree results/<experiment>/restored/<dataset>/<task>/<setting>/
<method>/<item>.

    >>> from pnf.report.restored import scan_restored, input_for
    >>> files = scan_restored("results/smoke/restored")   # DataFrame, one row per file
    >>> files.columns.tolist()
    ['dataset', 'task', 'setting', 'method', 'item', 'clip', 'source', 'path']

For separation an item is `<clip>-<source>` and the input is `<clip>-mix`; `clip` and
`source` split it (source "" for other tasks).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pnf.report.labels import method_key, natural_key
from pnf.task_specs import mixture_items

MEDIA_SUFFIXES = (".wav", ".flac", ".ogg", ".npy")
COLUMNS = ["dataset", "task", "setting", "method", "item", "clip", "source", "path"]


def scan_restored(root: str | Path) -> pd.DataFrame:
    """Every restored media file under `root` (audio, or image .npy), sorted."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no restored-results folder; run the restoration "
                                "stage first")
    rows = []
    for path in root.glob("*/*/*/*/*"):
        if path.suffix not in MEDIA_SUFFIXES or path.name.startswith("."):
            continue
        dataset, task, setting, method = path.relative_to(root).parts[:4]
        item = path.stem
        clip, source = item, ""
        if mixture_items(task, setting):
            clip, _, source = item.rpartition("-")
            clip = clip or item
        rows.append([dataset, task, setting, method, item, clip, source, path])
    rows.sort(key=lambda r: (*map(natural_key, r[:3]), natural_key(r[4]), method_key(r[3])))
    return pd.DataFrame(rows, columns=COLUMNS)


def find(files: pd.DataFrame, **where) -> Path | None:
    """The first file matching every field given, or None."""
    sel = files
    for key, value in where.items():
        sel = sel[sel[key] == value]
    return None if sel.empty else Path(sel.path.iloc[0])


def input_for(files: pd.DataFrame, dataset: str, task: str, setting: str, item: str,
              clip: str) -> Path | None:
    """What the method saw for `item`: input/<item>, else the mixture input/<clip>-mix."""
    where = dict(dataset=dataset, task=task, setting=setting, method="input")
    return find(files, item=item, **where) or find(files, item=f"{clip}-mix", **where)


def load_image(path: str | Path) -> np.ndarray:
    """A (3, H, W) array in [-1, 1] as an (H, W, 3) array in [0, 1] for display. A mixture
    `<clip>-mix` (the sum of two images, in [-2, 2]) is shown halved: the mean image."""
    x = np.load(path)
    if x.ndim != 3 or x.shape[0] not in (1, 3):
        raise ValueError(f"{path}: image array has shape {x.shape}; expected (3, H, W)")
    if Path(path).stem.endswith("-mix"):
        x = x / 2
    return np.clip((np.transpose(x, (1, 2, 0)) + 1) / 2, 0, 1)
