"""The claims' adequacy gate: a test on outputs that are noise, or on a prior no better than
linear prediction, is "not testable at this budget" with the measured reason, never "holds"."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_claims import ROOT, data, rows

from pnf.cli import main
from pnf.report.claims import HOLDS, NOT_HOLD, NOT_RUN, NOT_TESTABLE, combine, gated
from pnf.report.gate import Gate

GOOD_PRIOR = {"bits_clean": 3.0, "bits_linear": 5.0, "sample_highband_db": -20.0,
              "data_highband_db": -21.0, "sample_flatness": 0.004, "data_flatness": 0.002}
RULE = {"kind": "beats", "task": "superres", "metric": "lsd", "against": "spline"}


def superres(pnf_gaps=(0.0, 0.0), spline_gaps=(-30.0, -3.0), lsd=(0.5, 0.9)):
    """PnF beating the spline on LSD at ×4, with the given (highband, flatness) gaps."""
    out = []
    for method, gaps, value in (("pnf", pnf_gaps, lsd[0]), ("spline", spline_gaps, lsd[1])):
        for metric, v in (("lsd", value), ("highband_gap", gaps[0]), ("flatness_gap", gaps[1])):
            out.append(rows("superres", "piano", "x4", method, metric, [v, v]))
    return data(*out)


def gate(**prior_changes):
    return Gate(priors={"piano-mulaw": {**GOOD_PRIOR, **prior_changes}})


def test_adequate_outputs_and_prior_keep_the_rules_verdict():
    assert gated(superres(), RULE, gate())[0] == HOLDS
    assert gated(superres(lsd=(1.0, 0.9)), RULE, gate())[0] == NOT_HOLD
    # the spline is not drawn from the prior: its own spectrum is not gated


@pytest.mark.parametrize("gaps,words", [((21.0, 0.0), "+21.0 dB from the truth's"),
                                        ((0.0, 2.5), "316× the truth's"),
                                        ((-6.5, 0.0), "-6.5 dB")])
def test_noise_like_outputs_are_not_testable_with_the_measured_reason(gaps, words):
    verdict, ev = gated(superres(pnf_gaps=gaps), RULE, gate())
    assert verdict == NOT_TESTABLE and any(words in n for n in ev.notes), ev.notes
    assert gated(superres(pnf_gaps=(5.9, 0.99)), RULE, gate())[0] == HOLDS   # inside the margins


@pytest.mark.parametrize("prior,words", [
    ({"bits_clean": 4.6}, "4.60 bits/sample vs linear prediction 5.00"),
    ({"sample_highband_db": -5.0}, "ancestral samples: >4k/<4k energy +16.0 dB"),
    ({"sample_flatness": 0.5}, "ancestral samples: spectral flatness 250×")])
def test_an_inadequate_prior_makes_its_tests_not_testable(prior, words):
    verdict, ev = gated(superres(), RULE, gate(**prior))
    assert verdict == NOT_TESTABLE and any(words in n for n in ev.notes), ev.notes


def test_the_gate_measures_from_the_quantized_truth_when_the_record_has_it():
    """Piano through mu-law: a perfect output shows the quantizer's +8 dB, and passes."""
    raw = {"data_highband_db": -46.0, "data_flatness": 0.0002,
           "sample_highband_db": -37.0, "sample_flatness": 0.0012}
    floor = {**raw, "quantized_highband_db": -38.0, "quantized_flatness": 0.001}
    old = gated(superres(pnf_gaps=(8.0, 0.7)), RULE, gate(**raw))       # a record before it
    assert old[0] == NOT_TESTABLE and "+9.0 dB from the data's" in " ".join(old[1].notes)
    assert gated(superres(pnf_gaps=(8.0, 0.7)), RULE, gate(**floor))[0] == HOLDS
    verdict, ev = gated(superres(pnf_gaps=(15.0, 0.7)), RULE, gate(**floor))
    assert verdict == NOT_TESTABLE and "+7.0 dB from the quantized truth's" in ev.notes[0]


def test_a_missing_measurement_is_not_testable_and_ungated_tests_keep_their_verdict():
    assert "no prior-quality record" in gated(superres(), RULE, Gate())[1].notes[0]
    no_gaps = data(rows("superres", "piano", "x4", "pnf", "lsd", [0.5, 0.5]),
                   rows("superres", "piano", "x4", "spline", "lsd", [0.9, 0.9]))
    assert "not measured" in gated(no_gaps, RULE, gate())[1].notes[0]
    images = data(rows("images", "images", "superres", "pnf", "psnr", [25, 25]))
    rule = {"kind": "reaches", "task": "images", "metric": "psnr", "value": 20}
    assert gated(images, rule, Gate())[0] == HOLDS                      # no audio output
    assert gated(superres(), {**RULE, "task": "inpaint"}, Gate())[0] == NOT_RUN


def test_ancestral_sampling_is_gated_as_the_other_side_of_a_comparison():
    both = [rows("spectrogram", "piano", s, m, metric, [v, v])
            for s, m, lsd_v, hb in (("it4", "pnf", 1.0, 0.0), ("ar", "ancestral", 1.0, 15.0))
            for metric, v in (("lsd", lsd_v), ("highband_gap", hb), ("flatness_gap", 0.0))]
    rule = {"kind": "within", "task": "spectrogram", "metric": "lsd", "settings": "last",
            "against": "ancestral", "against_settings": ["ar"], "margin": 0.05,
            "relative": True}
    g = Gate(priors={"piano-mel": GOOD_PRIOR})
    verdict, ev = gated(data(*both), rule, g)
    assert verdict == NOT_TESTABLE and len(ev.notes) == 1
    assert "piano ar Ancestral" in ev.notes[0] and "+15.0 dB" in ev.notes[0], ev.notes


def test_a_claim_with_an_untestable_test_is_not_testable():
    assert combine([HOLDS, NOT_TESTABLE]) == NOT_TESTABLE
    assert combine([NOT_RUN, NOT_TESTABLE, NOT_HOLD]) == NOT_TESTABLE


def test_cli_gates_with_the_config_thresholds_and_prior_records(tmp_path):
    metrics = tmp_path / "metrics.csv"
    recs = [r for m, g, v in (("pnf", (8.0, 0.0), 0.5), ("spline", (0.0, 0.0), 0.9))
            for r in rows("superres", "piano", "x4", m, "lsd", [v, v])]
    for r in recs:
        r.update(highband_gap=8.0 if r["method"] == "pnf" else 0.0, flatness_gap=0.0)
    pd.DataFrame(recs).to_csv(metrics, index=False)
    prior = tmp_path / "piano-mulaw.json"
    prior.write_text(json.dumps(GOOD_PRIOR))
    rules = tmp_path / "rules.yaml"
    text = (ROOT / "experiments" / "smoke.yaml").read_text()
    for margin, verdict in ((6, NOT_TESTABLE), (10, "partly")):
        rules.write_text(text.replace("highband_db: 6,", f"highband_db: {margin},"))
        assert main(["report", "claims", "--metrics", str(metrics), "--rules", str(rules),
                     "--priors", str(prior), "--out", str(tmp_path / "t")]) == 0
        table = pd.read_csv(tmp_path / "t" / "claims.csv", comment="#")
        row = table[table.Claim.str.startswith("Super-resolution")].iloc[0]
        assert row.Verdict == verdict, row.to_dict()
