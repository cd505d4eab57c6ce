"""pnf.clips: the one place that selects train, test and validation clips from a manifest."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from pnf.audio import RATE, write_audio
from pnf.clips import heldout_paths, heldout_rows, list_clips, pick_clip, read_clip


def manifest(folder: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A manifest of (split, clip, source) rows, each a 0.1 s clip of its own level."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "manifest.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "split", "source", "clip"])
        for k, (split, clip, source) in enumerate(rows):
            write_audio(folder / f"{k}.wav", np.full(RATE // 10, 0.01 * (k + 1), np.float32))
            w.writerow([f"{k}.wav", split, source, clip])
    return folder / "manifest.csv"


MIX = [(split, c, s) for split, clips in (("train", "tu"), ("test", "abc"))
       for c in clips for s in ("mix", "piano", "voice")]


def test_test_clips_come_first_validation_clips_last(tmp_path):
    m = manifest(tmp_path / "mix", MIX)
    assert [r["clip"] for r in heldout_rows(m, "test", "mix", 2)] == ["a", "b"]
    assert [r["clip"] for r in heldout_rows(m, "validation", "mix", 1)] == ["c"]
    assert [r["clip"] for r in heldout_rows(tmp_path / "mix", "validation", "piano", 2)] == \
        ["b", "c"]
    assert heldout_paths(m, "test", "voice", 1) == [tmp_path / "mix" / "8.wav"]
    assert len(list_clips(m, "train", "mix")) == 2
    with pytest.raises(ValueError, match=r"unknown split 'train'; use one of"):
        heldout_rows(m, "train", "mix", 1)


def test_a_validation_split_is_used_when_the_manifest_has_one(tmp_path):
    m = manifest(tmp_path / "p", [("test", "a", "piano"), ("validation", "v", "piano"),
                                  ("test", "b", "piano")])
    assert [r["clip"] for r in heldout_rows(m, "validation", "piano", 3)] == ["v"]
    assert [r["clip"] for r in pick_clip(m, "validation", 0, ["piano"])] == ["v"]
    assert [r["clip"] for r in pick_clip(m, "test", 1, ["piano"])] == ["b"]


def test_a_mixture_clip_comes_with_its_own_sources_cut_alike(tmp_path):
    m = manifest(tmp_path / "mix", MIX)
    rows = pick_clip(m, "test", 1, ["mix", "piano", "voice"])
    assert [(r["clip"], r["source"]) for r in rows] == [("b", "mix"), ("b", "piano"),
                                                        ("b", "voice")]
    waves = read_clip(m, rows, 0.2)                     # 0.1 s clips, zero-padded to 0.2 s
    assert [len(w) for w in waves] == [round(0.2 * RATE)] * 3
    assert np.allclose(waves[1][:100], 0.01 * 11, atol=1e-4) and not waves[1][-100:].any()
    assert [r["clip"] for r in pick_clip(m, "validation", 0, ["mix", "voice"])] == ["c", "c"]


def test_picks_past_the_end_or_without_a_source_row_are_one_line_errors(tmp_path):
    m = manifest(tmp_path / "mix", MIX[:-1])            # clip c has no voice row
    with pytest.raises(ValueError, match=r"only 3 test clips with source 'mix'; ask for fewer"):
        pick_clip(m, "test", 3, ["mix"])
    with pytest.raises(ValueError, match=r"clip 'c' has no 'voice' row"):
        pick_clip(m, "validation", 0, ["mix", "voice"])
    with pytest.raises(ValueError, match=r"one validation clip is picked \(index 0\)"):
        pick_clip(m, "validation", 1, ["mix"])
