"""Where a report artefact came from: a footer for every table, figure and page.

    >>> prov = Provenance(experiment="smoke", config_hash="3f2a9c01d4e5", rule="tables",
    ...                   command="snakemake --cores all results/tables")
    >>> with stamped(prov):
    ...     write_tables(...)      # each table, figure and page written here carries prov.line()
    >>> footer()                   # outside: "" (nothing to stamp)

The code version is `git describe --always --dirty` of the checkout pnf runs from ("… with
uncommitted changes" when dirty, "not a git checkout" outside one); the date is today's (UTC),
or SOURCE_DATE_EPOCH's when set, so two runs on one day write the same bytes.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import html
import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def code_version(repo: Path = REPO) -> str:
    """`git describe` of the checkout, saying so when it has uncommitted changes."""
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty=+dirty"], cwd=repo,
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "not a git checkout"
    text = out.stdout.strip()
    if out.returncode or not text:
        return "not a git checkout"
    return text.replace("+dirty", " with uncommitted changes")


def today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    stamp = int(epoch) if epoch.isdigit() else time.time()
    return time.strftime("%Y-%m-%d", time.gmtime(stamp))


def config_hash(config: dict) -> str:
    """First 12 hex digits of the SHA-256 of the config as sorted JSON."""
    text = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Provenance:
    experiment: str
    config_hash: str = ""
    rule: str = ""
    command: str = ""
    code: str = field(default_factory=code_version)
    date: str = field(default_factory=today)

    def line(self) -> str:
        parts = [f"experiment {self.experiment}"]
        parts += [f"config {self.config_hash}"] if self.config_hash else []
        parts += [f"code {self.code}", self.date]
        parts += [f"rule {self.rule}"] if self.rule else []
        parts += [f"rebuild: {self.command}"] if self.command else []
        return " · ".join(parts)


_CURRENT: contextvars.ContextVar[Provenance | None] = contextvars.ContextVar("provenance",
                                                                              default=None)


@contextlib.contextmanager
def stamped(prov: Provenance | None):
    """Within the block, every report writer adds `prov`'s footer."""
    token = _CURRENT.set(prov)
    try:
        yield prov
    finally:
        _CURRENT.reset(token)


def footer(style: str = "text") -> str:
    """The current footer as `style` (text, md, csv, tex, html); "" outside `stamped`."""
    prov = _CURRENT.get()
    if prov is None:
        return ""
    line = prov.line()
    return {"text": line, "md": f"\n_{line}_\n", "csv": f"# {line}\n", "tex": f"% {line}\n",
            "html": f'<footer class="provenance">{html.escape(line)}</footer>'}[style]


def add_arguments(parser) -> None:
    """The flags a report verb takes to stamp what it writes."""
    g = parser.add_argument_group("provenance (a footer on every file written)")
    g.add_argument("--config-hash", default="", help="hash of the experiment's config")
    g.add_argument("--rule", default="", help="the workflow rule that runs this command")
    g.add_argument("--rebuild", default="", help="the command that rebuilds this output")


def from_args(args, experiment: str) -> Provenance:
    return Provenance(experiment=experiment or "—", config_hash=args.config_hash,
                      rule=args.rule, command=args.rebuild)
