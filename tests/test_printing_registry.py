"""The printer backend registry: names to "module:Class", built only when asked for."""

import importlib
import subprocess
import sys

import pytest

from checkin.errors import CheckinError
from checkin.printing import backend as registry
from checkin.printing.backend import (
    READY,
    PrinterState,
    backend_names,
    backends,
    make_backend,
    register_backend,
)
from checkin.printing.pdf_folder import PdfFolderBackend


class LabelWriter:
    """A backend defined outside checkin/printing, as a plug-in would be."""

    name = "labelwriter"

    def __init__(self, printer: str = "", *, speed: int = 1) -> None:
        self.printer = printer or "LW-450"
        self.speed = speed

    def submit(self, pdf: bytes, title: str) -> str:
        return "lw-1"

    def status(self) -> PrinterState:
        return PrinterState(READY)

    def job_done(self, backend_job_id: str) -> bool | None:
        return True


@pytest.fixture(autouse=True)
def own_registry(monkeypatch):
    """Each test starts from the built-in backends, as the CLI has them (the UI tests
    register the station app's qt backend), and registers into its own copy."""
    monkeypatch.setattr(registry, "_REGISTRY", {i.name: i for i in registry._BUILT_IN})


def test_built_in_backends_with_their_texts():
    assert backend_names() == ("pdf", "cups", "brother", "qt")
    infos = {info.name: info for info in backends()}
    assert infos["cups"].description == "CUPS printer"
    assert "folder" in infos["pdf"].printer_hint
    assert infos["brother"].printer_hint.startswith("device")
    assert [i.name for i in backends() if not i.buildable] == ["qt"]  # the station app's


def test_every_built_in_target_names_a_class():
    for info in backends():
        if info.buildable:
            module_name, _, attr = info.target.partition(":")
            assert isinstance(getattr(importlib.import_module(module_name), attr), type)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(CheckinError) as error:
        make_backend("fax")
    assert str(error.value) == ("unknown printer backend 'fax' "
                                "(known: pdf, cups, brother, qt)")


def test_qt_is_declared_but_built_only_by_the_station_app():
    with pytest.raises(CheckinError, match=r"only from the station app \(here: pdf, cups, "
                                           r"brother\)"):
        make_backend("qt")


def test_make_backend_builds_the_registered_class(tmp_path):
    backend = make_backend("pdf", str(tmp_path / "printed"))
    assert isinstance(backend, PdfFolderBackend)
    assert backend.printer == str(tmp_path / "printed")


def test_registering_a_new_backend(tmp_path):
    register_backend("labelwriter", f"{__name__}:LabelWriter",
                     description="DYMO LabelWriter", printer_hint="printer name")
    assert backend_names()[-1] == "labelwriter"
    info = backends()[-1]
    assert (info.description, info.printer_hint) == ("DYMO LabelWriter", "printer name")
    backend = make_backend("labelwriter", "", speed=3)
    assert isinstance(backend, LabelWriter)
    assert (backend.printer, backend.speed) == ("LW-450", 3)
    with pytest.raises(CheckinError, match="known: pdf, cups, brother, qt, labelwriter"):
        make_backend("dymo")


def test_registering_a_declared_name_keeps_its_texts():
    register_backend("qt", f"{__name__}:LabelWriter")
    info = {i.name: i for i in backends()}["qt"]
    assert info.buildable and info.description == "System print dialog printer"
    assert isinstance(make_backend("qt", "Front desk"), LabelWriter)
    assert backend_names() == ("pdf", "cups", "brother", "qt")  # replaced in place


def test_a_new_name_without_texts_describes_itself():
    register_backend("zpl", f"{__name__}:LabelWriter")
    info = backends()[-1]
    assert (info.name, info.description, info.printer_hint) == ("zpl", "zpl", "")


@pytest.mark.parametrize("name, target", [
    ("", f"{__name__}:LabelWriter"),
    ("Label Writer", f"{__name__}:LabelWriter"),
    ("lw", "tests.test_printing_registry.LabelWriter"),
    ("lw", "tests/test_printing_registry.py:LabelWriter"),
    ("lw", ":LabelWriter"),
])
def test_malformed_registrations_are_refused(name, target):
    with pytest.raises(ValueError):
        register_backend(name, target)
    assert backend_names() == ("pdf", "cups", "brother", "qt")


def test_a_target_that_does_not_import_fails_loudly():
    """A broken plug-in is a fault to see, not a backend quietly "not available"."""
    register_backend("broken", "checkin.printing.no_such_module:Backend")
    with pytest.raises(ModuleNotFoundError):
        make_backend("broken")


def test_the_registry_imports_no_backend():
    code = ("import sys\n"
            "from checkin.printing.backend import backends\n"
            "backends()\n"
            "print(','.join(m for m in ('checkin.printing.cups', 'checkin.printing.brother',"
            " 'checkin.printing.pdf_folder') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
