"""Shared fixtures: small real-sounding signals written as real audio files."""

import numpy as np
import pytest
import torch

from pnf.audio import RATE, write_audio

torch.set_num_threads(1)  # subprocesses and parallel jobs share 2 cores


def decaying_harmonics(f0: float, seconds: float, rate: int = RATE, seed: int = 0):
    """A plucked-string-like tone: harmonics of f0 with exponential decays."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    x = sum(rng.uniform(0.3, 1.0) / h * np.exp(-t * (2 + 1.5 * h)) * np.sin(2 * np.pi * f0 * h * t
            + rng.uniform(0, 2 * np.pi)) for h in range(1, 7))
    return (0.9 * x / np.abs(x).max()).astype(np.float32)


@pytest.fixture
def tone_dir(tmp_path):
    """A folder of five 0.5 s tones (a stand-in for piano clips)."""
    d = tmp_path / "tones"
    for i, f0 in enumerate([196.0, 220.0, 261.6, 329.6, 392.0]):
        write_audio(d / f"tone{i}.wav", decaying_harmonics(f0, 0.5, seed=i))
    return d
