"""A desk's first sync in one piece: the hub's attendee list and log as an SQLite image.

Replaying 100,000 attendee_created events one by one on a new desk took 9-16 s (JSON,
validation and an index insert per event, most of it under the GIL). A desk whose log is
still empty asks for a snapshot instead: the rows a desk holds, as of one moment of the
hub's log, in a small SQLite database the hub builds and sends as it is. The desk copies
them in one transaction and then pulls what came after, as always (docs/sync.md).

The image is made and read as a scratch file (0600, in /dev/shm where there is one, so
the attendee list does not touch a disk in the clear; removed right after), attached to
the database's own connection: that works with any SQLite driver (SQLCipher's has no
serialize) and copies with INSERT ... SELECT inside SQLite.

Contract:

- ``build(store) -> Snapshot``: on the hub, inside one read transaction: the desk's tables
  (``DESK_TABLES``: events, attendees, public keys, revoked refs; never stations, tokens,
  uploads, pretix state or the print queue), minimised as the pull minimises them
  (checkin.sync.minimise: no e-mail addresses unless desks search by them), and a
  ``snapshot`` table of facts (format, schema version, hub_seq and the uuid there, the
  event's name, days and time zone).
- ``Recent().get(store) -> Snapshot``: the hub's last snapshot again while it is recent
  (see the class), else a new one (one build at a time).
- ``load(store, image, on_loaded) -> Loaded | None``: on a desk whose log is empty: the
  image attached (never opened as a database of its own, never written), checked (format,
  the same schema version as this desk, every column there), copied in one write
  transaction with the event's name, days and zone (search keys are the hub's, made by
  the same code; a row without one gets it here); ``on_loaded(loaded)`` runs inside that
  transaction (the caller's sync cursors). None, with the reason logged, when the image does
  not fit this desk (another schema version, say): the caller then replays the log, which
  always works. SnapshotRefused when the image is not a database at all.

The desk's cursors (checkin.sync.client): the copied events are the hub's, so the push
cursor goes past them (nothing of them is this desk's to push); the pull cursor is the
image's hub_seq, with the uuid there for the restored-hub check.
"""

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from checkin import clock
from checkin.db import latest_version
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.search import fold
from checkin.store import Store
from checkin.sync import minimise

log = logging.getLogger(__name__)

FORMAT = "checkin-snapshot-1"
MEDIA_TYPE = "application/vnd.sqlite3"
DESK_TABLES = ("events", "attendees", "public_keys", "revoked_refs")
_SCHEMA = "snap"  # the name the image is attached under


class SnapshotRefused(CheckinError):
    """The hub's snapshot is not an SQLite image of this kind; one line."""


@dataclass(frozen=True)
class Snapshot:
    image: bytes
    hub_seq: int
    rows: int
    last_uuid: str | None = None  # the event at hub_seq


class Recent:
    """The last snapshot this hub process built, handed out again while it is recent: a
    morning of new desks costs one build, not one each (100,000 attendees: 1-3 s of the
    hub's time). Recent: made less than ``max_age`` seconds ago, under the same field
    policy, at most ``max_behind`` events behind the log (the desk pulls those), and the
    event at its hub_seq still there (a purge or a restored backup makes a new one).
    ``get(store)`` builds one at a time: desks that ask meanwhile get that build (and
    the process holds at most two images: the kept one and the one being built)."""

    def __init__(self, max_behind: int = 5_000, max_age: float = 600.0) -> None:
        self.max_behind, self.max_age = max_behind, max_age
        self._lock = threading.Lock()
        self._building = threading.Lock()
        self._kept: tuple[Snapshot, minimise.Policy, float] | None = None

    def get(self, store: Store) -> Snapshot:
        policy = minimise.load(store)
        found = self._recent(store, policy)
        if found is not None:
            return found
        with self._building:
            found = self._recent(store, policy)  # built while this one waited
            if found is not None:
                return found
            made = build(store)
            with self._lock:
                self._kept = (made, policy, time.monotonic())
            return made

    def _recent(self, store: Store, policy: minimise.Policy) -> Snapshot | None:
        with self._lock:
            kept = self._kept
        if kept is None:
            return None
        made, made_policy, at = kept
        if made_policy != policy or time.monotonic() - at > self.max_age:
            return None
        row = store.db.execute("SELECT uuid, (SELECT max(seq) FROM events) FROM events "
                               "WHERE seq = ?", [made.hub_seq]).fetchone()
        fits = row is not None and row[0] == made.last_uuid \
            and int(row[1]) - made.hub_seq <= self.max_behind
        return made if fits else None


@dataclass(frozen=True)
class Loaded:
    hub_seq: int
    last_uuid: str | None
    events: int
    attendees: int


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [str(row[1]) for row in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def _scratch_dir() -> str | None:
    """Where an image lives while it is made or copied: memory-backed where the system has
    such a folder (the attendee list should not touch a disk in the clear), else the
    temporary folder."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


@contextmanager
def _scratch_file(image: bytes | None = None) -> Iterator[Path]:
    """A private scratch file (0600), holding image if given; removed afterwards."""
    fd, name = tempfile.mkstemp(prefix="checkin-snapshot-", suffix=".sqlite",
                                dir=_scratch_dir())
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if image is not None:
                handle.write(image)
        yield path
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with suppress(FileNotFoundError):
                os.unlink(f"{path}{suffix}")


def _attach(conn: sqlite3.Connection, path: Path) -> None:
    # KEY '': the image is plain even when the database is encrypted (SQLCipher would
    # otherwise key an attached file with the main database's key, and a desk could not
    # read a hub's image, nor an encrypted desk a plain one); docs/encryption.md.
    conn.execute(f"ATTACH DATABASE ? AS {_SCHEMA} KEY ''", [str(path)])


def _detach(conn: sqlite3.Connection) -> None:
    with suppress(sqlite3.OperationalError):  # never attached, or attach failed half-way
        conn.execute(f"DETACH DATABASE {_SCHEMA}")


def build(store: Store) -> Snapshot:
    """The desk's tables of this (hub) database as an SQLite image."""
    from checkin.pg import is_postgres_db

    if is_postgres_db(store.db):
        return _build_from_rows(store)
    conn = store.db.conn
    with _scratch_file() as path:
        _attach(conn, path)
        try:
            rows, hub_seq, last = _fill(store)
        finally:
            _detach(conn)
        image = path.read_bytes()
    return Snapshot(image=image, hub_seq=hub_seq, rows=rows, last_uuid=last)


def _fill(store: Store) -> tuple[int, int, str | None]:
    """The attached scratch database filled from this one: (rows, hub_seq, its uuid)."""
    conn = store.db.conn
    conn.execute(f"PRAGMA {_SCHEMA}.journal_mode = OFF")  # a scratch file: no recovery
    conn.execute(f"PRAGMA {_SCHEMA}.synchronous = OFF")
    policy = minimise.load(store)
    conn.create_function(minimise.FOLD_FUNCTION, 1, fold, deterministic=True)
    conn.execute("BEGIN")  # one read snapshot of the log and the tables it made
    try:
        rows = 0
        for table in DESK_TABLES:
            names = _columns(conn, "main", table)
            conn.execute(f"CREATE TABLE {_SCHEMA}.{table} ({', '.join(names)})")
            rows += conn.execute(
                f"INSERT INTO {_SCHEMA}.{table} SELECT {_desk_columns(policy, table, names)} "
                f"FROM main.{table}").rowcount
        hub_seq, last = conn.execute(
            "SELECT seq, uuid FROM main.events ORDER BY seq DESC LIMIT 1").fetchone() \
            or (0, None)
        _write_facts(conn, _SCHEMA, _facts_of(store, hub_seq, last))
    finally:
        conn.execute("COMMIT")
    return rows, int(hub_seq), last


def _facts_of(store: Store, hub_seq: int, last: str | None) -> dict[str, object]:
    return {"format": FORMAT, "schema": latest_version(), "hub_seq": hub_seq,
            "last_uuid": last, "event_name": store.meta("event_name"),
            "event_days": json.loads(store.meta("event_days") or "[]"),
            "event_timezone": store.meta(clock.ZONE_KEY)}


def _write_facts(conn: sqlite3.Connection, schema: str, facts: dict[str, object]) -> None:
    conn.execute(f"CREATE TABLE {schema}.snapshot (key TEXT PRIMARY KEY, value)")
    conn.executemany(f"INSERT INTO {schema}.snapshot VALUES (?, ?)",
                     [(k, json.dumps(v)) for k, v in facts.items()])


def _build_from_rows(store: Store) -> Snapshot:
    """A hub on PostgreSQL (checkin.pg): the desk tables' rows, read in one repeatable-read
    transaction, go into temporary tables of the scratch file's own connection (in memory,
    never into the image); then the same SQL as an SQLite hub's (_desk_columns) writes the
    image from them. One definition of what a desk gets, and the payloads minimised by
    SQLite's JSON functions (100,000 attendees on one database: 3.1 s to build, against
    5.4 s when Python parsed and wrote every payload again)."""
    policy = minimise.load(store)
    rows = 0
    with _scratch_file() as path:
        out = sqlite3.connect(path, isolation_level=None)
        try:
            for setting in ("journal_mode = OFF", "synchronous = OFF", "temp_store = MEMORY"):
                out.execute(f"PRAGMA {setting}")
            out.create_function(minimise.FOLD_FUNCTION, 1, fold, deterministic=True)
            out.execute("BEGIN")
            store.db.conn.execute("BEGIN")  # one snapshot of the log and its tables
            try:
                for table in DESK_TABLES:
                    found = store.db.execute(f"SELECT * FROM {table}")
                    names = [str(d[0]) for d in found.description or ()]
                    for schema in ("temp", "main"):
                        out.execute(f"CREATE TABLE {schema}.{table} ({', '.join(names)})")
                    out.executemany(f"INSERT INTO temp.{table} VALUES "
                                    f"({', '.join('?' * len(names))})", found)
                    rows += out.execute(
                        f"INSERT INTO main.{table} SELECT "
                        f"{_desk_columns(policy, table, names)} FROM temp.{table}").rowcount
                    out.execute(f"DROP TABLE temp.{table}")
                top = store.db.execute(
                    "SELECT seq, uuid FROM events ORDER BY seq DESC LIMIT 1").fetchone()
                hub_seq, last = (int(top[0]), str(top[1])) if top else (0, None)
                _write_facts(out, "main", _facts_of(store, hub_seq, last))
            finally:
                store.db.conn.execute("COMMIT")
            out.execute("COMMIT")
        finally:
            out.close()
        image = path.read_bytes()
    return Snapshot(image=image, hub_seq=hub_seq, rows=rows, last_uuid=last)


def _desk_columns(policy: minimise.Policy, table: str, names: list[str]) -> str:
    """The select list of a desk table: what the event's policy lets desks hold
    (checkin.sync.minimise), as the pull sends it."""
    if table == "attendees":
        return ", ".join(minimise.attendee_sql(policy, name) for name in names)
    if table == "events":
        return ", ".join(minimise.payload_sql(policy) if name == "payload" else name
                         for name in names)
    return ", ".join(names)


def _facts(conn: sqlite3.Connection) -> dict[str, object]:
    try:
        rows = conn.execute(f"SELECT key, value FROM {_SCHEMA}.snapshot").fetchall()
        return {str(key): json.loads(value) for key, value in rows}
    except (sqlite3.DatabaseError, TypeError, ValueError) as exc:
        raise SnapshotRefused(f"the hub's snapshot is not readable: {exc}") from None


def _unfit(conn: sqlite3.Connection, facts: dict[str, object]) -> str | None:
    if facts.get("format") != FORMAT:
        return f"format {facts.get('format')!r}, not {FORMAT}"
    if facts.get("schema") != latest_version():
        return f"the hub's schema is version {facts.get('schema')}, this desk's " \
               f"{latest_version()}"
    for table in DESK_TABLES:
        missing = set(_columns(conn, "main", table)) - set(_columns(conn, _SCHEMA, table))
        if missing:
            return f"table {table} lacks {', '.join(sorted(missing))}"
    if not isinstance(facts.get("hub_seq"), int) or not isinstance(facts.get("event_days"),
                                                                    list):
        return "its hub_seq or event days are missing"
    return None


def load(store: Store, image: bytes, on_loaded: Callable[[Loaded], None]) -> Loaded | None:
    """Copy the image into this desk, whose log must be empty (see the module doc)."""
    if not image.startswith(b"SQLite format 3\x00"):
        raise SnapshotRefused("the hub's snapshot is not an SQLite image")
    with _scratch_file(image) as path:
        return _load_attached(store, path, on_loaded)


def _load_attached(store: Store, path: Path,
                   on_loaded: Callable[[Loaded], None]) -> Loaded | None:
    conn = store.db.conn
    try:
        try:
            _attach(conn, path)
        except sqlite3.DatabaseError as exc:
            raise SnapshotRefused(f"the hub's snapshot is not an SQLite image: {exc}") from None
        facts = _facts(conn)
        unfit = _unfit(conn, facts)
        if unfit:
            log.info("sync: the hub's snapshot does not fit this desk (%s): replaying its log "
                     "instead", unfit)
            return None
        loaded = _copy(store, facts, on_loaded)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise
        raise SnapshotRefused(f"the hub's snapshot could not be copied: {exc}") from None
    finally:
        _detach(conn)
    if loaded is not None:
        log.info("sync: first sync from the hub's snapshot at hub_seq %d: %d events, %d "
                 "attendees", loaded.hub_seq, loaded.events, loaded.attendees)
    return loaded


def _copy(store: Store, facts: dict[str, object],
          on_loaded: Callable[[Loaded], None]) -> Loaded | None:
    conn = store.db.conn
    cache = int(conn.execute("PRAGMA main.cache_size").fetchone()[0])
    conn.execute("PRAGMA main.cache_size = -65536")  # 64 MB while the indexes grow
    try:
        with store.transaction():
            if conn.execute("SELECT EXISTS (SELECT 1 FROM main.events)").fetchone()[0]:
                log.info("sync: this desk's log is no longer empty: replaying instead")
                return None
            counts = _copy_tables(conn)
            _fill_search_keys(store)
            name, days = str(facts.get("event_name") or ""), facts["event_days"]
            if name and isinstance(days, list):  # a list: _unfit checked it
                store.set_event(name, [str(day) for day in days])
            zone = facts.get("event_timezone")
            if isinstance(zone, str) and zone:
                store.set_meta(clock.ZONE_KEY, zone)
            last = facts.get("last_uuid")
            loaded = Loaded(hub_seq=int(facts["hub_seq"]),  # type: ignore[call-overload]
                            last_uuid=last if isinstance(last, str) else None,
                            events=counts["events"], attendees=counts["attendees"])
            on_loaded(loaded)
            return loaded
    finally:
        conn.execute(f"PRAGMA main.cache_size = {cache}")


def _copy_tables(conn: sqlite3.Connection) -> dict[str, int]:
    """The image's rows into this desk's (empty) tables. The plain indexes of the two big
    tables are dropped and made again after the copy: building an index over sorted rows
    once costs a third of inserting 100,000 random keys one by one (measured, 2026-12-02);
    the unique ones stay and check every row."""
    indexes = conn.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('events', 'attendees')").fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX main.{name}")
    counts: dict[str, int] = {}
    for table in DESK_TABLES:
        columns = ", ".join(_columns(conn, "main", table))
        conflict = " ON CONFLICT DO NOTHING" if table in ("public_keys", "revoked_refs") else ""
        counts[table] = conn.execute(
            f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM {_SCHEMA}.{table} "
            f"WHERE true{conflict}").rowcount
    for _, sql in indexes:
        conn.execute(sql)
    return counts


def _fill_search_keys(store: Store) -> int:
    """Search keys for the copied attendees that came without one (a row written without
    the importer, say); the others are the hub's, made by the same code."""
    from checkin.search import search_key

    empty = [row["id"] for row in store.db.query(
        "SELECT id FROM attendees WHERE search_key = ''")]
    for attendee_id in empty:
        attendee = store.attendee(attendee_id)
        if attendee is not None:
            store.db.execute("UPDATE attendees SET search_key = ? WHERE id = ?",
                             [search_key(attendee), attendee_id])
    return len(empty)
