"""What the documentation tells a user to run refers to files that exist and configs that load."""

import re
from pathlib import Path

import pytest
import yaml

from pnf.priors.image import ImagePriorConfig
from pnf.priors.train import PriorConfig

ROOT = Path(__file__).resolve().parents[1]
MARKDOWN = [ROOT / "README.md", ROOT / "workflow" / "README.md", ROOT / "data" / "README.md",
            ROOT / "results" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CODE = [ROOT / "Snakefile", *sorted((ROOT / "pnf").rglob("*.py")),
        *sorted((ROOT / "workflow").rglob("*.smk")), *sorted((ROOT / "workflow").rglob("*.py")),
        *sorted((ROOT / "scripts").glob("*")), *sorted((ROOT / "experiments").glob("*.yaml"))]
DOCS = MARKDOWN + [p for p in CODE if p.suffix == ".py"]
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


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces -> '-'."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor; a repeated heading gets -1, -2, … as on GitHub."""
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    seen: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, flags=re.M):
        base = slug(heading)
        found.add(f"{base}-{seen[base]}" if base in seen else base)
        seen[base] = seen.get(base, 0) + 1
    return found


def cited_links(path: Path) -> list[str]:
    """Relative links a file cites: Markdown links in .md files, docs/… paths in code."""
    text = path.read_text(errors="replace")
    if path.suffix == ".md":
        found = re.findall(r"\]\(([^)\s]+)\)", text)
        return [f for f in found if not re.match(r"[a-z]+:", f)]
    return re.findall(r"\bdocs/[\w.-]+\.md(?:#[\w-]+)?", text)


@pytest.mark.parametrize("path", MARKDOWN + CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_cited_doc_link_and_anchor_resolves(path):
    base = path.parent if path.suffix == ".md" else ROOT
    broken = []
    for link in cited_links(path):
        target, _, anchor = link.partition("#")
        file = (base / target).resolve() if target else path
        if not file.exists() or not file.is_relative_to(ROOT):
            broken.append(link)
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(link)
    assert not broken, f"{path.relative_to(ROOT)}: broken links {broken}"


def test_slug_matches_github():
    assert slug("Where a new … goes (one line each)") == "where-a-new--goes-one-line-each"
    assert slug("Running `paper` on a GPU") == "running-paper-on-a-gpu"


def test_nothing_cites_a_file_outside_the_repository():
    outside = re.compile(r"PAPER\.md|\.\./shared|/work/|DESIGN\.md")
    hits = [str(p.relative_to(ROOT)) for p in MARKDOWN + CODE
            if p.is_file() and outside.search(p.read_text(errors="replace"))]
    assert not hits


def test_docs_speak_of_the_project_not_of_its_development():
    """No commit hashes, issue numbers or remarks about sessions in the README or docs/."""
    readers = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    pattern = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b"
                         r"|\bissue #?\d+|(?<![\w&])#\d+\b|\bsession\b|\bhelper\b", re.I)
    def prose(path):      # rendered provenance lines name the code version on purpose
        return "\n".join(x for x in path.read_text().splitlines() if "· code " not in x)
    hits = {p.name: pattern.findall(prose(p)) for p in readers}
    assert not {k: v for k, v in hits.items() if v}


def test_readme_is_a_front_door():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 150


def test_rendered_docs_match_their_snapshots():
    """docs/results.md and the README's results block are what `pnf report docs` renders
    from docs/data: a number typed by hand, or left stale after a new snapshot, fails here."""
    from pnf.report.docs import check_docs

    assert check_docs(ROOT / "docs" / "data", ROOT / "docs", ROOT / "README.md") == []
