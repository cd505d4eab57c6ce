"""The experiment schema against pnf's config dataclasses, and the rules' settings table.

Each schema section that configures a pnf dataclass must name exactly that dataclass's
fields (with the documented exceptions below), so a new field added to the dataclass but
not to workflow/schemas/config.schema.yaml (or the reverse) fails here. The dataclasses are
found by name anywhere under pnf/ by reading the source (ast), so moving them is fine.
"""

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
RULES = sorted((ROOT / "workflow/rules").glob("*.smk"))

# schema $defs section -> (dataclass, renames dataclass field -> schema key,
#                          fields set elsewhere, schema-only keys)
SECTIONS = {
    "training": ("TrainConfig", {}, set(), set()),
    # sigma_input follows the prior's sigma_mode; `size` names a preset of the fields
    "wavenet": ("WaveNetConfig", {}, {"sigma_input"}, {"size"}),
    "pixelcnn": ("PixelCNNConfig", {}, {"sigma_input"}, {"size"}),
    # source comes from datasets.<name>.source (the rules add it per dataset)
    "prior": ("PriorConfig", {}, {"source"}, set()),
    "image_prior": ("ImagePriorConfig", {}, set(), set()),
    # iterations are per task and setting (tasks.<task>.iterations); seed is `--seed`;
    # Schedule.kind is `schedule:` (`--schedule`)
    "sampler": ("Schedule", {"sigmas": "levels", "kind": "schedule"}, {"iterations"}, {"seed"}),
    "schedule": ("Schedule", {"sigmas": "levels", "kind": "schedule"}, {"iterations"}, {"seed"}),
}


def dataclass_fields(name: str) -> dict[str, object]:
    """Field -> literal default (or ...) of the one @dataclass `name` under pnf/."""
    found = []
    for path in sorted((ROOT / "pnf").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.name == name and any(
                    "dataclass" in ast.unparse(d) for d in node.decorator_list):
                found.append(node)
    assert len(found) == 1, f"expected one @dataclass {name} under pnf/, found {len(found)}"
    out = {}
    for stmt in found[0].body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            try:
                out[stmt.target.id] = ast.literal_eval(stmt.value) if stmt.value else ...
            except ValueError:
                out[stmt.target.id] = ...   # a factory or expression: no literal default
    return out


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_schema_section_names_the_dataclass_fields(section):
    cls, renames, elsewhere, extra = SECTIONS[section]
    fields = dataclass_fields(cls)
    expected = {renames.get(f, f) for f in fields if f not in elsewhere} | extra
    keys = set(SCHEMA["$defs"][section]["properties"])
    assert keys == expected, (f"schema $defs.{section} vs {cls}: missing {expected - keys}, "
                              f"not in the dataclass {keys - expected}")


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_schema_defaults_equal_the_dataclass_defaults(section):
    cls, renames, _, _ = SECTIONS[section]
    fields = {renames.get(f, f): v for f, v in dataclass_fields(cls).items()}
    for key, spec in SCHEMA["$defs"][section]["properties"].items():
        if "default" in spec and fields.get(key, ...) is not ...:
            assert spec["default"] == fields[key], f"$defs.{section}.{key}"


def test_rules_read_settings_as_data():
    """No rule slices a setting name or runs inline Python: settings come from the table."""
    for path in RULES:
        text = path.read_text()
        for bad in ("setting[", "setting.rstrip", "setting.startswith", "python -c"):
            assert bad not in text, f"{path.name}: {bad}"
    plan = "".join(p.read_text() for p in sorted((ROOT / "pnf/dag").glob("*.py")))
    assert plan.count("def setting(") == 1 and plan.count("def sampler_args(") == 1


@pytest.mark.parametrize("swap", [False, True])
def test_split_pair_matches_estimates_to_sources(tmp_path, swap):
    rng = np.random.default_rng(0)
    truth = rng.normal(size=(2, 3, 4, 4))
    a, b = truth[0] + 0.01, truth[1] - 0.01
    if swap:
        a, b = b, a
    paths = [tmp_path / f"{n}.npy" for n in ("t", "a", "b", "ta", "tb", "ea", "eb")]
    for p, x in zip(paths[:3], (truth, a, b), strict=True):
        np.save(p, x)
    script = ROOT / "workflow/scripts/split_pair.py"
    subprocess.run([sys.executable, str(script), *map(str, paths)], check=True)
    ta, tb, ea, eb = (np.load(p) for p in paths[3:])
    np.testing.assert_array_equal(ta, truth[0])
    np.testing.assert_array_equal(tb, truth[1])
    np.testing.assert_allclose(ea, truth[0] + 0.01)
    np.testing.assert_allclose(eb, truth[1] - 0.01)
