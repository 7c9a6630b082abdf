"""The core never imports Qt or the ui package, and ui/ runs no SQL of its own
(design.md, Architecture)."""

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
