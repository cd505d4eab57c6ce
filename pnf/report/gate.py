"""The adequacy gate of the claims table (ours): no verdict on noise.

    >>> from pnf.report.gate import Gate
    >>> gate = Gate.from_config({"highband_db": 6, "flatness": 1, "bits_over_linear": 0.5},
    ...                         prior_records=["results/small/prior-quality/piano-mulaw.json"])
    >>> gate.reasons(data, test)          # [] when the test's compared outputs pass
    ['piano x4 PnF: output >4k/<4k 21.3 dB above the truth's (gate ±6 dB)', ...]

A claim about audio compares outputs drawn from a prior (PnF and its variants, ancestral
sampling). Those outputs, and the prior itself, must be adequate before a comparison of them
says anything; a test whose evidence fails the gate is "not testable at this budget", with
the measured reasons, never "holds". For every cell a test compares (the best variant per
cell, as the rule picks it; baselines such as the spline are not gated):
- the method's outputs: |mean highband_gap| ≤ `highband_db` and |mean flatness_gap| ≤
  `flatness` (decades), from the score records (pnf.measures: the estimate's >4 kHz/<4 kHz
  energy ratio and spectral flatness against the truth's), less the gaps the prior's
  quantizer alone opens (`quantizer_floor`: a perfect output through it is the quantized
  truth, not the truth);
- the cell's prior (superres, inpaint: <dataset>-mulaw; separate: <source>-linear;
  spectrogram: <dataset>-mel), from its `pnf evaluate prior` record: its ancestral samples
  within the same two margins of the held-out audio through its quantizer, and held-out bits
  per sample at least `bits_over_linear` below the linear predictor's. A prior without a
  record fails.
Image and wall-time tests are not gated (no audio output). The thresholds live in the
experiment config's `claims_gate:` (defaults: DEFAULTS).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

import numpy as np

from pnf.task_specs import TASK_SPECS

DEFAULTS = {"highband_db": 6.0, "flatness": 1.0, "bits_over_linear": 0.5}
GATED = ("pnf*", "ancestral*")     # methods whose outputs are drawn from a prior
MAX_REASONS = 4


def _prior_kind(task: str | None) -> str | None:
    """The audio prior kind an audio task restores with (None: no audio task, not gated)."""
    spec = TASK_SPECS.get(task)
    return None if spec is None or spec.image else spec.prior


def _globs(selector) -> list[str]:
    return [selector] if isinstance(selector, str) else list(selector)


@dataclass
class Gate:
    highband_db: float = DEFAULTS["highband_db"]
    flatness: float = DEFAULTS["flatness"]
    bits_over_linear: float = DEFAULTS["bits_over_linear"]
    priors: dict[str, dict] = field(default_factory=dict)   # "piano-mulaw" -> record

    @classmethod
    def from_config(cls, config: dict | None, prior_records=()) -> Gate:
        """The gate from a `claims_gate:` mapping (missing keys: DEFAULTS) and records."""
        config = config or {}
        unknown = sorted(set(config) - set(DEFAULTS))
        if unknown:
            raise ValueError(f"claims_gate: unknown key(s) {unknown}; use {sorted(DEFAULTS)}")
        priors = {Path(p).stem: json.loads(Path(p).read_text()) for p in prior_records}
        return cls(**{**DEFAULTS, **config}, priors=priors)

    def reasons(self, data, test: dict) -> list[str]:
        """Why the test's compared outputs fail the gate ([] when they pass or are ungated)."""
        from pnf.report.claim_rules import _side

        if _prior_kind(test.get("task")) is None:
            return []
        out = []
        sides = [(test.get("method", "pnf*"), test.get("settings"))]
        if "against" in test:
            sides.append((test["against"], test.get("against_settings", test.get("settings"))))
        for selector, settings in sides:
            gated = [g for g in _globs(selector) if any(fnmatchcase(g, p) for p in GATED)]
            if gated:
                for rec in _side(data, test, gated, settings).to_dict("records"):
                    out += self._output(data.summary, rec) + self._prior(test["task"], rec)
        unique = list(dict.fromkeys(out))
        more = len(unique) - MAX_REASONS
        return unique[:MAX_REASONS] + ([f"and {more} more"] if more > 0 else [])

    def _output(self, summary, rec: dict) -> list[str]:
        """The method's outputs in this cell against the truth."""
        from pnf.report.claim_rules import _where
        from pnf.report.labels import method_label

        cell = summary[(summary.dataset == rec["dataset"]) & (summary.task == rec["task"])
                       & (summary.setting == rec["setting"]) & (summary.method == rec["method"])
                       & (summary.source == rec["source"])]
        gaps = dict(zip(cell.metric, cell["mean"], strict=True))
        who = f"{_where(rec)} {method_label(rec['method'])}"
        if "highband_gap" not in gaps or "flatness_gap" not in gaps:
            return [f"{who}: spectral gaps not measured (re-score with `pnf evaluate item`)"]
        hb, flat = quantizer_floor(self.priors.get(self._name(rec["task"], rec)))
        return self._gaps(who + " output", gaps["highband_gap"] - hb,
                          gaps["flatness_gap"] - flat, "quantized truth" if hb or flat else "truth")

    @staticmethod
    def _name(task: str, rec: dict) -> str:
        return f"{rec['source'] or rec['dataset']}-{_prior_kind(task)}"

    def _prior(self, task: str, rec: dict) -> list[str]:
        return self.prior_reasons(self._name(task, rec))

    def prior_reasons(self, name: str) -> list[str]:
        """Why the prior `name` (its record in self.priors) fails the gate; [] if it passes."""
        prior = self.priors.get(name)
        if prior is None:
            return [f"{name} prior: no prior-quality record (run `pnf evaluate prior`)"]
        out = []
        gain = prior["bits_linear"] - prior["bits_clean"]
        if gain < self.bits_over_linear:
            out.append(f"{name} prior: {prior['bits_clean']:.2f} bits/sample vs linear "
                       f"prediction {prior['bits_linear']:.2f} (gate: ≥ "
                       f"{self.bits_over_linear:g} bits below)")
        if "sample_flatness" not in prior:
            return out + [f"{name} prior: no ancestral samples measured"]
        return out + self._gaps(f"{name} ancestral samples", *sample_gaps(prior))

    def _gaps(self, who: str, hb: float, flat: float, truth: str) -> list[str]:
        out = []
        if not abs(hb) <= self.highband_db:
            out.append(f"{who}: >4k/<4k energy {hb:+.1f} dB from the {truth}'s "
                       f"(gate ±{self.highband_db:g} dB)")
        if not abs(flat) <= self.flatness:
            out.append(f"{who}: spectral flatness {10 ** flat:.3g}× the {truth}'s "
                       f"(gate within 10^±{self.flatness:g})")
        return out


def sample_gaps(prior: dict) -> tuple[float, float, str]:
    """(dB, decades, reference) of a prior record's ancestral samples: their >4k/<4k ratio
    and flatness against the held-out audio through its quantizer (`quantized_*`), or the
    raw audio (`data_*`) in a record from before those fields."""
    ref = "quantized" if "quantized_flatness" in prior else "data"
    return (prior["sample_highband_db"] - prior[f"{ref}_highband_db"],
            float(np.log10(prior["sample_flatness"] / max(prior[f"{ref}_flatness"], 1e-300))),
            "quantized data" if ref == "quantized" else "data")


def quantizer_floor(prior: dict | None) -> tuple[float, float]:
    """(dB, decades) by which the prior's quantizer alone lifts the held-out audio's >4k/<4k
    ratio and flatness (its record's quantized_* against data_*); (0, 0) when unmeasured.
    A perfect restoration through that quantizer shows these gaps against the raw truth."""
    if not prior or "quantized_flatness" not in prior:
        return 0.0, 0.0
    return (prior["quantized_highband_db"] - prior["data_highband_db"],
            float(np.log10(prior["quantized_flatness"] / max(prior["data_flatness"], 1e-300))))


def load_gate(rules: str | Path, prior_records=()) -> Gate:
    """The gate of a rules YAML (its `claims_gate:` mapping, or DEFAULTS) and the records."""
    from pnf.experiments import read_experiment

    config = read_experiment(rules).get("claims_gate")
    missing = [p for p in prior_records if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"{missing[0]}: no prior-quality record; run `pnf evaluate "
                                "prior` first")
    return Gate.from_config(config, prior_records)
