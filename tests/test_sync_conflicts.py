"""Conflicts from a merged log (no hub needed: the merge is written as sync writes it)."""

import json
import uuid
from pathlib import Path

from checkin.conflicts import conflicts
from checkin.models import Event
from checkin.store import CHECKIN, UNDO, Store
from checkin.sync.apply import store_events
from tests.test_admission_support import DAY1, DAY2, make_event


def admission(attendee_id: str, station: str, time: str, day: str = DAY1) -> Event:
    return Event(uuid=str(uuid.uuid4()), type=CHECKIN, attendee_id=attendee_id, station=station,
                 operator=f"op-{station}", time=time, day=day, payload={"method": "scan"})


def undo(of: Event, station: str, time: str) -> Event:
    return Event(uuid=str(uuid.uuid4()), type=UNDO, attendee_id=of.attendee_id, station=station,
                 operator="", time=time, day=of.day, payload={"undoes": of.uuid})


def merged(store: Store, *events: Event) -> None:
    with store.transaction():
        store_events(store, list(events))


def test_admissions_at_two_stations_the_same_day_are_one_conflict(tmp_path: Path) -> None:
    store = make_event(tmp_path / "event.sqlite").store
    a = admission("a1", "desk-a", "2026-12-01T09:00:00.000+01:00")
    b = admission("a1", "desk-b", "2026-12-01T08:59:00.000+00:00")  # later, as an instant
    c = admission("a1", "desk-c", "2026-12-01T10:00:00.000+01:00")
    merged(store, a, b, c)
    found = conflicts(store)
    assert len(found) == 1
    assert found[0].to_json() == {
        "attendee_id": "a1", "name": "Ann Lee", "day": DAY1,
        "admissions": [
            {"station": "desk-a", "operator": "op-desk-a", "time": a.time},
            {"station": "desk-b", "operator": "op-desk-b", "time": b.time},
            {"station": "desk-c", "operator": "op-desk-c", "time": c.time}]}
    assert store.checked_in_ids(DAY1) == {"a1"}  # one person inside, counted once


def test_undo_same_station_and_other_days_are_not_conflicts(tmp_path: Path) -> None:
    store = make_event(tmp_path / "event.sqlite").store
    a1, b1 = admission("a1", "desk-a", "2026-12-01T09:00+01:00"), \
        admission("a1", "desk-b", "2026-12-01T09:05+01:00")
    a2, a2_again = admission("a2", "desk-a", "2026-12-01T09:00+01:00"), \
        admission("a2", "desk-a", "2026-12-01T11:00+01:00")
    a4_day1, a4_day2 = admission("a4", "desk-a", "2026-12-01T09:00+01:00"), \
        admission("a4", "desk-b", "2026-12-02T09:00+01:00", day=DAY2)
    a7_a, a7_b = admission("a7", "desk-a", "2026-12-01T09:00+01:00"), \
        admission("a7", "desk-b", "2026-12-01T09:01+01:00")
    no_target = Event(uuid=str(uuid.uuid4()), type=UNDO, attendee_id="a7", station="desk-a",
                      operator="", time="2026-12-01T09:02+01:00", day=DAY1, payload={})
    merged(store, a1, b1, undo(b1, "desk-b", "2026-12-01T09:06+01:00"), a2, a2_again,
           a4_day1, a4_day2, a7_a, a7_b, no_target)
    # a7's undo names no check-in: it annuls both admissions made before it.
    assert conflicts(store) == []
    assert conflicts(store, DAY2) == []


def test_conflicts_command_json_and_text(tmp_path: Path, run_cli) -> None:
    event = make_event(tmp_path / "event.sqlite")
    merged(event.store, admission("a3", "desk-a", "2026-12-01T09:00+01:00"),
           admission("a3", "desk-b", "2026-12-01T09:10+01:00"),
           admission("a5", "desk-a", "2026-12-02T09:00+01:00", day=DAY2),
           admission("a5", "desk-c", "2026-12-02T09:30+01:00", day=DAY2))
    result = run_cli("conflicts", "--json", db=event.path)
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [(c["attendee_id"], c["day"], len(c["admissions"])) for c in listed] == [
        ("a3", DAY1, 2), ("a5", DAY2, 2)]
    assert set(listed[0]) == {"attendee_id", "name", "day", "admissions"}
    assert set(listed[0]["admissions"][0]) == {"station", "operator", "time"}
    day = run_cli("conflicts", "--day", DAY2, db=event.path).output
    assert "a5" in day and "a3" not in day and "desk-c" in day
    assert run_cli("conflicts", "--day", "2026-12-03", db=event.path).output.strip() \
        == "no conflicts on 2026-12-03"
    assert run_cli("conflicts", "--day", "tomorrow", db=event.path).exit_code == 2


def test_an_undo_beside_another_desks_admission_reads_the_same_everywhere(
        tmp_path: Path) -> None:
    """Desk b admits p and undoes it; desk c, offline, admits p too. c's own admission
    stands: p is inside. b's log holds (b's checkin, undo, c's checkin), c's log holds
    (c's checkin, b's checkin, undo), and both must say p is inside."""
    at_b = make_event(tmp_path / "b.sqlite").store
    at_c = make_event(tmp_path / "c.sqlite").store
    by_b = admission("a1", "desk-b", "2026-12-01T09:00+01:00")
    annul = undo(by_b, "desk-b", "2026-12-01T09:01+01:00")
    by_c = admission("a1", "desk-c", "2026-12-01T09:02+01:00")
    merged(at_b, by_b, annul, by_c)
    merged(at_c, by_c, by_b, annul)
    assert conflicts(at_b) == conflicts(at_c) == []  # conflicts() reads "undoes" already
    assert at_b.checked_in_ids(DAY1) == {"a1"}
    assert at_c.checked_in_ids(DAY1) == {"a1"}
