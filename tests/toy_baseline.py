"""A toy learned baseline, defined here and nowhere in pnf/: its model file and its one spec
entry. Importing this module registers method "toy" (super-resolution, trained on clean
clips like KEE: input spline(x[::K]), target x); the tests name it in PNF_METHOD_PLUGINS.

    >>> net = Toy(Toy.Config(factor=4, kernel=5))
    >>> net(torch.zeros(2, 64)).shape                     # (B, T) -> (B, T)
    torch.Size([2, 64])
"""

from dataclasses import dataclass

import torch

from pnf.methods import Method, register_method


@dataclass
class ToyConfig:
    factor: int = 4    # the super-resolution factor it is trained for
    kernel: int = 9    # taps of its one correcting convolution

    def __post_init__(self):
        if self.factor < 2 or self.kernel < 1 or self.kernel % 2 == 0:
            raise ValueError("toy: factor >= 2 and an odd kernel >= 1, please")


class Toy(torch.nn.Module):
    """The spline plus one learned convolution of it."""

    kind = "toy"
    Config = ToyConfig

    def __init__(self, config: ToyConfig):
        super().__init__()
        self.config = config
        self.conv = torch.nn.Conv1d(1, 1, config.kernel, padding=config.kernel // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x[:, None])[:, 0]            # (B, T)


SPEC = register_method(Method("toy", ("superres",), "Toy", "toy_baseline:Toy",
                              "toy super-resolution baseline", "l2", "clean"))
