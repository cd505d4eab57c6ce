"""The real-dataset fetchers end to end, over loopback HTTP, on archives in the real layout."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import tarfile
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pnf.clips import manifest_rows
from pnf.datasets import cifar10, vctk
from pnf.datasets.fetch import FetchError, Limits, Source, download, extract


def cifar_archive(n: int = 3) -> bytes:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in (*cifar10.TRAIN, *cifar10.TEST):
            batch = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                     b"labels": list(rng.integers(0, 10, n).tolist()),
                     b"batch_label": name.encode()}
            blob = pickle.dumps(batch, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return buf.getvalue()


def vctk_archive(tmp: Path) -> bytes:
    t = np.arange(int(0.3 * 48000)) / 48000
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for spk, count in (("p225", 2), ("p226", 2), ("p345", 27), ("p361", 1), ("p362", 1),
                           ("p374", 1)):
            for i in range(1, count + 1):
                tone = 0.3 * np.sin(2 * np.pi * (200 + 10 * i) * t)
                x = np.concatenate([np.zeros(4800), tone, np.zeros(4800)])
                flac = tmp / "u.flac"
                sf.write(flac, x, 48000)
                z.write(flac, f"wav48_silence_trimmed/{spk}/{spk}_{i:03d}_mic1.flac")
                z.write(flac, f"wav48_silence_trimmed/{spk}/{spk}_{i:03d}_mic2.flac")
                z.writestr(f"txt/{spk}/{spk}_{i:03d}.txt", "Please call Stella.\n")
    return buf.getvalue()


def test_cifar10_good_archive_over_http(server, tmp_path, monkeypatch):
    data = cifar_archive()
    server.files["/cifar.tar.gz"] = data
    fake = dataclasses.replace(cifar10.SOURCE, md5=hashlib.md5(data).hexdigest())
    monkeypatch.setattr(cifar10, "SOURCE", fake)
    manifest = cifar10.fetch_cifar10(tmp_path, url=server.url + "/cifar.tar.gz")
    train, test = np.load(tmp_path / "cifar10/train.npy"), np.load(tmp_path / "cifar10/test.npy")
    assert train.shape == (15, 3, 32, 32) and test.shape == (3, 3, 32, 32)
    assert train.dtype == np.float32 and train.min() >= -1 and train.max() <= 1
    assert len(manifest_rows(manifest)) == 18
    # the same archive given with --archive works offline too
    (tmp_path / "a.tgz").write_bytes(data)
    cifar10.fetch_cifar10(tmp_path / "again", archive=tmp_path / "a.tgz")
    assert np.array_equal(np.load(tmp_path / "again/cifar10/train.npy"), train)


def test_corrupt_archive_is_refused_and_removed(server, tmp_path):
    server.files["/cifar.tar.gz"] = cifar_archive()  # md5 differs from the real one
    with pytest.raises(FetchError, match="md5 checksum mismatch"):
        cifar10.fetch_cifar10(tmp_path, url=server.url + "/cifar.tar.gz")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_truncated_transfer_resumes_with_range(server, tmp_path):
    data = bytes(np.random.default_rng(1).integers(0, 256, 300_000, dtype=np.uint8))
    server.files["/big.bin"] = data
    server.cut_once.add("/big.bin")
    src = Source("demo", server.url + "/big.bin", sha256=hashlib.sha256(data).hexdigest())
    out = download(src, tmp_path / "big.bin")
    assert out.read_bytes() == data
    assert server.ranges and server.ranges[0] != "bytes=0-"
    assert not list(tmp_path.glob("*.part"))


def test_vctk_layout_end_to_end(server, tmp_path):
    server.files["/VCTK-Corpus-0.92.zip"] = vctk_archive(tmp_path)
    manifest = vctk.fetch_vctk(tmp_path / "real", url=server.url + "/VCTK-Corpus-0.92.zip")
    table = manifest_rows(manifest)
    test = [r for r in table if r["split"] == "test"]
    assert {r["speaker"] for r in test} == set(vctk.TEST_SPEAKERS)
    assert sum(r["speaker"] == "p345" for r in test) == 25  # capped at 25 clips
    assert {r["speaker"] for r in table if r["split"] == "train"} == {"p225", "p226"}
    x, rate = sf.read(manifest.parent / table[0]["path"])
    assert rate == 22050 and abs(np.abs(x).max() - 1) < 1e-3  # peak-normalized
    assert len(x) < 0.45 * rate  # the 0.1 s silences were trimmed


def test_unsafe_archives_are_refused(tmp_path):
    for kind in ("tar", "zip", "link"):
        archive = tmp_path / f"evil.{kind}"
        if kind == "zip":
            with zipfile.ZipFile(archive, "w") as z:
                z.writestr("../escaped.txt", "x")
        else:
            with tarfile.open(archive, "w") as tar:
                info = tarfile.TarInfo("../escaped.txt" if kind == "tar" else "link")
                if kind == "link":
                    info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
                tar.addfile(info, io.BytesIO(b""))
        with pytest.raises(FetchError, match="refusing"):
            extract(archive, tmp_path / "out" / "raw")
        assert not (tmp_path / "escaped.txt").exists()
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_offline_gives_one_clear_line(tmp_path):
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()  # nothing listens there now
    with pytest.raises(FetchError, match=r"needs internet.*pnf data fetch cifar10.*place the"):
        cifar10.fetch_cifar10(tmp_path, url=f"http://127.0.0.1:{port}/c.tar.gz")


def test_supra_archive_is_rendered_split_by_piece(tmp_path):
    from pnf.datasets import supra
    from pnf.datasets.piano import write_midi

    archive = tmp_path / "supra.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for stem in ("roll_a", "roll_b"):
            notes = {"bass": [(48 + i % 12, 2.0 * i, 2.0 * i + 1.5) for i in range(11)]}
            z.write(write_midi(notes, tmp_path / "r.mid", bpm=120, velocity={"bass": 80}),
                    f"SUPRA-main/midi/{stem}.mid")
    manifest = supra.fetch_supra(tmp_path / "real", archive=archive)
    table = manifest_rows(manifest)
    assert {r["piece"] for r in table} == {"roll_a", "roll_b"}
    assert all(r["split"] == supra.split_of(r["piece"]) for r in table)
    assert all(abs(float(r["duration"]) - supra.CLIP_SECONDS) < 1e-3 for r in table)


# ---------------------------------------------------------------- limits and the cache


def zeros_zip(path: Path, members: int, size: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(members):
            z.writestr(f"d/f{i}.bin", bytes(size))
    return path


def zeros_tgz(path: Path, size: int) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("d/zeros.bin")
        info.size = size
        tar.addfile(info, io.BytesIO(bytes(size)))
    return path


@pytest.mark.parametrize("make, limits, match", [
    (lambda p: zeros_zip(p / "bomb.zip", 1, 4 << 20), Limits(max_ratio=50), "ratio"),
    (lambda p: zeros_tgz(p / "bomb.tgz", 4 << 20), Limits(max_ratio=50), "ratio"),
    (lambda p: zeros_zip(p / "many.zip", 300, 1), Limits(max_files=200), "more than 200 members"),
    (lambda p: zeros_tgz(p / "big.tgz", 3 << 20), Limits(max_bytes=2 << 20, max_ratio=1e9),
     "GiB uncompressed"),
], ids=["zip-bomb-ratio", "tgz-bomb-ratio", "too-many-files", "too-big"])
def test_archive_limits_refuse_and_leave_nothing(tmp_path, make, limits, match):
    archive = make(tmp_path)
    with pytest.raises(FetchError, match=match):
        extract(archive, tmp_path / "out" / "raw", limits)
    assert not any((tmp_path / "out").iterdir())  # no partial tree, no temp folder


def test_archive_within_limits_is_extracted_once(tmp_path):
    archive = zeros_zip(tmp_path / "ok.zip", 3, 10)
    raw = extract(archive, tmp_path / "out" / "raw", Limits(max_files=3), "id-1")
    assert sorted(p.name for p in raw.rglob("*.bin")) == ["f0.bin", "f1.bin", "f2.bin"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["raw"]
    (raw / "d" / "f0.bin").unlink()
    extract(archive, raw, identity="id-1")      # same archive: kept as it is
    assert not (raw / "d" / "f0.bin").exists()
    extract(archive, raw, identity="id-2")      # another archive: extracted afresh
    assert (raw / "d" / "f0.bin").exists()


def test_corrected_url_makes_a_new_request(server, tmp_path, monkeypatch):
    """A wrong archive without a known checksum (VCTK) is not reused after --url changes."""
    good, wrong = vctk_archive(tmp_path), zeros_zip(tmp_path / "w.zip", 2, 10).read_bytes()
    server.files["/wrong.zip"], server.files["/VCTK.zip"] = wrong, good
    with pytest.raises(ValueError, match="no VCTK audio"):
        vctk.fetch_vctk(tmp_path / "real", url=server.url + "/wrong.zip")
    manifest = vctk.fetch_vctk(tmp_path / "real", url=server.url + "/VCTK.zip")
    assert len(manifest_rows(manifest)) > 30
    # the same call again is served from the finished set, without a request
    server.files.clear()
    assert vctk.fetch_vctk(tmp_path / "real", url=server.url + "/VCTK.zip") == manifest


def test_corrected_checksum_makes_a_new_request(server, tmp_path):
    data = cifar_archive()
    server.files["/c.tar.gz"] = data
    bad, good = "0" * 64, hashlib.sha256(data).hexdigest()
    with pytest.raises(FetchError, match="sha256 checksum mismatch"):
        cifar10.fetch_cifar10(tmp_path, url=server.url + "/c.tar.gz", sha256=bad)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # the bad file is deleted
    with pytest.raises(FetchError, match="md5"):  # the published md5 still applies
        cifar10.fetch_cifar10(tmp_path, url=server.url + "/c.tar.gz", sha256=good)
    assert Source("x", "u", sha256=bad).key != Source("x", "u", sha256=good).key
    assert Source("x", "u").key != Source("x", "v").key


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_outputs_respect_the_umask(tmp_path, mask, mode):
    from pnf.atomic import write_json
    from pnf.audio import write_audio

    old = os.umask(mask)
    try:
        write_json(tmp_path / "a.json", {"x": 1})
        write_audio(tmp_path / "a.wav", np.zeros(100, np.float32))
        raw = extract(zeros_zip(tmp_path / "z.zip", 1, 10), tmp_path / "out" / "raw")
    finally:
        os.umask(old)
    for path in (tmp_path / "a.json", tmp_path / "a.wav", raw / "d" / "f0.bin"):
        assert path.stat().st_mode & 0o777 == mode, path
    assert raw.stat().st_mode & 0o777 == mode | 0o111 & ~mask
