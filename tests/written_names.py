"""Where a registered name is written in the code: the string literals (not docstrings) of
the library, workflow scripts and scripts, and the code (not comments) of the rule files.

    >>> from written_names import files_writing
    >>> "pnf/methods.py" in files_writing("spline")
    True

tests/test_method_registry.py and tests/test_task_names.py check each method's and task's
name against the files allowed to write it.
"""

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _py_literals(text: str) -> str:
    """Every string constant of a Python module except docstrings, one per line."""
    tree = ast.parse(text)
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}
    return "\n".join(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                     and isinstance(n.value, str) and id(n) not in docs)


def _smk_code(text: str) -> str:
    """A rule file's text less its comments and docstrings (names, strings and code)."""
    text = re.sub(r'"""[\s\S]*?"""', "", text)
    return "\n".join(line.split("#")[0] for line in text.splitlines())


@cache
def code_files() -> dict[str, str]:
    """{path: what counts as written there} of the library, workflow and scripts."""
    out = {}
    for path in [*ROOT.glob("pnf/**/*.py"), *ROOT.glob("workflow/scripts/*.py"),
                 *ROOT.glob("scripts/*.py")]:
        out[str(path.relative_to(ROOT))] = _py_literals(path.read_text())
    for path in [*ROOT.glob("workflow/rules/*.smk"), ROOT / "Snakefile"]:
        out[str(path.relative_to(ROOT))] = _smk_code(path.read_text())
    return out


def files_writing(name: str, files: dict[str, str] | None = None) -> list[str]:
    """Sorted paths whose code writes `name` as a word (`name_x`, `xname` do not count)."""
    word = re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9_])")
    return sorted(path for path, text in (files or code_files()).items() if word.search(text))
