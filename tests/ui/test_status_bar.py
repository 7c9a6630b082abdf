"""The station status bar: every field, empty states, and its texts after a language switch."""

from PySide6.QtWidgets import QApplication

from checkin.sync.background import SyncStatus
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
    bar.set_printer("out_of_paper", 3)
    assert bar.printer_label.text() == "Printer: out of paper · 3 in queue"
    bar.set_printer("stopped", 0, "media-jam", 2)
    assert bar.printer_label.text() == "Printer: stopped (media-jam) · 2 failed"
    assert bar.sync_label.isHidden()  # a desk with no hub
    bar.set_sync(SyncStatus(paired=True, online=True, waiting=0))
    assert not bar.sync_label.isHidden()
    assert bar.sync_label.text() == "Hub: connected · all synced"
    bar.set_sync(SyncStatus(paired=True, online=False, waiting=12, error="hub unreachable",
                            offline_since="2026-12-01T09:12:30+01:00"))
    assert bar.sync_label.text() == "Hub: offline since 09:12 · 12 events waiting"
    assert bar.sync_label.toolTip() == "hub unreachable"
    bar.set_sync(SyncStatus(paired=True, online=True, waiting=1))
    assert bar.sync_label.text() == "Hub: connected · 1 event waiting"
    bar.set_sync(SyncStatus())
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
                        and bar.counts_label.text().startswith("Eingecheckt: 5 / 10"),
                        timeout=30_000)
        bar.set_day("")
        assert bar.day_label.text() == "Kein Veranstaltungstag"
    finally:
        install_translator(app, "en")
    qtbot.waitUntil(lambda: bar.counts_label.text() == "Checked in: 5 / 10 (50 %)", timeout=30_000)


def test_printer_state_words_are_translated(qtbot):
    """The printer's state is a word the bar translates itself: German after a switch,
    English again after switching back (not the words of the language it was set in)."""
    app = QApplication.instance()
    bar = StationStatusBar()
    qtbot.addWidget(bar)
    bar.set_printer("ready", 0)
    try:
        assert install_translator(app, "de") == "de"
        qtbot.waitUntil(lambda: bar.printer_label.text() == "Drucker: bereit", timeout=30_000)
        bar.set_printer("out_of_paper", 2)
        assert bar.printer_label.text() == "Drucker: kein Papier · 2 in der Warteschlange"
        bar.set_printer("offline", 0, "", 1)
        assert bar.printer_label.text() == "Drucker: nicht erreichbar · 1 fehlgeschlagen"
    finally:
        install_translator(app, "en")
    qtbot.waitUntil(lambda: bar.printer_label.text() == "Printer: offline · 1 failed",
                    timeout=30_000)


def test_main_window_status_bar_printer_in_german(qtbot, main_window):
    window = main_window
    qtbot.waitUntil(lambda: window.station.print_state.backend == "pdf", timeout=20_000)
    qtbot.waitUntil(lambda: window.status.printer_label.text() == "Printer: ready",
                    timeout=20_000)
    try:
        with qtbot.waitSignal(window.languageChanged, timeout=30_000):
            window.set_language("de", save=False)
        qtbot.waitUntil(lambda: window.status.printer_label.text() == "Drucker: bereit",
                        timeout=30_000)
    finally:
        window.set_language("en", save=False)
    qtbot.waitUntil(lambda: window.status.printer_label.text() == "Printer: ready",
                    timeout=30_000)
