"""`checkin doctor`: what a supporter checks first, one line each.

Contract: ``run(place) -> list[Check]`` for an SQLite file or a PostgreSQL URL
(checkin.places); each ``Check(name, level, message)`` with level OK, WARN or FAIL (FAIL:
the station should not be used as it is; `checkin doctor` then exits non-zero). Nothing
is written: the database is opened without migrations, and the checks only read
(integrity_check, the key file, the print queue, the free disk space).

Checks of a file, in order: files (the database and its -wal/-shm can be written: a -shm
left read-only is found here), schema (the version against this program's), integrity
(PRAGMA integrity_check: every page, index and constraint, 1.7 s for 100,000 attendees),
event (name, days, time zone), keys (listed, revoked), key file (present, this event's,
owner-only, no interrupted key change), print queue (failed or stuck jobs), clock (behind
the newest entry in the log: checkin.clock), disk space.

Of a PostgreSQL database: server (it answers; its version, the database's size), schema,
integrity (one row per event uuid, which the unique constraint keeps; whether the server
checksums its pages: the server checks its own storage, docs/deployment.md), then event,
keys, key file (kept in checkin.pg.files_path on this machine), print queue and clock as
for a file. The disk that matters is the server's: its administrator watches it.
"""

import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast

import sqlite_utils

from checkin import db, paths, places
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError

OK, WARN, FAIL = "ok", "warn", "FAIL"
MIN_FREE = 50 * 1024 * 1024  # below this (or twice the database), writes may fail soon
LOW_FREE = 500 * 1024 * 1024


@dataclass(frozen=True)
class Check:
    name: str
    level: str
    message: str


def run(place: places.Place) -> list[Check]:
    """Every check (module doc); a check that cannot run is a FAIL saying why."""
    if places.is_postgres(place):
        return _run_postgres(str(place))
    db_path = Path(place)
    if not db_path.is_file():
        return [Check("files", FAIL, f"no event database at {db_path}")]
    found = [_files(db_path)]
    try:
        conn = db.connect(db_path, read_only=True, timeout=5)
    except sqlite3.Error as exc:
        return [*found, Check("schema", FAIL, f"cannot open {db_path}: {exc}")]
    except CheckinError as exc:  # encrypted, and no passphrase opens it
        return [*found, Check("schema", FAIL, str(exc))]
    try:
        database = sqlite_utils.Database(conn)
        found += [_guarded("schema", _schema, database),
                  _guarded("integrity", _integrity, database),
                  *_common(database, db_path)]
    finally:
        conn.close()
    found.append(_disk_space(db_path))
    return found


def _run_postgres(url: str) -> list[Check]:
    from checkin import pg

    try:
        database = pg.open_database(url, migrate=False)
    except CheckinError as exc:
        return [Check("server", FAIL, str(exc))]
    try:
        return [_guarded("server", _pg_server, database),
                _guarded("schema", _pg_schema, database),
                _guarded("integrity", _pg_integrity, database),
                *_common(database, places.files_path(url))]
    finally:
        database.close()


def _common(database: sqlite_utils.Database, files: Path) -> list[Check]:
    """The checks of what the event holds, the same on either database."""
    return [_guarded("event", _event, database),
            _guarded("keys", _keys, database),
            _guarded("key file", lambda d: _key_file(d, files), database),
            _guarded("print queue", _print_queue, database),
            _guarded("clock", _clock, database)]


def _guarded(name: str, check: Callable[[sqlite_utils.Database], Check],
             database: sqlite_utils.Database) -> Check:
    try:
        return check(database)
    except sqlite3.Error as exc:
        return Check(name, FAIL, f"cannot read it: {db.describe_error(exc)}")


def _files(db_path: Path) -> Check:
    problem = db.unwritable_companion(db_path)
    if problem:
        return Check("files", FAIL, problem)
    if not os.access(db_path, os.W_OK):
        return Check("files", WARN, f"{db_path} is read-only: desks cannot admit into it")
    size = db_path.stat().st_size
    wal = Path(f"{db_path}-wal")
    extra = f", WAL {wal.stat().st_size:,} bytes" if wal.exists() else ""
    return Check("files", OK, f"{db_path} ({size:,} bytes{extra})")


def _schema(database: sqlite_utils.Database) -> Check:
    return _against(database.execute("PRAGMA user_version").fetchone()[0], db.latest_version())


def _against(version: int, known: int) -> Check:
    """The schema check: a database's version against the newest this program knows."""
    if version > known:
        return Check("schema", FAIL, f"schema {version} is newer than this checkin knows "
                     f"({known}): use a newer checkin")
    if version < known:
        return Check("schema", WARN, f"schema {version}; upgraded to {known} when a command "
                     "opens it")
    return Check("schema", OK, f"schema {version}, current")


def _integrity(database: sqlite_utils.Database) -> Check:
    rows = [row[0] for row in database.execute("PRAGMA integrity_check").fetchall()]
    if rows == ["ok"]:
        return Check("integrity", OK, "every page, index and constraint checked")
    first = str(rows[0]).splitlines()[0][:200]
    return Check("integrity", FAIL, f"{len(rows)} problem(s), the first: {first}; "
                 f"{db.RECOVERY.removeprefix('nothing was written; ')}")


def _pg_server(database: sqlite_utils.Database) -> Check:
    version, size = database.execute(
        "SELECT current_setting('server_version'), "
        "pg_database_size(current_database())").fetchone()
    return Check("server", OK, f"PostgreSQL {version}, the database {size / 1024 / 1024:,.1f} "
                 "MB (its disk is the server's: watch it there)")


def _pg_schema(database: sqlite_utils.Database) -> Check:
    from checkin import pg

    version = pg.schema_version(cast("pg.PgDatabase", database))
    if version == 0:
        return Check("schema", FAIL, "no event tables in this database (`checkin --db URL "
                     "init` makes them)")
    return _against(version, pg.latest_version())


def _pg_integrity(database: sqlite_utils.Database) -> Check:
    events, uuids = database.execute(
        "SELECT count(*), count(DISTINCT uuid) FROM events").fetchone()
    if events != uuids:
        return Check("integrity", FAIL, f"{events - uuids} events stored twice: the unique "
                     "constraint on events.uuid is gone (restore it from a backup)")
    checksums = database.execute("SELECT current_setting('data_checksums')").fetchone()[0]
    pages = ("the server checksums its pages" if checksums == "on" else
             "the server does not checksum its pages (initdb --data-checksums)")
    return Check("integrity", OK, f"{events:,} event{'' if events == 1 else 's'} in the log, "
                 f"each once; {pages}")


def _event(database: sqlite_utils.Database) -> Check:
    meta = dict(database.execute("SELECT key, value FROM meta").fetchall())
    if "event_name" not in meta:
        return Check("event", FAIL, "no event in this database (`checkin init`)")
    zone = meta.get("event_timezone", "")
    where = f", time zone {zone}" if zone else ", no time zone (this machine's is used)"
    return Check("event", OK, f"{meta['event_name']!r}, days {meta.get('event_days', '[]')}"
                 f"{where}")


def _keys(database: sqlite_utils.Database) -> Check:
    rows = database.execute("SELECT key_id, revoked_at FROM public_keys").fetchall()
    valid = [key_id for key_id, revoked in rows if revoked is None]
    if not rows:
        return Check("keys", WARN, "no signing keys yet: only upstream codes admit "
                     "(`checkin keys rotate` on the organiser's machine makes one)")
    if not valid:
        return Check("keys", FAIL, f"all {len(rows)} keys are revoked: no signed "
                     "confirmation verifies (`checkin keys rotate` on the organiser's "
                     "machine)")
    revoked = len(rows) - len(valid)
    return Check("keys", OK, f"{len(valid)} valid ({', '.join(valid)})"
                 + (f", {revoked} revoked" if revoked else ""))


def _key_file(database: sqlite_utils.Database, db_path: Path) -> Check:
    from checkin import keys

    path = paths.key_path(db_path)
    if keys.pending_path(path).exists():
        return Check("key file", WARN, f"an interrupted key change waits in "
                     f"{keys.pending_path(path)}: the next `checkin keys list` finishes it")
    try:
        info = path.lstat()
    except FileNotFoundError:
        return Check("key file", OK, "none here: a desk station (confirmations are issued "
                     "on the organiser's machine)")
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        return Check("key file", FAIL, f"{path} is not a regular file")
    if os.name == "posix" and info.st_uid != os.geteuid():
        return Check("key file", FAIL, f"{path} belongs to another user (uid {info.st_uid})")
    if os.name == "posix" and info.st_mode & 0o077:
        return Check("key file", FAIL, f"{path} can be read or written by other users "
                     f"(mode {stat.S_IMODE(info.st_mode):o}; make it 600)")
    try:
        key = keys.read_private_key(path, keys.secret_of(db_path))
    except CheckinError as exc:
        return Check("key file", FAIL, str(exc))
    assert key is not None
    key_id = keys.key_id_of(key)
    row = database.execute("SELECT revoked_at FROM public_keys WHERE key_id = ?",
                           [key_id]).fetchone()
    if row is None:
        return Check("key file", FAIL, f"{path} holds key {key_id}, which this event does "
                     "not list (another event's key?)")
    if row[0] is not None:
        return Check("key file", FAIL, f"{path} holds key {key_id}, revoked {row[0]} "
                     "(`checkin keys rotate`)")
    return Check("key file", OK, f"{path}: key {key_id}, owner-only")


def _print_queue(database: sqlite_utils.Database) -> Check:
    counts = dict(database.execute("SELECT state, count(*) FROM print_jobs GROUP BY state")
                  .fetchall())
    summary = ", ".join(f"{counts[state]} {state}" for state in sorted(counts)) or "empty"
    if counts.get("failed"):
        return Check("print queue", WARN, f"{summary}: retry or cancel the failed jobs "
                     "(`checkin print`, or the station's print panel)")
    if counts.get("printing"):
        return Check("print queue", WARN, f"{summary}: jobs marked printing are at a "
                     "printer now, or were left by a station that stopped (printed again "
                     "when it restarts)")
    return Check("print queue", OK, summary)


def _clock(database: sqlite_utils.Database) -> Check:
    from checkin import clock
    from checkin.store import Store

    store = Store(database)
    skew = clock.check_clock(store)
    zone = clock.event_zone(store)
    now = datetime.now().astimezone()
    if skew is not None:
        return Check("clock", WARN, skew.message)
    return Check("clock", OK, f"{now.isoformat(timespec='minutes')} here, event day "
                 f"{now.astimezone(zone).date().isoformat()} in the event's time zone")


def _disk_space(db_path: Path) -> Check:
    folder = db_path.parent
    free = shutil.disk_usage(folder).free
    used = db_path.stat().st_size + sum(
        Path(f"{db_path}{suffix}").stat().st_size for suffix in ("-wal", "-shm")
        if Path(f"{db_path}{suffix}").exists())
    text = f"{free / 1024 / 1024:,.0f} MB free in {folder}"
    if free < max(MIN_FREE, 2 * used):
        return Check("disk space", FAIL, f"{text}: too little, admissions may not be "
                     "recorded; free some space")
    if free < LOW_FREE:
        return Check("disk space", WARN, f"{text}: low")
    return Check("disk space", OK, text)
