"""The core never imports Qt or the ui package, and ui/ runs no SQL of its own
(docs/architecture.md)."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import checkin


def all_checkin_modules() -> list[str]:
    names = ["checkin"]
    for info in pkgutil.walk_packages(checkin.__path__, prefix="checkin."):
        if info.name != "checkin.__main__":
            names.append(info.name)
    return names


def test_no_checkin_module_imports_qt_or_ui():
    modules = all_checkin_modules()
    assert len(modules) > 10
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = ('PySide6', 'shiboken6', 'ui')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in qt)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"checkin pulled in: {result.stdout.strip()}"


def test_scan_command_starts_without_heavy_libraries():
    code = (
        "import sys\n"
        "from checkin.cli import cli\n"
        "cli.get_command(None, 'scan')\n"
        "heavy = [m for m in ('reportlab', 'openpyxl', 'PySide6') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def _import_graph(root: Path) -> dict[str, set[str]]:
    """module -> the modules of the same package it imports, read from the source with ast.

    Every import counts, also those inside functions and under TYPE_CHECKING: a cycle
    hidden in a function is still a cycle in the design. `from pkg import name` is an
    edge to pkg.name when that is a module, else to pkg (its __init__ runs).
    """
    files: dict[str, Path] = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path

    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names if alias.name in files)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    source = ".".join([*base, node.module] if node.module else base)
                else:
                    source = node.module or ""
                for alias in node.names:
                    target = f"{source}.{alias.name}"
                    if target in files:
                        edges.add(target)
                    elif source in files:
                        edges.add(source)
        edges.discard(module)
        graph[module] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle [a, b, ..., a] per strongly connected component of more than one module.

    Tarjan's algorithm finds the components; inside each, a breadth-first search gives
    the shortest cycle through its first module, which is the one worth printing.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)

    cycles = []
    for component in sorted(components):
        members = set(component)
        start = component[0]
        came_from: dict[str, str] = {}
        frontier = [start]
        while start not in came_from:
            following = []
            for node in frontier:
                for nxt in sorted(graph[node] & members):
                    if nxt not in came_from:
                        came_from[nxt] = node
                        following.append(nxt)
            frontier = following
        cycle = [start]
        node = came_from[start]
        while node != start:
            cycle.append(node)
            node = came_from[node]
        cycle.append(start)
        cycles.append(cycle[::-1])
    return cycles


def test_import_graph_of_checkin_has_no_cycles():
    graph = _import_graph(Path(checkin.__file__).parent)
    assert "checkin.admission" in graph and "checkin.store" in graph["checkin.admission"]
    cycles = _cycles(graph)
    assert not cycles, "import cycles in checkin/:\n" + "\n".join(
        " -> ".join(cycle) for cycle in cycles)


def test_cycle_finder_reports_each_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "b"}, "d": {"a", "e"}, "e": {"d"},
             "f": {"a"}}
    assert _cycles(graph) == [["a", "b", "c", "a"], ["d", "e", "d"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_import_graph_sees_relative_and_function_level_imports(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from pkg.sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("from . import b\n")
    (pkg / "sub" / "b.py").write_text("from ..a import f\nfrom .. import a\nimport json\n")
    (pkg / "c.py").write_text("from pkg.sub import VALUE\n")
    graph = _import_graph(pkg)
    assert graph == {"pkg": set(), "pkg.a": {"pkg.sub.b"}, "pkg.sub": {"pkg.sub.b"},
                     "pkg.sub.b": {"pkg.a"}, "pkg.c": {"pkg.sub"}}
    assert _cycles(graph) == [["pkg.a", "pkg.sub.b", "pkg.a"]]

SQL_CALLS = ("execute", "executemany", "executescript", "query")
SQL_MODULES = ("sqlite3", "sqlite_utils")


def sql_in_ui(root: Path) -> list[str]:
    """Where a ui/ module runs SQL itself: a call of .execute/.executemany/.executescript/
    .query, or an import of sqlite3 or sqlite_utils ("file:line what", in file order)."""
    found: list[tuple[str, int, str]] = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SQL_CALLS):
                found.append((where, node.lineno, f".{node.func.attr}()"))
            elif isinstance(node, ast.Import):
                found += [(where, node.lineno, f"import {alias.name}") for alias in node.names
                          if alias.name.split(".")[0] in SQL_MODULES]
            elif (isinstance(node, ast.ImportFrom) and node.module
                  and node.module.split(".")[0] in SQL_MODULES):
                found.append((where, node.lineno, f"from {node.module} import"))
    return [f"{where}:{line} {what}" for where, line, what in sorted(found)]


def test_ui_runs_no_sql():
    """SQL belongs to the core (checkin.store and the modules over it); ui/ calls them."""
    ui = Path(__file__).resolve().parent.parent / "ui"
    assert len(list(ui.rglob("*.py"))) > 10
    assert sql_in_ui(ui) == []


def test_the_sql_check_sees_calls_and_imports(tmp_path):
    ui = tmp_path / "ui"
    (ui / "sub").mkdir(parents=True)
    (ui / "sub" / "bad.py").write_text(
        "import sqlite3\n"
        "from sqlite_utils.db import Database\n"
        "def f(store, conn):\n"
        "    store.db.execute('SELECT 1')\n"
        "    rows = list(store.db.query('SELECT 2'))\n"
        "    conn.executemany('x', [])\n"
        "    conn.executescript('y')\n"
        "    return execute, store.query\n",  # a name or attribute, never called: fine
        encoding="utf-8")
    assert sql_in_ui(ui) == [
        "ui/sub/bad.py:1 import sqlite3",
        "ui/sub/bad.py:2 from sqlite_utils.db import",
        "ui/sub/bad.py:4 .execute()",
        "ui/sub/bad.py:5 .query()",
        "ui/sub/bad.py:6 .executemany()",
        "ui/sub/bad.py:7 .executescript()",
    ]
