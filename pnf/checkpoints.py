"""Checkpoints: the registry of model kinds, and safe, byte-deterministic save and load.

    >>> from pnf.checkpoints import load_model, load_prior, describe
    >>> kee = load_model("kee.pt", kinds=("kee",))        # rebuilt from the stored config
    >>> prior = load_prior("piano.pt")                    # a NetworkPrior (or ImagePrior)
    >>> print(describe("piano.pt"))                       # one line: kind, config, levels

A checkpoint is a dict of plain values (dict, list, str, float, int, bool, None) and
tensors, written with `torch.save` into memory (so the archive's bytes do not depend on
the file name: identical training gives identical files) and renamed into place
atomically; it is read with `torch.load(weights_only=True)`, which refuses any pickled
object (a crafted file cannot run code). Checkpoints written before this rule with
arbitrary pickled objects are refused too: retrain them.
Each model kind maps to "module:Class"; the class is imported only when needed, so the
model modules never import this one. `register_kind` adds a kind.
"""

from __future__ import annotations

import importlib
import io
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from pnf.atomic import write_bytes_atomic
from pnf.config import from_dict


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
    "kee": ModelKind("pnf.baselines.kee:KEE", "KEE super-resolution baseline"),
    "convtasnet": ModelKind("pnf.baselines.convtasnet:ConvTasNet",
                            "Conv-TasNet separation baseline"),
    "demucs": ModelKind("pnf.baselines.demucs:Demucs", "Demucs separation baseline"),
}


def register_kind(kind: str, model: str, what: str, prior: str | None = None) -> None:
    """Make `kind` rebuildable from a checkpoint: register_kind("x", "pkg.mod:Net", "...")."""
    KINDS[kind] = ModelKind(model, what, prior)


def _resolve(spec: str):
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


def model_class(kind: str) -> type:
    if kind not in KINDS:
        raise CheckpointError(f"unknown model kind {kind!r}; known: {sorted(KINDS)}")
    return _resolve(KINDS[kind].model)


def build_model(kind: str, config: dict) -> torch.nn.Module:
    """A fresh model of `kind` from its config dict (unknown keys: one-line error)."""
    cls = model_class(kind)
    return cls(from_dict(cls.Config, config, kind))


def save_checkpoint(path: str | Path, payload: dict) -> None:
    """Serialize in memory (fixed archive name: deterministic bytes), then write atomically."""
    buf = io.BytesIO()
    torch.save(payload, buf)
    write_bytes_atomic(path, buf.getvalue())


def read_checkpoint(path: str | Path, kinds: tuple[str, ...] | None = None) -> dict:
    """The payload dict of a pnf checkpoint (tensors and plain values only)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint; train one with `pnf train`")
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
    model = build_model(ckpt["kind"], ckpt["config"])
    state = ckpt["ema"] if ema and ckpt.get("ema") is not None else ckpt["model"]
    model.load_state_dict(state)
    return model.to(device).eval()


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
    kind = KINDS.get(ckpt.get("model_kind"))
    if kind is None or kind.prior is None:
        raise CheckpointError(f"{path}: unknown prior model kind {ckpt.get('model_kind')!r}")
    if model_kinds and ckpt["model_kind"] not in model_kinds:
        wanted = " or ".join(KINDS[k].what for k in model_kinds)
        raise CheckpointError(f"{path}: holds a {kind.what}, but this command needs a "
                              f"{wanted}; pass a prior trained for this kind of data")
    nets = []
    for state in ckpt["states"]:
        net = build_model(ckpt["model_kind"], ckpt["config"])
        net.load_state_dict(state)
        nets.append(net)
    prior_cls = _resolve(kind.prior)
    return prior_cls(nets, ckpt["levels"], ckpt["sigma_mode"] == "input", **options).to(device)


def describe(path: str | Path) -> str:
    """One line: what the checkpoint holds (kind, training step, levels, config)."""
    ckpt = read_checkpoint(path)
    kind = ckpt.get("model_kind", ckpt["kind"])
    what = KINDS[kind].what if kind in KINDS else kind
    parts = [f"{path}: {what} ({ckpt['kind']})"]
    if "step" in ckpt:
        parts.append(f"step {ckpt['step']}")
    if "levels" in ckpt:
        parts.append(f"{ckpt['sigma_mode']} σ levels {ckpt['levels']}")
    parts.append(f"config {ckpt['config']}")
    return ", ".join(parts)
