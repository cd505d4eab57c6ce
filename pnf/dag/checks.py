"""Config checks the schema cannot express, run when the workflow is parsed.

    >>> from pnf.dag.checks import check_config
    >>> check_config(config)        # ValueError naming the key and what to do, or None

Each task's `iterations` pair with its spec's list (factors, gaps), its clips fit the test
items, its datasets are configured, and its baselines are registered methods serving it (a
learned one with its `baselines.<name>` section).
"""

from __future__ import annotations

from pnf.methods import learned, methods_for
from pnf.task_specs import task_spec

RESERVED = ("tables", "bench", "README.md")  # names under results/ that are not experiments


def check_config(config: dict) -> None:
    """Raise ValueError on the first problem of a (schema-validated) experiment config."""
    exp = config["experiment"]
    if exp in RESERVED:
        raise ValueError(f"experiment {exp!r} would clash with results/{exp}: rename it")
    for task, spec in config["tasks"].items():
        key = task_spec(task).pairs
        if key and len(spec["iterations"]) != len(spec[key]):
            raise ValueError(f"tasks.{task}.iterations needs one entry per {key} "
                             f"({len(spec[key])}), got {len(spec['iterations'])}")
        if spec.get("seconds", 0) > config["test_seconds"]:
            raise ValueError(f"tasks.{task}.seconds ({spec['seconds']}) is longer than "
                             f"test_seconds ({config['test_seconds']}); shorten it")
        names = spec.get("datasets", spec.get("sources", []))
        unknown = sorted(set(names) - set(config["datasets"]))
        if unknown:
            raise ValueError(f"tasks.{task} names dataset(s) {unknown} that are not under "
                             f"`datasets:` ({sorted(config['datasets'])})")
    check_methods(config)


def check_methods(config: dict) -> None:
    """Baselines are registered methods (pnf/methods.py) serving their task; a learned one
    needs its `baselines.<name>` section, and every such section names a learned method."""
    sections = config.get("baselines", {})
    for task, spec in config["tasks"].items():
        chosen = spec.get("baselines", [])
        unknown = [m for m in chosen if m not in methods_for(task)]
        if unknown:
            raise ValueError(f"tasks.{task}.baselines: {unknown} are not methods of {task}; "
                             f"registered: {list(methods_for(task))}")
        missing = [m for m in chosen if m in learned() and m not in sections]
        if missing:
            raise ValueError(f"tasks.{task}.baselines: {missing} need a `baselines.<name>` "
                             "section (model, training, crop); add it")
    stray = sorted(set(sections) - set(learned()))
    if stray:
        raise ValueError(f"baselines: {stray} are not learned methods ({list(learned())}); "
                         "fix the name")
