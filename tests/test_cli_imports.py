"""No process tax on light work: `pnf --help`, each verb's --help that needs no network and a
real scoring run import no torch (checked in a fresh interpreter's sys.modules); the verb
table that `pnf --help` reads matches what the modules register."""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from pnf.cli import VERBS, build_parser

PROBE = """
import json, sys
from pnf.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
print(json.dumps({"code": code, "torch": "torch" in sys.modules}))
"""


def run_pnf(*argv: str) -> dict:
    """Run `pnf ARGV` in a fresh interpreter: its exit code and whether torch got imported."""
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("argv", [["--help"], ["evaluate", "--help"], ["evaluate", "item",
                                  "--help"], ["report", "--help"], ["data", "--help"]])
def test_help_and_light_verbs_import_no_torch(argv):
    assert run_pnf(*argv) == {"code": 0, "torch": False}


def test_a_network_verb_still_loads_torch():
    """The probe can fail: `pnf restore --help` builds the task flags, which need torch."""
    assert run_pnf("restore", "--help") == {"code": 0, "torch": True}


def test_scoring_an_item_imports_no_torch(tmp_path):
    rng = np.random.default_rng(0)
    truth = rng.uniform(-0.5, 0.5, 4000).astype(np.float32)
    sf.write(tmp_path / "truth.wav", truth, 16000)
    sf.write(tmp_path / "est.wav", truth + 0.01, 16000)
    result = run_pnf("evaluate", "item", "--truth", str(tmp_path / "truth.wav"), "--estimate",
                     str(tmp_path / "est.wav"), "--dataset", "piano", "--task", "superres",
                     "--setting", "x4", "--method", "spline", "--item", "c000", "--factor", "4",
                     "--out", str(tmp_path / "c000.json"))
    assert result == {"code": 0, "torch": False}
    assert json.loads((tmp_path / "c000.json").read_text())["snr"] > 20


def test_the_verb_table_matches_the_modules():
    full = build_parser(verbs=list(VERBS))
    stub = build_parser(verbs=[])
    for parser in (full, stub):
        assert list(parser._subparsers._group_actions[0].choices) == list(VERBS)
    helps = {a.dest: a.help for a in full._subparsers._group_actions[0]._choices_actions}
    assert helps == {verb: help for verb, (help, _) in VERBS.items()}
