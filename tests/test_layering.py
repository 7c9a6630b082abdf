"""The core never imports Qt or the ui package (design.md, Architecture)."""

import pkgutil
import subprocess
import sys

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
