"""The station status bar: every field, empty states, and its texts after a language switch."""

from PySide6.QtWidgets import QApplication

from ui.i18n import install_translator
from ui.status_bar import StationStatusBar


def test_fields(qtbot):
    bar = StationStatusBar()
    qtbot.addWidget(bar)
    assert bar.counts_label.text() == ""
    assert bar.day_label.text() == "No event day"
    assert bar.sync_label.isHidden()
    bar.set_station("Desk 2")
    bar.set_day("2026-12-01")
    bar.set_counts(120, 400)
    bar.set_printer("ready", 0)
    assert bar.station_label.text() == "Station: Desk 2"
    assert bar.day_label.text().startswith("Day: ")
    assert bar.day_label.toolTip() == "2026-12-01"
    assert bar.counts_label.text() == "Checked in: 120 / 400 (30 %)"
    assert bar.printer_label.text() == "Printer: ready"
    bar.set_printer("out of paper", 3)
    assert bar.printer_label.text() == "Printer: out of paper · 3 in queue"
    bar.set_sync("2 events to send")
    assert not bar.sync_label.isHidden()
    assert bar.sync_label.text() == "Sync: 2 events to send"
    bar.set_sync("")
    assert bar.sync_label.isHidden()


def test_edge_values(qtbot):
    bar = StationStatusBar()
    qtbot.addWidget(bar)
    bar.set_counts(0, 0)  # no division by zero before the list is imported
    assert bar.counts_label.text() == "Checked in: 0 / 0 (0 %)"
    bar.set_day("not a date")
    assert bar.day_label.text() == "Day: not a date"
    bar.set_station("")
    assert bar.station_label.text() == "Station: (unnamed)"


def test_language_switch_retranslates(qtbot):
    app = QApplication.instance()
    bar = StationStatusBar()
    qtbot.addWidget(bar)
    bar.set_station("Desk 2")
    bar.set_counts(5, 10)
    try:
        assert install_translator(app, "de") == "de"
        qtbot.waitUntil(lambda: bar.station_label.text() == "Station: Desk 2"
                        and bar.counts_label.text().startswith("Eingecheckt: 5 / 10"))
        bar.set_day("")
        assert bar.day_label.text() == "Kein Veranstaltungstag"
    finally:
        install_translator(app, "en")
    qtbot.waitUntil(lambda: bar.counts_label.text() == "Checked in: 5 / 10 (50 %)")
