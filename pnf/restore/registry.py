"""The restore tasks by name: `pnf restore NAME` builds one verb per entry.

    >>> from pnf.restore.registry import register_task, restore_tasks
    >>> register_task(DeclipRestore)       # a pnf.restore.base.Restore subclass
    >>> sorted(restore_tasks())            # ['declip', 'image-inpaint', ..., 'superres']
"""

from __future__ import annotations

import importlib

RESTORE_TASKS: dict[str, type] = {}
# the built-in task families, imported (so registered) on the first restore_tasks() call:
# importing pnf.restore or its record stays free of torch (`pnf evaluate item --run`)
BUILT_IN = ("audio", "separation", "generation", "image")


def register_task(cls: type) -> type:
    """Add a Restore subclass (usable as a class decorator); its `name` is the verb."""
    if not cls.name or cls.io is None or cls.sampler is None:
        raise ValueError(f"{cls.__name__} needs `name`, `io` and `sampler` to be a restore "
                         "task")
    RESTORE_TASKS[cls.name] = cls
    return cls


def restore_tasks() -> dict[str, type]:
    """Every registered restore task (importing the built-in families registers them)."""
    for family in BUILT_IN:
        importlib.import_module(f"pnf.restore.{family}")
    return RESTORE_TASKS
