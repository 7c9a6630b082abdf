"""Badges that wait: the print queue panel (who, since when, why; retry, cancel, move to
another printer) and the warning when the station quits with badges not printed."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QMessageBox

from checkin.store import BADGE_PRINTED
from tests.ui.conftest import close_window, open_window
from tests.ui.test_station_flows import events, scan


def away_window(qtbot, tmp_path, station_event, station_config):
    """The station with its printer away (a system printer that does not exist)."""
    config = replace(station_config, printer_backend="qt", printer="no-such-printer")
    return open_window(qtbot, station_event.db_path, config, tmp_path / "station.toml")


def test_print_queue_panel(qtbot, tmp_path, station_event, station_config):
    window = away_window(qtbot, tmp_path, station_event, station_config)
    try:
        for who in ("A1", "A5"):
            assert scan(qtbot, window, station_event.tokens[who]).kind == "ok"
        qtbot.waitUntil(lambda: window.station.print_state.queued == 2, timeout=30_000)
        window.act_queue.trigger()
        panel = window.dialog
        assert panel is not None and panel.objectName() == "printQueueDialog"
        qtbot.waitUntil(lambda: len(panel.entries) == 2, timeout=30_000)
        first = panel.entries[0]
        assert (first.attendee_id, first.name, first.organisation) == (
            "A1", "Anja Müller", "Charité Berlin")
        assert first.since and first.state == "queued"
        assert "no-such-printer" in first.why or "waiting" in first.why
        assert panel.table.item(0, 0).text() == "Anja Müller"
        assert panel.table.item(0, 3).text() == "waiting"
        assert "2 badges have not printed yet." in panel.summary.text()
        # retry while the printer is still away: they keep waiting, nothing lost
        with qtbot.waitSignal(window.station.printStateChanged, timeout=30_000):
            panel.retry_button.click()
        qtbot.waitUntil(lambda: len(panel.entries) == 2, timeout=30_000)
        # cancel Anja's badge
        panel.table.selectRow(0)
        assert panel.cancel_button.isEnabled()
        panel.cancel_button.click()
        qtbot.waitUntil(lambda: [e.attendee_id for e in panel.entries] == ["A5"],
                        timeout=30_000)
        # Eva's badge to another printer (a PDF folder): printed there at once
        folder = tmp_path / "other-printer"
        panel.backend.setCurrentIndex(panel.backend.findData("pdf"))
        panel.printer.setEditText(str(folder))
        panel.table.clearSelection()  # none chosen: all of them
        panel.move_button.click()
        qtbot.waitUntil(lambda: panel.entries == [], timeout=30_000)
        printed = events(station_event.db_path, "A5", BADGE_PRINTED)
        assert len(printed) == 1 and printed[0].payload["printer"] == str(folder)
        assert list(folder.glob("*.pdf"))
        assert events(station_event.db_path, "A1", BADGE_PRINTED) == []
        assert "No badge is waiting." in panel.summary.text()
        panel.reject()
        qtbot.waitUntil(lambda: window.dialog is None, timeout=30_000)
    finally:
        close_window(qtbot, window)


def test_quitting_with_badges_waiting_asks_first(qtbot, tmp_path, station_event,
                                                 station_config):
    window = away_window(qtbot, tmp_path, station_event, station_config)
    try:
        assert scan(qtbot, window, station_event.tokens["A1"]).kind == "ok"
        qtbot.waitUntil(lambda: window.station.print_state.queued == 1, timeout=30_000)
        window.close()
        qtbot.waitUntil(lambda: isinstance(window.dialog, QMessageBox), timeout=30_000)
        box = window.dialog
        assert window.isVisible()
        assert "Anja Müller" in box.text() and "have not printed" in box.windowTitle()
        show = next(b for b in box.buttons() if "Show the queue" in b.text())
        show.click()
        qtbot.waitUntil(lambda: window.dialog is not None
                        and window.dialog.objectName() == "printQueueDialog", timeout=30_000)
        window.dialog.reject()
        qtbot.waitUntil(lambda: window.dialog is None, timeout=30_000)
        window.close()
        qtbot.waitUntil(lambda: isinstance(window.dialog, QMessageBox), timeout=30_000)
        quit_anyway = next(b for b in window.dialog.buttons() if "Quit anyway" in b.text())
        quit_anyway.click()
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
        assert window.station.lanes["db"]._thread.isFinished()
    finally:
        close_window(qtbot, window)
