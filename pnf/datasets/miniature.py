"""Miniature archives in the published layouts, filled from the embedded material.

    pnf data miniature vctk --out data/paper-mini/archives/VCTK-Corpus-0.92.zip
    pnf data miniature supra --out data/paper-mini/archives/supra.zip
    pnf data miniature cifar10 --out data/paper-mini/archives/cifar-10-python.tar.gz

    >>> from pnf.datasets.miniature import write_miniature
    >>> write_miniature("vctk", "VCTK-Corpus-0.92.zip")   # + VCTK-Corpus-0.92.zip.sha256

Each is shaped like the real archive, so `pnf data fetch NAME --archive FILE --sha256 SUM`
runs its real path (checksum, archive limits, extraction, preparation) on it; the sha256
is written beside the archive (`FILE.sha256`: the 64 hex digits alone). Contents:

- vctk: `wav48_silence_trimmed/<speaker>/<speaker>_<nnn>_mic1.flac` (48 kHz FLAC) and
  `txt/<speaker>/<speaker>_<nnn>.txt`, the four test speakers p345 p361 p362 p374 and two
  training speakers, filled with the LibriVox readings of `pnf.datasets.speech` (real
  speech, 16 kHz, resampled); 0.92's README.txt and speaker-info.txt at the top.
- supra: `SUPRA-main/midi/<piece>.mid`, Bach chorales (music21 corpus) as piano MIDI, the
  piece names picked so that the fetcher's hash split puts one piece in test.
- cifar10: `cifar-10-batches-py/data_batch_1..5`, `test_batch`, `batches.meta`: pickled
  dicts (protocol 2, bytes keys, uint8 (N, 3072) data, labels), as the published ones,
  filled with 32x32 crops of the scikit-image photos (`pnf.datasets.images`).

Members carry a fixed timestamp, so one machine writes the same bytes each time.
"""

from __future__ import annotations

import gzip
import io
import pickle
import tarfile
import zipfile
from pathlib import Path

import numpy as np

from pnf.atomic import write_text_atomic

STAMP = (2019, 11, 13, 0, 0, 0)   # zip member time (the VCTK 0.92 release month)
VCTK_TEST = ("p345", "p361", "p362", "p374")
VCTK_TRAIN = ("p225", "p226")
SUPRA_PIECES = {"test": 1, "train": 2}
SUPRA_SECONDS = 21.0              # two 10 s clips per piece after trimming
CIFAR_PER_BATCH = {"train": 8, "test": 8}


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, STAMP), data)


def vctk_members() -> dict[str, bytes]:
    """{member: bytes} of a VCTK 0.92-shaped zip: 2 utterances per speaker (3 for training)."""
    import soundfile as sf

    from pnf.audio import resample
    from pnf.datasets.speech import SPEECH_RATE, librivox_readings

    readings = librivox_readings()
    counts = [(s, 2) for s in VCTK_TEST] + [(s, 3) for s in VCTK_TRAIN]
    members, k = {"README.txt": b"CSTR VCTK Corpus 0.92 (miniature, pnf)\n"}, 0
    info = ["ID  AGE  GENDER  ACCENTS  REGION"] + [f"{s[1:]}  23  F  English  pnf" for s, _ in
                                                 counts]
    members["speaker-info.txt"] = ("\n".join(info) + "\n").encode()
    for speaker, n in counts:
        for i in range(1, n + 1):
            u, k = readings[k % len(readings)], k + 1
            buf = io.BytesIO()
            sf.write(buf, resample(u.audio, SPEECH_RATE, 48000), 48000, format="FLAC",
                     subtype="PCM_16")
            cid = f"{speaker}_{i:03d}"
            members[f"wav48_silence_trimmed/{speaker}/{cid}_mic1.flac"] = buf.getvalue()
            members[f"txt/{speaker}/{cid}.txt"] = (u.prompt + "\n").encode()
    return members


def _supra_names(chorales: list[str]) -> list[str]:
    """Piece names (stems) for the chorales: SUPRA_PIECES of each split by supra.split_of."""
    from pnf.datasets.supra import split_of

    want = [s for s, n in SUPRA_PIECES.items() for _ in range(n)]
    names = []
    for chorale, split in zip(chorales, want, strict=True):
        names.append(next(f"{chorale}-{j}" for j in range(10_000)
                          if split_of(f"{chorale}-{j}") == split))
    return names


def supra_members() -> dict[str, bytes]:
    """{member: bytes} of a SUPRA-shaped zip: chorales as piano-roll MIDI files."""
    from pnf.datasets.piano import chorale_midi, pick_chorales

    chosen = pick_chorales(sum(SUPRA_PIECES.values()), np.random.default_rng(0))
    members = {"SUPRA-main/README.md": b"# SUPRA (miniature, pnf)\n"}
    for name, (_, notes) in zip(_supra_names([c for c, _ in chosen]), chosen, strict=True):
        midi = chorale_midi(notes, 90.0, dict.fromkeys(notes, 80), SUPRA_SECONDS)
        buf = io.BytesIO()
        midi.write(buf)
        members[f"SUPRA-main/midi/{name}.mid"] = buf.getvalue()
    return members


def _batch(label: str, images: np.ndarray, labels: np.ndarray) -> bytes:
    """One CIFAR batch pickle: images (N, 3, 32, 32) float in [-1, 1] -> uint8 (N, 3072)."""
    data = np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype(np.uint8)
    batch = {b"batch_label": label.encode(), b"labels": [int(v) for v in labels],
             b"data": data.reshape(len(data), -1),
             b"filenames": [f"pnf_{i:05d}.png".encode() for i in range(len(data))]}
    return pickle.dumps(batch, protocol=2)


def cifar10_members() -> dict[str, bytes]:
    """{member: bytes} of cifar-10-python.tar.gz: 5 training batches, a test batch, meta."""
    from pnf.datasets.images import PHOTOS, TEST_PHOTOS, crops

    rng, top = np.random.default_rng(0), "cifar-10-batches-py"
    train_photos = tuple(n for n in PHOTOS if n not in TEST_PHOTOS)
    members = {}
    for k in range(1, 6):
        images, _ = crops(train_photos, CIFAR_PER_BATCH["train"], rng)
        members[f"{top}/data_batch_{k}"] = _batch(f"training batch {k} of 5", images,
                                                  rng.integers(10, size=len(images)))
    images, _ = crops(TEST_PHOTOS, CIFAR_PER_BATCH["test"], rng)
    members[f"{top}/test_batch"] = _batch("testing batch 1 of 1", images,
                                          rng.integers(10, size=len(images)))
    members[f"{top}/batches.meta"] = pickle.dumps(
        {b"label_names": [f"class{i}".encode() for i in range(10)], b"num_vis": 3072},
        protocol=2)
    return members


def _targz(path: Path, members: dict[str, bytes]) -> None:
    with open(path, "wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1_239_000_000, 0o644
            tar.addfile(info, io.BytesIO(data))


WRITERS = {  # name -> (members, archive writer, the published archive's file name)
    "vctk": (vctk_members, _zip, "VCTK-Corpus-0.92.zip"),
    "supra": (supra_members, _zip, "supra.zip"),
    "cifar10": (cifar10_members, _targz, "cifar-10-python.tar.gz"),
}


def write_miniature(name: str, out: str | Path) -> str:
    """Write the miniature `name` archive to `out` and `out`.sha256; return the sha256."""
    from pnf.datasets.fetch import digest

    if name not in WRITERS:
        raise ValueError(f"no miniature archive {name!r}; choose one of {sorted(WRITERS)}")
    members, writer, _ = WRITERS[name]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    writer(part, members())
    part.replace(out)
    sha = digest(out, "sha256")
    write_text_atomic(out.with_name(out.name + ".sha256"), sha + "\n")
    return sha
