"""Embedded voice-synthetic: SYNTHETIC English speech from espeak-ng, split by speaker.

    >>> from pnf.datasets.synthetic_voice import build_synthetic_voice
    >>> build_synthetic_voice("data/embedded/voice-synthetic", seed=0, size="smoke")

The embedded default's voice before real recordings replaced it (`pnf.datasets.voice`);
kept as the reference the spectral statistics compare against (`pnf data stats`).

This is not human speech: it is formant synthesis, labelled `synthetic=yes` in the
manifest and in every table. Each "speaker" is one espeak-ng voice variant with its own
speed and pitch; the seed picks which sentences each speaker reads. Utterances are
resampled to 22 050 Hz, trimmed (60 dB) and peak-normalized; test speakers never
appear in train.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from tqdm import tqdm

from pnf.audio import RATE, peak_normalize, read_audio, trim_silence
from pnf.datasets.manifest import Manifest, is_complete
from pnf.datasets.tools import speak

# (speaker id, espeak-ng voice, words per minute, pitch 0..99); the last ones are test.
SPEAKERS = (
    ("es01", "en-us", 165, 45), ("es02", "en-gb+f3", 150, 62),
    ("es03", "en-gb-scotland", 170, 40), ("es04", "en-us+f2", 155, 70),
    ("es05", "en-029+m3", 145, 35), ("es06", "en-gb-x-rp+f4", 160, 58),
    ("es07", "en-us+m7", 175, 30), ("es08", "en-gb-x-gbcwmd+f1", 140, 66),
    ("es09", "en-gb+m2", 158, 48), ("es10", "en-us+f5", 168, 75),
)
SIZES = {  # speakers (the last `test` of them are test), sentences per speaker
    "smoke": dict(speakers=4, test=1, sentences=3),
    "small": dict(speakers=10, test=2, sentences=24),
}

SENTENCES = """\
The old lighthouse keeper climbed the stairs every evening at dusk.
Please put the blue folder on the second shelf near the window.
A sudden gust of wind scattered the maple leaves across the yard.
Seven hungry sparrows waited patiently beside the bakery door.
Could you tell me how far it is to the nearest train station?
The river froze early this year, and the children went skating.
Never trust a map that was drawn by someone who has never travelled.
She tuned the violin twice before the concert began.
Our neighbour grows tomatoes, beans and a row of bright sunflowers.
The committee will announce its decision on Thursday afternoon.
Thunder rolled over the hills while the cattle huddled together.
He forgot his umbrella, so he waited under the bridge for an hour.
Fresh bread and strong coffee make the best kind of morning.
The museum keeps a clock that has not stopped in three hundred years.
Which of these two roads leads back to the village square?
The pilot reported clear skies and a gentle wind from the west.
Every winter the geese fly south in long, uneven lines.
I would rather walk in the rain than sit in that crowded bus.
The library closes at nine, but the reading room stays open later.
A careful cook tastes the soup before adding any more salt.
Mountains look closer than they are on a cold, bright day.
The engineer checked each bolt on the bridge with a small hammer.
My grandmother kept every letter she received in a wooden box.
Quiet streets at midnight can feel strangely peaceful.
The fishermen mended their nets while the tide went out.
Nobody expected the little dog to win the race.
Turn left at the bakery and follow the canal until you see a red door.
The orchestra played the final chord, and the hall fell silent.
Is it true that the comet returns only once every seventy years?
Heavy snow closed the mountain pass for nearly a week.
The gardener planted tulips in neat rows along the path.
A thin layer of dust covered the piano in the empty house.
They argued about the price of apples for twenty minutes.
The candle flickered as the door creaked open.
Bring a warm coat, because the evenings are cold by the sea.
The students measured the shadow of the tower at noon.
How many islands can you count from the top of the hill?
The baker wakes at four to light the ovens.
Our train was delayed by a fallen tree on the line.
A painter needs patience as much as a steady hand.
The kettle whistled, and everyone hurried into the kitchen.
Lanterns swayed above the market as the sun went down.
The scientist wrote her results in a small green notebook.
Wild horses still roam the plains beyond the river.
Please speak slowly, the connection is not very good.
The harbour was full of sailing boats with white and yellow sails.
He found an old coin buried in the sand near the pier.
The choir practised the same hymn until it sounded perfect.
Rain drummed on the tin roof all through the night.
The puzzle had a thousand pieces, and three of them were missing.
We watched the storm move slowly across the valley.
The watchmaker repaired the tiny gears with silver tweezers.
Do you remember the name of the song they played at the wedding?
Bright red berries grew along the edge of the forest.
The ferry leaves at half past six and returns before dark.
Every book on that shelf was signed by its author.
A single owl called from the oak tree behind the barn.
The twins painted the fence green on a hot summer day.
Warm light spilled from the windows of the small cottage.
The crowd cheered when the tightrope walker reached the other side.
""".splitlines()


def build_synthetic_voice(out: str | Path, seed: int = 0, size: str = "smoke") -> Path:
    """Build the embedded synthetic-voice set in `out` (kept if already complete)."""
    cfg = SIZES[size]
    params = {"set": "voice-synthetic", "seed": seed, "size": size, **cfg}
    out = Path(out)
    if is_complete(out, params):
        return out / "manifest.csv"
    rng = np.random.default_rng(seed)
    speakers = SPEAKERS[: cfg["speakers"]]
    manifest = Manifest(out)
    with tempfile.TemporaryDirectory() as tmp:
        for k, (spk, voice, wpm, pitch) in enumerate(tqdm(speakers, unit="speaker",
                                                          desc="voice-synthetic")):
            split = "test" if k >= len(speakers) - cfg["test"] else "train"
            lines = rng.choice(len(SENTENCES), cfg["sentences"], replace=False)
            for j, line in enumerate(lines):
                raw = speak(SENTENCES[line], Path(tmp) / "u.wav", voice, wpm, pitch)
                x = peak_normalize(trim_silence(read_audio(raw, RATE, quiet=True), 60.0))
                cid = f"{spk}_{j:03d}"
                manifest.add_audio(f"{split}/{spk}/{cid}.wav", x, split=split, source="voice",
                                   piece=f"line{int(line):02d}", speaker=spk, clip=cid,
                                   synthetic="yes", package="espeak-ng",
                                   license="espeak-ng output (GPL-3 program)")
    return manifest.finish(params)
