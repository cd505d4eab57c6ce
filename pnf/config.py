"""Reading YAML configs and building config dataclasses, with one-line errors.

    >>> cfg = read_yaml("experiments/smoke.yaml")      # a dict, or ValueError naming the file
    >>> tcfg = from_dict(TrainConfig, {"steps": 50}, "training")
    >>> from_dict(TrainConfig, {"steps": "ten"}, "training")
    ValueError: training: steps: 'ten' is a string; expected an integer; fix the config

`from_dict` checks every value against the dataclass annotation (int, float, bool, str,
list, tuple, dict, `X | None`; an integer passes as a float, a bool never as a number),
refuses NaN/inf, then applies the range rule registered for the key in `RULES`.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
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
    except (UnicodeDecodeError, RecursionError) as err:
        raise ValueError(f"{path}: not a YAML text file ({type(err).__name__}); give the "
                         f"{what} as UTF-8 YAML") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the {what} must be a YAML mapping of keys to values")
    return data


# ---------------------------------------------------------------- types

KIND_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string",
              list: "a list", tuple: "a list", dict: "a mapping", type(None): "null"}


def _matches(value, hint) -> bool:
    """Does `value` (from YAML) fit the annotation `hint`?"""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, a) for a in args)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint in (list, tuple) or origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            return False
        inner = [a for a in args if a is not Ellipsis]
        return not inner or all(_matches(v, inner[0]) for v in value)
    if hint is dict or origin is dict:
        return isinstance(value, dict)
    if hint in (str, type(None)):
        return isinstance(value, hint)
    return True  # an annotation we do not check (Any, a class): the dataclass decides


def _expected(hint) -> str:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_expected(a) for a in typing.get_args(hint))
    return KIND_NAMES.get(typing.get_origin(hint) or hint, getattr(hint, "__name__", str(hint)))


def _kind(value) -> str:
    return KIND_NAMES.get(type(value), f"a {type(value).__name__}")


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _non_finite(value) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return any(_non_finite(v) for v in value)
    return False


# ---------------------------------------------------------------- ranges

def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _rule(test, allowed: str, non_empty: bool = False):
    """A range rule: the value (or each item of a list) is a number for which `test` holds."""
    def check(value) -> str | None:
        items = value if isinstance(value, (list, tuple)) else [value]
        if non_empty and not items:
            return allowed
        return None if all(_is_number(v) and test(v) for v in items) else allowed
    return check


POSITIVE_INT = _rule(lambda v: v >= 1, "a whole number >= 1")
RULES = {  # key -> check(value) returning what is allowed when the value is out of range
    **dict.fromkeys(
        ("steps", "batch_size", "lr_halve_every", "checkpoint_every", "crop",
         "finetune_steps", "layers", "cycles", "kernel_size", "residual_channels",
         "gate_channels", "skip_channels", "classes", "rate", "factor", "filters", "kernels",
         "final_kernel", "upsample_scales", "resnets", "mixtures", "resolutions", "depth",
         "channels", "lstm_layers", "kernel", "stride", "sources", "N", "L", "B", "Sc", "H",
         "P", "X", "R"), POSITIVE_INT),
    "lr": _rule(lambda v: v > 0, "a learning rate > 0 (e.g. 0.001)"),
    "growth": _rule(lambda v: v > 0, "a number > 0"),
    "sigmas": _rule(lambda v: v > 0, "a non-empty list of noise levels > 0 "
                    "(e.g. [10.0, 1.0, 0.1])", non_empty=True),
    "ema": _rule(lambda v: 0 <= v < 1, "a decay in [0, 1) (0: off; e.g. 0.9999)"),
    "dropout": _rule(lambda v: 0 <= v < 1, "a probability in [0, 1)"),
    **dict.fromkeys(("grad_clip", "mel_channels", "seed", "slope"),
                    _rule(lambda v: v >= 0, "a number >= 0")),
}


def check_value(where: str, key: str, value, hint) -> None:
    """One-line ValueError when `value` has the wrong type, is NaN/inf or out of range."""
    if not _matches(value, hint):
        raise ValueError(f"{where}: {key}: {_show(value)} is {_kind(value)}; expected "
                         f"{_expected(hint)}; fix the config")
    if _non_finite(value):
        raise ValueError(f"{where}: {key}: {_show(value)} is not a finite number; fix the "
                         "config")
    allowed = RULES[key](value) if key in RULES and value is not None else None
    if allowed:
        raise ValueError(f"{where}: {key}: {_show(value)} is out of range; allowed: "
                         f"{allowed}")


def from_dict(cls, d, where: str):
    """Build dataclass `cls` from mapping `d`, every key and value checked (one-line errors)."""
    if not isinstance(d, dict):
        raise ValueError(f"{where}: {_show(d)} is {_kind(d)}; expected a mapping of keys to "
                         "values; fix the config")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(d) - set(fields), key=str)
    if unknown:
        raise ValueError(f"unknown key(s) {unknown} in '{where}'; valid keys: "
                         f"{sorted(fields)}")
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):  # an annotation that cannot be resolved: check none
        hints = {}
    for key, value in d.items():
        check_value(where, key, value, hints.get(key, typing.Any))
    return cls(**d)
