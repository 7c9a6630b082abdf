"""Make None, True and False immortal on Python < 3.12, as Python 3.12 itself does.

PySide6 6.12.0 on Python 3.11 loses one reference to None on every call of a Qt method
that returns void (setText, update, processEvents, ...), and one to True per
Signal.emit (ui/pyside_fixes.py measures and repairs that one). None starts with a few
thousand references, so a station would abort with "Fatal Python error: none_dealloc"
after some thousand clicks and scans: minutes to hours into a shift.

Python 3.12 made these singletons immortal (PEP 683): their reference count is never
decremented to zero. On 3.11 we get the same effect by adding a huge number to their
reference counts once at start-up: at one leaked reference per call, 2**40 calls would
take decades. Nothing else changes. The pointer arithmetic is confined to this module and
runs only on CPython < 3.12.
"""

from __future__ import annotations

import ctypes
import platform
import sys

BOOST = 1 << 40


def install() -> bool:
    """Boost the singletons' reference counts; True if it was needed and done."""
    if sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return False
    if getattr(sys, "_checkin_immortal", False):
        return True
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object (a Py_ssize_t).
        ctypes.c_ssize_t.from_address(id(obj)).value += BOOST
    sys._checkin_immortal = True  # type: ignore[attr-defined]
    return True
