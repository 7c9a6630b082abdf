"""Every workaround for PySide6 itself, in one module; installed by ui.earlyinit.

1. None, True and False made immortal on Python < 3.12 (as Python 3.12 does, PEP 683).
   PySide6 6.12.0 on Python 3.11 loses one reference to None on every call of a Qt method
   that returns void (setText, update, processEvents, ...); None starts with a few
   thousand references, so a station aborted with "Fatal Python error: none_dealloc" after
   some thousand clicks and scans. Adding 2**40 to the reference counts once at start-up
   gives the same effect as 3.12: at one leaked reference per call that lasts decades.
2. `SignalInstance.emit()` returns True without taking a reference to it (6.12.0), so every
   emit from Python drops one reference to True: "bool_dealloc" after a few hundred emits.
   Measured at start-up; only then emit is wrapped to give the reference back.
3. Garbage collection only on the GUI thread. Python's cyclic collector runs on whichever
   thread happens to allocate; when that is a worker lane and the garbage holds a Qt
   object made on the GUI thread, PySide6 deletes it on the wrong thread and the process
   dies with a segmentation fault (seen in the test suite: "Garbage-collecting" in a lane
   thread). As qutebrowser does: automatic collection is off, and `collect_due()` runs the
   generation the thresholds call for, from a timer on the GUI thread (`GuiThreadCollector`)
   and, in tests, after each test.

tests/ui/test_pyside_fixes.py fails once an upstream release fixes 1 or 2, so that the
workaround can then be removed.
"""

from __future__ import annotations

import ctypes
import gc
import platform
import sys
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

IMMORTAL_BOOST = 1 << 40
COLLECT_INTERVAL_MS = 1000
_PROBES = 8
ORIGINAL_EMIT = SignalInstance.emit


class _Probe(QObject):
    fired = Signal()


def _incref(obj: object, times: int = 1) -> None:
    for _ in range(times):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))


def make_singletons_immortal() -> bool:
    """Boost the singletons' reference counts once; True if it was needed (and done)."""
    if sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return False
    if getattr(sys, "_checkin_immortal", False):
        return True
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object (a Py_ssize_t).
        ctypes.c_ssize_t.from_address(id(obj)).value += IMMORTAL_BOOST
    sys._checkin_immortal = True  # type: ignore[attr-defined]
    return True


def emit_drops_a_reference(emit: Any = None) -> bool:
    """Whether `emit` (default: the one in force) loses a reference to True per call."""
    probe = _Probe()
    fire = emit or SignalInstance.emit
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        fire(probe.fired)
    lost = before - sys.getrefcount(True)
    if lost > 0:
        _incref(True, lost)  # give back what the probe itself took
    return lost >= _PROBES


def fix_emit() -> bool:
    """Patch SignalInstance.emit if it loses references; True if it is patched."""
    if getattr(SignalInstance.emit, "_checkin_fixed", False):
        return True
    if not emit_drops_a_reference():
        return False

    def emit(self: SignalInstance, *args: Any) -> Any:
        result = ORIGINAL_EMIT(self, *args)
        if result is True or result is False:
            _incref(result)
        return result

    emit._checkin_fixed = True  # type: ignore[attr-defined]
    SignalInstance.emit = emit  # type: ignore[method-assign]
    return True


def collect_due() -> int:
    """Collect the generation that automatic collection would have collected by now (on
    the calling thread, which must be the GUI thread); the number of objects freed."""
    counts = gc.get_count()
    thresholds = gc.get_threshold()
    if counts[0] <= thresholds[0]:
        return 0
    generation = 0
    if counts[1] > thresholds[1]:
        generation = 2 if counts[2] > thresholds[2] else 1
    return gc.collect(generation)


class GuiThreadCollector(QObject):
    """Runs collect_due() from a timer on the thread it lives on (the GUI thread)."""

    def __init__(self, parent: QObject | None = None,
                 interval_ms: int = COLLECT_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(collect_due)
        self._timer.start()


def install() -> None:
    """All three workarounds; idempotent. Before the first Qt call and the first thread."""
    make_singletons_immortal()
    fix_emit()
    gc.disable()
