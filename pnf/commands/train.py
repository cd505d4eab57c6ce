"""`pnf train prior`: train a smoothed WaveNet prior from a YAML config.

    pnf train prior --config experiments/models/wavenet-tiny.yaml \\
        --data data/embedded/piano --out results/priors/piano.pt
"""

from __future__ import annotations

from pnf.config import read_yaml
from pnf.verbs import verb_group


def register(sub) -> None:
    train = verb_group(sub, "train", "train a model (a prior, or a baseline)")
    p = train.add_parser(
        "prior", help="train a smoothed WaveNet prior",
        description="Train a noise-conditioned WaveNet (noisy input, clean target). The "
                    "config has keys: model (a `size`: tiny/small/paper and/or WaveNet "
                    "fields such as layers, quantization, mel_channels), training (steps, "
                    "batch_size, lr, ema, checkpoint_every, seed, device), sigma_mode "
                    "(per_level: one net per σ as in the paper; input: one σ-conditioned "
                    "net), sigmas, crop, finetune_steps, source. A killed run resumes.")
    p.add_argument("--config", required=True, help="YAML file with the keys above")
    p.add_argument("--data", required=True,
                   help="folder with manifest.csv (train split) or a folder of audio files")
    p.add_argument("--out", required=True, help="prior file to write (.pt)")
    p.add_argument("--device", help="override training.device (auto, cpu, cuda)")
    p.add_argument("--restart", action="store_true",
                   help="discard an unfinished run in OUT.parts and train from step 0 (a "
                        "run resumes only under the config it was started with)")
    p.set_defaults(func=run)


def prior_config_dict(args) -> dict:
    """The prior section of --config (a `prior:` key is accepted), --device applied."""
    raw = read_yaml(args.config)
    raw = raw.get("prior", raw)
    if args.device:
        raw.setdefault("training", {})["device"] = args.device
    return raw


def run(args) -> int:
    from pnf.priors.train import PriorConfig, train_prior
    from pnf.training import discard_unfinished

    cfg = PriorConfig.from_dict(prior_config_dict(args))
    if args.restart:
        discard_unfinished(args.out)
    train_prior(cfg, args.data, args.out)
    return 0
