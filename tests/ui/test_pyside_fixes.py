"""Emitting signals from Python must not drain the True singleton (PySide6 6.12 bug)."""

import sys

from PySide6.QtCore import QObject, Signal

import ui  # noqa: F401  (importing the package installs the fix)
from ui import pyside_fixes


class Emitter(QObject):
    plain = Signal()
    flag = Signal(bool)
    text = Signal(str)


def test_many_emits_keep_the_reference_count_of_true():
    emitter = Emitter()
    received = []
    emitter.flag.connect(lambda value: received.append(1))
    before = sys.getrefcount(True)
    for _ in range(5000):
        emitter.plain.emit()
        emitter.flag.emit(True)
        emitter.text.emit("x")
    assert sys.getrefcount(True) - before >= -50  # unpatched: -15000, then abort
    assert len(received) == 5000


def test_install_is_idempotent():
    pyside_fixes.install()
    assert pyside_fixes.install() in (True, False)
    assert not pyside_fixes.emit_drops_a_reference()
