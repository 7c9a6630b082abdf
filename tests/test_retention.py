"""`checkin purge`: after it no attendee's name is in the database file's bytes or beside it
(-wal, -shm, key, config, badge PDFs, kept copies); refused while events wait to be synced,
before the event's last day, and on a hub while a desk has not made its final sync; the
counts it keeps feed the day report; the event log stays append-only otherwise."""

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from checkin import reports, search_cache
from checkin.audit import audit
from checkin.config import StationConfig
from checkin.db import open_db
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.printing.pdf_folder import PdfFolderBackend
from checkin.printing.queue import PrintQueue
from checkin.printing.render import badge_renderer
from checkin.retention import purge
from checkin.store import Store
from checkin.sync.client import outbox_count, sync_once, token_path
from tests.conftest import run_checkin
from tests.hub_server import HubProcess, synced_desk
from tests.test_admission_support import DAY1, DAY2, PEOPLE, make_event

EMAIL = "bjoern.oeberg@example.org"
EXTRA = Attendee(id="a8", given_name="Henrike", family_name="Quastenberg", country="DE",
                 role="speaker", email=EMAIL, organisation="Charité",
                 extra={"phone": "+49 30 1234567"})


def names() -> list[bytes]:
    """What must not survive: every name, the e-mail address and the phone number, as UTF-8
    (also as the UTF-16 no file here uses, in case one ever does)."""
    words = {p.given_name for p in [*PEOPLE, EXTRA]} | {p.family_name for p in [*PEOPLE, EXTRA]}
    words |= {EMAIL, "1234567"}
    found = []
    for word in sorted(words):
        if len(word) >= 3 or not word.isascii():
            found += [word.encode("utf-8"), word.encode("utf-16-le")]
    return found


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def holding_a_name(folder: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in files_in(folder):
        data = path.read_bytes()
        hits = [w.decode("utf-8", "replace") for w in names() if w in data]
        if hits:
            found[str(path.relative_to(folder))] = hits
    return found


def busy_event(folder: Path) -> tuple[Path, Store]:
    """An event with admissions, an undo, an edit, a badge printed into a PDF folder beside
    the database and a station config: every place a name goes on a desk."""
    event = make_event(folder / "event.sqlite", [*PEOPLE, EXTRA])
    store = event.store
    engine = event.engine()
    for attendee_id in ("a1", "a2", "a7", "a8"):
        assert engine.check_in(attendee_id, day=DAY1).ok
    engine.undo("a7", day=DAY1, reason="scanned the wrong one")
    assert event.engine(station="desk-2", operator="bo").check_in("a1", day=DAY2).ok
    person = store.attendee("a2")
    assert person is not None
    person.organisation = "Uppsala universitet"
    with store.transaction():
        store.update_attendee(person, reason="typo")
    queue = PrintQueue(store)
    queue.enqueue("a8", layout="a6", printer=str(folder / "printed"), backend="pdf")
    queue.process(PdfFolderBackend(folder / "printed"), badge_renderer(store, db_path=event.path))
    assert len(list((folder / "printed").glob("*.pdf"))) == 1
    StationConfig(station="desk-1", operator="ann").save(folder / "station.toml")
    return event.path, store


def test_after_purge_no_name_is_left_in_the_file_or_beside_it(tmp_path: Path) -> None:
    folder = tmp_path / "event"
    path, store = busy_event(folder)
    shutil.copy(path, folder / "event.replaced-20261130-120000.sqlite")  # demo --force's copy
    before = reports.day_report(store, DAY1)
    # Another connection holds the file open, idle, as the station's other lanes do.
    other = Store(open_db(path), station="desk-1")
    assert other.attendee_count() == 8
    store.db.conn.execute("ANALYZE")  # its samples (sqlite_stat4) hold names too
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    search_cache.open_searcher(store, path)  # the search index file, as a desk writes it
    assert search_cache.cache_path(path).exists()
    assert holding_a_name(folder), "the test must be able to fail: names are there before"
    [badge] = (folder / "printed").glob("*.pdf")

    result = purge(store, path, keep_counts=True, today=DAY2)

    assert result.attendees == 8 and result.events > 10
    assert result.removed["print_jobs"] == 1 and result.kept_counts > 0
    assert sorted(p.name for p in result.files) == sorted([
        badge.name, "event.replaced-20261130-120000.sqlite", "event.sqlite.search-index"])
    assert not badge.exists()
    lines = result.lines()
    assert lines[0].startswith("removed 8 attendees and ")
    assert any("VACUUM" in line for line in lines)
    assert holding_a_name(folder) == {}
    assert (folder / "event.sqlite.key").exists()  # the signing key stays: not personal
    # The kept counts are the day report's numbers, without anyone in them.
    after = reports.day_report(store, DAY1)
    assert (after.checked_in, after.expected) == (before.checked_in, before.expected) == (3, 6)
    assert {(g.key, g.checked_in, g.expected) for g in after.roles} == {
        (g.key, g.checked_in, g.expected) for g in before.roles}
    assert after.arrivals == []
    # The purge is the audit's one entry now, with who did it.
    assert [(e.action, e.operator, e.station) for e in audit(store)] == [
        ("purged", "ann", "desk-1")]
    # Still a working (empty) event: the other connection reads it.
    assert other.attendee_count() == 0 and other.event_info().name == "Test Congress"
    other.close()
    # A second purge removes nothing more and keeps the counts.
    again = purge(store, path, keep_counts=True, today=DAY2)
    assert again.attendees == 0 and again.kept_counts == 0
    assert reports.day_report(store, DAY1).checked_in == 3
    store.close()


def test_the_event_log_stays_append_only_outside_a_purge(tmp_path: Path) -> None:
    event = make_event(tmp_path / "event.sqlite")
    assert event.engine().check_in("a1", day=DAY1).ok
    conn = event.store.db.conn
    for statement in ("DELETE FROM events", "UPDATE events SET operator = 'x'"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    # Nor can a writer hand itself the permit and leave it there: only inside a transaction
    # that removes it again is it ever seen, and a commit with it is not what purge does.
    assert conn.execute("SELECT count(*) FROM purge_permit").fetchone()[0] == 0
    event.store.close()


def test_purge_refuses_before_the_last_event_day(tmp_path: Path) -> None:
    event = make_event(tmp_path / "event.sqlite")
    with pytest.raises(CheckinError, match=f"runs until {DAY2}.*nothing was changed"):
        purge(event.store, event.path, today=DAY1)
    assert event.store.attendee_count() == len(PEOPLE)
    event.store.close()


def test_cli_purge_of_an_event_that_is_over(run_cli, db_path: Path) -> None:
    past = [(date.today() - timedelta(days=n)).isoformat() for n in (9, 8)]
    assert run_cli("init", "--event", "Past Congress", "--days", ",".join(past)).exit_code == 0
    store = Store(open_db(db_path), station="desk-1", operator="ann")
    with store.transaction():
        for person in PEOPLE:
            store.add_attendee(Attendee(**{**person.__dict__, "ref": "", "days": []}))
    store.close()
    done = run_cli("purge", "--keep-counts")
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0].startswith(f"removed {len(PEOPLE)} attendees and ")
    assert "kept anonymous counts: " in done.output
    listed = run_cli("attendees")
    assert "Lee" not in listed.output
    as_json = json.loads(run_cli("audit", "--json").output)
    assert [e["action"] for e in as_json] == ["purged"]


def test_cli_purge_before_the_end_is_one_line(event_db: Path) -> None:
    refused = run_checkin("--db", str(event_db), "purge")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("error: the event runs until ")


@pytest.fixture
def hub(tmp_path: Path):
    event = make_event(tmp_path / "hub" / "event.sqlite", [*PEOPLE, EXTRA])
    process = HubProcess(event.path, tmp_path / "hub").start()
    try:
        yield event, process
    finally:
        process.stop()
        event.store.close()


def test_purge_refuses_while_events_wait_to_be_synced(hub, run_cli, tmp_path: Path) -> None:
    event, process = hub
    desk = synced_desk(run_cli, event.store, process.url, tmp_path, "desk-1")
    assert desk.attendee("a8") is not None
    from checkin.admission import Engine

    assert Engine(desk).check_in("a8", day=DAY1).ok
    assert outbox_count(desk) == 1
    with pytest.raises(CheckinError, match="1 events of this desk wait to be synced"):
        purge(desk, desk.path, today=DAY2)
    assert desk.attendee_count() == len(PEOPLE) + 1  # nothing was changed
    assert outbox_count(desk) == 1

    # The hub refuses too: the desk has not said its day is done.
    with pytest.raises(CheckinError, match="desk desk-1 has not made its final sync"):
        purge(event.store, event.path, today=DAY2)

    assert sync_once(desk, desk.path, final=True).waiting == 0
    result = purge(desk, desk.path, keep_counts=True, today=DAY2)
    assert result.attendees == len(PEOPLE) + 1 and result.unpaired
    assert not token_path(desk.path).exists() and desk.meta("sync_hub") is None
    for suffix in ("", "-wal", "-shm", ".hub-token", ".station-key"):
        companion = Path(f"{desk.path}{suffix}")
        if companion.exists():
            data = companion.read_bytes()
            assert not [w for w in names() if w in data], companion
    desk.close()

    # Now every desk is final: the hub (still serving) purges too.
    hub_result = purge(event.store, event.path, today=DAY2)
    assert hub_result.attendees == len(PEOPLE) + 1
    for suffix in ("", "-wal", "-shm"):
        companion = Path(f"{event.path}{suffix}")
        if companion.exists():
            assert not [w for w in names() if w in companion.read_bytes()], companion


def test_purge_on_a_postgresql_hub_leaves_no_name_in_the_tables_files(pg_server,
                                                                        tmp_path: Path) -> None:
    """The same purge on a hub's PostgreSQL database (checkin.pg): the rows go in one
    transaction, and VACUUM FULL rewrites the emptied tables, so no name is left in the
    database's files on the server. (The server's WAL keeps them until it is recycled:
    docs/privacy.md says so; this test reads the tables' files only.)"""
    import psycopg

    def database_dir(url: str) -> Path:
        with psycopg.connect(url) as conn:
            oid = conn.execute("SELECT oid FROM pg_database WHERE datname = "
                               "current_database()").fetchone()
        assert oid is not None
        return pg_server.data / "base" / str(oid[0])

    def checkpoint(url: str) -> None:  # pages from the server's memory into the files
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")

    empty = pg_server.new_database()
    checkpoint(empty)
    already = {w for hits in holding_a_name(database_dir(empty)).values() for w in hits}
    url = pg_server.new_database()
    event = make_event(url, [*PEOPLE, EXTRA])
    store = event.store
    engine = event.engine()
    for attendee_id in ("a1", "a2", "a8"):
        assert engine.check_in(attendee_id, day=DAY1).ok
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")  # the statistics sample column values: names too
    checkpoint(url)
    folder = database_dir(url)
    before = {w for hits in holding_a_name(folder).values() for w in hits} - already
    assert {EMAIL, "Quastenberg"} <= before, "the test must be able to fail"

    result = purge(store, event.path, keep_counts=True, today=DAY2)

    assert result.attendees == len(PEOPLE) + 1 and result.events > 3 and result.kept_counts > 0
    assert any("VACUUM FULL" in line and "WAL" in line for line in result.lines())
    checkpoint(url)
    left = {path: [w for w in hits if w in before]
            for path, hits in holding_a_name(folder).items()}
    assert {path: hits for path, hits in left.items() if hits} == {}
    assert reports.day_report(store, DAY1).checked_in == 3
    store.close()
