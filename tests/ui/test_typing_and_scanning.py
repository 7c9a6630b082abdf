"""Typing and scanning told apart by the keys' measured timing: a person typing at 80 ms a
key (with a fast typist's rolled-over letters) keeps every character and their Enter; a
scanner's burst (under 20 ms a key, Enter at the end) is a scan wherever it lands: a form,
a menu. A walk-in from a search offers the typed name as names are written."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from checkin.store import CHECKIN
from tests.ui.conftest import OFFSCREEN_NOISE
from tests.ui.test_scanner_in_dialogs import _focus
from tests.ui.test_station_flows import events, wait_outcome
from ui.scan_panel import scanner_run


def keys_at(widget, text: str, times: list[float]) -> None:
    """Key presses and releases with the window system's timestamps (ms)."""
    for ch, ms in zip(text, times, strict=True):
        key = Qt.Key(ord(ch.upper())) if ch.isascii() and ch.isalnum() else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch)
            event.setTimestamp(int(ms))
            QCoreApplication.sendEvent(widget, event)


def enter_at(widget, ms: float) -> None:
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r")
        event.setTimestamp(int(ms))
        QCoreApplication.sendEvent(widget, event)


def steady(start: float, step: float, count: int) -> list[float]:
    return [start + step * i for i in range(count)]


# a fast typist: 80 ms a key on average, with rolled-over pairs 20-30 ms apart
ROLLOVER = [0, 85, 110, 190, 215, 300, 325, 410, 490, 515, 600, 625, 705]


def test_scanner_run_by_measured_timing():
    assert scanner_run(steady(0, 4, 30), 125)  # a USB scanner
    assert scanner_run(steady(0, 15, 30), 460)  # a slow Bluetooth scanner
    assert not scanner_run(steady(0, 80, 12), 960)  # a person at 80 ms a key
    assert not scanner_run(ROLLOVER, 780)  # a fast typist's rolled-over letters
    assert not scanner_run(steady(0, 4, 30), 900)  # a burst, then a person's Enter
    assert not scanner_run(steady(0, 4, 3), 20)  # too short for a code
    assert not scanner_run([0, 4, 8, 12, 80, 84, 88], 92)  # a pause in the middle


@pytest.mark.parametrize("times", [steady(0, 80, 12), ROLLOVER[:12]],
                         ids=["80ms", "rollover"])
def test_typing_in_the_walk_in_form_is_kept(qtbot, main_window, station_event, times):
    """Typing at 80 ms a key (or faster, with rolled-over letters) then Enter: every
    letter stays, and Enter registers the walk-in."""
    window = main_window
    kept_out: list[str] = []
    window.scanInDialog.connect(kept_out.append)
    window.act_walk_in.trigger()
    dialog = window.dialog
    _focus(qtbot, dialog.given)
    keys_at(dialog.given, "Konstantinos", [1_000 + t for t in times])
    assert dialog.given.text() == "Konstantinos"
    _focus(qtbot, dialog.family)
    keys_at(dialog.family, "Papadopoulos", [5_000 + t for t in times])
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000) as done:
        enter_at(dialog.family, 5_000 + times[-1] + 120)
    assert done.args[0].kind == "created"
    assert done.args[0].attendee.display_name == "Konstantinos Papadopoulos"
    assert kept_out == []  # never taken for a scanner


def test_typing_in_the_edit_form_is_kept(qtbot, main_window, station_event):
    window = main_window
    wait_outcome(qtbot, window, lambda: window.station.describe("A5"))
    window.act_edit.trigger()
    dialog = window.dialog
    _focus(qtbot, dialog.organisation)
    dialog.organisation.selectAll()
    keys_at(dialog.organisation, "Karolinska Inst", [1_000 + 80 * i for i in range(15)])
    assert dialog.organisation.text() == "Karolinska Inst"
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000) as done:
        enter_at(dialog.organisation, 1_000 + 80 * 15)
    assert done.args[0].kind == "saved"
    assert done.args[0].attendee.organisation == "Karolinska Inst"


def test_a_15ms_scanner_burst_is_kept_out_of_the_form(qtbot, main_window, station_event):
    window = main_window
    window.act_walk_in.trigger()
    dialog = window.dialog
    _focus(qtbot, dialog.given)
    keys_at(dialog.given, "Zoe", steady(1_000, 90, 3))
    code = "PRETIX-SECRET-6"
    keys_at(dialog.given, code, steady(3_000, 15, len(code)))
    with qtbot.waitSignal(window.scanInDialog, timeout=30_000):
        enter_at(dialog.given, 3_000 + 15 * len(code))
    assert dialog.given.text() == "Zoe"
    assert window.dialog is dialog
    dialog.reject()


# the offscreen platform cannot raise a popup or grab the keyboard for it, and says so
# (one qt_log_ignore mark counts: the conftest's offscreen noise is repeated here)
POPUP_NOISE = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE,
                                        r"This plugin does not support raise\(\)",
                                        "This plugin does not support grabbing the keyboard")


@POPUP_NOISE
def test_a_scan_while_a_menu_is_open_is_scanned_and_said(qtbot, main_window, station_event):
    window = main_window
    menu = window.menu_desk
    menu.popup(window.mapToGlobal(QPoint(40, 40)))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu, timeout=30_000)
    code = "PRETIX-SECRET-6"  # "C", "E", ... would be menu letters
    keys_at(menu, code, steady(2_000, 5, len(code)))
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000) as done:
        enter_at(menu, 2_000 + 5 * len(code))
    assert done.args[0].kind == "ok" and done.args[0].attendee.id == "A6"
    assert QApplication.activePopupWidget() is None
    assert "menu was open" in window.statusBar().currentMessage()
    assert len(events(station_event.db_path, "A6", CHECKIN)) == 1


@POPUP_NOISE
def test_a_menu_letter_still_works(qtbot, main_window):
    """A person pressing a menu's letter: held a moment, then the menu gets it."""
    window = main_window
    menu = window.menu_view
    menu.popup(window.mapToGlobal(QPoint(40, 40)))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu, timeout=30_000)
    keys_at(menu, "a", [1_000])  # "&Attendee list"
    qtbot.waitUntil(lambda: window.tabs.currentIndex() == 1, timeout=30_000)
    assert QApplication.activePopupWidget() is None


def test_walk_in_from_a_search_offers_the_name_in_proper_case(qtbot, main_window,
                                                              station_event):
    window = main_window
    field = window.scan.field
    with qtbot.waitSignal(window.station.searched, timeout=30_000,
                          check_params_cb=lambda q, hits: q == "sofia rinaldi"):
        qtbot.keyClicks(field, "sofia rinaldi")
    qtbot.waitUntil(lambda: window.card.kind == "no_match", timeout=30_000)
    assert "No one found" in window.scan.hint.text()
    window.act_walk_in.trigger()
    dialog = window.dialog
    assert (dialog.given.text(), dialog.family.text()) == ("Sofia", "Rinaldi")
    out = wait_outcome(qtbot, window, dialog.accept)
    assert out.kind == "created" and out.attendee.display_name == "Sofia Rinaldi"
    assert "No one found" not in window.scan.hint.text()
    assert window.scan.hits() == [] and field.text() == ""
    assert window.card.kind == "created"
