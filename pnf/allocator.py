"""Keep freed memory in the process instead of handing it back to the OS after each step.

A Langevin update allocates and frees the same few hundred MB of activations every time.
glibc's defaults return the top of the heap to the kernel when it is freed and serve
blocks above its mmap threshold (at most 32 MB) with fresh mmaps, so every update
page-faults the same memory in again: ~40 000 faults and ~5% of the time of a `small`
update, and 146 000 faults per update for 4 chains of a 1.5 s clip (activations > 32 MB),
which made batching cost more per chain than one chain. So, once per process: no mmaps
for large blocks (M_MMAP_MAX = 0: everything comes from the heap and is reused) and keep
up to 1 GiB of free heap top (M_TRIM_THRESHOLD).

    >>> from pnf.allocator import retain_freed_memory
    >>> retain_freed_memory()        # once per process; the `pnf` command does it for you
"""

from __future__ import annotations

import ctypes
import ctypes.util

_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4
_TRIM_THRESHOLD = 1 << 30      # keep up to 1 GiB of free heap top


def retain_freed_memory() -> bool:
    """Tune glibc malloc for repeated large allocations; False where there is no glibc."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        mallopt = None
    if mallopt is None:
        return False
    return bool(mallopt(_M_MMAP_MAX, 0) and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))
