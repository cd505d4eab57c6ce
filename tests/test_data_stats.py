"""`pnf data stats`: rolloff, centroid, high band and F0 range on signals with known answers."""

from __future__ import annotations

import json

import numpy as np
import soundfile as sf

from pnf.cli import main
from pnf.datasets.stats import set_stats


def write_set(folder, clips: dict[str, np.ndarray], rate: int = 16000):
    lines = ["path,split,source,speaker,piece"]
    for name, x in clips.items():
        sf.write(folder / f"{name}.wav", x, rate, subtype="FLOAT")
        lines.append(f"{name}.wav,test,voice,{name},")
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n")
    return folder / "manifest.csv"


def glide(f0_from: float, f0_to: float, seconds: float = 2.0, rate: int = 16000):
    """A harmonic tone whose F0 moves exponentially from f0_from to f0_to."""
    t = np.arange(int(seconds * rate)) / rate
    f0 = f0_from * (f0_to / f0_from) ** (t / seconds)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    return (0.5 * np.sin(phase) + 0.25 * np.sin(2 * phase)).astype(np.float32)


def test_white_noise_is_flat_and_a_glide_spans_its_semitones(tmp_path):
    noise = np.random.default_rng(0).standard_normal(32000).astype(np.float32) * 0.1
    st = set_stats(write_set(tmp_path, {"noise": noise}))
    assert abs(st["high_low_db"]) < 0.5             # as much power above 4 kHz as below
    assert 6400 < st["rolloff85_hz"] < 7200         # 85 % of a flat 0-8 kHz spectrum
    assert 3600 < st["centroid_hz"] < 4400
    assert st["f0_range_st"] is None                # noise has no pitch
    one_octave = write_set(tmp_path, {"a": glide(110, 220), "b": glide(150, 150)})
    st = set_stats(one_octave)
    lo, hi = st["f0_range_min_max_st"]
    assert lo < 0.3 and 9.5 < hi < 11.5             # 5-95 % of a 12-semitone glide: 10.8
    assert st["rolloff85_hz"] < 500                 # two harmonics below 440 Hz


def test_stats_verb_writes_json_and_refuses_a_missing_manifest(tmp_path, capsys):
    manifest = write_set(tmp_path, {"a": glide(100, 200)})
    assert main(["data", "stats", str(manifest), "--json", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text())[str(manifest)]["clips"] == 1
    assert main(["data", "stats", str(tmp_path / "none.csv")]) == 2
    assert "pnf: error:" in capsys.readouterr().err
    assert main(["data", "stats", str(manifest), "--source", "piano"]) == 2
