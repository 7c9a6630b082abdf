"""The one start-up path: every entry point calls `early_init()` first.

The station app (ui.app.main and the bundle's entry point through it), tests' conftest,
the screenshot and keyboard scripts and the start-up benchmark. In order, as qutebrowser's
earlyinit does: faulthandler on (a crash in Qt's C++ still leaves the Python stacks of
every thread), the log file configured (checkin.logsetup), then the PySide6 workarounds
(ui.pyside_fixes). Importing `ui` has no side effects; this function has them all.

After the QApplication exists, `start_gui_services(app)` starts what needs an event loop:
the garbage collector on the GUI thread.
"""

from __future__ import annotations

import faulthandler
import logging
import sys
from pathlib import Path
from typing import IO

from PySide6.QtCore import QObject

from checkin import logsetup
from ui import pyside_fixes

# Worker lanes run Python too (badge rendering, the engine); with the default 5 ms switch
# interval the GUI thread could wait several intervals for the GIL behind them. 1 ms keeps
# the screen's answer within a blink (bench_startup measures the stalls).
GIL_SWITCH_INTERVAL = 0.001

_crash_file: IO[str] | None = None


def _enable_faulthandler(log_file: Path) -> None:
    """To stderr when there is one; a windowed app on Windows has none, so then to a
    crash file beside the log. Left alone when already on (pytest, python -X faulthandler)."""
    global _crash_file
    if faulthandler.is_enabled():
        return
    stream = sys.stderr
    try:
        if stream is None:
            raise OSError("no stderr")
        stream.fileno()
    except (OSError, ValueError, AttributeError):
        _crash_file = open(log_file.with_name("crash.log"), "a", encoding="utf-8")  # noqa: SIM115  (kept open for the process's life)
        stream = _crash_file
    faulthandler.enable(stream, all_threads=True)


def early_init(log_file: Path | None = None) -> Path:
    """Faulthandler, the log, the PySide6 workarounds; returns the log file's path."""
    path = logsetup.configure(log_file)
    try:
        _enable_faulthandler(path)
    except OSError as exc:  # no crash file (read-only disk): the desk still starts
        logging.getLogger(__name__).warning("faulthandler not enabled: %s", exc)
    pyside_fixes.install()
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    return path


def start_gui_services(app: QObject) -> None:
    """What needs the QApplication: garbage collection on the GUI thread."""
    if app.findChild(pyside_fixes.GuiThreadCollector) is None:
        pyside_fixes.GuiThreadCollector(app)
