"""What the documentation tells a user to run refers to files that exist and configs that load."""

import re
from pathlib import Path

import pytest
import yaml

from pnf.priors.image import ImagePriorConfig
from pnf.priors.train import PriorConfig

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "workflow" / "README.md", ROOT / "data" / "README.md",
        *sorted((ROOT / "pnf").rglob("*.py"))]
MODEL_CONFIGS = sorted((ROOT / "experiments" / "models").glob("*.yaml"))


def test_every_experiments_path_in_the_docs_exists():
    named = {(doc.name, m) for doc in DOCS
             for m in re.findall(r"experiments/[\w./-]+\.(?:yaml|json)", doc.read_text())}
    assert named, "no experiments/ path found: the pattern is wrong"
    missing = sorted((doc, path) for doc, path in named if not (ROOT / path).exists())
    assert not missing


@pytest.mark.parametrize("path", MODEL_CONFIGS, ids=lambda p: p.name)
def test_model_configs_load(path):
    cfg = yaml.safe_load(path.read_text())
    if path.name.startswith("pixelcnn"):
        ImagePriorConfig.from_dict(cfg).net_config()
    else:
        PriorConfig.from_dict(cfg).net_config()
