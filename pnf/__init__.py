"""pnf: Parallel and Flexible sampling from autoregressive models via Langevin dynamics.

A reproduction of Jayaram & Thickstun (ICML 2021): smoothed autoregressive priors
(WaveNet, PixelCNN++), an annealed Langevin sampler, restoration tasks, baselines,
metrics and the experiment pipeline. See README.md for the layout.
"""

__version__ = "0.1.0"
