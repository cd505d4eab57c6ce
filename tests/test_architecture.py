"""Architecture rules of pnf/ (issue 12), checked with `ast` alone:

- the import graph of pnf/ (every import statement, module level or inside a function)
  has no cycle, and no module imports pnf.cli back (it loads the command modules by name);
- no module is over 400 lines, no function over 50 lines (cohesion, not a tight cap, decides
  where a module ends);
- pnf/commands/restore.py never branches on a task name (tasks come from the registry);
- layer order: the sampler and the tasks' and priors' models (pnf.langevin, pnf.tasks,
  pnf.priors) reach nothing, however indirectly, of the command line, the restore layer or
  the workflow's helpers; pnf/tasks/ imports no argparse, checkpoint loader or sound files;
- scripts/ and workflow/scripts/ import the installed pnf: none edits sys.path.
"""

import ast
from pathlib import Path

PNF = Path(__file__).resolve().parent.parent / "pnf"
SCRIPTS = [*sorted(PNF.parent.glob("scripts/*.py")),
           *sorted(PNF.parent.glob("workflow/scripts/*.py"))]
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 50
TASK_NAMES = {"superres", "inpaint", "separate", "spectrogram", "unconditional",
              "image-superres", "image-inpaint", "image-separate"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PNF.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PNF.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The pnf modules `name` imports (from X import Y counts X.Y when that is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(name, path, set(mods)) for name, path in mods.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (depth-first search with colours)."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert len(graph) > 50 and graph["pnf.cli"] >= {"pnf.allocator"}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_nothing_imports_the_cli_back():
    """pnf.cli loads the command modules by name; they must not import it (a hidden cycle)."""
    users = sorted(name for name, deps in import_graph().items() if "pnf.cli" in deps)
    assert not users, f"{users} import pnf.cli; put shared helpers in a small module"


# Layers, low to high: the sampler and the models it runs; the restore layer (a command
# line -> a checked request -> pnf.restoration); the commands and the workflow's helpers.
SAMPLER_LAYER = ("pnf.langevin", "pnf.tasks", "pnf.priors")
ABOVE_SAMPLER = ("pnf.cli", "pnf.verbs", "pnf.commands", "pnf.restore", "pnf.restoration",
                 "pnf.experiments", "pnf.report")
NOT_IN_TASKS = {"argparse", "soundfile", "pnf.checkpoints"}   # the sampler's model only


def in_layer(name: str, layer: tuple[str, ...]) -> bool:
    return any(name == top or name.startswith(top + ".") for top in layer)


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module `start` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_the_sampler_and_tasks_sit_below_the_command_line_and_the_restore_layer():
    graph = import_graph()
    low = [name for name in graph if in_layer(name, SAMPLER_LAYER)]
    assert {"pnf.langevin", "pnf.tasks.audio", "pnf.priors.wavenet"} <= set(low)
    bad = {name: above for name in low
           if (above := sorted(m for m in reachable(graph, name) if in_layer(m, ABOVE_SAMPLER)))}
    assert not bad, f"the sampler layer imports the layers above it: {bad}"
    assert in_layer("pnf.restore.request", ABOVE_SAMPLER) and not in_layer("pnf.tasksx",
                                                                            SAMPLER_LAYER)


def test_the_task_modules_import_no_argparse_checkpoint_loader_or_sound_files():
    for path in sorted((PNF / "tasks").glob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names |= {node.module or ""} | {f"{node.module}.{a.name}" for a in node.names}
        assert not names & NOT_IN_TASKS, f"pnf/tasks/{path.name}: {names & NOT_IN_TASKS}"


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_modules_and_functions_are_short():
    long = []
    for name, path in modules().items():
        text = path.read_text()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            long.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name}: {n} lines")
    assert not long, f"over {MAX_MODULE_LINES} lines/module or {MAX_FUNCTION_LINES}/function: " \
                     f"{long}"


def test_restore_never_branches_on_a_task_name():
    tree = ast.parse((PNF / "commands" / "restore.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                assert not (isinstance(side, ast.Constant) and side.value in TASK_NAMES), \
                    f"restore.py line {node.lineno} compares with a task name"
                assert not (isinstance(side, ast.Attribute) and side.attr == "task"), \
                    f"restore.py line {node.lineno} branches on args.task"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert node.value not in TASK_NAMES, f"restore.py line {node.lineno}: a task name"


def test_scripts_import_the_installed_pnf_without_path_edits():
    assert len(SCRIPTS) >= 8
    for path in SCRIPTS:
        for node in ast.walk(ast.parse(path.read_text())):
            assert not (isinstance(node, ast.Attribute) and node.attr == "path"
                        and isinstance(node.value, ast.Name) and node.value.id == "sys"), \
                f"{path.relative_to(PNF.parent)} line {node.lineno} uses sys.path"
