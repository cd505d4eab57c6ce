"""`pnf train baseline`: train a learned baseline (`pnf.methods`) from a YAML config.

    pnf train baseline --method kee --factor 4 --config kee.yaml --data data/embedded/piano \
        --out results/checkpoints/kee-x4.pt
    pnf train baseline --method demucs --config demucs.yaml \
        --piano data/embedded/piano --voice data/embedded/voice --out demucs.pt

The config has the keys `model:` (the model's Config fields), `training:` (TrainConfig
fields), `crop:` (training crop length in samples) and, optionally, `validation:`
(`pnf.baselines.early.ValidationConfig` fields: early stopping on held-out clips). Unknown
keys are an error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pnf.audio import RATE
from pnf.config import check_value, read_yaml
from pnf.methods import learned
from pnf.verbs import verb_group

CONFIG_KEYS = {"model": dict | None, "training": dict | None, "crop": int,  # key -> type
               "validation": dict | None}


def read_config(path: str | Path) -> dict:
    """The YAML config as a dict with keys model, training, crop[, validation]."""
    cfg = read_yaml(path)
    unknown = sorted(set(cfg) - set(CONFIG_KEYS), key=str)
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {unknown}; valid keys: {list(CONFIG_KEYS)}")
    if "crop" not in cfg:
        raise ValueError(f"{path}: missing `crop:` (training crop length in samples)")
    for key, value in cfg.items():
        check_value(str(path), key, value, CONFIG_KEYS[key])
    return cfg


def _data_paths(args) -> list[str]:
    if args.piano or args.voice:
        if args.data or not (args.piano and args.voice):
            raise ValueError("give either --data or both --piano and --voice")
        return [args.piano, args.voice]
    if not args.data:
        raise ValueError("no training data; pass --data (clean clips) or --piano and --voice")
    return list(args.data)


def run_train(args: argparse.Namespace) -> int:
    from pnf.baselines.train import train_baseline  # torch import only when needed
    from pnf.training import discard_unfinished

    cfg = read_config(args.config)
    if args.restart:
        discard_unfinished(args.out)
    train_baseline(args.method, cfg.get("model"), cfg.get("training"), cfg["crop"], args.out,
                   _data_paths(args), factor=args.factor, source=args.source,
                   validation=cfg.get("validation"), rate=args.rate)
    print(args.out)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    train = verb_group(sub, "train", "train a model")
    p = train.add_parser("baseline", help=f"train a learned baseline ({', '.join(learned())})",
                         description=__doc__.split("\n\n")[0])
    p.add_argument("--method", required=True, choices=learned())
    p.add_argument("--config", required=True,
                   help="YAML with model:, training:, crop: and optionally validation:")
    p.add_argument("--data", nargs="+", help="clean clips (a method trained on clean clips) "
                                             "or piano and voice folders")
    p.add_argument("--piano", help="piano clips (manifest.csv or folder) for separators")
    p.add_argument("--voice", help="voice clips (manifest.csv or folder) for separators")
    p.add_argument("--out", required=True, help="checkpoint path (resumed if present)")
    p.add_argument("--factor", type=int, help="super-resolution factor (a method trained on "
                                              "clean clips; overrides config)")
    p.add_argument("--source", help="clean clips: train on the manifest rows of this source "
                                    "only (e.g. piano: full renders, not the per-part ones)")
    p.add_argument("--rate", type=int, default=RATE,
                   help=f"sample rate the clips are read at, that of the audio the model "
                        f"will restore (default {RATE} Hz)")
    p.add_argument("--restart", action="store_true",
                   help="discard an unfinished run in OUT.parts and train from step 0 (a "
                        "run resumes only under the config it was started with)")
    p.set_defaults(func=run_train)
