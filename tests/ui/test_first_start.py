"""First start and details: station name and operator asked once (with a test page),
the kiosk PIN asked at the first kiosk start, layout descriptions in the interface's
language."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from checkin.config import StationConfig


def test_first_run_asks_station_and_operator_with_a_test_page(qtbot, main_window, tmp_path,
                                                             station_event):
    window = main_window
    window.first_run()
    dialog = window.dialog
    assert dialog is not None and dialog.objectName() == "firstRunDialog"
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.operator.clear()
    assert not ok.isEnabled()  # who works here goes into the log: needed
    assert "PDF folder" in dialog.printer.text()
    dialog.test_button.click()
    qtbot.waitUntil(lambda: "Test page sent" in dialog.test_result.text(), timeout=30_000)
    printed = tmp_path / "printed"
    assert [p.name for p in printed.glob("*.pdf")] == ["checkin-test-page.pdf"]
    dialog.station_name.setText("Desk 7")
    dialog.operator.setText("Mia")
    assert ok.isEnabled()
    ok.click()
    qtbot.waitUntil(lambda: window.dialog is None, timeout=30_000)
    saved = StationConfig.load(tmp_path / "station.toml")
    assert (saved.station, saved.operator) == ("Desk 7", "Mia")
    qtbot.waitUntil(lambda: "Desk 7" in window.status.station_label.text(), timeout=30_000)
    # a test page is nobody's badge: not in the log, not in the queue
    from checkin.db import open_db
    from checkin.store import BADGE_PRINTED, Store

    store = Store(open_db(station_event.db_path))
    try:
        assert store.events(types=(BADGE_PRINTED,)) == []
    finally:
        store.db.conn.close()


def test_first_kiosk_start_asks_for_a_pin(qtbot, main_window, tmp_path):
    window = main_window
    assert StationConfig().kiosk_pin == ""  # no default PIN that everyone knows
    window.config.kiosk_pin = ""
    window.act_kiosk.trigger()
    dialog = window.dialog
    assert dialog is not None and dialog.objectName() == "kioskPinDialog"
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.first.setText("5791")
    dialog.second.setText("5790")
    assert not ok.isEnabled()
    dialog.second.setText("5791")
    assert ok.isEnabled()
    ok.click()
    qtbot.waitUntil(lambda: window.kiosk is not None, timeout=30_000)
    assert window.config.kiosk_pin == "5791"
    assert StationConfig.load(tmp_path / "station.toml").kiosk_pin == "5791"
    window.kiosk.pin_field.setText("5791")
    with qtbot.waitSignal(window.kiosk.closed, timeout=30_000):
        window.kiosk._check_pin()
    # a cancelled PIN dialog opens no kiosk
    window.config.kiosk_pin = ""
    window.act_kiosk.trigger()
    window.dialog.reject()
    qtbot.waitUntil(lambda: window.dialog is None, timeout=30_000)
    assert window.kiosk is None


def test_layout_descriptions_in_german(qtbot, main_window):
    from ui.settings_dialog import SettingsDialog

    window = main_window
    window.set_language("de", save=False)
    try:
        dialog = SettingsDialog(window.config, window, cameras=[], lpstat=None)
        qtbot.addWidget(dialog)
        combo = dialog.layout_combo
        qtbot.waitUntil(lambda: combo.findData("cr80") >= 0, timeout=30_000)
        assert "Namensschild A6 hoch" in combo.itemText(combo.findData("a6"))
        assert "Scheckkartenformat" in combo.itemText(combo.findData("cr80"))
    finally:
        window.set_language("en", save=False)
