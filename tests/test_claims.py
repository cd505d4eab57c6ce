"""The claims table: every rule kind on synthetic metric frames (holds / partly / does not hold /
not run, with means and standard errors known in closed form), the configs' rules, the CLI,
and the table on the smoke run's metrics when one is present."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from pnf.cli import main
from pnf.metrics import read_records
from pnf.report.claim_rules import Data
from pnf.report.claims import (
    COLUMNS,
    HOLDS,
    NOT_HOLD,
    NOT_RUN,
    PARTLY,
    claims_frame,
    combine,
    judge,
    load_claims,
)
from pnf.report.tables import summarise

ROOT = Path(__file__).resolve().parents[1]


def rows(task, dataset, setting, method, metric, values, source=""):
    return [{"dataset": dataset, "task": task, "setting": setting, "method": method,
             "item": f"c{i:03d}", "source": source, metric: v} for i, v in enumerate(values)]


def data(*groups, walltime=None) -> Data:
    return Data(summarise(read_records(pd.DataFrame([r for g in groups for r in g]))), walltime)


SUPERRES = data(
    rows("superres", "piano", "x4", "pnf", "lsd", [1.0, 1.2]),
    rows("superres", "piano", "x4", "pnf-warm", "lsd", [0.4, 0.6]),   # best variant: 0.5
    rows("superres", "piano", "x4", "spline", "lsd", [0.7, 0.9]),     # 0.8
    rows("superres", "piano", "x16", "pnf", "lsd", [0.8, 1.0]),       # 0.9
    rows("superres", "piano", "x16", "spline", "lsd", [0.6, 0.8]),    # 0.7
    rows("superres", "piano", "x4", "truth", "lsd", [0.0, 0.0]),      # never a method
)


def test_beats_takes_the_best_pnf_variant_per_cell():
    rule = {"kind": "beats", "task": "superres", "metric": "lsd", "against": "spline"}
    verdict, ev = judge(SUPERRES, {**rule, "settings": ["x4"]})
    assert verdict == HOLDS
    assert ev.lines == ["piano ×4: PnF, warm start (ours) 0.50 ± 0.10 vs Spline 0.80 ± 0.10"]
    assert ev.n == {2}
    assert judge(SUPERRES, rule)[0] == NOT_HOLD            # ×16: 0.9 vs 0.7
    assert judge(SUPERRES, {**rule, "partly": {"share": 0.5}})[0] == PARTLY
    assert judge(SUPERRES, {**rule, "share": 0.5})[0] == HOLDS
    assert judge(SUPERRES, {**rule, "settings": ["x4"], "margin": 0.35})[0] == NOT_HOLD
    assert judge(SUPERRES, {**rule, "task": "inpaint"}) == (NOT_RUN, None)
    assert judge(SUPERRES, {**rule, "method": "kee*"})[0] == NOT_RUN


SPECTROGRAM = data(
    rows("spectrogram", "piano", "it4", "pnf", "lsd", [3.0, 3.0]),
    rows("spectrogram", "piano", "it16", "pnf", "lsd", [1.08, 1.12]),  # last by natural order
    rows("spectrogram", "piano", "ar", "ancestral", "lsd", [1.0, 1.0]),
)


def test_within_relative_compares_the_last_setting_to_a_fixed_one():
    rule = {"kind": "within", "task": "spectrogram", "metric": "lsd", "settings": "last",
            "against": "ancestral", "against_settings": ["ar"], "relative": True}
    assert judge(SPECTROGRAM, {**rule, "margin": 0.15})[0] == HOLDS   # 1.10 ≤ 1.15
    verdict, ev = judge(SPECTROGRAM, {**rule, "margin": 0.05, "partly": {"margin": 0.2}})
    assert verdict == PARTLY and ev.lines[0].startswith("piano 16 it.: PnF 1.10 ± 0.02 vs ")
    assert judge(SPECTROGRAM, {**rule, "margin": 0.05})[0] == NOT_HOLD


def test_matches_is_two_sided():
    d = data(rows("superres", "voice", "x8", "pnf", "snr", [5.0]),
             rows("superres", "voice", "x8", "kee", "snr", [6.0]),
             rows("superres", "voice", "x16", "pnf", "snr", [8.0]),
             rows("superres", "voice", "x16", "kee", "snr", [6.0]))
    rule = {"kind": "matches", "task": "superres", "metric": "snr", "against": "kee",
            "margin": 1.5}
    assert judge(d, {**rule, "settings": ["x8"]})[0] == HOLDS
    assert judge(d, {**rule, "settings": ["x16"]})[0] == NOT_HOLD   # better by 2 is no match
    assert judge(d, {**rule, "kind": "within", "settings": ["x16"]})[0] == HOLDS


SEPARATION = data(
    rows("separate", "mix", "2src", "pnf", "si_sdr", [1.0, 3.0], source="piano"),
    rows("separate", "mix", "2src", "pnf", "si_sdr", [-2.0, 0.0], source="voice"),
    rows("separate", "mix", "2src", "convtasnet", "si_sdr", [4.0, 4.0], source="piano"),
    rows("separate", "mix", "2src", "demucs", "si_sdr", [0.0, 2.0], source="voice"),
)


def test_reaches_per_source_and_within_the_better_separator():
    rule = {"kind": "reaches", "task": "separate", "metric": "si_sdr", "value": 0}
    verdict, ev = judge(SEPARATION, {**rule, "partly": {"share": 0.5}})
    assert verdict == PARTLY
    assert ev.lines == ["piano 2 sources: PnF 2.0 ± 1.0", "voice 2 sources: PnF -1.0 ± 1.0"]
    assert judge(SEPARATION, rule)[0] == NOT_HOLD
    assert judge(SEPARATION, {**rule, "value": -1})[0] == HOLDS
    near = {"kind": "within", "task": "separate", "metric": "si_sdr",
            "against": ["convtasnet", "demucs"]}
    assert judge(SEPARATION, {**near, "margin": 2})[0] == HOLDS      # 2 vs 4, -1 vs 1
    assert judge(SEPARATION, {**near, "margin": 1.9})[0] == NOT_HOLD


def test_monotone_allows_steps_within_the_error_bars():
    def sweep(*pairs):
        return data(*[rows("spectrogram", "voice", f"it{2 ** k}", "pnf", "lsd", v)
                      for k, v in enumerate(pairs)])
    rule = {"kind": "monotone", "task": "spectrogram", "metric": "lsd"}
    assert judge(sweep([3, 3], [2, 2], [1, 1]), rule)[0] == HOLDS
    assert judge(sweep([3, 3], [3.5, 3.5], [1, 1]), rule)[0] == NOT_HOLD  # exact step up
    # +0.5 while the combined s.e. is hypot(0.5, 1.5) ≈ 1.58: within the error bars
    assert judge(sweep([2.5, 3.5], [2, 5], [1, 1]), rule)[0] == HOLDS
    assert judge(sweep([1, 1], [2, 2]), rule)[0] == NOT_HOLD              # worse at the end
    assert judge(sweep([1, 1]), rule)[0] == NOT_RUN                       # one point: no curve


def test_faster_measured_or_projected():
    wall = pd.DataFrame({"seconds": [1.0, 16.0], "pnf_s": [10.0, 100.0],
                         "ancestral_s": [1.0, 16.0], "pnf_gpu_s": [0.5, 0.6],
                         "ancestral_gpu_s": [0.1, 1.6]})
    rule = {"kind": "faster", "partly": {"where": "projected"}}
    verdict, ev = judge(data(walltime=wall), rule)
    assert verdict == PARTLY
    assert ev.lines[1].startswith("projected, 16 s of audio: PnF 0.6 s vs ancestral 1.6 s")
    assert ev.lines[0].startswith("measured, 16 s of audio: PnF 100 s vs ancestral 16 s")
    assert "crossover" in ev.lines[1] and "no crossover" in ev.lines[0]
    assert judge(data(walltime=wall), {"kind": "faster", "where": "projected"})[0] == HOLDS
    assert judge(data(walltime=wall), {"kind": "faster", "length": 1.0,
                                       "where": "projected"})[0] == NOT_HOLD
    assert judge(data(), rule) == (NOT_RUN, None)


def test_a_claim_combines_its_tests():
    assert combine([HOLDS, HOLDS]) == HOLDS
    assert combine([HOLDS, NOT_HOLD]) == PARTLY
    assert combine([NOT_HOLD, NOT_RUN]) == NOT_HOLD
    assert combine([HOLDS, NOT_RUN]) == PARTLY      # half the evidence is missing
    assert combine([NOT_RUN]) == NOT_RUN
    assert combine([PARTLY, PARTLY]) == PARTLY


def _write(tmp_path, claims) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"claims": claims}))
    return path


@pytest.mark.parametrize("test, words", [
    ({"kind": "exceeds", "task": "superres"}, "kind"),
    ({"kind": "beats", "task": "superres", "metric": "snr"}, "missing ['against']"),
    ({"kind": "reaches", "task": "images", "metric": "psnr", "value": 1, "margn": 1}, "margn"),
    ({"kind": "faster", "partly": {"kind": "beats"}}, "['kind']"),
])
def test_bad_rules_are_refused_with_the_field_named(tmp_path, test, words):
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        load_claims(_write(tmp_path, [{"claim": "c", "tests": [test]}]))


@pytest.mark.parametrize("name", ["smoke", "small", "paper"])
def test_every_experiment_states_the_same_claims(name):
    claims = load_claims(ROOT / "experiments" / f"{name}.yaml")
    assert claims == load_claims(ROOT / "experiments" / "smoke.yaml") and len(claims) == 7


def test_cli_writes_the_table_and_refuses_a_missing_file(tmp_path, capsys):
    metrics = tmp_path / "metrics.csv"
    pd.DataFrame(rows("superres", "piano", "x4", "pnf", "lsd", [0.5, 0.7])
                 + rows("superres", "piano", "x4", "spline", "lsd", [0.9, 1.1])).to_csv(
        metrics, index=False)
    rules = ROOT / "experiments" / "smoke.yaml"
    assert main(["report", "claims", "--metrics", str(metrics), "--rules", str(rules),
                 "--out", str(tmp_path / "t"), "--experiment", "test"]) == 0
    md = (tmp_path / "t" / "claims.md").read_text()
    assert md.count("\n| ") == 8 and "| " + " | ".join(COLUMNS) + " |" in md
    csv = pd.read_csv(tmp_path / "t" / "claims.csv", comment="#")
    assert csv.Verdict.tolist().count(NOT_RUN) == 6
    assert "piano ×4: PnF 0.60 ± 0.10 vs Spline 1.00 ± 0.10" in csv.iloc[2]["Ours (mean ± s.e.)"]
    assert main(["report", "claims", "--metrics", str(tmp_path / "none.csv"), "--rules",
                 str(rules), "--out", str(tmp_path / "u")]) == 2
    assert "pnf: error:" in capsys.readouterr().err and not (tmp_path / "u").exists()


SMOKE = next((p for p in (ROOT / "results" / "smoke" / "metrics.csv",
                          ROOT / "results" / "metrics.csv") if p.is_file()), ROOT / "results")


@pytest.mark.skipif(not SMOKE.is_file(), reason="no smoke run here (snakemake results/tables)")
def test_smoke_metrics_give_a_verdict_for_every_claim():
    claims = load_claims(ROOT / "experiments" / "smoke.yaml")
    wall = SMOKE.parent / "figures" / "walltime.csv"
    frame = claims_frame(claims, SMOKE, wall if wall.is_file() else None)
    assert frame.Claim.tolist() == [c["claim"] for c in claims]
    ran = frame[frame.Verdict != NOT_RUN]
    assert len(ran) >= 5 and set(frame.Verdict) <= {HOLDS, PARTLY, NOT_HOLD, NOT_RUN}
    for ours in ran["Ours (mean ± s.e.)"]:
        assert ours[-1].endswith((" per mean)", "one timing)")) and "no data" not in ours


def test_demo_page_table_shows_each_claim_and_verdict(tmp_path):
    from pnf.report.demo import _claims_table, _Media

    metrics = tmp_path / "metrics.csv"
    pd.DataFrame(rows("superres", "piano", "x4", "pnf", "lsd", [0.5, 0.7])
                 + rows("superres", "piano", "x4", "spline", "lsd", [0.9, 1.1])).to_csv(
        metrics, index=False)
    claims = load_claims(ROOT / "experiments" / "smoke.yaml")
    page = _claims_table(claims, metrics, _Media(tmp_path, None, tmp_path / "demo"))
    assert page.count("<tr>") == 1 + len(claims) and page.count(f"<td>{NOT_RUN}</td>") == 6
    assert "piano ×4: PnF 0.60 ± 0.10 vs Spline 1.00 ± 0.10 (n = 2 per mean)<br>" in page
