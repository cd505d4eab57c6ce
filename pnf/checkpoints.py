"""Checkpoints: the registry of model kinds, and safe, byte-deterministic save and load.

    >>> from pnf.checkpoints import load_model, load_prior, describe
    >>> net = load_model("kee.pt", kinds=("kee",))        # rebuilt from the stored config
    >>> prior = load_prior("piano.pt")                    # a NetworkPrior (or ImagePrior)
    >>> line, problems = describe("piano.pt")   # one line: kind, config, levels; problems

A checkpoint is a dict of plain values (dict, list, str, float, int, bool, None) and
tensors, written with `torch.save` into memory (so the archive's bytes do not depend on
the file name: identical training gives identical files) and renamed into place
atomically; it is read with `torch.load(weights_only=True)`, which refuses any pickled
object (a crafted file cannot run code). Checkpoints written before this rule with
arbitrary pickled objects are refused too: retrain them.
Each model kind maps to "module:Class"; the class is imported only when needed, so the
model modules never import this one. The prior networks are `KINDS`; a learned baseline's
kind is its method name, its class that of its spec (`pnf.methods`).
"""

from __future__ import annotations

import importlib
import io
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from pnf.atomic import write_bytes_atomic
from pnf.config import from_dict
from pnf.validate import regular_file


class CheckpointError(ValueError):
    """A missing, unreadable or wrong-kind checkpoint (one-line message)."""


@dataclass(frozen=True)
class ModelKind:
    model: str                # "module:Class" of the network (a `Config` dataclass inside)
    what: str                 # one line for `describe`
    prior: str | None = None  # "module:Class" of the prior wrapping it (prior networks)


KINDS: dict[str, ModelKind] = {
    "wavenet": ModelKind("pnf.priors.wavenet:WaveNet", "WaveNet prior network",
                         "pnf.priors.base:NetworkPrior"),
    "pixelcnn": ModelKind("pnf.priors.pixelcnn:PixelCNN", "PixelCNN++ prior network",
                          "pnf.priors.image:ImagePrior"),
}


def all_kinds() -> dict[str, ModelKind]:
    """Every rebuildable kind: the prior networks and each learned method of pnf.methods."""
    from pnf.methods import METHODS

    return {**KINDS, **{m.name: ModelKind(m.model, m.what) for m in METHODS.values()
                        if m.learned}}


def _resolve(spec: str):
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


def model_class(kind: str) -> type:
    kinds = all_kinds()
    if kind not in kinds:
        raise CheckpointError(f"unknown model kind {kind!r}; known: {sorted(kinds)}")
    return _resolve(kinds[kind].model)


MAX_PARAMETERS = 2**28   # 1 GiB of fp32 weights; the paper's largest model has ~5M


def check_size(cls: type, cfg, where: str) -> int:
    """The weight count of model `cls(cfg)`, counted on the meta device (no memory taken);
    ValueError above MAX_PARAMETERS. Every model built from a config passes here first."""
    with torch.device("meta"):
        count = sum(p.numel() for p in cls(cfg).parameters())
    if count > MAX_PARAMETERS:
        raise ValueError(f"{where}: the config asks for {count:,} weights (at most "
                         f"{MAX_PARAMETERS:,}); use fewer layers or channels")
    return count


def build_model(kind: str, config: dict) -> torch.nn.Module:
    """A fresh model of `kind` from its config dict (unknown keys, out-of-range values and
    a model above MAX_PARAMETERS weights: one-line errors, before any memory is taken)."""
    cls = model_class(kind)
    cfg = from_dict(cls.Config, config, kind)
    check_size(cls, cfg, kind)
    return cls(cfg)


def mismatch(model: torch.nn.Module, state: dict) -> str | None:
    """One line on how `state` differs from `model`'s weights (None when it fits)."""
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [k for k in own if k in state and getattr(state[k], "shape", None) !=
              own[k].shape]
    if not (missing or unexpected or shapes):
        return None
    parts = [f"{len(v)} {what} (e.g. {v[0]!r})" for v, what in
             ((missing, "missing"), (unexpected, "unexpected"), (shapes, "of another shape"))
             if v]
    return "the stored config does not match the stored weights: " + ", ".join(parts)


def non_finite(state: dict) -> str | None:
    """One line naming the tensors of `state` holding NaN or inf (None when all finite)."""
    bad = [k for k, v in state.items() if isinstance(v, torch.Tensor)
           and v.is_floating_point() and not torch.isfinite(v).all()]
    if not bad:
        return None
    return f"non-finite weights (NaN or inf) in {len(bad)} tensor(s), e.g. {bad[0]!r}"


def load_weights(path, model: torch.nn.Module, state) -> torch.nn.Module:
    """model.load_state_dict(state) after checking it fits and is finite (one-line errors)."""
    if not isinstance(state, dict):
        raise CheckpointError(f"{path}: holds no weights dict; retrain it")
    problem = mismatch(model, state) or non_finite(state)
    if problem:
        raise CheckpointError(f"{path}: {problem}; retrain it or check the path")
    model.load_state_dict(state)
    return model


def save_checkpoint(path: str | Path, payload: dict) -> None:
    """Serialize in memory (fixed archive name: deterministic bytes), then write atomically."""
    buf = io.BytesIO()
    torch.save(payload, buf)
    write_bytes_atomic(path, buf.getvalue())


def read_checkpoint(path: str | Path, kinds: tuple[str, ...] | None = None) -> dict:
    """The payload dict of a pnf checkpoint (tensors and plain values only)."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"{path}: no such checkpoint; train one with `pnf train`")
    regular_file(path, "checkpoint", "give a .pt file written by `pnf train`")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - unreadable or holds pickled objects
        raise CheckpointError(f"{path}: not a safe pnf checkpoint ({type(err).__name__}: "
                              "unreadable, or holds pickled objects); retrain it or "
                              "check the path") from None
    if not isinstance(ckpt, dict) or "kind" not in ckpt:
        raise CheckpointError(f"{path}: not a pnf checkpoint; retrain it or check the path")
    if kinds and ckpt["kind"] not in kinds:
        raise CheckpointError(f"{path}: a '{ckpt['kind']}' checkpoint, but this needs one of "
                              f"{list(kinds)}; pass the right --prior/--model file")
    return ckpt


def load_model(path: str | Path, kinds: tuple[str, ...] | None = None,
               device: str | torch.device = "cpu", ema: bool = True) -> torch.nn.Module:
    """Rebuild a registered model from its checkpoint (EMA weights by default)."""
    ckpt = read_checkpoint(path, kinds)
    model = _build(path, ckpt["kind"], ckpt.get("config"))
    state = ckpt["ema"] if ema and ckpt.get("ema") is not None else ckpt.get("model")
    return load_weights(path, model, state).to(device).eval()


def pack_prior(nets: list[torch.nn.Module], levels: list[float], sigma_input: bool) -> dict:
    """The checkpoint payload of a prior: one network per level, or one σ-conditioned net."""
    return {"kind": "prior", "model_kind": nets[0].kind, "config": asdict(nets[0].config),
            "levels": [float(s) for s in levels],
            "sigma_mode": "input" if sigma_input else "per_level",
            "states": [net.state_dict() for net in nets]}


def load_prior(path: str | Path, device="cpu", model_kinds: tuple[str, ...] | None = None,
               **options):
    """Rebuild a prior from its file; `options` go to the prior class (e.g. grid=64).

    model_kinds: the networks the caller can use, e.g. ("wavenet",) for audio tasks.
    """
    ckpt = read_checkpoint(path, ("prior",))
    kind = KINDS.get(ckpt.get("model_kind"))      # prior networks only
    if kind is None or kind.prior is None:
        raise CheckpointError(f"{path}: unknown prior model kind {ckpt.get('model_kind')!r}")
    if model_kinds and ckpt["model_kind"] not in model_kinds:
        wanted = " or ".join(KINDS[k].what for k in model_kinds)
        raise CheckpointError(f"{path}: holds a {kind.what}, but this command needs a "
                              f"{wanted}; pass a prior trained for this kind of data")
    levels = _levels(path, ckpt)
    nets = [load_weights(path, _build(path, ckpt["model_kind"], ckpt.get("config")), state)
            for state in ckpt.get("states") or [None]]
    prior_cls = _resolve(kind.prior)
    return prior_cls(nets, levels, ckpt.get("sigma_mode") == "input", **options).to(device)


def _build(path, kind: str, config) -> torch.nn.Module:
    """build_model from a checkpoint's stored config: the same rules as a config file."""
    if not isinstance(config, dict):
        raise CheckpointError(f"{path}: holds no model config; retrain it")
    try:
        return build_model(kind, config)
    except (ValueError, TypeError) as err:
        raise CheckpointError(f"{path}: its stored config is refused: {err}") from None


def _levels(path, ckpt: dict) -> list[float]:
    """The prior's σ levels: a non-empty list of finite numbers > 0."""
    levels = ckpt.get("levels")
    if not isinstance(levels, list) or not levels or not all(
            isinstance(s, (int, float)) and 0 < s < float("inf") for s in levels):
        raise CheckpointError(f"{path}: its σ levels {str(levels)[:40]} are not a list of "
                              "finite numbers > 0; retrain it")
    return levels


def problems(path, ckpt: dict) -> list[str]:
    """What is wrong with a checkpoint's weights: config mismatch, non-finite values."""
    kind = ckpt.get("model_kind", ckpt["kind"])
    states = ckpt.get("states") if "states" in ckpt else [ckpt.get("model"), ckpt.get("ema")]
    try:
        model = _build(path, kind, ckpt.get("config"))
    except CheckpointError as err:
        return [str(err).removeprefix(f"{path}: ")]
    found = []
    for state in (s for s in states or [None] if s is not None or "states" in ckpt):
        if not isinstance(state, dict):
            found.append("holds no weights dict")
            continue
        found += [p for p in (mismatch(model, state), non_finite(state)) if p]
    return list(dict.fromkeys(found))


def check_checkpoint(path: str | Path) -> None:
    """CheckpointError (one line) when `path` is not a sound checkpoint: read before any
    input, so a bad --model fails first."""
    found = problems(path, read_checkpoint(path))
    if found:
        raise CheckpointError(f"{path}: {found[0]}; retrain it or check the path")


def describe(path: str | Path) -> tuple[str, list[str]]:
    """One line on what the checkpoint holds (kind, training step, levels, config), and the
    problems found in its weights (an empty list for a sound checkpoint)."""
    ckpt = read_checkpoint(path)
    kind = ckpt.get("model_kind", ckpt["kind"])
    kinds = all_kinds()
    what = kinds[kind].what if kind in kinds else kind
    parts = [f"{path}: {what} ({ckpt['kind']})"]
    if "step" in ckpt:
        parts.append(f"step {ckpt['step']}")
    if "levels" in ckpt:
        parts.append(f"{ckpt.get('sigma_mode')} σ levels {ckpt['levels']}")
    parts.append(f"config {ckpt.get('config')}")
    found = problems(path, ckpt) if kind in kinds else [f"unknown model kind {kind!r}"]
    if found:
        parts.append("PROBLEMS: " + "; ".join(found))
    return ", ".join(parts), found
