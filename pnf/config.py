"""Reading YAML configs and building config dataclasses, with one-line errors.

    >>> cfg = read_yaml("experiments/smoke.yaml")      # a dict, or ValueError naming the file
    >>> load_yaml("a: &x [1]\nb: *x\n", "c.yaml")
    ValueError: c.yaml: YAML aliases (*x) are not accepted; write the value out in full
    >>> tcfg = from_dict(TrainConfig, {"steps": 50}, "training")
    >>> from_dict(TrainConfig, {"steps": "ten"}, "training")
    ValueError: training: steps: 'ten' is a string; expected an integer; fix the config

`from_dict` checks every value against the dataclass annotation (int, float, bool, str,
list, tuple, dict, `X | None`; an integer passes as a float, a bool never as a number),
refuses NaN/inf, then applies the range rule registered for the key in `RULES` (every
integer and size has an upper bound, so no config can ask for unbounded work).
YAML is read by `load_yaml`: the safe loader, less aliases (a few bytes of anchors and
aliases can expand to billions of nodes) and duplicate keys (silently the last value).
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from pathlib import Path

import yaml


class StrictLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses aliases and a key given twice in one mapping."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"YAML aliases (*{event.anchor}) are not accepted; write the "
                "value out in full", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                continue  # unhashable: the base class reports it
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice; keep one",
                    key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


MAX_YAML_BYTES = 1 << 20   # a config is a few KiB; more is not a config


def load_yaml(text: str, where: str):
    """Parse YAML `text` with StrictLoader; ValueError `where: ...` naming the problem."""
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        problem = getattr(err, "problem", None)
        mark = getattr(err, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        if problem and ("aliases" in problem or "given twice" in problem):
            raise ValueError(f"{where}: {problem}{at}") from None
        raise ValueError(f"{where}: not valid YAML ({str(err).splitlines()[0]}); fix the "
                         "file") from None
    except RecursionError:
        raise ValueError(f"{where}: YAML nested too deeply; fix the file") from None


def read_yaml(path: str | Path, what: str = "config") -> dict:
    """A YAML mapping, or a one-line error naming the file and the problem."""
    from pnf.validate import regular_file

    path = regular_file(path, what, "check the path")
    if path.stat().st_size > MAX_YAML_BYTES:
        raise ValueError(f"{path}: {path.stat().st_size} bytes is too big for a {what} "
                         f"(at most {MAX_YAML_BYTES} bytes); check the path")
    try:
        text = path.read_text()
    except (UnicodeDecodeError, RecursionError) as err:
        raise ValueError(f"{path}: not a YAML text file ({type(err).__name__}); give the "
                         f"{what} as UTF-8 YAML") from None
    data = load_yaml(text, str(path)) or {}
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


def _rule(test, allowed: str, non_empty: bool = False, max_items: int = 10_000):
    """A range rule: the value (or each item of a list) is a number for which `test` holds."""
    def check(value) -> str | None:
        items = value if isinstance(value, (list, tuple)) else [value]
        if (non_empty and not items) or len(items) > max_items:
            return allowed
        return None if all(_is_number(v) and test(v) for v in items) else allowed
    return check


def whole(high: int, low: int = 1):
    """A whole number in [low, high] (each item of a list, when a list)."""
    return _rule(lambda v: low <= v <= high, f"a whole number from {low} to {high:_}"
                 .replace("_", ","))


BOUNDS = {  # upper bound -> the integer keys it applies to (every integer key has one)
    10**9: ("steps", "lr_halve_every", "checkpoint_every", "finetune_steps"),
    2**22: ("crop",),                                   # samples: 190 s at 22.05 kHz
    4096: ("batch_size", "kernel_size", "kernels", "final_kernel", "kernel", "stride", "L",
           "P", "factor", "upsample_scales"),
    8192: ("residual_channels", "gate_channels", "skip_channels", "classes", "filters",
           "channels", "N", "B", "Sc", "H"),
    1024: ("layers", "mixtures"),
    64: ("cycles", "resnets", "lstm_layers", "depth", "X", "R", "sources"),
    8: ("resolutions",),
    768_000: ("rate",),
}
MAX_SIGMAS = 1000      # noise levels in one ladder
RULES = {  # key -> check(value) returning what is allowed when the value is out of range
    **{key: whole(high) for high, keys in BOUNDS.items() for key in keys},
    "mel_channels": whole(1024, low=0),
    "seed": whole(2**63 - 1, low=0),
    "lr": _rule(lambda v: 0 < v <= 10, "a learning rate in (0, 10] (e.g. 0.001)"),
    "growth": _rule(lambda v: 0 < v <= 16, "a number in (0, 16]"),
    "sigmas": _rule(lambda v: 0 < v <= 1e6, f"a non-empty list of at most {MAX_SIGMAS} "
                    "noise levels in (0, 1e6] (e.g. [10.0, 1.0, 0.1])", non_empty=True,
                    max_items=MAX_SIGMAS),
    "ema": _rule(lambda v: 0 <= v < 1, "a decay in [0, 1) (0: off; e.g. 0.9999)"),
    "dropout": _rule(lambda v: 0 <= v < 1, "a probability in [0, 1)"),
    **dict.fromkeys(("grad_clip", "slope"), _rule(lambda v: v >= 0, "a number >= 0")),
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
