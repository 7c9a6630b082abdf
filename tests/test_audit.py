"""`checkin audit`: each desk action (admission, undo, edit, reprint, walk-in, export) is
listed with the operator signed in when it was done, the station and the time; filters by
attendee, operator and time; commands without a configured operator log the login name."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from checkin.audit import audit, parse_since
from checkin.config import StationConfig
from checkin.db import open_db
from checkin.desk import (
    DbContext,
    PrintContext,
    check_in,
    enqueue_and_print,
    save_attendee,
    undo,
    walk_in,
)
from checkin.errors import CheckinError
from checkin.exporting import export_attendance
from checkin.models import Attendee
from checkin.operators import login_name
from checkin.store import Store
from tests.conftest import run_checkin
from tests.event_setup import signed_event

TODAY = date.today().isoformat()

PEOPLE = [
    Attendee(id="A1", given_name="Anja", family_name="Müller", organisation="Charité Berlin",
             country="DE", role="speaker", email="anja@example.org"),
    Attendee(id="A4", given_name="Eva", family_name="Lindqvist", country="SE", role="vip"),
]


@pytest.fixture
def desk_day(tmp_path: Path) -> Path:
    """A morning at two desks: Tess and Uwe admit, undo, edit, reprint, register a walk-in;
    Olga exports the attendance in the office."""
    db_path = tmp_path / "event.sqlite"
    signed_event(db_path, PEOPLE, [TODAY])
    tess = DbContext(db_path, "Desk 1", "Tess")
    config = StationConfig(station="Desk 2", operator="Uwe", printer=str(tmp_path / "printed"),
                           printer_backend="pdf", layout="a6")
    uwe = PrintContext(db_path, "Desk 2", "Uwe", config)
    try:
        assert check_in(tess, "A1").kind == "ok"
        undo(tess, "A1", "scanned the wrong badge")
        assert check_in(uwe, "A1").kind == "ok"
        edited = replace(tess.store.attendee("A4") or PEOPLE[1], organisation="Karolinska")
        save_attendee(tess, edited, "new employer")
        assert walk_in(uwe, Attendee(id="W-1", given_name="Kim", family_name="Park")).kind \
            == "created"
        enqueue_and_print(uwe, "A1", reprint=False, reason="")
        enqueue_and_print(uwe, "A1", reprint=True, reason="badge torn")
    finally:
        tess.close()
        uwe.close()
    office = Store(open_db(db_path), station="office", operator="Olga")
    export_attendance(office, tmp_path / "attendance.csv")
    office.close()
    return db_path


def test_each_desk_action_is_listed_with_its_operator(desk_day: Path) -> None:
    store = Store(open_db(desk_day))
    entries = [e for e in audit(store) if e.action != "imported" and e.type != "key_added"]
    assert [(e.action, e.attendee_id, e.station, e.operator) for e in entries] == [
        ("admitted", "A1", "Desk 1", "Tess"),
        ("undone", "A1", "Desk 1", "Tess"),
        ("admitted", "A1", "Desk 2", "Uwe"),
        ("edited", "A4", "Desk 1", "Tess"),
        ("walk-in", "W-1", "Desk 2", "Uwe"),
        ("admitted", "W-1", "Desk 2", "Uwe"),
        ("printed badge", "A1", "Desk 2", "Uwe"),
        ("reprinted badge", "A1", "Desk 2", "Uwe"),
        ("exported", None, "office", "Olga"),
    ]
    edit = entries[3]
    assert edit.detail == "changed organisation; new employer"  # the field, not its value
    assert "Karolinska" not in json.dumps([e.to_json() for e in audit(store)])
    assert entries[1].detail == "scanned the wrong badge"
    assert entries[7].detail.endswith("badge torn")
    assert entries[8].detail.startswith("attendance to attendance.csv (csv, 3 records); "
                                        "holds registration id, ticket code, name")
    assert entries[0].name == "Anja Müller"
    # The import of the two registrations is one line, not one per person.
    [imported] = [e for e in audit(store) if e.action == "imported"]
    assert imported.count == 2 and imported.detail == "test"
    store.close()


def test_filters_by_attendee_operator_and_time(desk_day: Path) -> None:
    store = Store(open_db(desk_day))
    assert [e.action for e in audit(store, attendee="A1")] == [
        "imported", "admitted", "undone", "admitted", "printed badge", "reprinted badge"]
    assert {e.operator for e in audit(store, operator="uwe")} == {"Uwe"}
    assert [e.action for e in audit(store, operator="Olga")] == ["exported"]
    assert audit(store, since=datetime.now().astimezone() + timedelta(hours=1)) == []
    assert len(audit(store, since=parse_since(TODAY))) == len(audit(store))
    store.close()


def test_cli_audit_json_and_table(run_cli, desk_day: Path) -> None:
    done = run_cli("audit", "--attendee", "A4", "--json", db=desk_day)
    assert done.exit_code == 0, done.output
    rows = json.loads(done.output)
    assert [(r["action"], r["station"], r["operator"]) for r in rows] == [
        ("imported", "setup", ""), ("edited", "Desk 1", "Tess")]
    assert set(rows[0]) == {"time", "station", "operator", "action", "type", "attendee_id",
                            "name", "detail", "uuid", "count"}
    table = run_cli("audit", "--operator", "Tess", "--since", TODAY, db=desk_day)
    assert table.exit_code == 0
    lines = table.output.splitlines()
    assert lines[-1] == "3 entries"
    assert all(" Tess " in line for line in lines[:-1])
    assert "edited" in lines[2] and "A4 Eva Lindqvist" in lines[2]


@pytest.mark.parametrize(("args", "message"), [
    (("--since", "last tuesday"), "error: --since 'last tuesday': not a date or time"),
    (("--attendee", "NOBODY"), "error: no attendee with id 'NOBODY'"),
])
def test_bad_audit_input_is_one_line(desk_day: Path, args, message) -> None:
    refused = run_checkin("--db", str(desk_day), "audit", *args)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith(message) and refused.stderr.count("\n") == 1


def test_a_command_without_an_operator_logs_the_login_name(run_cli, desk_day: Path,
                                                           tmp_path: Path) -> None:
    """No station settings on this computer: `checkin scan` and `checkin export` still
    name someone."""
    assert login_name()
    assert run_cli("undo", "A1", "--reason", "test", db=desk_day).exit_code == 0
    out = run_cli("export", "attendance", "--out", str(tmp_path / "a.json"), db=desk_day)
    assert out.exit_code == 0
    assert "holds personal data of 3 attendees: registration id" in out.output
    store = Store(open_db(desk_day))
    last = audit(store)[-2:]
    assert [(e.action, e.operator) for e in last] == [("undone", login_name()),
                                                      ("exported", login_name())]
    store.close()
    StationConfig(station="Desk 3", operator="Vera").save()
    assert run_cli("scan", "A4", db=desk_day).exit_code == 0
    store = Store(open_db(desk_day))
    assert [(e.station, e.operator) for e in audit(store)[-1:]] == [("Desk 3", "Vera")]
    store.close()


def test_parse_since_takes_dates_and_times() -> None:
    assert parse_since("2026-05-04").date().isoformat() == "2026-05-04"
    assert parse_since("2026-05-04T09:30+02:00").utcoffset() == timedelta(hours=2)
    with pytest.raises(CheckinError):
        parse_since("yesterday")
