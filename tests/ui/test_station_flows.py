"""The desk flows, driven through the real widgets: scanner keystrokes, search, actions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.db import open_db
from checkin.store import BADGE_PRINTED, CHECKIN, UNDO, Store
from tests.db_faults import refuse_inserts
from tests.ui.conftest import TODAY


def scan(qtbot, window, text: str):
    """Type text into the scan field like a handheld scanner (keystrokes, then Enter)."""
    field = window.scan.field
    assert field.hasFocus() or not window.isActiveWindow()
    field.selectAll()
    qtbot.keyClicks(field, text)
    # The answer to this scan, not a late preview of a type-ahead result for the first
    # characters typed (under load one can arrive after Return was pressed).
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000,
                          check_params_cb=lambda out: out.kind != "found") as blocker:
        qtbot.keyClick(field, Qt.Key.Key_Return)
    return blocker.args[0]


def wait_outcome(qtbot, window, trigger, *, preview: bool | None = None):
    """The next outcome trigger causes; with preview=True only a preview of a person
    ("found"), with preview=False only an answer of another kind (after typed text, a late
    preview of a type-ahead result is not the answer to Enter)."""
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000,
                          check_params_cb=lambda out: preview is None
                          or (out.kind == "found") == preview) as blocker:
        trigger()
    return blocker.args[0]


def answer_to_enter(qtbot, window, field):
    """Press Enter in field; the answer (not a late preview of a type-ahead result)."""
    return wait_outcome(qtbot, window, lambda: qtbot.keyClick(field, Qt.Key.Key_Return),
                        preview=False)


def wait_printed(qtbot, window, count: int = 1) -> None:
    qtbot.waitUntil(lambda: window.station.print_state.done >= count, timeout=30_000)


def events(db_path, attendee_id: str, kind: str):
    store = Store(open_db(db_path))
    try:
        return store.events(attendee_id, types=(kind,))
    finally:
        store.db.conn.close()


def test_scan_ok_then_already(qtbot, main_window, station_event):
    window = main_window
    out = scan(qtbot, window, station_event.tokens["A1"])
    assert out.kind == "ok"
    assert window.card.kind == "ok"
    assert "Müller" in window.card.name.text()
    assert window.card.headline.text().startswith("WELCOME")
    assert window.scan.field.hasFocus()
    # auto-print on the first admission: the badge goes through the print lane
    wait_printed(qtbot, window)
    assert list((station_event.db_path.parent / "printed").glob("*.pdf"))
    qtbot.waitUntil(lambda: "Badge printed." in window.card.detail.text(), timeout=30_000)
    assert len(events(station_event.db_path, "A1", BADGE_PRINTED)) == 1
    # from another desk the same person is "already checked in", with when and where
    window.station.apply_config(
        type(window.config)(**{**window.config.__dict__, "station": "Desk 2"}))
    out = scan(qtbot, window, station_event.tokens["A1"])
    assert out.kind == "already_checked_in"
    assert window.card.kind == "already_checked_in"
    assert "Desk 1" in window.card.detail.text()
    assert len(events(station_event.db_path, "A1", CHECKIN)) == 1


def test_forged_cancelled_unknown(qtbot, main_window, station_event):
    window = main_window
    assert scan(qtbot, window, station_event.forged).kind == "invalid_signature"
    assert window.card.kind == "invalid_signature"
    assert window.card.headline.text() == "CODE NOT VALID"
    assert scan(qtbot, window, station_event.tokens["A2"]).kind == "cancelled"
    assert window.card.kind == "cancelled"
    assert not window.act_check_in.isEnabled()
    assert scan(qtbot, window, station_event.tokens["A4"]).kind == "not_registered_today"
    assert window.act_check_in.isEnabled()  # admits with a reason (test_not_admitted.py)
    assert window.act_edit.isEnabled() and window.act_print.isEnabled()
    assert scan(qtbot, window, "ZZ9-PLURAL-Z-ALPHA").kind == "unknown"
    assert events(station_event.db_path, "A2", CHECKIN) == []
    assert "stop" in window.sounds.played and "warn" in window.sounds.played


def test_upstream_code_and_vip_notes(qtbot, main_window, station_event):
    out = scan(qtbot, main_window, "PRETIX-SECRET-6")
    assert out.kind == "ok" and out.attendee.id == "A6"
    out = scan(qtbot, main_window, station_event.tokens["A5"])
    assert out.kind == "ok"
    # one VIP label, not "VIP" and "★ VIP"
    card = main_window.card
    assert card.role.isVisible() and card.role.text() == "★ VIP"
    assert not card.vip.isVisible()
    assert "Wheelchair" in card.notes.text()
    # a VIP flag on another role: the role and the flag
    from checkin.models import Attendee

    card.show_state("ok", Attendee(id="V2", given_name="Ana", role="speaker",
                                   extra={"vip": True}))
    assert card.role.text() == "Speaker" and card.vip.text() == "★ VIP"


def test_card_keeps_right_to_left_text_in_its_column(main_window):
    """An Arabic organisation stays under the name (Qt would align RTL text right)."""
    from checkin.models import Attendee

    card = main_window.card
    card.show_state("ok", Attendee(id="X9", given_name="محمد", family_name="الحداد",
                                   organisation="جامعة القاهرة", country="EG"))
    label = card.organisation
    assert label.text() == "جامعة القاهرة"
    image = label.grab().toImage()
    # the card's text is white: where does the drawn text begin?
    inked = [x for x in range(image.width()) for y in range(0, image.height(), 2)
             if image.pixelColor(x, y).lightness() > 200]
    assert inked and min(inked) < image.width() // 3, (min(inked), image.width())


def test_scanner_firing_on_the_attendee_list_scans_at_the_desk(qtbot, main_window,
                                                               station_event):
    """The operator looks something up in the attendee list; the next delegate's code is
    scanned: it is admitted at the desk, and the list's find field keeps its text."""
    window = main_window
    window.act_attendees.trigger()
    qtbot.waitUntil(lambda: window.attendees is not None, timeout=30_000)
    find = window.attendees.search
    find.setFocus()
    qtbot.waitUntil(find.hasFocus, timeout=30_000)
    ms = type_keys(find, "Lind", 1_000, 160)  # a person types: a filter
    assert find.text() == "Lind"
    type_keys(find, station_event.tokens["A6"], ms + 2_000, 4)  # the scanner
    out = answer_to_enter(qtbot, window, find)
    assert out.kind == "ok" and out.attendee.id == "A6"
    assert window.tabs.currentIndex() == 0 and window.card.kind == "ok"
    assert find.text() == "Lind"
    qtbot.waitUntil(window.scan.field.hasFocus, timeout=30_000)


def test_scanner_ending_with_tab(qtbot, main_window, station_event):
    """A scanner set up for web forms sends Tab after the code, not Enter."""
    window = main_window
    field = window.scan.field
    field.selectAll()
    qtbot.keyClicks(field, station_event.tokens["A5"])
    out = wait_outcome(qtbot, window, lambda: qtbot.keyClick(field, Qt.Key.Key_Tab), preview=False)
    assert out.kind == "ok" and out.attendee.id == "A5"
    assert field.hasFocus() and field.hasSelectedText()
    # Tab on a chosen search result does not check that person in (Enter does)
    with qtbot.waitSignal(window.station.searched, timeout=20_000,
                          check_params_cb=lambda q, hits: q == "muller"):
        qtbot.keyClicks(field, "muller")
    out = wait_outcome(qtbot, window, lambda: qtbot.keyClick(field, Qt.Key.Key_Down), preview=True)
    assert out.kind == "found" and out.attendee.id == "A1"
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    # the db lane runs in order: a check-in the Tab asked for would be done before this
    out = wait_outcome(qtbot, window, lambda: window.station.describe("A1"), preview=True)
    assert not out.checked_in and events(station_event.db_path, "A1", CHECKIN) == []


def test_a_slow_answer_says_one_moment(qtbot, main_window, station_event):
    """Another program holds the database's write lock: the scan waits for it (busy
    timeout), and meanwhile the card says so instead of showing the last person."""
    window = main_window
    blocker = keyed_connect(station_event.db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        field = window.scan.field
        field.selectAll()
        qtbot.keyClicks(field, station_event.tokens["A1"])
        with qtbot.waitSignal(window.outcomeShown, timeout=30_000,
                              check_params_cb=lambda out: out.kind != "found") as answer:
            qtbot.keyClick(field, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: window.card.kind == "waiting", timeout=30_000)
            assert "do not scan again" in window.card.detail.text()
            blocker.execute("ROLLBACK")  # the other program is done: the scan goes through
        assert answer.args[0].kind == "ok" and window.card.kind == "ok"
    finally:
        if blocker.in_transaction:
            blocker.execute("ROLLBACK")
        blocker.close()


def test_a_failed_admission_says_not_checked_in(qtbot, main_window, station_event):
    """The write that admits fails (here a trigger refuses it, as a full disk would): the
    card says NOT CHECKED IN, never a welcome, and nothing is in the log."""
    refuse_inserts(station_event.db_path, "events", "refused for the test")
    out = scan(qtbot, main_window, station_event.tokens["A1"])
    assert out.kind == "error"
    assert main_window.card.kind == "not_admitted"
    assert main_window.card.headline.text().startswith("NOT CHECKED IN")
    assert "refused for the test" in main_window.card.detail.text()
    assert events(station_event.db_path, "A1", CHECKIN) == []


def test_card_fits_long_names_and_notes(qtbot, main_window):
    """A long title + name, a long organisation and a long note shrink to fit: every
    line is drawn whole, nothing overlaps its neighbour (they were cut off and overlapped)."""
    from checkin.models import Attendee

    card = main_window.card
    card.show_state("ok", Attendee(
        id="L1", given_name="Maria Guadalupe Esperanza",
        family_name="Fernández de Córdoba y Montenegro-Villanueva",
        title="Prof. Dr. med. Dr. h.c. mult.", country="DE", role="speaker",
        organisation="Universitätsklinikum Schleswig-Holstein, Campus Kiel, Klinik für "
                     "Innere Medizin II mit den Schwerpunkten Hämatologie und Onkologie",
        notes="Needs a wheelchair-accessible seat in row 1; vegetarian lunch; allergic to "
              "nuts; leaves early on day 2 for the flight; interview at 14:00 in room B. " * 2))
    labels = [card.name, card.organisation, card.country, card.role, card.notes]

    def laid_out() -> bool:
        return all(label.isVisible() and label.height() > 0 for label in labels)

    qtbot.waitUntil(laid_out, timeout=30_000)
    qtbot.waitUntil(lambda: all(label.heightForWidth(label.width()) <= label.height() + 2
                                for label in (card.name, card.organisation, card.notes)),
                    timeout=30_000)
    tops = [label.geometry().top() for label in labels]
    bottoms = [label.geometry().bottom() for label in labels]
    assert all(bottoms[i] < tops[i + 1] for i in range(len(labels) - 1))
    assert card.name.font().pointSizeF() < 40 * card.scale  # shrunk, as a short name is not
    long_note = "Allergic to nuts and shellfish; needs a quiet room. " * 30
    card.show_state("ok", Attendee(id="N1", given_name="Eva", family_name="Lind",
                                   notes=long_note))
    qtbot.waitUntil(lambda: card.notes.height() > 0
                    and card.notes.heightForWidth(card.notes.width()) <= card.notes.height() + 2,
                    timeout=30_000)
    assert card.notes.text().endswith("…") and card.notes.toolTip().endswith(long_note)
    card.show_state("ok", Attendee(id="S1", given_name="Eva", family_name="Lind"))
    assert card.name.font().pointSizeF() == pytest.approx(40 * card.scale)


def test_typed_name_searches_and_checks_in(qtbot, main_window, station_event):
    window = main_window
    field = window.scan.field
    with qtbot.waitSignal(window.station.searched, timeout=20_000,
                          check_params_cb=lambda q, hits: q == "lindq"):
        qtbot.keyClicks(field, "lindq")
    assert [h.attendee.id for h in window.scan.hits()] == ["A5"]
    # Enter on a name: malformed as a code, so it stays a search with the person chosen
    out = scan(qtbot, window, "")  # Enter on the typed text
    assert out.kind == "malformed"
    assert window.scan.current_hit().attendee.id == "A5"
    # Down + Enter checks in the chosen person
    qtbot.keyClick(field, Qt.Key.Key_Down)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.card.kind == "ok", timeout=20_000)
    assert window.current.attendee.id == "A5"
    assert events(station_event.db_path, "A5", CHECKIN)


def type_keys(field, text: str, start_ms: int, step_ms: int) -> int:
    """Key presses with the window system's timestamps: a person (~150 ms a key) or a
    handheld scanner (a few ms a key). Returns the time after the last key."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtGui import QKeyEvent

    ms = start_ms
    for ch in text:
        key = Qt.Key(ord(ch.upper())) if ch.isascii() and ch.isalnum() else Qt.Key.Key_unknown
        if ch.isupper():  # a keyboard (and a scanner posing as one) presses Shift first
            shift = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift,
                              Qt.KeyboardModifier.NoModifier, "")
            shift.setTimestamp(ms)
            QCoreApplication.sendEvent(field, shift)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch)
            event.setTimestamp(ms)
            QCoreApplication.sendEvent(field, event)
        ms += step_ms
    return ms


def test_scanner_fires_while_a_typed_name_is_in_the_field(qtbot, main_window, station_event):
    """The operator typed a name, the list shows it; the next delegate's code is scanned
    and its keystrokes land behind the name: the scan is the code, not "Eva" + code."""
    window = main_window
    field = window.scan.field
    with qtbot.waitSignal(window.station.searched, timeout=20_000,
                          check_params_cb=lambda q, hits: q == "Eva"):
        ms = type_keys(field, "Eva", 1_000, 150)
    assert [h.attendee.id for h in window.scan.hits()] == ["A5"]
    type_keys(field, station_event.tokens["A1"], ms + 2_000, 4)
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000,
                          check_params_cb=lambda out: out.kind != "found") as blocker:
        qtbot.keyClick(field, Qt.Key.Key_Return)
    out = blocker.args[0]
    assert out.kind == "ok" and out.attendee.id == "A1"
    assert field.text() == station_event.tokens["A1"] and field.hasSelectedText()
    # after checking in a chosen search result, the next scan replaces the name too
    with qtbot.waitSignal(window.station.searched, timeout=20_000,
                          check_params_cb=lambda q, hits: q == "Eva"):
        ms = type_keys(field, "Eva", 10_000, 150)
    qtbot.keyClick(field, Qt.Key.Key_Down)
    with qtbot.waitSignal(window.outcomeShown, timeout=20_000,
                          check_params_cb=lambda o: o.kind == "ok"):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    type_keys(field, "PRETIX-SECRET-6", ms + 5_000, 4)
    out = answer_to_enter(qtbot, window, field)
    assert out.kind == "ok" and out.attendee.id == "A6"
    # a person typing on after a name is still one search: "Eva Lindq", slowly
    field.clear()
    ms = type_keys(field, "Eva", 20_000, 150)
    type_keys(field, " Lindq", ms + 3_000, 140)
    out = answer_to_enter(qtbot, window, field)
    assert out.kind == "malformed" and out.input == "Eva Lindq"


def test_search_result_check_in_action(qtbot, main_window, station_event):
    window = main_window
    with qtbot.waitSignal(window.station.searched, timeout=20_000,
                          check_params_cb=lambda q, hits: q == "muller"):
        qtbot.keyClicks(window.scan.field, "muller")
    out = wait_outcome(qtbot, window, lambda: window.scan.choose(0), preview=True)
    assert out.kind == "found" and out.attendee.id == "A1"
    assert window.act_check_in.isEnabled()
    out = wait_outcome(qtbot, window, window.act_check_in.trigger)
    assert out.kind == "ok"
    assert window.scan.hits()[0].checked_in


def test_undo(qtbot, main_window, station_event):
    window = main_window
    scan(qtbot, window, station_event.tokens["A3"])
    assert window.act_undo.isEnabled()
    window.act_undo.trigger()
    dialog = window.dialog
    assert dialog is not None
    dialog.reason.setCurrentText("Wrong person checked in")
    out = wait_outcome(qtbot, window, dialog.accept)
    assert out.kind == "undone"
    assert window.card.kind == "undone"
    undo = events(station_event.db_path, "A3", UNDO)
    assert len(undo) == 1 and undo[0].payload.get("reason") == "Wrong person checked in"
    # and the person can be admitted again
    assert scan(qtbot, window, station_event.tokens["A3"]).kind == "ok"


def test_reprint_asks_for_a_reason(qtbot, main_window, station_event):
    window = main_window
    scan(qtbot, window, station_event.tokens["A1"])
    wait_printed(qtbot, window)
    out = wait_outcome(qtbot, window, lambda: window.station.describe("A1"), preview=True)
    assert out.badge_printed
    assert "Reprint" in window.buttons["print"].text()
    window.act_print.trigger()
    dialog = window.dialog
    assert dialog is not None and dialog.required
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    dialog.accept()  # no reason: refused, the dialog stays
    assert window.dialog is dialog
    dialog.reason.setCurrentText("Badge lost")
    dialog.accept()
    assert "Badge is printing." in window.card.detail.text()  # the card follows the reprint
    wait_printed(qtbot, window, 2)
    qtbot.waitUntil(lambda: "Badge printed." in window.card.detail.text(), timeout=30_000)
    printed = events(station_event.db_path, "A1", BADGE_PRINTED)
    assert len(printed) == 2
    assert printed[1].payload.get("reprint") and printed[1].payload.get("reason") == "Badge lost"


def test_walk_in_registers_checks_in_and_prints(qtbot, main_window, station_event):
    window = main_window
    window.act_walk_in.trigger()
    dialog = window.dialog
    assert dialog is not None and dialog.walk_in
    dialog.given.insert("Zoë")  # QTest cannot type non-ASCII keys
    qtbot.keyClicks(dialog.family, "Okafor")
    qtbot.keyClicks(dialog.organisation, "University of Lagos")
    dialog.set_country("NG")
    out = wait_outcome(qtbot, window, dialog.accept)
    assert out.kind == "created"
    assert out.attendee.display_name == "Zoë Okafor"
    wait_printed(qtbot, window)
    qtbot.waitUntil(lambda: "Badge printed." in window.card.detail.text(), timeout=30_000)
    store = Store(open_db(station_event.db_path))
    try:
        created = store.attendee(out.attendee.id)
        assert created is not None and created.country == "NG"
        assert store.admission(created.id, TODAY) is not None
        assert store.badge_printed(created.id)
    finally:
        store.db.conn.close()


def test_walk_in_needs_a_name(qtbot, main_window):
    main_window.act_walk_in.trigger()
    dialog = main_window.dialog
    dialog.accept()
    assert main_window.dialog is dialog and dialog.problem.text()
    dialog.reject()
    assert main_window.dialog is None


def test_edit_then_reprint(qtbot, main_window, station_event):
    window = main_window
    scan(qtbot, window, station_event.tokens["A1"])
    wait_printed(qtbot, window)
    out = wait_outcome(qtbot, window, lambda: window.station.describe("A1"), preview=True)
    window.act_edit.trigger()
    dialog = window.dialog
    assert dialog.given.text() == "Anja" and not dialog.reprint.isChecked()
    dialog.given.setText("Anna")  # printed on the badge: the reprint is offered, ticked
    assert dialog.reprint.isChecked() and dialog.wants_reprint()
    out = wait_outcome(qtbot, window, dialog.accept)
    assert out.kind == "saved" and out.attendee.given_name == "Anna"
    wait_printed(qtbot, window, 2)
    store = Store(open_db(station_event.db_path))
    try:
        assert store.attendee("A1").given_name == "Anna"
        updated = store.events("A1", types=("attendee_updated",))
        assert updated and updated[-1].payload["changes"]["given_name"]["to"] == "Anna"
    finally:
        store.db.conn.close()


def test_print_queue_visible(qtbot, main_window):
    qtbot.waitUntil(lambda: bool(main_window.print_label.text()), timeout=20_000)
    assert "ready" in main_window.print_label.text()
    # a PDF folder printer says where the badges go
    assert main_window.config.printer in main_window.print_label.text()


def test_scanner_double_fire_is_one_admission(qtbot, main_window, station_event):
    token = station_event.tokens["A6"]
    assert scan(qtbot, main_window, token).kind == "ok"
    assert scan(qtbot, main_window, token).kind == "ok"
    assert len(events(station_event.db_path, "A6", CHECKIN)) == 1
    # one badge, and no "already in the print queue" error over the welcome
    wait_printed(qtbot, main_window)
    qtbot.waitUntil(lambda: not main_window.station.lanes["print"].busy, timeout=20_000)
    assert main_window.card.kind == "ok"
    assert len(events(station_event.db_path, "A6", BADGE_PRINTED)) == 1


def test_printer_away_keeps_the_badge_queued(qtbot, tmp_path, station_event, station_config):
    from dataclasses import replace

    from tests.ui.conftest import close_window, open_window

    config = replace(station_config, printer_backend="qt", printer="no-such-printer")
    window = open_window(qtbot, station_event.db_path, config, tmp_path / "station.toml")
    try:
        assert scan(qtbot, window, station_event.tokens["A1"]).kind == "ok"
        qtbot.waitUntil(lambda: window.station.print_state.queued == 1, timeout=20_000)
        assert not window.station.print_state.ready
        assert "NOT READY" in window.print_label.text()
        assert "1 badge waiting" in window.print_label.text()
        # F5 while the badge waits: no second job (it would print twice), the card says why
        window.act_print.trigger()
        assert window.dialog is None
        assert "already waiting" in window.statusBar().currentMessage()
        assert "Badge waits for the printer" in window.card.detail.text()
        with qtbot.waitSignal(window.station.printStateChanged, timeout=20_000):
            window.station.refresh_print_queue(force=True)
        assert window.station.print_state.queued == 1
        # the printer is set up (here: the PDF folder): the waiting badge prints
        window.apply_config(replace(station_config))
        qtbot.waitUntil(lambda: window.station.print_state.done == 1, timeout=30_000)
        assert len(events(station_event.db_path, "A1", BADGE_PRINTED)) == 1
        assert "ready" in window.print_label.text()
    finally:
        close_window(qtbot, window)


def test_card_follows_its_own_badge_not_an_older_printer_poll(qtbot, tmp_path, station_event,
                                                              station_config):
    """A printer poll sent just before the scan answers after the card is up: it knows
    nothing of the new badge and must not be read as "printed". Here the badge then fails
    (no such layout), and the card must say so."""
    import threading
    from dataclasses import replace

    from tests.ui.conftest import close_window, open_window

    config = replace(station_config, layout="no-such-layout")
    window = open_window(qtbot, station_event.db_path, config, tmp_path / "station.toml")
    gate = threading.Event()
    try:
        window.station.lanes["print"].submit(lambda ctx: gate.wait(30), name="gate")
        window.station.refresh_print_queue(force=True)  # the poll, queued before the badge
        assert scan(qtbot, window, station_event.tokens["A1"]).kind == "ok"
        gate.set()
        qtbot.waitUntil(lambda: "Badge NOT printed" in window.card.detail.text(),
                        timeout=20_000)
        assert "no-such-layout" in window.card.detail.text()
    finally:
        gate.set()
        close_window(qtbot, window)


def test_a_print_lane_failure_keeps_the_welcome(qtbot, main_window, station_event):
    """The badge cannot even be queued (here a trigger refuses it): the person IS checked
    in, so the card stays green and says the badge did not print, with the reason."""
    refuse_inserts(station_event.db_path, "print_jobs", "no jobs for the test")
    out = scan(qtbot, main_window, station_event.tokens["A1"])
    assert out.kind == "ok"
    qtbot.waitUntil(lambda: "Badge NOT printed" in main_window.card.detail.text(),
                    timeout=20_000)
    assert main_window.card.kind == "ok"
    assert "no jobs for the test" in main_window.card.detail.text()
    assert events(station_event.db_path, "A1", CHECKIN)


def test_a_pause_inside_a_scanners_burst_keeps_the_whole_code(qtbot, main_window,
                                                               station_event):
    """A scanner's keys stalled for a moment (a busy machine, a USB hiccup) are still one
    code: the first part is not taken for a typed name in front of it. A name typed by a
    person before the burst still is."""
    window = main_window
    field = window.scan.field
    token = station_event.tokens["A1"]
    ms = type_keys(field, token[:40], 1_000, 4)
    type_keys(field, token[40:], ms + 400, 4)  # 400 ms stalled in the middle
    out = answer_to_enter(qtbot, window, field)
    assert out.kind == "ok" and out.attendee.id == "A1"
    field.clear()
    ms = type_keys(field, "Eva", 10_000, 150)  # a person, then the next delegate's code
    ms = type_keys(field, station_event.tokens["A5"][:30], ms + 500, 4)
    type_keys(field, station_event.tokens["A5"][30:], ms + 300, 4)
    out = answer_to_enter(qtbot, window, field)
    assert out.kind == "ok" and out.attendee.id == "A5"
