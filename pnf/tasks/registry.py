"""The restore tasks by name: `pnf restore NAME` builds one verb per entry.

    >>> from pnf.tasks.registry import register_task, restore_tasks
    >>> register_task(Declipping)          # a Task subclass with name, io, from_args, ...
    >>> sorted(restore_tasks())            # ['declip', 'image-inpaint', ..., 'superres']
"""

from __future__ import annotations

RESTORE_TASKS: dict[str, type] = {}


def register_task(cls: type) -> type:
    """Add a Task subclass (usable as a class decorator); its `name` is the verb."""
    if not cls.name or cls.io is None:
        raise ValueError(f"{cls.__name__} needs `name` and `io` to be a restore task")
    RESTORE_TASKS[cls.name] = cls
    return cls


def restore_tasks() -> dict[str, type]:
    """Every registered restore task (importing pnf.tasks registers the built-in ones)."""
    return RESTORE_TASKS
