"""pretix in the station app, against the session's real pretix: the settings' pretix section
tests, connects and pulls on the network lane; the status bar shows the state; a desk
connected to pretix pushes its admissions a moment after it makes them.

Positions used here: paid_positions()[24:27] (see tests/test_pretix_hub.py)."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from checkin.config import StationConfig
from checkin.db import open_db
from checkin.desk import DbContext
from checkin.pretix.connection import token_path
from checkin.pretix.cycle import PretixState
from checkin.store import Store
from tests.pretix_server import PretixServer
from tests.test_pretix_pull import connected_store, paid_positions, positions_on_list
from tests.test_pretix_push import checkins_in_pretix
from tests.ui.conftest import close_window, open_window
from tests.ui.test_station_flows import scan
from ui.pretix_service import PretixService
from ui.settings_dialog import SettingsDialog
from ui.status_bar import StationStatusBar
from ui.workers import Lane

WAIT = 30_000


def _answer(qtbot, panel, click) -> tuple[str, bool]:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(panel.answered, timeout=WAIT) as blocker:
        click()
    return blocker.args[0], blocker.args[1]


def _stored(path: Path) -> int:
    store = Store(open_db(path))
    try:
        return int(store.db.execute("SELECT count(*) FROM pretix_connection").fetchone()[0])
    finally:
        store.close()


@pytest.mark.pretix
def test_settings_test_connect_and_pull_now(qtbot, pretix_server: PretixServer,
                                            tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "desk.sqlite"
    lane = Lane("net", lambda: DbContext(path, "Desk 1", "Tess"))
    service = PretixService(lane, path)
    bar = StationStatusBar()
    qtbot.addWidget(bar)
    bar.show()
    service.stateChanged.connect(bar.set_pretix)
    dialog = SettingsDialog(StationConfig(), cameras=[], layouts=lambda: [], lpstat=None,
                            pretix=service)
    qtbot.addWidget(dialog)
    panel = dialog.pretix
    assert panel is not None
    try:
        assert not panel.pull_button.isEnabled()  # nothing connected yet
        panel.url.setText(pretix_server.url)
        panel.organizer.setText(pretix_server.organizer)
        panel.event_slug.setText(pretix_server.event)
        panel.list_id.setText(str(pretix_server.list_id))

        # A wrong token, a wrong list: one line each, nothing stored.
        panel.token.setText("not-the-token")
        text, good = _answer(qtbot, panel, panel.connect_button.click)
        assert not good and "refused the API token" in text
        panel.token.setText(pretix_server.token)
        panel.list_id.setText("999")
        text, good = _answer(qtbot, panel, panel.test_button.click)
        assert not good and "no check-in list 999" in text
        assert not token_path(path).exists()

        # Test: pretix's names for the event and the list; still nothing stored.
        panel.list_id.setText(str(pretix_server.list_id))
        text, good = _answer(qtbot, panel, panel.test_button.click)
        assert good and "Personalised Medicine Congress" in text and "Nothing stored" in text
        assert _stored(path) == 0 and not panel.pull_button.isEnabled()

        # Connect: stored (the token in its own 0600 file), the field emptied.
        text, good = _answer(qtbot, panel, panel.connect_button.click)
        assert good and text.startswith("Connected:"), text
        assert _stored(path) == 1 and panel.token.text() == ""
        assert os.stat(token_path(path)).st_mode & 0o777 == 0o600
        assert panel.pull_button.isEnabled()
        qtbot.waitUntil(lambda: bar.pretix_label.isVisible(), timeout=WAIT)
        assert "not pulled yet" in bar.pretix_label.text()

        # Pull now: the attendees arrive; the status bar says when.
        text, good = _answer(qtbot, panel, panel.pull_button.click)
        listed = len(positions_on_list(pretix_server))
        assert good and text.startswith("Pulled: "), text
        store = Store(open_db(path))
        try:
            assert store.attendee_count() >= listed
        finally:
            store.close()
        qtbot.waitUntil(lambda: "pulled " in bar.pretix_label.text(), timeout=WAIT)
        assert bar.pretix_label.text().startswith("pretix · pulled ")

        # Opened again, the form shows the stored connection (never the token).
        again = SettingsDialog(StationConfig(), cameras=[], layouts=lambda: [], lpstat=None,
                               pretix=service)
        qtbot.addWidget(again)
        assert again.pretix is not None
        qtbot.waitUntil(lambda: again.pretix.list_id.text() == str(pretix_server.list_id),
                        timeout=WAIT)
        assert again.pretix.url.text() == pretix_server.url and again.pretix.token.text() == ""
        # Connecting again without typing the token keeps the stored one.
        text, good = _answer(qtbot, again.pretix, again.pretix.connect_button.click)
        assert good, text
        again.done(QDialog.DialogCode.Rejected)
    finally:
        dialog.done(QDialog.DialogCode.Rejected)
        service.stop()
        lane.stop()


@pytest.mark.pretix
def test_a_desk_connected_to_pretix_pushes_its_admissions_by_itself(
        qtbot, pretix_server: PretixServer, station_config: StationConfig,
        tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from checkin.pretix import pull

    path = tmp_path / "desk.sqlite"
    store = connected_store(pretix_server, path)
    pull(store, path)
    store.close()
    position = paid_positions(pretix_server)[24]
    window = open_window(qtbot, path, replace(station_config, station="Desk 7"),
                         tmp_path / "station.toml")
    try:
        label = window.status.pretix_label
        qtbot.waitUntil(lambda: label.text().startswith("pretix · pulled "), timeout=WAIT)
        out = scan(qtbot, window, position["secret"])
        assert out.kind == "ok"
        deadline = time.monotonic() + WAIT / 1000
        while not checkins_in_pretix(pretix_server, position):
            assert time.monotonic() < deadline, "the admission did not reach pretix"
            qtbot.wait(200)  # the net lane pushes a moment after the admission
        assert len(checkins_in_pretix(pretix_server, position)) == 1
        qtbot.waitUntil(lambda: "all sent" in label.text(), timeout=WAIT)
    finally:
        close_window(qtbot, window)


def test_the_status_bar_says_how_pretix_stands(qtbot) -> None:  # type: ignore[no-untyped-def]
    bar = StationStatusBar()
    qtbot.addWidget(bar)
    bar.show()
    assert not bar.pretix_label.isVisible()  # no pretix anywhere: nothing shown
    bar.set_pretix(PretixState(connected=True))
    assert bar.pretix_label.text() == "pretix · connected, not pulled yet"
    state = PretixState(connected=True, last_pull="2026-12-01T09:12:00+01:00",
                        last_push="2026-12-01T09:13:00+01:00", waiting=3, accepted=40,
                        refused=1, error="push stopped: pretix at https://p is unavailable")
    bar.set_pretix(state, via_hub=True)
    assert bar.pretix_label.text() == ("pretix via hub · error · pulled 09:12 · "
                                       "3 admissions waiting · 1 refused")
    assert bar.pretix_label.toolTip() == state.error
    bar.set_pretix(replace(state, waiting=0, error="", refused=0))
    assert bar.pretix_label.text() == "pretix · pulled 09:12 · all sent"
    assert bar.pretix_label.toolTip() == ""
    bar.set_pretix(None)
    assert not bar.pretix_label.isVisible()


@pytest.mark.pretix
def test_a_desk_of_a_pretix_hub_shows_the_hubs_pretix_and_its_final_push(
        qtbot, pretix_server: PretixServer, station_config: StationConfig, tmp_path: Path,
        run_cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from tests.test_pretix_hub import pretix_hub, wait_for

    position = paid_positions(pretix_server)[25]
    with pretix_hub(pretix_server, tmp_path, monkeypatch) as venue:
        wait_for(lambda: venue.store.attendee_count() >= len(positions_on_list(pretix_server)))
        desk = venue.desk(run_cli, "desk-P")
        path = desk.path
        desk.close()
        window = open_window(qtbot, path, replace(station_config, station="desk-P"),
                             tmp_path / "station.toml")
        try:
            label = window.status.pretix_label
            qtbot.waitUntil(lambda: label.text().startswith("pretix via hub · pulled "),
                            timeout=WAIT)
            assert scan(qtbot, window, position["secret"]).kind == "ok"
            with qtbot.waitSignal(window.station.dayClosed, timeout=WAIT) as closed:
                window.close_day()
            final = closed.args[0].pretix_final
            assert final is not None and final.waiting == 0 and final.accepted >= 1
            # The desk never talked to pretix: the hub pushed it, at the latest at the close.
            assert len(checkins_in_pretix(pretix_server, position)) == 1
            assert "pretix: " in window.banner.text() and " 0 waiting" in window.banner.text()
        finally:
            close_window(qtbot, window)
