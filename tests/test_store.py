"""Event database: migrations, append-only log, derived admissions."""

import pytest

from checkin.db import open_db, schema_version
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.store import CHECKIN, UNDO, Store


@pytest.fixture
def store(tmp_path):
    s = Store(open_db(tmp_path / "e.sqlite", create=True), station="desk-1", operator="ann")
    s.set_event("E", ["2026-12-01", "2026-12-02"])
    return s


def test_migrations_applied_and_reopen_is_idempotent(tmp_path):
    path = tmp_path / "e.sqlite"
    db = open_db(path, create=True)
    version = schema_version(db)
    assert version >= 1
    db.conn.close()
    assert schema_version(open_db(path)) == version


def test_pragmas(store):
    conn = store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_event_log_is_append_only(store):
    with store.transaction():
        store.append(CHECKIN, "a1", day="2026-12-01")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("UPDATE events SET station = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("DELETE FROM events")


def test_admission_derived_from_log(store):
    with store.transaction():
        store.add_attendee(Attendee(id="a1", given_name="Ann"))
        store.append(CHECKIN, "a1", day="2026-12-01")
    assert store.admission("a1", "2026-12-01").station == "desk-1"
    assert store.admission("a1", "2026-12-02") is None
    assert store.checked_in_ids("2026-12-01") == {"a1"}
    with store.transaction():
        store.append(UNDO, "a1", day="2026-12-01")
    assert store.admission("a1", "2026-12-01") is None
    assert store.checked_in_ids("2026-12-01") == set()


def test_update_logs_changes_and_keeps_ref(store):
    with store.transaction():
        store.add_attendee(Attendee(id="a1", given_name="Ann"))
    ref = store.attendee("a1").ref
    assert ref
    with store.transaction():
        event = store.update_attendee(Attendee(id="a1", given_name="Anne"))
    assert event.payload["changes"]["given_name"] == {"from": "Ann", "to": "Anne"}
    assert store.attendee("a1").ref == ref
    with store.transaction():
        assert store.update_attendee(Attendee(id="a1", given_name="Anne")) is None


def test_failed_transaction_rolls_back(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.add_attendee(Attendee(id="a1", given_name="Ann"))
        raise RuntimeError("boom")
    assert store.attendee("a1") is None
    assert store.events() == []


def test_not_a_database(tmp_path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CheckinError, match="not a usable event database"):
        open_db(path)


def test_another_programs_sqlite_file_is_not_migrated(tmp_path):
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER, url TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(CheckinError, match="another program, not an event database"):
        open_db(path, create=True)
    assert path.read_bytes() == before
    # an empty SQLite file (0 tables) is still taken as a new event database
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    assert schema_version(open_db(empty, create=True)) > 0


def test_path_names_the_file_so_another_thread_can_open_it(store, tmp_path):
    assert store.path == tmp_path / "e.sqlite"
    other = Store(open_db(store.path))
    assert other.event_info().name == "E"
    other.close()
    with pytest.raises(sqlite3.ProgrammingError):
        other.meta("event_name")


def test_an_in_memory_database_has_no_path():
    import sqlite_utils

    with pytest.raises(CheckinError, match="in-memory"):
        _ = Store(sqlite_utils.Database(memory=True)).path


def test_created_from_reads_the_source_of_the_creation_events(store):
    assert not store.created_from("demo")
    with store.transaction():
        store.add_attendee(Attendee(id="a1", given_name="Ann"), source="import")
        store.update_attendee(Attendee(id="a1", given_name="Anne"), source="demo")
    assert store.created_from("import")
    assert not store.created_from("demo")  # an edit is not a creation
    with store.transaction():
        store.add_attendee(Attendee(id="a2", given_name="Bo"), source="demo")
    assert store.created_from("demo")


def test_first_created_from_reads_the_first_creation_only(store):
    assert not store.first_created_from("demo")
    with store.transaction():
        store.append("checkin", "x", day="2026-12-01")  # not a creation: skipped
        store.add_attendee(Attendee(id="d1", given_name="Dee"), source="demo")
        store.add_attendee(Attendee(id="i1", given_name="Ivo"), source="import")
    assert store.first_created_from("demo")
    assert not store.first_created_from("import")


def test_admissions_in_force_do_not_depend_on_log_order(tmp_path):
    """Desks merged by sync hold the same events in different orders and must agree: an
    undo annuls the check-in it names wherever it stands; of several check-ins in force
    (desks apart) the earliest is the admission, and the person counts once."""
    day = "2026-12-01"
    made = {}
    for name in ("x", "y"):
        made[name] = Store(open_db(tmp_path / f"{name}.sqlite", create=True), station="s")
        made[name].set_event("E", [day])
    b_in = dict(type=CHECKIN, attendee_id="a1", day=day, station="desk-b",
                time=f"{day}T09:00:00+01:00", uuid="b-in")
    b_undo = dict(type=UNDO, attendee_id="a1", day=day, station="desk-b",
                  time=f"{day}T09:01:00+01:00", uuid="b-undo", payload={"undoes": "b-in"})
    c_in = dict(type=CHECKIN, attendee_id="a1", day=day, station="desk-c",
                time=f"{day}T08:59:00+00:00", uuid="c-in")  # 09:59 in Berlin
    for name, order in (("x", [b_in, b_undo, c_in]), ("y", [c_in, b_in, b_undo])):
        with made[name].transaction():
            for event in order:
                made[name].append(event["type"],
                                  **{k: v for k, v in event.items() if k != "type"})
    for store in made.values():
        assert store.admission("a1", day).uuid == "c-in"
        assert store.checked_in_ids(day) == {"a1"}


def test_an_undo_naming_no_check_in_annuls_those_made_before_it(store):
    day = "2026-12-01"
    with store.transaction():
        store.append(CHECKIN, "a1", day=day, time=f"{day}T09:00:00+01:00")
        store.append(UNDO, "a1", day=day, time=f"{day}T09:05:00+01:00")
        store.append(CHECKIN, "a2", day=day, time=f"{day}T09:10:00+01:00", station="desk-2")
        store.append(UNDO, "a2", day=day, time=f"{day}T09:00:00+01:00")  # written earlier
    assert store.checked_in_ids(day) == {"a2"}
