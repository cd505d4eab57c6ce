"""Embedded images: 32x32 crops of the natural photographs bundled with scikit-image.

    >>> from pnf.datasets.images import build_images
    >>> build_images("data/embedded/images", seed=0, size="smoke")
    >>> x = np.load("data/embedded/images/train.npy")          # (N, 3, 32, 32) in [-1, 1]

Each crop is cut from the photo after an integer box-filter downscaling (factor 1, 2,
4 or 8, seed-drawn), so crops range from textures to whole small objects, like
CIFAR-10's scale. Train and test are split by source photo (test: chelsea, rocket).
The manifest lists every crop: file, index, split, source photo, scale, y, x.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pnf.datasets.manifest import Manifest, is_complete, save_npy

SIDE = 32
# Colour photographs that ship inside scikit-image's wheel (no download needed).
PHOTOS = ("astronaut", "coffee", "hubble_deep_field", "immunohistochemistry", "retina",
          "motorcycle", "chelsea", "rocket")
TEST_PHOTOS = ("chelsea", "rocket")
SIZES = {"smoke": dict(train=96, test=32), "small": dict(train=4096, test=512)}
SCALES = (1, 2, 4, 8)


def load_photo(name: str) -> np.ndarray:
    """(H, W, 3) uint8 photo from skimage.data."""
    from skimage import data

    img = data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(data, name)()
    return np.ascontiguousarray(img[..., :3])


def downscale(img: np.ndarray, factor: int) -> np.ndarray:
    """Box-filter downscaling by an integer factor, (H, W, 3) -> (H//f, W//f, 3) float."""
    h, w = (img.shape[0] // factor) * factor, (img.shape[1] // factor) * factor
    x = img[:h, :w].astype(np.float64)
    return x.reshape(h // factor, factor, w // factor, factor, 3).mean(axis=(1, 3))


def crops(names: tuple[str, ...], count: int, rng: np.random.Generator):
    """`count` random crops as (count, 3, 32, 32) float32 in [-1, 1] and their origins."""
    pyramids = {n: {f: downscale(load_photo(n), f) for f in SCALES} for n in names}
    out, origin = np.empty((count, 3, SIDE, SIDE), np.float32), []
    for i in range(count):
        name = names[rng.integers(len(names))]
        scale = int(SCALES[rng.integers(len(SCALES))])
        img = pyramids[name][scale]
        y = int(rng.integers(img.shape[0] - SIDE + 1))
        x = int(rng.integers(img.shape[1] - SIDE + 1))
        patch = img[y: y + SIDE, x: x + SIDE]  # (32, 32, 3), 0..255
        out[i] = (patch.transpose(2, 0, 1) / 127.5 - 1.0).astype(np.float32)
        origin.append((name, scale, y, x))
    return out, origin


def build_images(out: str | Path, seed: int = 0, size: str = "smoke") -> Path:
    """Write train.npy / test.npy (N, 3, 32, 32) float32 and manifest.csv into `out`."""
    cfg = SIZES[size]
    params = {"set": "images", "seed": seed, "size": size, **cfg}
    out = Path(out)
    if is_complete(out, params):
        return out / "manifest.csv"
    rng = np.random.default_rng(seed)
    manifest = Manifest(out, ("path", "index", "split", "source", "scale", "y", "x"))
    train = tuple(n for n in PHOTOS if n not in TEST_PHOTOS)
    for split, names in (("train", train), ("test", TEST_PHOTOS)):
        array, origin = crops(names, cfg[split], rng)
        save_npy(out / f"{split}.npy", array)
        for i, (name, scale, y, x) in enumerate(origin):
            manifest.add(f"{split}.npy", index=i, split=split, source=name, scale=scale,
                         y=y, x=x)
    return manifest.finish(params)
