"""Reading YAML configs and building config dataclasses, with one-line errors.

    >>> cfg = read_yaml("experiments/smoke.yaml")      # a dict, or ValueError naming the file
    >>> train = from_dict(TrainConfig, cfg["training"], "training")   # unknown keys refused
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml


def read_yaml(path: str | Path, what: str = "config") -> dict:
    """A YAML mapping, or a one-line error naming the file and the problem."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such {what} file; check the path")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ValueError(f"{path}: not valid YAML ({str(err).splitlines()[0]}); fix the file") \
            from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the {what} must be a YAML mapping of keys to values")
    return data


def from_dict(cls, d: dict, where: str):
    """Build dataclass `cls` from `d`, naming any unknown key (typo) in a one-line error."""
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(d) - names)
    if unknown:
        raise ValueError(f"unknown key(s) {unknown} in '{where}'; valid keys: {sorted(names)}")
    return cls(**d)
