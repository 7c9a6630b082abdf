"""The station's lock (ui/lock.py): on demand and when idle, a cover over the whole window
with nothing personal on it, no scans and no shortcuts behind it, open dialogs hidden;
unlocked only with the staff PIN, under the operator's name (a new name signs in). Kiosk
mode never locks. After the last day's final sync, Close the day offers the purge."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from checkin.db import open_db
from checkin.models import Attendee
from checkin.store import Store
from checkin.sync import stations
from tests.event_setup import signed_event
from tests.hub_server import HubProcess
from tests.ui.conftest import close_window, open_window
from tests.ui.test_station_modes import is_answer, type_and_enter

WAIT = 30_000
NAMES = ("Anja", "Müller", "anja@example.org", "Charité")


def show_anja(qtbot, window, token: str) -> None:
    with qtbot.waitSignal(window.outcomeShown, timeout=WAIT, check_params_cb=is_answer):
        type_and_enter(qtbot, window.scan.field, token)
    assert window.current is not None and window.current.attendee.id == "A1"


def lock(qtbot, window, where: QWidget | None = None) -> None:
    with qtbot.waitSignal(window.lockChanged, timeout=WAIT):
        qtbot.keyClick(where or window.scan.field, Qt.Key.Key_L,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.locked


def unlock(qtbot, window, name: str, pin: str = "2468") -> None:
    screen = window.lock_screen
    screen.operator.setText(name)
    with qtbot.waitSignal(window.lockChanged, timeout=WAIT):
        type_and_enter(qtbot, screen.pin_field, pin)
    assert not window.locked


def covered(window) -> bool:
    """Every point of the window belongs to the cover (nothing behind it shows)."""
    screen = window.lock_screen
    if not screen.isVisible() or screen.geometry() != window.rect():
        return False
    for x in range(2, window.width(), 37):
        for y in range(2, window.height(), 29):
            child = window.childAt(QPoint(x, y))
            if child is not screen and not screen.isAncestorOf(child):
                return False
    return True


def texts_on(widget: QWidget) -> str:
    labels = [w.text() for w in widget.findChildren(QLabel)]
    return " ".join([*labels, *(w.text() for w in widget.findChildren(QLineEdit))])


def test_locked_on_demand_nothing_personal_shows_and_nothing_acts(qtbot, main_window,
                                                                  station_event):
    window = main_window
    show_anja(qtbot, window, station_event.tokens["A1"])
    assert "Müller" in texts_on(window.card)  # the test can fail: a name is on screen
    lock(qtbot, window)
    assert covered(window)
    assert not any(name in texts_on(window.lock_screen) for name in NAMES)
    assert window.lock_screen.counts.text() == "0 of 4 checked in today"
    assert window.lock_screen.operator.text() == "Tess"
    assert window.lock_screen.pin_field.hasFocus()
    # Behind the cover nothing acts: no shortcut, no camera code, no scan.
    assert not window.act_check_in.isEnabled() and not window.act_edit.isEnabled()
    assert not window.act_attendees.isEnabled() and not window.menuBar().isEnabled()
    with qtbot.assertNotEmitted(window.station.outcome, wait=300):
        window._camera_code(station_event.tokens["A5"])
        window.act_check_in.trigger()
    window.close()  # nor does the window close (a quit warning would name people)
    assert window.isVisible() and window.locked

    # A wrong PIN (or a scanner's burst into the PIN field) keeps it locked.
    type_and_enter(qtbot, window.lock_screen.pin_field, "0000")
    assert window.locked and window.lock_screen.message.text() == "Wrong PIN"
    type_and_enter(qtbot, window.lock_screen.pin_field, station_event.tokens["A5"])
    assert window.locked and covered(window)

    # Uwe takes over: what he does is logged under his name.
    unlock(qtbot, window, "Uwe")
    assert window.config.operator == "Uwe" and not window.lock_screen.isVisible()
    assert window.act_undo.isEnabled() and window.menuBar().isEnabled()  # A1 is on the card
    assert window.scan.field.hasFocus()
    with qtbot.waitSignal(window.outcomeShown, timeout=WAIT, check_params_cb=is_answer):
        type_and_enter(qtbot, window.scan.field, station_event.tokens["A5"])
    store = Store(open_db(station_event.db_path))
    try:
        admitted = {e.attendee_id: (e.operator, e.station)
                    for e in store.events(types=("checkin",))}
        # A5's code, scanned by the camera and into the PIN field while locked: not taken
        assert admitted == {"A1": ("Tess", "Desk 1"), "A5": ("Uwe", "Desk 1")}
    finally:
        store.close()


def test_an_open_dialog_is_hidden_while_locked(qtbot, main_window, station_event):
    window = main_window
    show_anja(qtbot, window, station_event.tokens["A1"])
    window.act_edit.trigger()
    dialog = window.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT)
    lock(qtbot, window, dialog.focusWidget() or dialog)  # the shortcut works in the dialog
    assert not dialog.isVisible() and window.dialog is dialog  # hidden, not dismissed
    unlock(qtbot, window, "Tess")
    assert dialog.isVisible() and window.dialog is dialog


def test_the_station_locks_when_idle_but_never_in_kiosk_mode(qtbot, main_window):
    window = main_window
    window.idle.set_interval(300)  # what lock_minutes sets, in milliseconds
    qtbot.waitUntil(lambda: window.locked, timeout=WAIT)
    assert covered(window)
    unlock(qtbot, window, "Tess")
    window.act_kiosk.trigger()
    assert window.kiosk is not None and not window.idle.active
    window._idle()  # even if it fired: kiosk mode keeps scanning, it has its own PIN
    assert not window.locked
    window.kiosk._unlocked = True
    window.kiosk.close()
    assert window.idle.active  # back at the desk, the idle timer runs again


def test_without_a_pin_the_lock_asks_for_one_first(qtbot, station_event, station_config,
                                                   tmp_path):
    window = open_window(qtbot, station_event.db_path, replace(station_config, kiosk_pin=""),
                         tmp_path / "station.toml")
    try:
        assert "does not lock itself" in window.banner.text()
        window._idle()
        assert not window.locked  # nobody could unlock it
        window.act_lock.trigger()
        dialog = window.dialog
        assert dialog is not None and dialog.objectName() == "kioskPinDialog"
        assert "locked station" in dialog.intro.text()
        dialog.first.setText("1357")
        dialog.second.setText("1357")
        with qtbot.waitSignal(window.lockChanged, timeout=WAIT):
            dialog.accept()
        assert window.locked and window.config.kiosk_pin == "1357"
        assert "does not lock itself" not in window.banner.text()
        unlock(qtbot, window, "Tess", "1357")
    finally:
        close_window(qtbot, window)


def test_close_the_day_offers_the_purge_after_the_last_day(qtbot, run_cli, station_config,
                                                          tmp_path):
    today = date.today().isoformat()
    hub_path = tmp_path / "hub" / "event.sqlite"
    hub_path.parent.mkdir()
    signed_event(hub_path, [Attendee(id="A1", given_name="Anja", family_name="Müller",
                                     organisation="Charité", email="anja@example.org")],
                 [today])
    hub = HubProcess(hub_path, tmp_path / "hub").start()
    hub_store = Store(open_db(hub_path))
    window = None
    try:
        token = stations.add_station(hub_store, "desk-1")
        desk = tmp_path / "desk" / "desk-1.sqlite"
        desk.parent.mkdir()
        assert run_cli("sync", "--hub", hub.url, "--token", token, db=desk).exit_code == 0
        window = open_window(qtbot, desk, replace(station_config, station="desk-1"),
                             tmp_path / "station.toml")
        with qtbot.waitSignal(window.station.dayClosed, timeout=WAIT):
            window.act_close_day.trigger()
        box = window.dialog
        assert box is not None and box.objectName() == "purgeOffer"
        [remove] = [b for b in box.buttons() if "Remove" in b.text()]
        with qtbot.waitSignal(window.station.purged, timeout=WAIT) as done:
            remove.click()
        assert done.args[0].attendees == 1
        assert "removed from this desk: 1 attendees" in window.banner.text()
        for path in desk.parent.iterdir():
            data = path.read_bytes()
            assert b"M\xc3\xbcller" not in data and b"anja@" not in data, path.name
        assert hub_store.attendee_count() == 1  # the hub keeps everything
    finally:
        if window is not None:
            close_window(qtbot, window)
        hub.stop()
        hub_store.close()
