"""Experiment configs (experiments/*.yaml), with inheritance: the one reader of them.

An experiment may say `extends: paper.yaml` (a path relative to its own file) and give only
what differs: mappings are merged key by key (deeply), anything else (a list, a number) is
replaced whole. The child must name its own `experiment` and `data.root`, so its results
and data never land on its parent's. Every reader of an experiment file (the Snakefile,
`pnf report plan`, `pnf report claims --rules`, the claims gate, `pnf bench`, the convergence
script) goes through `read_experiment`; the Snakefile resolves `extends` in the config
Snakemake loaded.

    >>> cfg = read_experiment("experiments/paper-mini.yaml")   # paper.yaml + paper-mini's sizes
    >>> cfg["experiment"], cfg["tasks"]["superres"]["factors"]
    ('paper-mini', [4, 8, 16, 32])
    >>> deep_merge({"a": {"b": 1, "c": [1, 2]}}, {"a": {"c": [3]}})
    {'a': {'b': 1, 'c': [3]}}
"""

from __future__ import annotations

from pathlib import Path

from pnf.config import read_yaml

EXTENDS = "extends"
MAX_DEPTH = 8  # experiments extending experiments: a chain this long is a mistake
OWN = (("experiment",), ("data", "root"))  # keys a child must set to a value of its own


def deep_merge(base: dict, over: dict) -> dict:
    """`base` with `over` on top: mappings merged key by key, any other value replaced."""
    out = dict(base)
    for key, value in over.items():
        out[key] = deep_merge(out[key], value) if isinstance(value, dict) and isinstance(
            out.get(key), dict) else value
    return out


def _get(cfg: dict, keys: tuple[str, ...]):
    for key in keys:
        cfg = cfg.get(key) if isinstance(cfg, dict) else None
    return cfg


def _check_own(path: Path, own: dict, parent: dict, parent_path: Path) -> None:
    """The child's `experiment` and `data.root` are its own (not missing, not the parent's)."""
    for keys in OWN:
        name = ".".join(keys)
        if _get(own, keys) is None or _get(own, keys) == _get(parent, keys):
            raise ValueError(f"{path}: extends {parent_path.name} but does not set its own "
                             f"`{name}` (the parent's is {_get(parent, keys)!r}); give it a "
                             "new value so the results stay apart")


def read_experiment(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict:
    """The experiment at `path` with its `extends` chain resolved (ValueError: one line)."""
    path = Path(path)
    own = read_yaml(path, "experiment")
    parent_name = own.pop(EXTENDS, None)
    if parent_name is None:
        return own
    if not isinstance(parent_name, str) or not parent_name:
        raise ValueError(f"{path}: `extends:` must name one experiment file, e.g. "
                         "`extends: paper.yaml`")
    parent_path = path.parent / parent_name
    chain = (*_chain, path.resolve())
    if parent_path.resolve() in chain:
        names = " -> ".join(p.name for p in (*chain, parent_path))
        raise ValueError(f"{path}: `extends` goes round in a cycle ({names}); remove one link")
    if len(chain) >= MAX_DEPTH:
        raise ValueError(f"{path}: `extends` chain longer than {MAX_DEPTH} files; shorten it")
    if not parent_path.is_file():
        raise ValueError(f"{path}: `extends: {parent_name}` names no file ({parent_path}); "
                         "give a path relative to the experiment file")
    parent = read_experiment(parent_path, chain)
    _check_own(path, own, parent, parent_path)
    return deep_merge(parent, own)


def resolve_loaded(config: dict, configfiles: list, overrides: dict) -> dict:
    """Snakemake's loaded `config` with `extends` resolved: the --configfile files merged in
    order, each read by `read_experiment`, then Snakemake's `overrides` on top again (the
    files' own values, idempotent here, and the command line's --config)."""
    if EXTENDS not in config:
        return config
    out = {}
    for path in configfiles:
        out = deep_merge(out, read_experiment(path))
    return deep_merge(out, {k: v for k, v in overrides.items() if k != EXTENDS})
