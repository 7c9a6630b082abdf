"""A hub killed with SIGKILL: desks go on offline, the hub restarts on the same database,
and after syncing everybody holds the same log, nothing lost, nothing doubled. Each test
runs against both hub stores (an SQLite file, a PostgreSQL database).
"""

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from checkin import places
from checkin.admission import OK, Engine
from checkin.conflicts import conflicts
from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.models import Attendee, Event
from checkin.pg import is_postgres_db as is_postgres
from checkin.search import search_key
from checkin.store import BADGE_PRINTED, Store
from checkin.sync import stations
from checkin.sync.client import outbox_count, sync_once
from tests.hub_server import HubProcess, synced_desk
from tests.pg_server import HUB_STORES, hub_place
from tests.test_admission_support import DAY1, Setup, make_event

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

PEOPLE = [Attendee(id=f"p{i:02d}", given_name=f"Person {i}", family_name="Test")
          for i in range(40)]


@pytest.fixture(params=HUB_STORES)
def hub(request: pytest.FixtureRequest, tmp_path: Path
        ) -> Iterator[tuple[Setup, HubProcess]]:
    event = make_event(hub_place(request, tmp_path / "hub"), PEOPLE)
    process = HubProcess(event.db, tmp_path / "hub")
    try:
        yield event, process
    finally:
        process.stop()
        event.store.db.conn.close()


def first_sync(run_cli, event: Setup, process: HubProcess, folder: Path, name: str) -> Store:
    return synced_desk(run_cli, event.store, process.url, folder, name)


def uuids(store: Store) -> set[str]:
    return {row[0] for row in store.db.execute("SELECT uuid FROM events")}


def attendee_rows(store: Store, *, keys: bool = True) -> list[tuple[object, ...]]:
    """The attendee table; keys=False leaves out search keys (make_event writes none)."""
    return store.db.execute(
        "SELECT id, ref, given_name, organisation, status, days"
        f"{', search_key' if keys else ''} FROM attendees ORDER BY id").fetchall()


def integrity(store: Store) -> str:
    if is_postgres(store.db):  # no integrity_check there: the log's uuids are unique
        return "ok" if store.db.execute(
            "SELECT count(*) = count(DISTINCT uuid) FROM events").fetchone()[0] else "doubled"
    return str(store.db.execute("PRAGMA integrity_check").fetchone()[0])


@contextmanager
def watcher(event: Setup) -> Iterator[Callable[[str], int]]:
    """A count query on the hub's database from a connection of its own (another process
    could hold it like this)."""
    if event.place is None:
        with closing(keyed_connect(event.path)) as conn:
            yield lambda sql: int(conn.execute(sql).fetchone()[0])
        return
    import psycopg

    with psycopg.connect(event.place, autocommit=True) as pg:
        yield lambda sql: int(pg.execute(sql).fetchone()[0])  # type: ignore


def test_three_desks_offline_then_everybody_holds_the_union(hub, run_cli, tmp_path) -> None:
    event, process = hub
    process.start()
    desks = {name: first_sync(run_cli, event, process, tmp_path, name)
             for name in ("desk-a", "desk-b", "desk-c")}
    a, b, c = desks.values()
    process.kill()

    def admit(store: Store, *ids: str) -> None:
        engine = Engine(store)
        for attendee_id in ids:
            assert engine.scan(event.token(attendee_id), day=DAY1).verdict == OK, attendee_id

    admit(a, *[f"p{i:02d}" for i in range(10)])
    admit(b, *[f"p{i:02d}" for i in range(5, 15)])
    admit(c, *[f"p{i:02d}" for i in range(12, 20)], "p00")
    # Only b admitted p10: every log reads its undo the same way (test_sync_conflicts has
    # the case of an undo beside another desk's admission).
    Engine(b).undo("p10", day=DAY1, reason="scanned the wrong badge")
    walk_in = Attendee(id="walkin-c1", given_name="Walk", family_name="In", days=[DAY1])
    with c.transaction():
        c.add_attendee(walk_in, search_key=search_key(walk_in), source="desk")
    assert Engine(c).check_in("walkin-c1", day=DAY1).verdict == OK
    edited = b.attendee("p30")
    assert edited is not None
    edited.organisation = "Charité"
    with b.transaction():
        b.update_attendee(edited, search_key=search_key(edited))
    cancelled = event.store.attendee("p35")  # the office, while the hub is down
    assert cancelled is not None
    cancelled.status = "cancelled"
    with event.store.transaction():
        event.store.update_attendee(cancelled, search_key=search_key(cancelled))
    with pytest.raises(CheckinError, match="unreachable"):
        sync_once(a, a.path)
    assert outbox_count(a) == 10

    process.start()  # same database, same port
    for _ in range(2):
        for desk in desks.values():
            sync_once(desk, desk.path)

    everybody = [event.store, *desks.values()]
    union = uuids(event.store)
    assert all(uuids(store) == union for store in everybody)
    expected = [(f"p{i:02d}", DAY1) for i in (0, 5, 6, 7, 8, 9, 12, 13, 14)]
    inside = {f"p{i:02d}" for i in range(20) if i != 10} | {"walkin-c1"}
    for store in everybody:
        assert [(x.attendee_id, x.day) for x in conflicts(store)] == expected
        assert store.checked_in_ids(DAY1) == inside  # a conflict is one person inside
        assert integrity(store) == "ok"
    rows = attendee_rows(event.store, keys=False)
    assert all(attendee_rows(store, keys=False) == rows for store in desks.values())
    assert attendee_rows(a) == attendee_rows(b) == attendee_rows(c)
    assert {r[0]: r[4] for r in rows}["p35"] == "cancelled"
    assert {r[0]: r[3] for r in rows}["p30"] == "Charité"
    for desk in desks.values():
        again = sync_once(desk, desk.path)
        assert (again.pushed, again.pulled, again.waiting) == (0, 0, 0)
    assert all(uuids(store) == union for store in everybody)
    received = {s.name: s.events_received for s in stations.stations(event.store)}
    assert received == {"desk-a": 10, "desk-b": 12, "desk-c": 11}


BULK = 20_000  # 40 pushes: the kill has most of a second to land between two


def test_hub_killed_in_the_middle_of_a_push(hub, run_cli, tmp_path) -> None:
    event, process = hub
    process.start()
    desk = first_sync(run_cli, event, process, tmp_path, "desk-d")
    mine = [Event(uuid=str(uuid.uuid4()), type=BADGE_PRINTED, attendee_id=f"p{i % 40:02d}",
                  station="desk-d", operator="op", time=f"2026-12-01T09:{i // 1000:02d}:00+01:00",
                  day=DAY1, payload={"job": i, "layout": "a6"}) for i in range(BULK)]
    with desk.transaction():
        desk.append_many(mine)
    assert outbox_count(desk) == BULK

    with watcher(event) as count:
        syncing = subprocess.Popen([sys.executable, "-m", "checkin", "--db", str(desk.path),
                                    "sync"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        try:
            deadline = time.monotonic() + 60
            arrived = 0
            while arrived == 0 and time.monotonic() < deadline and syncing.poll() is None:
                arrived = count("SELECT count(*) FROM events WHERE station = 'desk-d'")
                time.sleep(0.005)  # polling the hub's log: the kill must land mid-push
            # Freeze the desk first: from the first batch seen to the kill it sends no more.
            syncing.send_signal(signal.SIGSTOP)
            process.kill()
            syncing.send_signal(signal.SIGCONT)
            out, err = syncing.communicate(timeout=60)
        finally:
            if syncing.poll() is None:
                syncing.kill()
                syncing.communicate()
        at_kill = count("SELECT count(*) FROM events WHERE station = 'desk-d'")
    assert 0 < at_kill < BULK, "the kill must land in the middle of the push"
    assert syncing.returncode == 1, (out, err)
    assert err.startswith("error: hub ") and err.count("\n") == 1, err
    assert 0 < outbox_count(desk) <= BULK - at_kill + 500

    process.start()
    result = sync_once(desk, desk.path)
    assert result.waiting == 0
    at_hub = {row[0] for row in event.store.db.execute(
        "SELECT uuid FROM events WHERE station = 'desk-d'")}
    assert at_hub == {e.uuid for e in mine}
    assert event.store.db.execute(
        "SELECT count(*) FROM events WHERE station = 'desk-d'").fetchone()[0] == BULK
    received = {s.name: s.events_received for s in stations.stations(event.store)}
    assert received["desk-d"] == BULK  # new events counted once, re-sent ones not at all
    assert integrity(event.store) == integrity(desk) == "ok"
    assert uuids(desk) == uuids(event.store)


def test_a_hub_restored_from_a_backup_gets_everything_back(hub, run_cli, tmp_path,
                                                           request) -> None:
    """The hub's disk dies and the last backup goes in its place: SQLite's VACUUM INTO
    copy, or PostgreSQL's pg_dump restored by pg_restore into a new database
    (docs/deployment.md)."""
    event, process = hub
    process.start()
    a = first_sync(run_cli, event, process, tmp_path, "desk-a")
    b = first_sync(run_cli, event, process, tmp_path, "desk-b")
    backup = tmp_path / ("backup.sqlite" if event.place is None else "backup.dump")
    if event.place is None:
        event.store.db.execute("VACUUM INTO ?", [str(backup)])
    else:
        server = request.getfixturevalue("pg_server")
        subprocess.run([str(server.bin / "pg_dump"), "-Fc", "-f", str(backup),
                        f"--dbname={event.place}"], check=True, capture_output=True)
    for desk, ids in ((a, ("p01", "p02", "p03")), (b, ("p04", "p05"))):
        engine = Engine(desk)
        for attendee_id in ids:
            assert engine.scan(event.token(attendee_id), day=DAY1).verdict == OK
    for desk in (a, b, a):
        sync_once(desk, desk.path)

    process.stop()  # the hub's disk dies; the backup goes in its place
    event.store.db.conn.close()
    if event.place is None:
        for suffix in ("-wal", "-shm"):
            event.path.with_name(event.path.name + suffix).unlink(missing_ok=True)
        backup.replace(event.path)
        event.store = Store(open_db(event.path), station="office")
    else:
        restored = server.new_database(migrated=False)
        subprocess.run([str(server.bin / "pg_restore"), "--no-owner", f"--dbname={restored}",
                        str(backup)], check=True, capture_output=True)
        event.store = places.open_store(restored, station="office")
        process.db_path = restored
    lost = (uuids(a) | uuids(b)) - uuids(event.store)
    assert len(lost) == 5
    for i in range(20, 30):  # office work after the restore takes the lost hub_seqs
        person = event.store.attendee(f"p{i}")
        assert person is not None
        person.notes = "restored"
        with event.store.transaction():
            event.store.update_attendee(person, search_key=search_key(person))
    # The restored log reaches past the desks' cursors again: only the event found at
    # the cursor tells that it is not the log they pulled.
    hub_log = event.store.db.execute("SELECT max(seq) FROM events").fetchone()[0]
    assert all(hub_log >= int(desk.meta("sync_pull_seq") or 0) for desk in (a, b))
    process.start()

    for desk in (b, a, b):
        sync_once(desk, desk.path)
    union = uuids(event.store)
    assert lost <= union
    assert uuids(a) == uuids(b) == union
    assert event.store.checked_in_ids(DAY1) == {"p01", "p02", "p03", "p04", "p05"}
    assert integrity(event.store) == "ok"
