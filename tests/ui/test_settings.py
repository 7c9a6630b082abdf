"""Settings dialog: every field round-trips through the TOML file; bad input is refused."""

import itertools
import tomllib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from checkin.config import StationConfig
from ui.settings_dialog import SettingsDialog, parse_lpstat

CAMERAS = [("/dev/video0", "USB Camera"), ("/dev/video2", "Document Camera")]
LAYOUTS = [("a6", "A6 badge"), ("4x3in", "thermal"), ("cr80", "card")]


@pytest.fixture
def make(qtbot):
    dialogs = []

    def make(config, **kwargs):
        kwargs.setdefault("cameras", CAMERAS)
        kwargs.setdefault("layouts", lambda: LAYOUTS)
        kwargs.setdefault("lpstat", None)
        dialog = SettingsDialog(config, **kwargs)
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        qtbot.waitUntil(lambda: dialog.layout_combo.findData("cr80") >= 0, timeout=30_000)
        return dialog

    yield make
    for dialog in dialogs:
        dialog.done(QDialog.DialogCode.Rejected)


def choose(combo, data):
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_round_trip_through_toml(make, tmp_path):
    path = tmp_path / "station.toml"
    dialog = make(StationConfig(), save_to=path)
    dialog.station.setText("  Desk 3 ")
    dialog.operator.setText("Zoë")
    choose(dialog.backend, "cups")
    dialog.printer.setEditText("Zebra_ZD421")
    choose(dialog.layout_combo, "4x3in")
    dialog.auto_print.setChecked(False)
    choose(dialog.camera, "/dev/video2")
    dialog.sound.setChecked(False)
    choose(dialog.language, "de")
    dialog.kiosk_pin.setText("987654")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    expected = StationConfig(station="Desk 3", operator="Zoë", printer="Zebra_ZD421",
                             printer_backend="cups", layout="4x3in", auto_print=False,
                             camera="/dev/video2", camera_enabled=True, sound=False,
                             language="de", kiosk_pin="987654")
    assert dialog.config() == expected
    assert StationConfig.load(path) == expected
    assert tomllib.loads(path.read_text(encoding="utf-8"))["language"] == "de"
    # Opened again, the dialog shows what was saved, and OK keeps it unchanged.
    again = make(StationConfig.load(path), save_to=path)
    assert again.station.text() == "Desk 3"
    assert again.camera.currentData() == "/dev/video2"
    assert again.layout_combo.currentData() == "4x3in"
    assert again.language.currentData() == "de"
    again.accept()
    assert StationConfig.load(path) == expected


def test_defaults_and_system_choices(make):
    dialog = make(StationConfig())
    assert dialog.language.currentData() == ""
    assert dialog.camera.currentData() == ""
    assert dialog.backend.currentData() == "pdf"
    # the PDF backend's "printer" is its folder (checkin.printing.make_backend)
    assert dialog.printer.isEnabled()
    assert "folder" in dialog.printer.lineEdit().placeholderText()
    dialog.printer.setEditText("/srv/badges")
    choose(dialog.backend, "cups")  # a folder is no CUPS queue: the field starts empty
    assert dialog.printer.currentText() == ""
    assert "default printer" in dialog.printer.lineEdit().placeholderText()
    dialog.printer.setEditText("Zebra_ZD421")
    choose(dialog.backend, "pdf")  # nor the other way round (it became a relative folder)
    assert dialog.printer.currentText() == ""
    choose(dialog.backend, "cups")
    dialog.camera_enabled.setChecked(False)
    assert not dialog.camera.isEnabled()
    dialog.accept()
    assert dialog.config().camera_enabled is False
    assert dialog.config().language == ""


def test_saved_values_that_are_gone_stay_selectable(make):
    config = StationConfig(camera="/dev/video9", layout="retired-layout")
    dialog = make(config, layouts=lambda: LAYOUTS)
    assert dialog.layout_combo.currentData() == "retired-layout"
    assert dialog.camera.currentData() == "/dev/video9"
    assert "not connected" in dialog.camera.currentText()
    dialog.accept()
    assert dialog.config().camera == "/dev/video9"


def test_bad_pin_is_refused(make, tmp_path):
    path = tmp_path / "station.toml"
    dialog = make(StationConfig(), save_to=path)
    dialog.kiosk_pin.setText("12")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "4 to 8 digits" in dialog.error.text()
    assert not path.exists()
    dialog.kiosk_pin.setText("4321")
    dialog.accept()
    assert StationConfig.load(path).kiosk_pin == "4321"


def test_unwritable_path_keeps_the_dialog_open(make, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    dialog = make(StationConfig(), save_to=blocker / "station.toml")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.text().startswith("Settings not saved")


def test_broken_layouts_do_not_break_the_dialog(make):
    def broken():
        raise ValueError("bad layout file")

    dialog = SettingsDialog(StationConfig(layout="a6"), cameras=[], layouts=broken, lpstat=None)
    try:
        assert dialog.layout_combo.currentData() == "a6"
    finally:
        dialog.done(0)


def test_printer_list_from_lpstat(make, tmp_path, qtbot):
    fake = tmp_path / "lpstat"
    fake.write_text("#!/bin/sh\n[ \"$1\" = -e ] && printf 'Office_Laser\\nZebra_ZD421\\n'\n")
    fake.chmod(0o755)
    dialog = SettingsDialog(StationConfig(printer="Zebra_ZD421", printer_backend="cups"),
                            cameras=[], layouts=lambda: LAYOUTS, lpstat=str(fake))
    qtbot.addWidget(dialog)
    try:
        qtbot.waitUntil(lambda: dialog.printer.count() == 2, timeout=30_000)
        assert [dialog.printer.itemText(i) for i in range(2)] == ["Office_Laser", "Zebra_ZD421"]
        assert dialog.printer.currentText() == "Zebra_ZD421"
    finally:
        dialog.done(0)


def test_missing_lpstat_leaves_the_printer_editable(qtbot, tmp_path):
    dialog = SettingsDialog(StationConfig(), cameras=[], layouts=lambda: LAYOUTS,
                            lpstat=str(tmp_path / "no-such-lpstat"))
    qtbot.addWidget(dialog)
    try:
        qtbot.waitUntil(lambda: dialog.layout_combo.count() == len(LAYOUTS), timeout=30_000)
        assert dialog.printer.isEditable()
    finally:
        dialog.done(0)


def test_parse_lpstat():
    assert parse_lpstat("a\n\n b \n") == ["a", "b"]


def test_keyboard_order(make):
    dialog = make(StationConfig())
    chain = [dialog.station, dialog.operator, dialog.backend, dialog.printer,
             dialog.layout_combo, dialog.auto_print, dialog.camera_enabled, dialog.camera,
             dialog.sound, dialog.language, dialog.kiosk_pin]
    for before, after in itertools.pairwise(chain):
        following = before.nextInFocusChain()
        while following.focusPolicy() == Qt.FocusPolicy.NoFocus or \
                following.parent() is before:
            following = following.nextInFocusChain()
        assert following is after, (before, after)
    # Every field has a label with a mnemonic (Alt+letter) pointing at it.
    assert all("&" in label.text() for label in dialog._labels.values())


def test_real_layouts_and_cameras(qtbot):
    """The defaults: layouts from checkin.badges, cameras from QtMultimedia (maybe none)."""
    dialog = SettingsDialog(StationConfig(), lpstat=None)
    qtbot.addWidget(dialog)
    try:
        qtbot.waitUntil(lambda: dialog.layout_combo.count() > 1, timeout=30_000)
        assert dialog.layout_combo.findData("a6") >= 0
        assert dialog.camera.itemData(0) == ""
    finally:
        dialog.done(0)


def test_config_path_is_not_written_without_save_to(make, tmp_path, monkeypatch):
    dialog = make(StationConfig())
    dialog.accept()
    assert not any(Path(tmp_path).rglob("station.toml"))


def test_printer_types_are_the_registered_backends(qtbot, make, station_config, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from checkin.printing import backend as registry
    from ui import i18n

    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    registry.register_backend("labelwriter", "tests.test_printing_registry:LabelWriter",
                              description="DYMO LabelWriter", printer_hint="LabelWriter name")
    dialog = make(station_config)
    listed = [(dialog.backend.itemData(i), dialog.backend.itemText(i))
              for i in range(dialog.backend.count())]
    assert listed == [(info.name, info.description) for info in registry.backends()]
    assert listed[-1] == ("labelwriter", "DYMO LabelWriter")
    assert dialog.backend.currentData() == "pdf"  # the station's configured backend
    choose(dialog.backend, "labelwriter")
    assert dialog.printer.lineEdit().placeholderText() == "LabelWriter name"
    choose(dialog.backend, "brother")
    assert dialog.printer.lineEdit().placeholderText() == registry.backends()[2].printer_hint

    app = QApplication.instance()
    try:
        i18n.install_translator(app, "de")  # built-in texts translated, a plug-in's as given
        qtbot.waitUntil(lambda: dialog.windowTitle() == "Einstellungen", timeout=30_000)
        texts = {dialog.backend.itemData(i): dialog.backend.itemText(i)
                 for i in range(dialog.backend.count())}
        assert texts["cups"] == "CUPS-Drucker"
        assert texts["labelwriter"] == "DYMO LabelWriter"
        assert dialog.printer.lineEdit().placeholderText().startswith("Gerät")
    finally:
        i18n.install_translator(app, "en")
    dialog.accept()
    assert dialog.config().printer_backend == "brother"
