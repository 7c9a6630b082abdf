"""PySide6 desktop app: the only package that imports Qt."""

from ui import pyside_fixes as _pyside_fixes

# Before any widget emits a signal: PySide6 6.12's emit loses a reference to True per call.
_pyside_fixes.install()
