"""VCTK 0.92 (real speech, 110 speakers): fetch, preprocess, split by speaker.

    >>> from pnf.datasets.vctk import fetch_vctk
    >>> fetch_vctk("data/real")     # or: fetch_vctk("data/real", archive="VCTK-Corpus-0.92.zip")

Reads the 0.92 layout (`wav48_silence_trimmed/p225/p225_001_mic1.flac`, mic1 only) or
the older 0.80 one (`wav48/p225/p225_001.wav`). Every utterance is resampled to
22 050 Hz, trimmed (60 dB) and peak-normalized. Test: speakers p345, p361, p362, p374,
their first 25 utterances each (sorted by name); train: every other speaker.
The archive's sha256 is not published, so only its zip structure is checked.
"""

from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from pnf.audio import RATE, peak_normalize, read_audio, trim_silence
from pnf.datasets.fetch import Source, fetch_and_prepare
from pnf.datasets.manifest import Manifest

SOURCE = Source("vctk", "https://datashare.ed.ac.uk/bitstream/handle/10283/3443/"
                "VCTK-Corpus-0.92.zip", sha256=None)
TEST_SPEAKERS = ("p345", "p361", "p362", "p374")
TEST_CLIPS = 25
LAYOUTS = (("wav48_silence_trimmed", "*_mic1.flac"), ("wav48", "*.wav"))


def find_utterances(root: Path) -> dict[str, list[Path]]:
    """{speaker: sorted utterance paths} from an extracted VCTK tree (either layout)."""
    for folder, pattern in LAYOUTS:
        hits = sorted(root.glob(f"**/{folder}"))
        if hits:
            speakers = {d.name: sorted(d.glob(pattern)) for d in sorted(hits[0].iterdir())
                        if d.is_dir()}
            speakers = {k: v for k, v in speakers.items() if v}
            if speakers:
                return speakers
    raise ValueError(f"{root}: no VCTK audio found (expected wav48_silence_trimmed/<speaker>/"
                     "*_mic1.flac or wav48/<speaker>/*.wav); is this the VCTK archive?")


def prepare_vctk(root: str | Path, out: str | Path) -> Path:
    """Preprocess an extracted VCTK tree into `out` (WAVs + manifest.csv)."""
    out = Path(out)
    speakers = find_utterances(Path(root))
    missing = [s for s in TEST_SPEAKERS if s not in speakers]
    if missing:
        raise ValueError(f"{root}: test speakers {missing} are missing; the VCTK archive "
                         "looks incomplete, fetch it again")
    manifest = Manifest(out)
    jobs = [(spk, p) for spk, paths in speakers.items()
            for p in (paths[:TEST_CLIPS] if spk in TEST_SPEAKERS else paths)]
    for spk, path in tqdm(jobs, desc="vctk", unit="clip"):
        split = "test" if spk in TEST_SPEAKERS else "train"
        x = peak_normalize(trim_silence(read_audio(path, RATE, quiet=True), 60.0))
        cid = path.stem.removesuffix("_mic1")
        manifest.add_audio(f"{split}/{spk}/{cid}.wav", x, split=split, source="voice",
                           piece=cid, speaker=spk, clip=cid, synthetic="no")
    return manifest.finish({"set": "vctk"})


def fetch_vctk(out: str | Path, archive: str | Path | None = None,
               url: str | None = None, **options) -> Path:
    """Download (or take `archive`), extract and preprocess VCTK into OUT/vctk."""
    return fetch_and_prepare("vctk", SOURCE, out, archive, url, prepare_vctk, **options)
