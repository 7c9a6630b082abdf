"""Who an action is for: every action (Ctrl+Return, Ctrl+Z, F5, F2, Ctrl+Shift+X) acts on
exactly the person the screen shows as selected, every dialog names that person before it
changes anything, and an edit reprints the badge only when something printed changed."""

from __future__ import annotations

from PySide6.QtCore import Qt

from checkin.store import BADGE_PRINTED, CHECKIN, UNDO
from tests.ui.test_station_flows import events, scan, wait_outcome, wait_printed


def type_name(qtbot, window, text: str) -> None:
    """Type a name into the scan field (replacing what is selected) and wait for its list."""
    field = window.scan.field
    field.selectAll()
    with qtbot.waitSignal(window.station.searched, timeout=30_000,
                          check_params_cb=lambda q, hits: q == text):
        qtbot.keyClicks(field, text)


def test_typing_a_name_deselects_the_last_card(qtbot, main_window, station_event):
    """After a welcome, a typed name puts the list in charge: F5, Ctrl+Z, F2 and
    Ctrl+Return do nothing to the person from before while the list shows others."""
    window = main_window
    assert scan(qtbot, window, station_event.tokens["A1"]).kind == "ok"
    wait_printed(qtbot, window)
    done = window.station.print_state.done
    type_name(qtbot, window, "lindq")
    qtbot.waitUntil(lambda: window.card.kind == "matches", timeout=30_000)
    assert window.card.attendee is None and window.current is None
    assert "lindq" in window.card.detail.text()
    for action in (window.act_print, window.act_undo, window.act_edit, window.act_check_in,
                   window.act_cancel_print):
        assert not action.isEnabled()
    # the keys themselves, from the scan field
    for key, modifier in ((Qt.Key.Key_F5, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier),
                          (Qt.Key.Key_F2, Qt.KeyboardModifier.NoModifier)):
        qtbot.keyClick(window.scan.field, key, modifier)
        assert window.dialog is None
        assert window.scan.field.text() == "lindq"  # Ctrl+Z does not undo the typing either
    # ↓ chooses Eva: the card shows her, and F5 prints HER badge
    out = wait_outcome(qtbot, window, lambda: qtbot.keyClick(window.scan.field,
                                                            Qt.Key.Key_Down))
    assert out.kind == "found" and out.attendee.id == "A5"
    window.act_print.trigger()
    wait_printed(qtbot, window, done + 1)
    assert len(events(station_event.db_path, "A5", BADGE_PRINTED)) == 1
    assert len(events(station_event.db_path, "A1", BADGE_PRINTED)) == 1  # not a second one
    assert events(station_event.db_path, "A1", UNDO) == []


def test_an_action_right_after_choosing_waits_for_that_card(qtbot, main_window,
                                                            station_event):
    """↓ then Ctrl+Return at once: the card of the chosen person is still on its way, and
    the check-in is for her, not for the card still showing."""
    window = main_window
    assert scan(qtbot, window, station_event.tokens["A6"]).kind == "ok"
    type_name(qtbot, window, "lindq")
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000,
                          check_params_cb=lambda o: o.kind == "ok"):
        qtbot.keyClick(window.scan.field, Qt.Key.Key_Down)
        qtbot.keyClick(window.scan.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.current.attendee.id == "A5"
    assert events(station_event.db_path, "A5", CHECKIN)
    assert len(events(station_event.db_path, "A6", CHECKIN)) == 1


def test_dialogs_name_the_person(qtbot, main_window, station_event):
    window = main_window
    assert scan(qtbot, window, station_event.tokens["A1"]).kind == "ok"
    wait_printed(qtbot, window)
    wait_outcome(qtbot, window, lambda: window.station.describe("A1"))
    expected = "Dr. Anja Müller, Charité Berlin"
    for action in (window.act_print, window.act_undo, window.act_edit):
        action.trigger()
        dialog = window.dialog
        assert dialog is not None
        assert dialog.person.isVisible() and dialog.person.text() == expected
        assert expected in dialog.windowTitle()
        dialog.reject()
        qtbot.waitUntil(lambda: window.dialog is None, timeout=30_000)


def test_edit_without_a_printed_change_prints_no_badge(qtbot, main_window, station_event):
    """F2, then Save with nothing changed (or only the e-mail): no second badge, and the
    card says why."""
    window = main_window
    assert scan(qtbot, window, station_event.tokens["A1"]).kind == "ok"
    wait_printed(qtbot, window)
    wait_outcome(qtbot, window, lambda: window.station.describe("A1"))
    window.act_edit.trigger()
    dialog = window.dialog
    assert not dialog.reprint.isChecked() and not dialog.reprint.isEnabled()
    assert dialog.badge_note.isVisible()
    dialog.email.setText("anja.mueller@example.org")  # not on the badge
    assert not dialog.reprint.isEnabled()
    out = wait_outcome(qtbot, window, dialog.accept)
    assert out.kind == "saved" and out.badge_changes == [] and not out.printing
    assert "Nothing printed on the badge changed" in window.card.detail.text()
    # the print lane had its chance: still one badge
    with qtbot.waitSignal(window.station.printStateChanged, timeout=30_000):
        window.station.refresh_print_queue(force=True)
    assert len(events(station_event.db_path, "A1", BADGE_PRINTED)) == 1
    # the organisation changes, the reprint is unticked by hand: the card says the
    # printed badge is out of date
    window.act_edit.trigger()
    dialog = window.dialog
    dialog.organisation.setText("Charité – Universitätsmedizin Berlin")
    assert dialog.reprint.isChecked()
    dialog.reprint.click()
    out = wait_outcome(qtbot, window, dialog.accept)
    assert out.badge_changes == ["organisation"]
    assert "still shows the old details" in window.card.detail.text()
    # and a reprint with the change: the card follows it to "printed"
    window.act_edit.trigger()
    dialog = window.dialog
    dialog.title_edit.setText("Prof.")
    out = wait_outcome(qtbot, window, dialog.accept)
    assert out.printing
    wait_printed(qtbot, window, 2)
    qtbot.waitUntil(lambda: "Badge printed." in window.card.detail.text(), timeout=30_000)
    printed = events(station_event.db_path, "A1", BADGE_PRINTED)
    assert len(printed) == 2 and printed[1].payload.get("reprint")


def test_the_card_notes_follow_a_language_switch(qtbot, main_window, station_event):
    """'Badge printed.' in German, then English again: the card's note in English."""
    window = main_window
    assert scan(qtbot, window, station_event.tokens["A1"]).kind == "ok"
    qtbot.waitUntil(lambda: "Badge printed." in window.card.detail.text(), timeout=30_000)
    window.set_language("de", save=False)
    qtbot.waitUntil(lambda: "Namensschild gedruckt." in window.card.detail.text(),
                    timeout=30_000)
    window.set_language("en", save=False)
    qtbot.waitUntil(lambda: "Badge printed." in window.card.detail.text(), timeout=30_000)
    assert "Namensschild" not in window.card.detail.text()
