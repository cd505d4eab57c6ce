"""Shared fixtures: small real-sounding signals written as real audio files, a loopback
HTTP server for the download tests."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


class Server:
    """Serves `files` on 127.0.0.1; paths in `cut_once` are cut half-way the first time."""

    def __init__(self):
        self.files, self.cut_once, self.ranges = {}, set(), []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                data = server.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                if rng := self.headers.get("Range"):
                    server.ranges.append(rng)
                    start = int(rng.split("=")[1].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                body = data[start:]
                if self.path in server.cut_once:
                    server.cut_once.discard(self.path)
                    body = body[: len(body) // 2]
                    self.close_connection = True
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()
