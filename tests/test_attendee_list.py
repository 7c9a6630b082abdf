"""The attendee list's queries (checkin.attendee_list) over a real event database."""

from pathlib import Path

import pytest

from checkin.attendee_list import (
    BY_COUNTRY,
    BY_NAME,
    BY_ORGANISATION,
    BY_ROLE,
    BY_STATE,
    BY_TIME,
    CANCELLED,
    CHECKED_IN,
    NOT_TODAY,
    NOT_YET,
    ListQuery,
    Row,
    load_ids,
    load_rows,
)
from checkin.db import open_db
from checkin.dbapi import sqlite3
from checkin.models import Attendee
from checkin.search import search_key
from checkin.store import CHECKIN, UNDO, Store

DAY, DAY2 = "2026-12-01", "2026-12-02"

PEOPLE = [
    Attendee(id="p1", given_name="Anja", family_name="Müller", organisation="Charité",
             country="DE", role="speaker"),
    Attendee(id="p2", given_name="Bruno", family_name="Costa", organisation="USP",
             country="BR", status="cancelled"),
    Attendee(id="p3", given_name="伟", family_name="王", name_order="family_first",
             organisation="Peking University", country="CN"),
    Attendee(id="p4", given_name="Dora", family_name="Nagy", name_order="family_first",
             country="HU", days=[DAY2]),
    Attendee(id="p5", given_name="Eva", family_name="Lindqvist", badge_name="Evi L.",
             organisation="Karolinska", country="SE", role="vip"),
    Attendee(id="p6", given_name="Zoe", family_name="Adams", organisation="acme",
             country="US"),
    Attendee(id="p7", given_name="Anja", family_name="Müller", organisation="Uni Wien",
             country="AT"),  # a namesake of p1: the id decides their order
]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(open_db(tmp_path / "event.sqlite", create=True), station="desk-1")
    store.set_event("Test Congress", [DAY, DAY2])
    with store.transaction():
        for person in PEOPLE:
            store.add_attendee(person, search_key=search_key(person))
        store.append(CHECKIN, "p5", day=DAY, time=f"{DAY}T09:10:00.000+01:00")
        store.append(CHECKIN, "p1", day=DAY, time=f"{DAY}T09:05:00.000+01:00")
        store.append(CHECKIN, "p6", day=DAY, time=f"{DAY}T09:20:00.000+01:00")
        store.append(UNDO, "p6", day=DAY, time=f"{DAY}T09:21:00.000+01:00")
        store.append(CHECKIN, "p4", day=DAY2, time=f"{DAY2}T08:00:00.000+01:00")
    return store


def ids(store: Store, **query: object) -> list[str]:
    return load_ids(store, ListQuery(**{"day": DAY, **query})).ids


def test_everyone_in_name_order_with_the_filter_choices(store):
    found = load_ids(store, ListQuery(DAY))
    # "Anja Müller" twice (then by id), "Bruno Costa", the badge name "Evi L.", Dora
    # Nagy family first ("Nagy Dora"), "Zoe Adams", then 王伟 after the Latin names
    assert found.ids == ["p1", "p7", "p2", "p5", "p4", "p6", "p3"]
    assert found.total == len(PEOPLE)
    assert found.roles == ["delegate", "speaker", "vip"]
    assert found.countries == ["AT", "BR", "CN", "DE", "HU", "SE", "US"]


def test_role_country_and_status_filters(store):
    assert ids(store, role="speaker") == ["p1"]
    assert ids(store, country="AT") == ["p7"]
    assert ids(store, role="delegate", country="DE") == []
    # p6 was undone, p4 is admitted on the other day only
    assert ids(store, status=CHECKED_IN) == ["p1", "p5"]
    # not cancelled (p2), not registered for another day only (p4), not inside
    assert ids(store, status=NOT_YET) == ["p7", "p6", "p3"]
    assert ids(store, day=DAY2, status=CHECKED_IN) == ["p4"]
    # the filter choices do not shrink with the filters
    found = load_ids(store, ListQuery(DAY, role="vip"))
    assert found.ids == ["p5"]
    assert found.roles == ["delegate", "speaker", "vip"]
    assert found.total == len(PEOPLE)


def test_text_filter_folds_like_the_search_and_needs_every_word(store):
    assert ids(store, text="mueller") == ["p1", "p7"]
    assert ids(store, text="MÜLL anja") == ["p1", "p7"]
    assert ids(store, text="anja nobody") == []
    assert ids(store, text="karolinska") == ["p5"]
    # CJK names: each character is a word, so either order finds the person
    assert ids(store, text="王伟") == ["p3"]
    assert ids(store, text="伟王") == ["p3"]
    assert ids(store, text="   ") == ids(store)
    # LIKE wildcards are literal characters, not patterns
    assert ids(store, text="%") == []
    assert ids(store, text="a_a") == []


def test_sort_orders(store):
    assert ids(store, descending=True) == ["p3", "p6", "p4", "p5", "p2", "p7", "p1"]
    assert ids(store, sort=BY_ORGANISATION) == ["p4", "p6", "p1", "p5", "p3", "p7", "p2"]
    assert ids(store, sort=BY_COUNTRY) == ["p7", "p2", "p3", "p1", "p4", "p5", "p6"]
    assert ids(store, sort=BY_ROLE) == ["p7", "p2", "p4", "p6", "p3", "p1", "p5"]
    # checked in, not yet, not today, cancelled; in name order within each
    assert ids(store, sort=BY_STATE) == ["p1", "p5", "p7", "p6", "p3", "p4", "p2"]
    # earliest arrival first, then everyone else in name order; descending turns the
    # whole list round
    assert ids(store, sort=BY_TIME) == ["p1", "p5", "p7", "p2", "p4", "p6", "p3"]
    assert ids(store, sort=BY_TIME, descending=True) == [
        "p3", "p6", "p4", "p2", "p7", "p5", "p1"]
    assert ids(store, sort=BY_NAME, status=CHECKED_IN, descending=True) == ["p5", "p1"]


def test_rows_of_a_page_in_the_order_asked(store):
    rows = load_rows(store, ["p5", "p2", "p3", "p4", "p6"], DAY)
    assert rows == [
        Row("p5", "Evi L.", "Karolinska", "SE", "vip", CHECKED_IN,
            f"{DAY}T09:10:00.000+01:00"),
        Row("p2", "Bruno Costa", "USP", "BR", "delegate", CANCELLED, ""),
        Row("p3", "王伟", "Peking University", "CN", "delegate", NOT_YET, "", "Wang Wei"),
        Row("p4", "Nagy Dora", "", "HU", "delegate", NOT_TODAY, ""),
        Row("p6", "Zoe Adams", "acme", "US", "delegate", NOT_YET, ""),
    ]
    assert load_rows(store, ["p4"], DAY2)[0].state == CHECKED_IN
    assert load_rows(store, [], DAY) == []


def test_a_row_gone_since_the_id_list_shows_its_id(store):
    assert load_rows(store, ["p1", "gone"], DAY)[1] == Row(
        "gone", "gone", "", "", "", NOT_TODAY, "")


def test_unknown_status_filter_or_sort_is_refused():
    with pytest.raises(ValueError, match="status filter 'maybe'"):
        ListQuery(DAY, status="maybe")
    with pytest.raises(ValueError, match="sort order 'age'"):
        ListQuery(DAY, sort="age")


def test_a_closed_store_raises_instead_of_an_empty_list(store):
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        load_ids(store, ListQuery(DAY))
    with pytest.raises(sqlite3.ProgrammingError):
        load_rows(store, ["p1"], DAY)


def test_filter_finds_ideographs_above_u20000_in_either_order(tmp_path: Path):
    """A name in CJK Extension B (𠮷) typed without spaces, family or given name first:
    each ideograph is matched on its own, as for the common ones."""
    store = Store(open_db(tmp_path / "event.sqlite", create=True), station="desk-1")
    store.set_event("Test Congress", [DAY])
    person = Attendee(id="x1", given_name="𠀋", family_name="𠮷", name_order="family_first")
    with store.transaction():
        store.add_attendee(person, search_key=search_key(person))
    for typed in ("𠮷𠀋", "𠀋𠮷"):
        assert load_ids(store, ListQuery(DAY, text=typed)).ids == ["x1"], typed
