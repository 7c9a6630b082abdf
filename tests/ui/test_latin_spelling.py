"""Names a desk worker cannot read: a name in another script shows its Latin spelling
beside it in the search results, on the card and in the attendee list; the badge keeps
the name as the person writes it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from checkin.db import open_db
from checkin.models import Attendee
from checkin.search import search_key
from checkin.store import Store
from tests.ui.test_station_flows import wait_outcome

GREEK = Attendee(id="G1", given_name="Γιώργος", family_name="Παπαδόπουλος",
                 organisation="ΕΚΠΑ", country="GR")


def add(db_path, person: Attendee) -> None:
    store = Store(open_db(db_path), station="setup")
    try:
        with store.transaction():
            store.add_attendee(person, search_key=search_key(person), source="test")
    finally:
        store.db.conn.close()


def test_greek_name_with_its_latin_spelling(qtbot, main_window, station_event):
    add(station_event.db_path, GREEK)
    window = main_window
    field = window.scan.field
    with qtbot.waitSignal(window.station.searched, timeout=30_000,
                          check_params_cb=lambda q, hits: q == "papadopoulos" and bool(hits)):
        qtbot.keyClicks(field, "papadopoulos")
    item = window.scan.results.item(0).text()
    assert "Γιώργος Παπαδόπουλος" in item and "Giorgos Papadopoulos" in item
    out = wait_outcome(qtbot, window, lambda: qtbot.keyClick(field, Qt.Key.Key_Down))
    assert out.attendee.id == "G1"
    card = window.card
    assert card.name.text() == "Γιώργος Παπαδόπουλος"
    assert card.latin.isVisible() and card.latin.text() == "Giorgos Papadopoulos"
    # a Latin name has no second spelling
    wait_outcome(qtbot, window, lambda: window.station.describe("A1"))
    assert not card.latin.isVisible()
    # the badge shows the name as written, without the romanisation
    from checkin.badges.render import name_lines

    assert name_lines(GREEK) == ("Γιώργος", "Παπαδόπουλος")


def test_attendee_list_shows_the_latin_spelling(qtbot, main_window, station_event):
    add(station_event.db_path, GREEK)
    from checkin.attendee_list import load_rows

    store = Store(open_db(station_event.db_path))
    try:
        rows = {row.id: row for row in load_rows(store, ["G1", "A3", "A1"], "2000-01-01")}
    finally:
        store.db.conn.close()
    assert rows["G1"].latin == "Giorgos Papadopoulos"
    assert rows["A3"].latin == "Wang Wei"  # family name first, as written
    assert rows["A1"].latin == ""
    window = main_window
    window.act_attendees.trigger()
    qtbot.waitUntil(lambda: window.attendees is not None, timeout=30_000)
    model = window.attendees.view.model()

    def names() -> list[str]:
        return [str(model.index(row, 0).data()) for row in range(model.rowCount())]

    qtbot.waitUntil(lambda: "Γιώργος Παπαδόπουλος · Giorgos Papadopoulos" in names(),
                    timeout=30_000)
