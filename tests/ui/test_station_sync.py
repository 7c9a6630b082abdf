"""The station app with a real hub: background sync, the status bar, another desk's
admissions, conflicts on the card and the dashboard, closing the day, and a hub that goes
away while the desk keeps scanning."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from checkin.admission import OK, Engine
from checkin.config import StationConfig
from checkin.db import open_db
from checkin.store import Store
from checkin.sync import stations
from checkin.sync.client import sync_once
from tests.hub_server import HubProcess
from tests.test_admission_support import Setup, make_event
from tests.ui.conftest import close_window, open_window
from tests.ui.test_station_flows import scan
from ui.main_window import DASHBOARD

WAIT = 30_000


@dataclass
class Venue:
    hub: HubProcess
    event: Setup
    folder: Path

    def desk(self, run_cli, name: str) -> Path:
        """A desk registered at the hub, its database made by its first sync."""
        token = stations.add_station(self.event.store, name)
        path = self.folder / f"{name}.sqlite"
        result = run_cli("sync", "--hub", self.hub.url, "--token", token, db=path)
        assert result.exit_code == 0, result.output
        return path


@pytest.fixture
def venue(tmp_path: Path) -> Iterator[Venue]:
    event = make_event(tmp_path / "hub.sqlite")
    hub = HubProcess(event.path, tmp_path / "hub").start()
    try:
        yield Venue(hub, event, tmp_path)
    finally:
        hub.stop()
        event.store.close()


def desk_window(qtbot, path: Path, name: str, tmp_path: Path, config: StationConfig):
    return open_window(qtbot, path, replace(config, station=name),
                       tmp_path / f"{name}.toml")


def holds(path: Path, attendee_id: str, station: str) -> bool:
    """Whether the desk database at path holds station's admission of attendee_id."""
    store = Store(open_db(path))
    try:
        return any(e.station == station for e in store.events(attendee_id, types=("checkin",)))
    finally:
        store.close()


def sync_until(qtbot, window, condition) -> None:
    """Ask for a sync step until condition holds (a step may already be on its way)."""
    def check() -> bool:
        if condition():
            return True
        window.station.sync_now()
        return False
    qtbot.waitUntil(check, timeout=WAIT)


def test_desks_see_each_other_through_the_hub(qtbot, venue, run_cli, station_config,
                                              tmp_path):
    a_path = venue.desk(run_cli, "desk-A")
    b_path = venue.desk(run_cli, "desk-B")
    b = Store(open_db(b_path), station="desk-B", operator="bo")
    window = desk_window(qtbot, a_path, "desk-A", tmp_path, station_config)
    try:
        bar = window.status.sync_label
        qtbot.waitUntil(lambda: bar.text() == "Hub: connected · all synced", timeout=WAIT)
        # Desk B admits a1 and syncs: desk A answers "already checked in at desk-B".
        assert Engine(b, station="desk-B").scan(venue.event.token("a1")).verdict == OK
        sync_once(b, b_path)
        sync_until(qtbot, window, lambda: holds(a_path, "a1", "desk-B"))
        out = scan(qtbot, window, venue.event.token("a1"))
        assert out.kind == "already_checked_in" and out.previous.station == "desk-B"
        assert not out.conflict
        # Both admit a7 while apart: after syncing, the card at A flags the conflict.
        assert Engine(b, station="desk-B").scan(venue.event.token("a7")).verdict == OK
        out = scan(qtbot, window, venue.event.token("a7"))
        assert out.kind == "ok"
        sync_once(b, b_path)
        sync_until(qtbot, window, lambda: holds(a_path, "a7", "desk-B"))
        with qtbot.waitSignal(window.outcomeShown, timeout=WAIT) as shown:
            window.station.describe("a7")
        assert sorted(a.station for a in shown.args[0].conflict) == ["desk-A", "desk-B"]
        assert "CONFLICT: admitted at 2 desks" in window.card.detail.text()
        window.show_tab(DASHBOARD)
        qtbot.waitUntil(lambda: window.dashboard is not None
                        and "1 admitted at two desks" in window.dashboard.summary.text(),
                        timeout=WAIT)
        # Close the day: the hub acknowledges every event of this desk.
        with qtbot.waitSignal(window.station.dayClosed, timeout=WAIT) as closed:
            window.close_day()
        assert closed.args[0].all_synced and closed.args[0].events > 0
        assert window.banner.text().startswith("All synced:")
    finally:
        b.close()
        close_window(qtbot, window)


def test_a_hub_that_goes_away_never_stops_the_desk(qtbot, venue, run_cli, station_config,
                                                   tmp_path):
    a_path = venue.desk(run_cli, "desk-A")
    window = desk_window(qtbot, a_path, "desk-A", tmp_path, station_config)
    try:
        bar = window.status.sync_label
        qtbot.waitUntil(lambda: bar.text().startswith("Hub: connected"), timeout=WAIT)
        venue.hub.kill()
        sync_until(qtbot, window, lambda: bar.text().startswith("Hub: offline since"))
        # Scanning goes on at once, and the admissions wait in the outbox.
        for attendee_id in ("a1", "a4", "a7"):
            out = scan(qtbot, window, venue.event.token(attendee_id))
            assert out.kind == "ok", (out.input, venue.event.token(attendee_id), out.detail)
        # three admissions, and their badges as they print
        sync_until(qtbot, window, lambda: window.station.sync_status.waiting >= 3
                   and "events waiting" in bar.text())
        assert "unreachable" in bar.toolTip()
        with qtbot.waitSignal(window.station.dayClosed, timeout=WAIT) as closed:
            window.close_day()
        assert not closed.args[0].all_synced
        assert window.banner.text().startswith("NOT all synced: ")
        venue.hub.start()  # the same database and port: the desk's URL stays valid
        sync_until(qtbot, window, lambda: bar.text() == "Hub: connected · all synced")
        admitted = {e.attendee_id for e in venue.event.store.events(types=("checkin",))}
        assert {"a1", "a4", "a7"} <= admitted
    finally:
        close_window(qtbot, window)


def test_a_desk_is_paired_by_scanning_the_hubs_code(qtbot, venue, station_config, tmp_path):
    """The demo desk scans the pairing code: after a yes the window closes, app.main pairs
    the database (the demo set aside) and the reopened desk works on the hub's event."""
    from PySide6.QtWidgets import QMessageBox

    from checkin.sync.pairing import make
    from ui.app import pair_desk

    token = stations.add_station(venue.event.store, "desk-P")
    code = make(venue.hub.url, token, None)
    path = tmp_path / "desk.sqlite"  # nothing there: the station makes the demo event
    window = desk_window(qtbot, path, "desk-P", tmp_path, station_config)
    field = window.scan.field
    field.setText(code)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    box = window.dialog
    assert isinstance(box, QMessageBox) and venue.hub.url in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)
    assert window.pair_with is not None and window.pair_with.token == token
    close_window(qtbot, window)
    note = pair_desk(path, window.pair_with)
    assert note.startswith(f"Paired with the hub {venue.hub.url}: event Test Congress")
    assert "The demo event was kept as" in note
    assert list(tmp_path.glob("desk.demo-*.sqlite"))
    again = desk_window(qtbot, path, "desk-P", tmp_path, station_config)
    try:
        qtbot.waitUntil(lambda: again.status.sync_label.text().startswith("Hub: connected"),
                        timeout=WAIT)
        assert scan(qtbot, again, venue.event.token("a1")).kind == "ok"
    finally:
        close_window(qtbot, again)


def test_a_damaged_pairing_code_changes_nothing(qtbot, main_window):
    field = main_window.scan.field
    field.setText("CKHUB1:http://127.0.0.1:1,short")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert main_window.dialog is None and main_window.pair_with is None
    assert main_window.card.kind == "error" and "short" not in main_window.card.detail.text()
