"""Freed activations stay in the process: repeated Langevin updates do not page-fault them in
again (glibc's defaults hand the heap top back to the OS after every update)."""

import subprocess
import sys

UPDATES = """
import resource, sys, torch
from pnf.allocator import retain_freed_memory
from pnf.langevin import gradient
from pnf.priors.base import NetworkPrior
from pnf.priors.train import WAVENET_SIZES
from pnf.priors.wavenet import WaveNet, WaveNetConfig
from pnf.tasks import Unconditional
if sys.argv[1] == "retain":
    assert retain_freed_memory()
torch.set_num_threads(1)
torch.manual_seed(0)
prior = NetworkPrior([WaveNet(WaveNetConfig(**WAVENET_SIZES["tiny"])).eval()], [1.0], False)
task = Unconditional(22050, int(sys.argv[2]), prior.quantizer)  # 1 s of audio per chain
x = task.init(torch.Generator().manual_seed(0))
def update():
    gradient([prior], task, x, 1.0, [None])
for _ in range(4):                                              # warm up to a steady state
    update()
faults = []
for _ in range(5):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    update()
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(sorted(faults)[2])                        # the median update: robust to one-off growth
"""


QUIET = 16   # faults of an update that re-faults nothing (an update touches thousands of pages)


def faults_per_update(mode: str, batch: int = 1) -> float:
    out = subprocess.run([sys.executable, "-c", UPDATES, mode, str(batch)], capture_output=True,
                         text=True, check=True)
    return float(out.stdout)


def test_retained_memory_is_not_faulted_in_again():
    default, retained = faults_per_update("default", 4), faults_per_update("retain", 4)
    # measured since the per-tap GEMM kernels: retention cuts the median update's faults to
    # 0.1-0.6 of the default's, erratically (an open item of the performance issue); some
    # runs page-fault nothing either way (1 vs 1): then retention has nothing to save
    assert retained < 0.75 * default or retained <= QUIET, (default, retained)


def test_large_activations_are_not_mmapped_afresh():
    """16 chains: activations above glibc's largest mmap threshold (32 MB) are reused too."""
    default, retained = faults_per_update("default", 16), faults_per_update("retain", 16)
    # measured: 27 000-55 000 by default, 1-16 500 retained (see above)
    assert retained < 0.75 * default or retained <= QUIET, (default, retained)
