"""The restore tasks by name: `pnf restore NAME` builds one verb per entry.

    >>> from pnf.restore.registry import register_task, restore_tasks
    >>> register_task(DeclipRestore)       # a pnf.restore.base.Restore subclass
    >>> sorted(restore_tasks())            # ['declip', 'image-inpaint', ..., 'superres']
"""

from __future__ import annotations

RESTORE_TASKS: dict[str, type] = {}


def register_task(cls: type) -> type:
    """Add a Restore subclass (usable as a class decorator); its `name` is the verb."""
    if not cls.name or cls.io is None or cls.sampler is None:
        raise ValueError(f"{cls.__name__} needs `name`, `io` and `sampler` to be a restore "
                         "task")
    RESTORE_TASKS[cls.name] = cls
    return cls


def restore_tasks() -> dict[str, type]:
    """Every registered restore task (importing pnf.restore registers the built-in ones)."""
    return RESTORE_TASKS
