"""Day statistics against a known event log with controlled times."""

import pytest

from checkin import reports
from checkin.db import open_db
from checkin.models import Attendee
from checkin.store import BADGE_PRINTED, CHECKIN, UNDO, Store

DAY = "2026-12-01"
DAY2 = "2026-12-02"


def at(hhmm: str, day: str = DAY) -> str:
    return f"{day}T{hhmm}:00.000+01:00"


@pytest.fixture
def store(tmp_path):
    s = Store(open_db(tmp_path / "e.sqlite", create=True), station="desk-1")
    s.set_event("E", [DAY, DAY2])
    people = [
        Attendee(id="a1", given_name="Ann", role="delegate", country="DE"),
        Attendee(id="a2", given_name="Bo", role="delegate", country="SE"),
        Attendee(id="a3", given_name="Cy", role="speaker", country="DE"),
        Attendee(id="a4", given_name="Di", role="press", country="FR"),
        Attendee(id="a5", given_name="Ed", role="delegate", country="DE", days=[DAY2]),
        Attendee(id="a6", given_name="Fa", role="speaker", country="", status="cancelled"),
        Attendee(id="a7", given_name="Gu", role="staff", country="JP", days=[DAY]),
    ]
    with s.transaction():
        for person in people:
            s.add_attendee(person)
    return s


def log(store: Store, *entries: tuple[str, str, str]) -> None:
    with store.transaction():
        for kind, attendee_id, hhmm in entries:
            store.append(kind, attendee_id, day=DAY, time=at(hhmm))


def test_empty_day(store):
    assert reports.arrivals_per_quarter_hour(store, DAY) == []
    report = reports.day_report(store, DAY)
    assert report.checked_in == 0
    # a5 is registered for day 2 only, a6 is cancelled: five expected on day 1.
    assert report.expected == 5
    assert {g.key: (g.checked_in, g.expected) for g in report.roles} == {
        "delegate": (0, 2), "speaker": (0, 1), "press": (0, 1), "staff": (0, 1)}


def test_arrivals_per_quarter_hour_with_gaps_undo_and_duplicates(store):
    log(store,
        (CHECKIN, "a1", "08:01"),
        (CHECKIN, "a2", "08:14"),
        (CHECKIN, "a3", "08:15"),
        (BADGE_PRINTED, "a3", "08:15"),
        (CHECKIN, "a4", "08:59"),
        (UNDO, "a4", "09:00"),        # undone: a4 no longer counts at 08:45 ...
        (CHECKIN, "a4", "09:31"),     # ... but at 09:30
        (CHECKIN, "a1", "09:40"),     # a second desk admitted a1 again: arrival stays 08:00
        (CHECKIN, "a7", "09:44"),
        )
    with store.transaction():  # another day's check-in never leaks into this one
        store.append(CHECKIN, "a5", day=DAY2, time=at("08:05", DAY2))
    slots = reports.arrivals_per_quarter_hour(store, DAY)
    assert [(s.start, s.count) for s in slots] == [
        ("08:00", 2), ("08:15", 1), ("08:30", 0), ("08:45", 0), ("09:00", 0), ("09:15", 0),
        ("09:30", 2)]
    assert sum(s.count for s in slots) == len(store.checked_in_ids(DAY)) == 5


def test_by_role_and_country(store):
    log(store, (CHECKIN, "a1", "08:00"), (CHECKIN, "a3", "08:20"), (CHECKIN, "a4", "08:30"),
        (UNDO, "a4", "08:31"))
    roles = reports.by_role(store, DAY)
    assert [(g.key, g.checked_in, g.expected) for g in roles] == [
        ("delegate", 1, 2), ("speaker", 1, 1), ("press", 0, 1), ("staff", 0, 1)]
    countries = reports.by_country(store, DAY)
    assert [(g.key, g.checked_in, g.expected) for g in countries] == [
        ("DE", 2, 2), ("FR", 0, 1), ("JP", 0, 1), ("SE", 0, 1)]


def test_admission_without_attendee_record_still_counts(store):
    # An admission for an id the attendee table does not hold (e.g. pushed by another
    # desk before the attendee record arrived) still counts, under the unknown group.
    log(store, (CHECKIN, "ghost", "10:00"))
    report = reports.day_report(store, DAY)
    assert report.checked_in == 1
    first = report.countries[0]
    assert (first.key, first.checked_in, first.expected) == ("", 1, 0)
    assert report.arrivals == [reports.Slot("10:00", 1)]


def test_day_report_matches_the_separate_functions(store):
    log(store, (CHECKIN, "a1", "23:59"), (CHECKIN, "a2", "00:00"))
    report = reports.day_report(store, DAY)
    assert report.arrivals == reports.arrivals_per_quarter_hour(store, DAY)
    assert report.roles == reports.by_role(store, DAY)
    assert report.countries == reports.by_country(store, DAY)
    assert report.arrivals[0] == reports.Slot("00:00", 1)
    assert report.arrivals[-1] == reports.Slot("23:45", 1)
    assert len(report.arrivals) == 96


def test_quarter_of_uses_recorded_wall_clock():
    assert reports.quarter_of("2026-12-01T08:14:59.999+01:00") == 32
    assert reports.quarter_of("2026-12-01T08:15:00+09:00") == 33
    assert reports.slot_label(33) == "08:15"


def test_nobody_is_expected_on_a_day_outside_the_event(store):
    assert reports.expected_count(store, "2026-12-24") == 0
    assert reports.by_role(store, "2026-12-24") == []
    assert reports.expected_count(store, DAY2) == 5  # a7 is day 1 only, a6 cancelled
