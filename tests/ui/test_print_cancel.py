"""A badge stuck "printing" (a CUPS job that never completes) is cancelled from the desk
(Ctrl+Shift+X, Desk menu), at the printer too, and F5 then prints it again."""

from __future__ import annotations

from dataclasses import replace

from checkin.printing.backend import READY, PrinterState
from checkin.store import BADGE_PRINTED
from tests.ui.conftest import close_window, open_window
from tests.ui.test_station_flows import events, scan


class StuckPrinter:
    """A spooler that takes jobs and never finishes them (a CUPS queue whose printer
    hangs); the real CUPS needs root and a spooler, so this stands in for it."""

    name = "cups"
    printer = "front-desk"

    def __init__(self) -> None:
        self.cancelled: list[str] = []

    def status(self) -> PrinterState:
        return PrinterState(READY)

    def submit(self, pdf: bytes, title: str) -> str:
        return "front-desk-7"

    def job_done(self, backend_job_id: str) -> bool | None:
        return None if backend_job_id not in self.cancelled else False


class CancellableStuckPrinter(StuckPrinter):
    def cancel_job(self, backend_job_id: str) -> None:
        self.cancelled.append(backend_job_id)


def _stuck_window(qtbot, tmp_path, station_event, station_config, printer):
    window = open_window(qtbot, station_event.db_path,
                         replace(station_config, printer_backend="cups", printer="front-desk"),
                         tmp_path / "station.toml")

    def install(ctx) -> None:
        ctx._backend = printer
    with qtbot.waitSignal(window.station.printStateChanged, timeout=20_000):
        window.station.lanes["print"].submit(install, name="test-printer")
        window.station.refresh_print_queue(force=True)
    assert scan(qtbot, window, station_event.tokens["A1"]).kind == "ok"
    qtbot.waitUntil(lambda: window.station.print_state.printing == 1, timeout=20_000)
    return window


def test_stuck_badge_is_cancelled_then_reprinted(qtbot, tmp_path, station_event,
                                                  station_config):
    printer = CancellableStuckPrinter()
    window = _stuck_window(qtbot, tmp_path, station_event, station_config, printer)
    try:
        window.act_print.trigger()  # F5: no second job while the first is "printing"
        assert window.dialog is None
        assert "Ctrl+Shift+X" in window.statusBar().currentMessage()
        assert window.act_cancel_print in window.menu_desk.actions()
        with qtbot.waitSignal(window.station.printCancelled, timeout=20_000) as blocker:
            window.act_cancel_print.trigger()
        assert blocker.args == ["A1", 1]
        assert printer.cancelled == ["front-desk-7"]  # cancelled at the printer too
        qtbot.waitUntil(lambda: window.station.print_state.printing == 0, timeout=30_000)
        assert window.station.print_state.queued == 0
        assert "cancelled" in window.card.detail.text()
        assert "printed" not in window.card.detail.text().replace("F5 prints", "")
        assert events(station_event.db_path, "A1", BADGE_PRINTED) == []
        # another printer, then F5: printed at once (nothing printed yet: no reason asked)
        window.apply_config(replace(station_config))
        window.act_print.trigger()
        assert window.dialog is None
        qtbot.waitUntil(lambda: window.station.print_state.done == 1, timeout=30_000)
        assert len(events(station_event.db_path, "A1", BADGE_PRINTED)) == 1
        qtbot.waitUntil(lambda: "Badge printed." in window.card.detail.text(), timeout=30_000)
    finally:
        close_window(qtbot, window)


def test_stuck_badge_at_a_printer_that_cannot_cancel_says_so(qtbot, tmp_path, station_event,
                                                            station_config):
    window = _stuck_window(qtbot, tmp_path, station_event, station_config, StuckPrinter())
    try:
        with qtbot.waitSignal(window.station.printFailed, timeout=20_000) as blocker:
            window.act_cancel_print.trigger()
        assert "cancel it there" in blocker.args[0]
        assert "cancel it there" in window.statusBar().currentMessage()
        assert window.station.print_state.printing == 1  # nothing pretended
    finally:
        close_window(qtbot, window)


def test_cancel_with_nothing_waiting_says_so(qtbot, main_window, station_event):
    window = main_window
    window.config.auto_print = False
    window.station.config.auto_print = False
    assert scan(qtbot, window, station_event.tokens["A3"]).kind == "ok"
    window.act_cancel_print.trigger()
    assert "No badge" in window.statusBar().currentMessage()
