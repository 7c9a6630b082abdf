"""PySide6 desktop app: the only package that imports Qt.

Importing it has no side effects: entry points call ui.earlyinit.early_init() first.
"""
