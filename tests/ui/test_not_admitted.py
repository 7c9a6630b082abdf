"""When a code does not admit: the desk says what is most likely wrong and offers the way
on at once (a code that is not valid: the name search, field ready; not registered today:
admit anyway with a reason, which the log keeps with the operator)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from checkin.store import CHECKIN, SCAN_REFUSED
from tests.ui.test_station_flows import events, scan, wait_outcome


def refused(db_path) -> list:
    from checkin.db import open_db
    from checkin.store import Store

    store = Store(open_db(db_path))
    try:
        return store.events(None, types=(SCAN_REFUSED,))
    finally:
        store.db.conn.close()


def test_a_code_that_is_not_valid_offers_the_name_search(qtbot, main_window, station_event):
    window = main_window
    token = station_event.tokens["A1"]
    middle = len(token) - 30
    changed = token[:middle] + ("2" if token[middle] != "2" else "3") + token[middle + 1:]
    out = scan(qtbot, window, changed)  # one character changed: does not verify
    assert out.kind == "invalid_signature" and out.cause == "forged"
    card = window.card
    assert card.headline.text() == "CODE NOT VALID"
    assert "damaged" in card.detail.text() and "type the name" in card.detail.text()
    assert "FORGED" not in card.headline.text()
    # the way on: the field is empty and has the focus; the name finds the person
    field = window.scan.field
    assert field.text() == "" and field.hasFocus()
    with qtbot.waitSignal(window.station.searched, timeout=30_000,
                          check_params_cb=lambda q, hits: q == "muller"):
        qtbot.keyClicks(field, "muller")
    out = wait_outcome(qtbot, window, lambda: qtbot.keyClick(field, Qt.Key.Key_Down))
    assert out.kind == "found" and out.attendee.id == "A1"
    out = wait_outcome(qtbot, window, lambda: qtbot.keyClick(
        field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier))
    assert out.kind == "ok" and out.attendee.id == "A1"
    # the last character missing: incomplete, most likely a damaged printout
    out = scan(qtbot, window, token[:-1])
    assert out.kind == "invalid_signature" and out.cause == "damaged"
    assert "incomplete or unreadable" in window.card.detail.text()
    # the log keeps the two apart
    assert [e.payload["cause"] for e in refused(station_event.db_path)] == ["forged",
                                                                            "damaged"]


def test_not_registered_today_is_admitted_with_a_reason(qtbot, main_window, station_event):
    window = main_window
    out = scan(qtbot, window, station_event.tokens["A4"])
    assert out.kind == "not_registered_today"
    assert window.act_check_in.isEnabled()
    assert "Ctrl+Return" in window.card.detail.text()
    window.act_check_in.trigger()
    dialog = window.dialog
    assert dialog is not None and dialog.required
    assert dialog.person.text() == "Nagy Dora"  # whom it admits, before it does
    assert "not for today" in dialog.prompt.text()
    dialog.accept()  # a reason is needed
    assert window.dialog is dialog
    dialog.reason.setCurrentText("Day ticket sold at the desk")
    out = wait_outcome(qtbot, window, dialog.accept)
    assert out.kind == "ok" and out.attendee.id == "A4"
    admitted = events(station_event.db_path, "A4", CHECKIN)
    assert len(admitted) == 1
    assert admitted[0].payload["override_reason"] == "Day ticket sold at the desk"
    assert admitted[0].payload["not_registered_for_day"] is True
    assert admitted[0].operator == "Tess" and admitted[0].station == "Desk 1"
