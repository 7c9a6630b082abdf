"""The hub on PostgreSQL (docs/deployment.md): two hub processes on one database, desks
spread over them and failing over between them, a hub process killed mid-push; the
organiser's commands with --db postgresql://...; what the database itself guarantees
(one writer's seq order, one row per uuid, migrations). A real server of the session
(tests/pg_server.py), real hub processes, real desks.
"""

import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from checkin import pg, places
from checkin.admission import OK, Engine
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.models import Attendee, Event
from checkin.store import BADGE_PRINTED, CHECKIN, Store
from checkin.sync import stations
from checkin.sync.apply import store_events
from checkin.sync.client import HUBS_KEY, outbox_count, remembered_hubs, sync_once
from tests.conftest import run_checkin
from tests.hub_server import HubProcess, free_port
from tests.live_support import metrics
from tests.pg_server import PgServer
from tests.test_admission_support import DAY1, Setup, make_event

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

PEOPLE = [Attendee(id=f"p{i:02d}", given_name=f"Person {i}", family_name="Test")
          for i in range(40)]


@pytest.fixture
def event(pg_server: PgServer) -> Iterator[Setup]:
    setup = make_event(pg_server.new_database(), PEOPLE)
    try:
        yield setup
    finally:
        setup.store.close()


@pytest.fixture
def two_hubs(event: Setup, tmp_path: Path) -> Iterator[tuple[HubProcess, HubProcess]]:
    first = HubProcess(event.db, tmp_path / "hub-1")
    second = HubProcess(event.db, tmp_path / "hub-2")
    try:
        yield first.start(), second.start()
    finally:
        first.stop()
        second.stop()


def desk(run_cli, event: Setup, folder: Path, name: str, *urls: str) -> Store:
    """A desk registered at the hub, made by a first `checkin sync --hub ... [--hub ...]`."""
    token = stations.add_station(event.store, name)
    path = folder / f"{name}.sqlite"
    hubs = [arg for url in urls for arg in ("--hub", url)]
    result = run_cli("sync", *hubs, "--token", token, db=path)
    assert result.exit_code == 0, result.output
    return places.open_store(path, station=name, operator="op-" + name)


def uuids(store: Store) -> set[str]:
    return {row[0] for row in store.db.execute("SELECT uuid FROM events")}


def admit(event: Setup, store: Store, *ids: str) -> None:
    engine = Engine(store)
    for attendee_id in ids:
        assert engine.scan(event.token(attendee_id), day=DAY1).verdict == OK, attendee_id


def test_two_hub_processes_three_desks_end_with_exactly_the_union(event, two_hubs, run_cli,
                                                                  tmp_path) -> None:
    one, two = two_hubs
    a = desk(run_cli, event, tmp_path, "desk-a", one.url)
    b = desk(run_cli, event, tmp_path, "desk-b", two.url)
    c = desk(run_cli, event, tmp_path, "desk-c", two.url, one.url)
    admit(event, a, *[f"p{i:02d}" for i in range(10)])
    admit(event, b, *[f"p{i:02d}" for i in range(5, 15)])
    admit(event, c, *[f"p{i:02d}" for i in range(12, 20)])
    walk_in = Attendee(id="walkin-b1", given_name="Walk", family_name="In", days=[DAY1])
    with b.transaction():
        b.add_attendee(walk_in, source="desk")
    # Pushes through both processes at once: the desks' threads race for the hub's lock.
    failed: list[Exception] = []

    def sync(store: Store) -> None:
        try:
            sync_once(store, store.path)
        except Exception as exc:
            failed.append(exc)

    threads = [threading.Thread(target=sync, args=(s,)) for s in (a, b, c)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    for store in (a, b, c):
        sync_once(store, store.path)

    union = uuids(event.store)
    assert all(uuids(store) == union for store in (a, b, c))
    assert all(outbox_count(store) == 0 for store in (a, b, c))
    made_at_desks = {u for s in (a, b, c) for (u,) in s.db.execute(
        "SELECT uuid FROM events WHERE station LIKE 'desk-%'")}
    assert made_at_desks <= union
    count, distinct = event.store.db.execute(
        "SELECT count(*), count(DISTINCT uuid) FROM events").fetchone()
    assert count == distinct == len(union)
    inside = {f"p{i:02d}" for i in range(20)}
    assert all(store.checked_in_ids(DAY1) == inside for store in (event.store, a, b, c))
    assert all(s.attendee("walkin-b1") is not None for s in (event.store, a, c))
    received = {s.name: s.events_received for s in stations.stations(event.store)}
    assert received["desk-a"] == 10 and received["desk-c"] == 8
    assert received["desk-b"] == 11  # ten admissions and the walk-in
    # Every desk's log holds the hub's events in the hub's order: seq order, no gaps that a
    # later commit filled (one writer at a time, WRITE_LOCK).
    seqs = [r[0] for r in event.store.db.execute("SELECT seq FROM events ORDER BY seq")]
    assert seqs == sorted(seqs)


def test_the_live_view_at_either_hub_process_shows_the_whole_entrance(event, two_hubs,
                                                                       run_cli, tmp_path) -> None:
    """Viewers, sessions and the desks' reports live in the database: a link opened at
    one hub process is a session at the other too (behind a reverse proxy a browser
    meets both), and both show what desks pushed through either."""
    one, two = two_hubs
    added = run_cli("hub", "add-viewer", "wall", "--url", one.url, db=event.db)
    assert added.exit_code == 0, added.output
    link = added.output.strip().splitlines()[-1]
    a = desk(run_cli, event, tmp_path, "desk-a", one.url)
    b = desk(run_cli, event, tmp_path, "desk-b", two.url)
    admit(event, a, "p01", "p02", "p05")  # p05 at both desks while they do not sync
    admit(event, b, "p03", "p05")
    sync_once(a, a.path, printer="ready")
    sync_once(b, b.path)
    with httpx.Client(trust_env=False, timeout=20) as browser:
        assert browser.get(f"{two.url}/?day={DAY1}").status_code == 401
        assert browser.get(link).status_code == 200
        for hub in (one, two):
            page = browser.get(f"{hub.url}/?day={DAY1}")
            assert page.status_code == 200, page.text
            figures = metrics(page.text)
            assert figures["checked-in"] == "4"  # p01 p02 p03 p05
            assert figures["expected"] == str(len(PEOPLE))
            assert figures["conflicts"] == "1"
            assert figures["desks-online"] == "2"
            assert 'data-desk="desk-a"' in page.text and "ready" in page.text
        revoked = run_cli("hub", "revoke-viewer", "wall", db=event.db)
        assert revoked.exit_code == 0, revoked.output
        assert [browser.get(f"{hub.url}/live/part?day={DAY1}").status_code
                for hub in (one, two)] == [401, 401]


BULK = 20_000  # 40 pushes of 500


def test_a_hub_process_killed_mid_push_the_desk_goes_on_at_the_other(event, two_hubs,
                                                                     run_cli, tmp_path
                                                                     ) -> None:
    one, two = two_hubs
    d = desk(run_cli, event, tmp_path, "desk-d", one.url, two.url)
    mine = [Event(uuid=str(uuid.uuid4()), type=BADGE_PRINTED, attendee_id=f"p{i % 40:02d}",
                  station="desk-d", operator="op", time=f"2026-12-01T09:{i // 1000:02d}:00+01:00",
                  day=DAY1, payload={"job": i, "layout": "a6"}) for i in range(BULK)]
    with d.transaction():
        d.append_many(mine)

    with psycopg.connect(str(event.place), autocommit=True) as watch:
        def arrived() -> int:
            row = watch.execute("SELECT count(*) FROM events WHERE station = 'desk-d'"
                                ).fetchone()
            return int(row[0]) if row else 0

        syncing = subprocess.Popen([sys.executable, "-m", "checkin", "--db", str(d.path),
                                    "sync"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        try:
            deadline = time.monotonic() + 60
            while arrived() == 0 and time.monotonic() < deadline and syncing.poll() is None:
                time.sleep(0.005)  # polling the hub's log: the kill must land mid-push
            one.kill()
            out, err = syncing.communicate(timeout=120)
        finally:
            if syncing.poll() is None:
                syncing.kill()
                syncing.communicate()
    assert syncing.returncode == 0, (out, err)
    assert f"synced with {two.url} as desk-d: " in out  # went on at the other address
    assert outbox_count(d) == 0
    at_hub = {r[0] for r in event.store.db.execute(
        "SELECT uuid FROM events WHERE station = 'desk-d'")}
    assert at_hub == {e.uuid for e in mine}
    assert event.store.db.execute(
        "SELECT count(*) FROM events WHERE station = 'desk-d'").fetchone()[0] == BULK
    listed = {s.name: s.events_received for s in stations.stations(event.store)}
    assert listed["desk-d"] == BULK  # new events counted once, re-sent ones not at all
    assert uuids(d) == uuids(event.store)
    assert d.meta("sync_hub") == two.url  # tried first next time
    assert remembered_hubs(d) == [two.url, one.url]


def test_several_hub_addresses_are_remembered_and_tried_in_turn(event, two_hubs, run_cli,
                                                                tmp_path) -> None:
    one, two = two_hubs
    nowhere = f"http://127.0.0.1:{free_port()}"
    d = desk(run_cli, event, tmp_path, "desk-e", nowhere, one.url)
    assert json.loads(d.meta(HUBS_KEY) or "") == [nowhere, one.url]
    assert d.meta("sync_hub") == one.url  # the one that answered
    admit(event, d, "p21")
    done = run_checkin("--db", str(d.path), "sync")
    assert done.returncode == 0, done.stderr
    assert f"synced with {one.url} as desk-e: 1 pushed" in done.stdout

    one.kill()
    admit(event, d, "p22")
    done = run_checkin("--db", str(d.path), "sync")  # the first address is down now
    assert done.returncode == 1
    assert done.stderr == (
        f"error: no address of the hub answered (hub {one.url} unreachable: connection "
        f"refused; hub {nowhere} unreachable: connection refused); 1 event waits in the "
        "outbox\n")
    assert outbox_count(d) == 1

    done = run_checkin("--db", str(d.path), "sync", "--hub", two.url, "--hub", one.url)
    assert done.returncode == 0, done.stderr
    assert f"synced with {two.url} as desk-e: 1 pushed" in done.stdout
    assert remembered_hubs(d) == [two.url, one.url]
    assert event.store.checked_in_ids(DAY1) >= {"p21", "p22"}


# -- the organiser's commands on PostgreSQL ---------------------------------------------------


def test_init_and_the_hub_commands_with_a_postgresql_url(pg_server: PgServer, run_cli,
                                                         tmp_path) -> None:
    url = pg_server.new_database(migrated=False)
    made = run_cli("init", "--event", "Big Congress", "--days", "2026-12-01,2026-12-02", db=url)
    assert made.exit_code == 0, made.output
    key = places.files_path(url).with_name("event.key")
    assert key.exists() and "signing key" in made.output
    again = run_checkin("--db", url, "init", "--event", "Other", "--days", "2026-12-01")
    assert again.returncode == 1 and "already holds an event" in again.stderr

    added = run_cli("hub", "add-station", "desk-1", "--url", "http://127.0.0.1:9", db=url)
    assert added.exit_code == 0, added.output
    token = added.output.splitlines()[-1]
    listed = json.loads(run_cli("hub", "stations", "--json", db=url).output)
    assert [(s["name"], s["revoked_at"]) for s in listed] == [("desk-1", None)]
    revoked = run_cli("hub", "revoke-station", "desk-1", db=url)
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    store = places.open_store(url)
    try:
        assert stations.authenticate(store, token) is None
        assert store.event_info().name == "Big Congress"
    finally:
        store.close()


def test_import_attendees_conflicts_and_report_with_a_postgresql_url(
        event: Setup, run_cli, tmp_path) -> None:
    url = str(event.place)
    source = tmp_path / "people.csv"
    source.write_text("id,given_name,family_name,organisation,country\n"
                      "x1,Zoë,Ångström,Charité,DE\nx2,Li,Wei,PKU,CN\n", encoding="utf-8")
    imported = run_cli("import", str(source), db=url)
    assert imported.exit_code == 0, imported.output
    found = run_cli("attendees", "--search", "angstrom", db=url)
    assert found.exit_code == 0, found.output
    assert "x1" in found.output and "x2" not in found.output
    listed = run_cli("attendees", db=url)
    assert listed.exit_code == 0 and "Li" in listed.output
    admit(event, event.store, "p01")
    with event.store.transaction():  # another desk admitted p01 too while they were apart
        event.store.append(CHECKIN, "p01", day=DAY1, station="desk-2")
    conflicts = run_cli("conflicts", "--json", db=url)
    assert conflicts.exit_code == 0, conflicts.output
    assert [c["attendee_id"] for c in json.loads(conflicts.output)] == ["p01"]
    report = run_cli("report", "--out", str(tmp_path / "report"), "--day", DAY1, db=url)
    assert report.exit_code == 0, report.output
    csv = (tmp_path / "report" / "attendance.csv").read_text(encoding="utf-8-sig")
    assert "Ångström" in csv and (tmp_path / "report" / f"summary-{DAY1}.pdf").exists()


def test_keys_confirmations_duplicates_and_uploads_with_a_postgresql_url(
        pg_server: PgServer, run_cli, tmp_path) -> None:
    url = pg_server.new_database(migrated=False)
    assert run_cli("init", "--event", "Big Congress", "--days", DAY1, db=url).exit_code == 0
    source = tmp_path / "people.csv"
    source.write_text("id,given_name,family_name,email\nq1,Ann,Lee,ann@example.org\n"
                      "q2,Bo,Li,bo@example.org\nq3,Ann,Lee,ann@example.org\n",
                      encoding="utf-8")
    assert run_cli("import", str(source), db=url).exit_code == 0
    issued = run_cli("confirmations", "--out", str(tmp_path / "conf"), "--no-pdf", db=url)
    assert issued.exit_code == 0 and "3 confirmations" in issued.output, issued.output
    assert len(list((tmp_path / "conf").glob("*.png"))) == 3
    rotated = run_cli("keys", "rotate", db=url)
    assert rotated.exit_code == 0, rotated.output
    listed = run_cli("keys", "list", db=url)
    assert listed.exit_code == 0 and listed.output.count("valid") == 2, listed.output
    revoked = run_cli("keys", "revoke", "q1", db=url)
    assert revoked.exit_code == 0, revoked.output
    assert run_cli("duplicates", db=url).exit_code == 0
    merged = run_cli("merge", "q1", "q3", "--reason", "registered twice", db=url)
    assert merged.exit_code == 0, merged.output
    store = places.open_store(url)
    try:
        gone = store.attendee("q3")
        assert gone is not None and gone.status == "cancelled"
        assert store.merges() == {"q3": "q1"}
    finally:
        store.close()
    target = run_cli("hub", "upload-url", "https://reg.example.org/hook", db=url)
    assert target.exit_code == 0, target.output
    assert "no uploads yet" in run_cli("hub", "uploads", db=url).output


def test_doctor_purge_and_the_desk_file_commands_with_a_postgresql_url(
        pg_server: PgServer, tmp_path) -> None:
    url = pg_server.new_database()
    assert run_checkin("--db", url, "init", "--event", "Past Congress", "--days",
                       "2025-03-01,2025-03-02").returncode == 0
    doctor = run_checkin("--db", url, "doctor")
    assert doctor.returncode == 0, doctor.stdout
    checks = [line.split(":")[0].split() for line in doctor.stdout.splitlines()]
    assert checks == [["ok", "server"], ["ok", "schema"], ["ok", "integrity"], ["ok", "event"],
                      ["ok", "keys"], ["ok", "key", "file"], ["ok", "print", "queue"],
                      ["ok", "clock"]], doctor.stdout
    assert "PostgreSQL 1" in doctor.stdout and "'Past Congress'" in doctor.stdout
    missing = run_checkin("--db", url.replace("/t", "/nothere"), "doctor")
    assert missing.returncode == 1
    assert missing.stdout.startswith("FAIL  server: cannot open the event database "), \
        missing.stdout
    assert "Traceback" not in missing.stdout + missing.stderr

    # The desk's file commands say in one line why not, and change nothing.
    for args in (("encrypt",), ("decrypt",), ("init", "--event", "X", "--days",
                                              "2025-03-01", "--encrypt"),
                 ("sync", "--hub", "http://127.0.0.1:9", "--token", "x")):
        refused = run_checkin("--db", url, *args)
        assert refused.returncode == 1, args
        command = "init --encrypt" if "--encrypt" in args else args[0]
        assert refused.stderr.startswith(f"error: `checkin {command}` works on an SQLite "
                                         "event database, not on postgresql://"), refused.stderr
        assert len(refused.stderr.splitlines()) == 1

    purged = run_checkin("--db", url, "purge", "--keep-counts", "--yes")
    assert purged.returncode == 0, purged.stderr
    assert "VACUUM FULL" in purged.stdout and "WAL" in purged.stdout
    assert run_checkin("--db", url, "doctor").returncode == 0


def test_an_unreachable_server_is_one_line(tmp_path) -> None:
    url = f"postgresql://checkin@/nothing?host={tmp_path}"
    done = run_checkin("--db", url, "hub", "stations")
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: cannot open the event database {url}: ")
    assert done.stderr.count("\n") == 1


# -- what the database guarantees -------------------------------------------------------------


def test_a_uuid_is_stored_once_whoever_pushes_it_at_once(event: Setup) -> None:
    batch = [Event(uuid=str(uuid.uuid4()), type=BADGE_PRINTED, attendee_id="p01",
                   station="desk-x", operator="", time="2026-12-01T09:00:00+01:00", day=DAY1,
                   payload={"n": i}) for i in range(200)]
    stores = [places.open_store(str(event.place), station="hub") for _ in range(4)]
    new: list[int] = []

    def push(store: Store) -> None:
        with store.transaction():
            new.append(len(store_events(store, batch)))

    threads = [threading.Thread(target=push, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert sorted(new) == [0, 0, 0, 200]
    assert event.store.db.execute("SELECT count(*) FROM events WHERE station = 'desk-x'"
                                  ).fetchone()[0] == 200
    with pytest.raises(sqlite3.IntegrityError):  # the constraint itself, not a check
        event.store.db.execute(
            "INSERT INTO events (uuid, type, station, time) VALUES (?, 'x', 's', 't')",
            [batch[0].uuid])


def test_the_log_is_append_only(event: Setup) -> None:
    for statement in ("UPDATE events SET station = 'x'", "DELETE FROM events",
                      "TRUNCATE events"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            event.store.db.execute(statement)


def test_seq_order_is_commit_order(event: Setup) -> None:
    """A writer that took a seq and commits late must not let a reader see a later seq
    first: WRITE_LOCK makes the second writer wait (a desk pulling `since` would miss the
    first event for ever otherwise)."""
    slow = places.open_store(str(event.place), station="slow")
    fast = places.open_store(str(event.place), station="fast")
    started = threading.Event()
    done: list[str] = []

    def late_commit() -> None:
        with slow.transaction():
            slow.append("note", None, payload={"who": "slow"})
            started.set()
            time.sleep(0.5)  # holds the transaction open (no timing is asserted)
        done.append("slow")

    thread = threading.Thread(target=late_commit)
    thread.start()
    started.wait(10)
    with fast.transaction():
        fast.append("note", None, payload={"who": "fast"})
    done.append("fast")
    thread.join()
    assert done == ["slow", "fast"]
    rows = event.store.db.execute(
        "SELECT station FROM events WHERE type = 'note' ORDER BY seq").fetchall()
    assert rows == [("slow",), ("fast",)]
    slow.close()
    fast.close()


def test_migrations_refuse_a_newer_schema_and_a_foreign_database(pg_server: PgServer) -> None:
    newer = pg_server.new_database()
    with psycopg.connect(newer, autocommit=True) as conn:
        conn.execute("INSERT INTO checkin_schema (version) VALUES (9999)")
    with pytest.raises(CheckinError, match=r"made by a newer checkin .*schema 9999"):
        pg.open_database(newer)
    foreign = pg_server.new_database(migrated=False)
    with psycopg.connect(foreign, autocommit=True) as conn:
        conn.execute("CREATE TABLE orders (id int)")
    with pytest.raises(CheckinError, match="a database of another program"):
        pg.open_database(foreign)
    with psycopg.connect(foreign, autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('events')").fetchone() == (None,)


def test_both_schemas_have_the_same_tables_and_columns(pg_server: PgServer,
                                                        tmp_path) -> None:
    from checkin import db
    from checkin.db import open_db

    # Every SQLite migration has its PostgreSQL twin; pg/ alone may hold one that changes
    # no table or column (db/README.md).
    lite_numbers = {number for number, _ in db.migrations()}
    assert lite_numbers <= {number for number, _ in pg.migrations()}
    assert pg.latest_version() >= db.latest_version()
    lite = open_db(tmp_path / "x.sqlite", create=True)
    tables = [r[0] for r in lite.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    sqlite_columns = {t: [r[1] for r in lite.execute(f"PRAGMA table_info({t})")]
                      for t in tables}
    with psycopg.connect(pg_server.new_database(), autocommit=True) as conn:
        pg_columns: dict[str, list[str]] = {}
        for table, column in conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE "
                "table_schema = 'public' AND table_name NOT IN ('checkin_schema', "
                "'sqlite_master') ORDER BY table_name, ordinal_position"):
            pg_columns.setdefault(table, []).append(column)
    assert pg_columns == sqlite_columns


def test_placeholders_are_translated_outside_quotes_only() -> None:
    assert pg.translate("SELECT ? WHERE a = :day AND b LIKE '%?:x' AND c::text = '%'") == \
        "SELECT %s WHERE a = %(day)s AND b LIKE '%?:x' AND c::text = '%'"
    assert pg.translate("SELECT 5 % ?") == "SELECT 5 %% %s"


def test_a_hub_answers_503_while_the_server_is_down_and_goes_on_after(
        tmp_path, run_cli) -> None:
    server = PgServer().start()
    try:
        setup = make_event(server.new_database(), PEOPLE[:3])
        hub = HubProcess(setup.db, tmp_path / "hub").start()
        try:
            d = desk(run_cli, setup, tmp_path, "desk-f", hub.url)
            admit(setup, d, "p01")
            setup.store.close()
            server._run("pg_ctl", "stop", "-m", "fast", "-D", str(server.data))
            done = run_checkin("--db", str(d.path), "sync")
            assert done.returncode == 1
            assert done.stderr.startswith(f"error: hub {hub.url} answered 503: the hub's "
                                          "database is busy"), done.stderr
            assert outbox_count(d) == 1
            server._run("pg_ctl", "start", "-w", "-D", str(server.data), "-l",
                        str(server.base / "server.log"), "-o",
                        f"-c listen_addresses='' -c unix_socket_directories={server.base}")
            again = run_checkin("--db", str(d.path), "sync")
            assert again.returncode == 0, again.stderr
            assert outbox_count(d) == 0
        finally:
            hub.stop()
    finally:
        server.stop()
