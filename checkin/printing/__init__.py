"""Badge printing: a persisted print queue (queue.py) and printer backends.

Backends: cups.py (lp/cancel, IPP for state), pdf_folder.py (the default when no
printer is set up), brother.py (Brother QL via the optional brother_ql package).
backend.py names them in a registry (name -> "module:Class"); the Qt QPrinter backend
lives in ui/ and is registered there (ui.print_backend_qt.register) when the app starts.
"""
