"""CIFAR-10 (python version): fetch, check, and convert to (N, 3, 32, 32) in [-1, 1].

    >>> from pnf.datasets.cifar10 import fetch_cifar10
    >>> fetch_cifar10("data/real")     # -> data/real/cifar10/{train,test}.npy + manifest.csv

The archive's md5 (c58f30108f718f92721af3b95e74349a, published by the authors) is
verified. Batches are read with an unpickler that only admits numpy arrays, so a
tampered pickle cannot run code. Same output format as the embedded images.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np

from pnf.datasets.fetch import Source, fetch_and_prepare
from pnf.datasets.manifest import Manifest, save_npy

SOURCE = Source("cifar10", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                md5="c58f30108f718f92721af3b95e74349a")
TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST = ("test_batch",)
ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
           ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
           ("numpy._core.multiarray", "scalar"), ("_codecs", "encode")}


class _NumpyOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a CIFAR batch")
        return super().find_class(module, name)


def load_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3, 32, 32) float32 in [-1, 1] and (N,) int64 labels of one pickled batch."""
    try:
        d = _NumpyOnly(io.BytesIO(path.read_bytes()), encoding="bytes").load()
        data = np.asarray(d[b"data"], dtype=np.uint8)
        labels = np.asarray(d[b"labels"], dtype=np.int64)
    except (pickle.UnpicklingError, KeyError, TypeError, EOFError, ValueError) as err:
        raise ValueError(f"{path}: not a CIFAR-10 batch ({err}); fetch the archive again") \
            from None
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
        raise ValueError(f"{path}: batch has shape {data.shape}, expected (N, 3072) with N "
                         "labels; fetch the archive again")
    return (data.reshape(-1, 3, 32, 32) / 127.5 - 1.0).astype(np.float32), labels


def prepare_cifar10(root: str | Path, out: str | Path) -> Path:
    """Convert an extracted cifar-10-batches-py tree into OUT/{train,test}.npy."""
    hits = sorted(Path(root).glob("**/cifar-10-batches-py"))
    if not hits:
        raise ValueError(f"{root}: no cifar-10-batches-py folder; is this the CIFAR-10 "
                         "python archive?")
    manifest = Manifest(out, ("path", "index", "split", "source", "label"))
    for split, names in (("train", TRAIN), ("test", TEST)):
        missing = [n for n in names if not (hits[0] / n).is_file()]
        if missing:
            raise ValueError(f"{hits[0]}: batches {missing} are missing; fetch it again")
        parts = [load_batch(hits[0] / n) for n in names]
        save_npy(Path(out) / f"{split}.npy", np.concatenate([p[0] for p in parts]))
        labels = np.concatenate([p[1] for p in parts])
        for i, label in enumerate(labels):
            manifest.add(f"{split}.npy", index=i, split=split, source="cifar10",
                         label=int(label))
    return manifest.finish({"set": "cifar10"})


def fetch_cifar10(out: str | Path, archive: str | Path | None = None,
                  url: str | None = None, **options) -> Path:
    """Download (or take `archive`), verify, extract and convert CIFAR-10 into OUT/cifar10."""
    return fetch_and_prepare("cifar10", SOURCE, out, archive, url, prepare_cifar10, **options)
