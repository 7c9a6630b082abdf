"""A handheld scanner fired while a dialog is open: the code stays out of the form, the
dialog's OK button is not pressed by the scanner's Enter, and the dialog says why."""

from __future__ import annotations

from PySide6.QtCore import Qt

from checkin.store import CHECKIN, UNDO
from tests.ui.test_station_flows import events, scan, type_keys


def _focus(qtbot, widget) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=30_000)


def test_scan_into_the_walk_in_form_is_kept_out(qtbot, main_window, station_event):
    window = main_window
    window.act_walk_in.trigger()
    dialog = window.dialog
    assert dialog is not None and dialog.walk_in
    _focus(qtbot, dialog.given)
    ms = type_keys(dialog.given, "Zoe", 1_000, 160)  # the operator types a name
    type_keys(dialog.given, station_event.tokens["A6"], ms + 2_000, 4)  # the scanner
    with qtbot.waitSignal(window.scanInDialog, timeout=30_000) as blocker:
        qtbot.keyClick(dialog.given, Qt.Key.Key_Return)
    assert blocker.args == [station_event.tokens["A6"]]
    assert dialog.given.text() == "Zoe"  # the form as the operator left it
    assert window.dialog is dialog and dialog.isVisible()  # Enter did not press OK
    note = dialog.findChild(type(window.banner), "scanNote")
    assert note is not None and note.isVisible()
    assert "kept out of this form" in note.text()
    assert events(station_event.db_path, "A6", CHECKIN) == []  # nobody admitted behind it
    # a person typing and pressing Enter still uses the form as before
    dialog.family.setFocus()
    qtbot.waitUntil(dialog.family.hasFocus, timeout=30_000)
    type_keys(dialog.family, "Okafor", ms + 10_000, 160)
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000,
                          check_params_cb=lambda out: out.kind != "found") as done:
        qtbot.keyClick(dialog.family, Qt.Key.Key_Return)
    assert done.args[0].kind == "created"


def test_scan_into_the_undo_reason_does_not_undo(qtbot, main_window, station_event):
    window = main_window
    assert scan(qtbot, window, station_event.tokens["A1"]).kind == "ok"
    window.act_undo.trigger()
    dialog = window.dialog
    assert dialog is not None
    _focus(qtbot, dialog.reason)
    with qtbot.waitSignal(window.scanInDialog, timeout=30_000):
        type_keys(dialog.reason, station_event.tokens["A3"], 5_000, 4)
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert dialog.reason.currentText() == ""
    assert window.dialog is dialog
    assert events(station_event.db_path, "A1", UNDO) == []
    dialog.reject()
    qtbot.waitUntil(lambda: window.dialog is None, timeout=30_000)


def test_scan_into_the_settings_dialog_is_kept_out(qtbot, main_window, station_event):
    window = main_window
    window.act_settings.trigger()
    dialog = window.dialog
    assert dialog is not None
    field = dialog.printer  # an editable combo box: a CUPS queue's name
    _focus(qtbot, field)
    field.lineEdit().selectAll()
    before = field.currentText()
    with qtbot.waitSignal(window.scanInDialog, timeout=30_000):
        type_keys(field, station_event.tokens["A3"], 5_000, 4)
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.currentText() == before
    assert window.dialog is dialog
    dialog.reject()
