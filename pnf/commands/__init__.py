"""CLI verbs of the core library (train, restore, sample, bench)."""
