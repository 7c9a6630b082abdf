"""The Qt printer backend joins the core's registry only when register() is called."""

import subprocess
import sys

from checkin.printing.backend import READY, make_backend
from ui.print_backend_qt import QtPrinterBackend


def test_registered_qt_backend_is_built_by_the_core(tmp_path):
    # tests/ui/conftest.py registered it, as ui.app.main does
    backend = make_backend("qt", str(tmp_path / "badge.pdf"))
    assert isinstance(backend, QtPrinterBackend)
    assert backend.status().state == READY


def test_importing_the_module_registers_nothing():
    code = ("from checkin.printing import backend\n"
            "import ui.print_backend_qt as qt\n"
            "print({i.name: i.target for i in backend.backends()}['qt'] or '-')\n"
            "qt.register()\n"
            "print(backend.make_backend('qt', 'x.pdf').name)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["-", "qt"]
