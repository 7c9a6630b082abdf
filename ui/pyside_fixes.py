"""Work around a reference-counting bug in PySide6's Signal.emit (seen in 6.12.0).

`SignalInstance.emit()` returns True without taking a reference to it, so every emit from
Python code drops one reference to the True singleton. On Python < 3.12 (where True is not
immortal) the interpreter aborts after a few hundred emits with
"Fatal Python error: bool_dealloc: deallocating True or False". Signals emitted by Qt
itself (C++) are not affected.

install() measures whether this PySide6 has the bug and, only then, wraps emit so that it
returns the missing reference. Called once when the ui package is imported.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 8


class _Probe(QObject):
    fired = Signal()


def _incref(obj: object, times: int = 1) -> None:
    for _ in range(times):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))


def emit_drops_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.fired.emit()
    lost = before - sys.getrefcount(True)
    if lost > 0:
        _incref(True, lost)  # give back what the probe itself took
    return lost >= _PROBES


def install() -> bool:
    """Patch SignalInstance.emit if it loses references; True if it was patched."""
    if getattr(SignalInstance.emit, "_checkin_fixed", False):
        return True
    if not emit_drops_a_reference():
        return False
    original = SignalInstance.emit

    def emit(self: SignalInstance, *args: Any) -> Any:
        result = original(self, *args)
        if result is True or result is False:
            _incref(result)
        return result

    emit._checkin_fixed = True  # type: ignore[attr-defined]
    SignalInstance.emit = emit  # type: ignore[method-assign]
    return True
