"""Miniature archives (pnf/datasets/miniature.py): the published layouts, the real fetch path
on them (`pnf data fetch NAME --archive FILE --sha256 SUM`), and a corrupted one refused in
one line before anything is written."""

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pnf.clips import manifest_rows
from pnf.datasets.miniature import write_miniature

PNF = [str(Path(sys.executable).parent / "pnf")]


def pnf(*args, cwd):
    return subprocess.run([*PNF, *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    folder = tmp_path_factory.mktemp("archives")
    names = {"vctk": "VCTK-Corpus-0.92.zip", "supra": "supra.zip",
             "cifar10": "cifar-10-python.tar.gz"}
    for name, file in names.items():
        proc = pnf("data", "miniature", name, "--out", file, cwd=folder)
        assert proc.returncode == 0, proc.stderr
    return {name: folder / file for name, file in names.items()}


def test_layouts_are_the_published_ones(archives):
    vctk = zipfile.ZipFile(archives["vctk"]).namelist()
    for speaker in ("p345", "p361", "p362", "p374", "p225"):
        assert f"wav48_silence_trimmed/{speaker}/{speaker}_001_mic1.flac" in vctk
        assert f"txt/{speaker}/{speaker}_001.txt" in vctk
    supra = zipfile.ZipFile(archives["supra"]).namelist()
    assert sum(n.startswith("SUPRA-main/midi/") and n.endswith(".mid") for n in supra) == 3
    with tarfile.open(archives["cifar10"]) as tar:
        names = set(tar.getnames())
    assert {f"cifar-10-batches-py/data_batch_{k}" for k in range(1, 6)} | {
        "cifar-10-batches-py/test_batch", "cifar-10-batches-py/batches.meta"} <= names


def test_same_bytes_each_time(archives, tmp_path):
    write_miniature("cifar10", tmp_path / "again.tar.gz")
    assert (tmp_path / "again.tar.gz").read_bytes() == archives["cifar10"].read_bytes()


@pytest.mark.parametrize("name", ["vctk", "cifar10"])
def test_real_fetch_path_takes_them(archives, tmp_path, name):
    """The fetch checks the sha256 written beside the archive (CIFAR's published md5 does
    not apply to a local archive with its own sha256) and prepares the set."""
    archive = archives[name]
    sha = Path(f"{archive}.sha256").read_text().strip()
    proc = pnf("data", "fetch", name, "--out", str(tmp_path), "--archive", str(archive),
               "--sha256", sha, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = manifest_rows(tmp_path / name / "manifest.csv")
    tests = [r for r in rows if r["split"] == "test"]
    if name == "vctk":
        assert {r["speaker"] for r in tests} == {"p345", "p361", "p362", "p374"}
        assert {r["speaker"] for r in rows if r["split"] == "train"} == {"p225", "p226"}
    else:
        assert np.load(tmp_path / name / "test.npy").shape == (8, 3, 32, 32)
        assert len(tests) == 8 and len(rows) == 48


def test_corrupted_archive_is_one_error_line(archives, tmp_path):
    bad = tmp_path / "supra.zip"
    data = bytearray(archives["supra"].read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad.write_bytes(bytes(data))
    sha = Path(f"{archives['supra']}.sha256").read_text().strip()
    proc = pnf("data", "fetch", "supra", "--out", str(tmp_path / "out"), "--archive", str(bad),
               "--sha256", sha, cwd=tmp_path)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode != 0 and len(lines) == 1, proc.stderr
    assert lines[0].startswith("pnf: error: ") and "sha256 checksum mismatch" in lines[0]
    assert not (tmp_path / "out" / "supra").exists()
