"""The PySide6 workarounds (ui/pyside_fixes.py) work, and are still needed.

The tests named `test_upstream_*` fail once a PySide6 release fixes its bug: then remove
that workaround from ui/pyside_fixes.py and the test with it.
"""

import ctypes
import gc
import sys
import threading

from PySide6.QtCore import QObject, Signal

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
    pyside_fixes.install()
    assert not pyside_fixes.emit_drops_a_reference()
    assert not gc.isenabled()


def test_upstream_emit_still_loses_a_reference_to_true():
    assert pyside_fixes.emit_drops_a_reference(pyside_fixes.ORIGINAL_EMIT), (
        "this PySide6 no longer loses a reference per emit: remove fix_emit()")


def test_upstream_void_call_still_loses_a_reference_to_none():
    if sys.version_info >= (3, 12):
        return  # None is immortal there: nothing to measure, nothing to work around
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(100):
        obj.setObjectName("x")
    lost = before - sys.getrefcount(None)
    ctypes.c_ssize_t.from_address(id(None)).value += max(lost, 0)
    assert lost >= 100, "this PySide6 no longer leaks None: remove make_singletons_immortal()"


def test_collection_runs_on_the_calling_thread_only():
    """A cycle made on a worker thread is freed by collect_due() on this thread, never by
    the worker's allocations (automatic collection is off)."""
    freed_on: list[str] = []

    class Cycle:
        def __init__(self) -> None:
            self.me = self

        def __del__(self) -> None:
            freed_on.append(threading.current_thread().name)

    def worker() -> None:
        Cycle()
        junk = [[] for _ in range(50_000)]  # would trigger automatic collection
        del junk

    thread = threading.Thread(target=worker, name="lane")
    thread.start()
    thread.join()
    assert freed_on == []
    gc.collect()
    assert freed_on == [threading.current_thread().name]
