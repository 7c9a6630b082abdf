"""Retention: `checkin purge` removes an event's personal data after it (docs/privacy.md).

Contract: ``purge(store, db_path, *, keep_counts=False, today=None) -> PurgeResult``.

Refused (CheckinError, nothing changed) while

- the event is not over: today, in the event's time zone (checkin.clock), is before its
  last day (on the last day itself it is allowed: "Close the day" after the last
  admissions);
- a desk paired with a hub has events the hub has not acknowledged (its outbox,
  checkin.sync.client.outbox_count): run `checkin sync --final` first;
- on a hub, an active desk has never made its final sync (`checkin sync --final`): its
  last admissions may still be on their way. Revoke a desk that will never come
  (`checkin hub revoke-station`).

What it removes, in one transaction: every attendee, every event of the log (names,
e-mail addresses, who admitted whom and when), the print queue, the tokens issued for
confirmations, revoked refs, what pretix knew of each attendee (positions, check-ins,
pushes) and the uuids of pulled events. With keep_counts, first the anonymous counts per
event day, role and country (registered for the day, admitted) go to ``purged_counts``,
which the dashboard and the day report read from then on (checkin.reports). Kept: the
event's name, days and time zone, its public keys, the hub's list of desks (names and
token hashes) and upload attempts: nothing about an attendee. One ``data_purged`` event
is appended afterwards (who purged, where, when, how much), so the audit says it.

The event log is append-only by triggers; db/0010_retention.sql lets deletes through
only while this transaction holds the row of ``purge_permit`` (inserted and deleted
inside it: no other connection ever sees it). ``PRAGMA secure_delete`` zeroes freed
pages, VACUUM rewrites the file, and a TRUNCATE checkpoint empties the WAL, so no name
remains in free pages, in the -wal file or beside the database. Outside the database it
removes the badge PDFs the print queue wrote into a PDF folder and the ``*.replaced-*``
copies `checkin demo --force` kept beside it (with their key files), the search index
file beside it (checkin.search_cache: names in the clear), and unpairs a desk
(its hub token file and sync settings): a desk that synced again would pull names back.

On a PostgreSQL hub (checkin.pg) the same transaction removes the same rows; then
``VACUUM FULL`` rewrites each emptied table into new files (the old ones are deleted), so
no name stays in the tables' pages. What the server keeps outside them (its WAL, a WAL
archive, base backups, replicas) holds the rows until the server's own retention ends
them: the result says so, and docs/privacy.md tells the administrator what to clear.

A checkpoint another program blocks (it holds a read transaction open) is a CheckinError
after the commit: the data is gone from the tables, but old pages may stay in the WAL
until `checkin purge` runs again with nothing else holding the database. A second purge
is always allowed: it removes nothing more and rewrites the file again.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkin import clock, paths, pg, search_cache
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.store import Store, now

log = logging.getLogger(__name__)

DATA_PURGED = "data_purged"  # the one event a purge leaves (checkin.audit lists it)
PURGED_AT = "purged_at"  # meta: when the last purge ran

# Tables that hold attendees' data, in the order they are emptied (print_jobs refers to
# attendees). Counted and emptied whole.
_TABLES = ("print_jobs", "issued_tokens", "revoked_refs", "pretix_positions",
           "pretix_checkins", "pretix_pushes", "sync_pulled", "events", "attendees")
# Desk sync settings removed with the token file: the desk is no longer paired.
_SYNC_META = ("sync_hub", "sync_hub_id", "sync_pull_seq", "sync_pull_uuid", "sync_push_seq",
              "sync_last", "sync_hub_fingerprint", "sync_station_key")


@dataclass
class PurgeResult:
    removed: dict[str, int]  # table -> rows removed
    files: list[Path] = field(default_factory=list)  # files removed beside the database
    kept_counts: int = 0  # rows of purged_counts written now
    unpaired: bool = False  # the desk's hub token and sync settings were removed
    bytes_before: int = 0
    bytes_after: int = 0
    server: bool = False  # a PostgreSQL database: rewritten by VACUUM FULL, not a file

    @property
    def attendees(self) -> int:
        return self.removed.get("attendees", 0)

    @property
    def events(self) -> int:
        return self.removed.get("events", 0)

    def lines(self) -> list[str]:
        """What was removed, in words (the CLI prints these; the station shows them)."""
        r = self.removed
        out = [f"removed {r.get('attendees', 0)} attendees and {r.get('events', 0)} events "
               "of the log (names, e-mail addresses, admissions, who did what)"]
        others = [f"{n} {what}" for what, n in (
            ("print jobs", r.get("print_jobs", 0)),
            ("issued confirmation tokens", r.get("issued_tokens", 0)),
            ("revoked refs", r.get("revoked_refs", 0)),
            ("pretix records", sum(r.get(t, 0) for t in (
                "pretix_positions", "pretix_checkins", "pretix_pushes"))),
            ("pulled-event ids", r.get("sync_pulled", 0))) if n]
        if others:
            out.append("removed " + ", ".join(others))
        if self.files:
            out.append(f"removed {len(self.files)} files beside the database: "
                       + ", ".join(p.name for p in self.files[:5])
                       + (" ..." if len(self.files) > 5 else ""))
        if self.unpaired:
            out.append("unpaired this desk from its hub (its token file and sync settings)")
        out.append(f"kept anonymous counts: {self.kept_counts} rows (day, role, country)"
                   if self.kept_counts else "kept no counts")
        if self.server:
            out.append("rewrote the emptied tables (VACUUM FULL); the server's WAL, WAL "
                       "archive, backups and replicas keep the old rows until they expire: "
                       "docs/privacy.md")
        else:
            out.append(f"rewrote the database file (VACUUM, WAL emptied): "
                       f"{self.bytes_before:,} -> {self.bytes_after:,} bytes")
        return out


# -- refusals ------------------------------------------------------------------------------

def _refuse_before_end(store: Store, today: str | None) -> None:
    days = store.event_info().days
    if not days:
        return
    day = today or clock.event_day(store)
    last = max(days)
    if day < last:
        raise CheckinError(f"the event runs until {last} (today is {day} in the event's "
                           "time zone): purge removes its personal data after it; nothing "
                           "was changed")


def _refuse_waiting(store: Store) -> None:
    from checkin.sync.client import outbox_count

    if store.meta("sync_hub") is None:
        return
    waiting = outbox_count(store)
    if waiting:
        raise CheckinError(f"{waiting} events of this desk wait to be synced: run `checkin "
                           "sync --final` (or Close the day) first; nothing was changed")


def _refuse_desks_not_final(store: Store) -> None:
    """On a hub: every active desk must have made its final sync. (Its contact time
    cannot tell more: a station app left running keeps pulling after it.)"""
    rows = store.db.execute(
        "SELECT name FROM sync_stations WHERE revoked_at IS NULL AND final_at IS NULL "
        "ORDER BY name").fetchall()
    names = [str(r[0]) for r in rows]
    if names:
        raise CheckinError(
            f"desk {', '.join(names[:5])}{' ...' if len(names) > 5 else ''} has not made its "
            "final sync (`checkin sync --final` there, or `checkin hub revoke-station NAME` "
            "for a desk that will not come back); nothing was changed")


# -- counts --------------------------------------------------------------------------------

def _counts(store: Store) -> list[tuple[str, str, str, int, int]]:
    """(day, role, country, registered for the day, admitted that day) per event day."""
    people = {str(r[0]): (str(r[1]), str(r[2]), str(r[3]), json.loads(r[4] or "[]"))
              for r in store.db.execute(
                  "SELECT id, role, country, status, days FROM attendees")}
    rows = []
    for day in store.event_info().days:
        registered: Counter[tuple[str, str]] = Counter(
            (role, country) for role, country, status, days in people.values()
            if status == "confirmed" and (not days or day in days))
        admitted: Counter[tuple[str, str]] = Counter()
        for attendee_id, _ in store.admissions_in_force(day=day):
            role, country, _status, _days = people.get(attendee_id, ("", "", "", []))
            admitted[(role, country)] += 1
        for role, country in sorted(set(registered) | set(admitted)):
            rows.append((day, role, country, registered[(role, country)],
                         admitted[(role, country)]))
    return rows


# -- files ---------------------------------------------------------------------------------

def _badge_files(store: Store) -> list[Path]:
    """The PDFs the print queue wrote into a PDF folder (backend "pdf")."""
    from checkin.printing.pdf_folder import default_folder

    found = []
    for printer, name in store.db.execute(
            "SELECT printer, backend_job_id FROM print_jobs WHERE backend = 'pdf' "
            "AND backend_job_id != ''"):
        folder = Path(str(printer)).expanduser() if printer else default_folder()
        path = folder / str(name)
        if path.name == str(name) and path.suffix == ".pdf":  # a bare file name, as written
            found.append(path)
    return found


def _backups(db_path: Path) -> list[Path]:
    """Copies of replaced event databases kept beside this one, with their companions."""
    found: list[Path] = []
    for copy in sorted(db_path.parent.glob(f"{db_path.stem}.replaced-*{db_path.suffix}")):
        found += [p for p in (copy, *(Path(f"{copy}{s}") for s in ("-wal", "-shm")),
                              paths.key_path(copy), search_cache.cache_path(copy))
                  if p.exists()]
    return found


def _remove(files: list[Path]) -> list[Path]:
    removed = []
    for path in dict.fromkeys(files):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("purge: could not remove %s: %s", path, exc)
            raise CheckinError(f"the database is purged, but {path} could not be removed "
                               f"({exc.strerror or exc}): remove it by hand") from None
        removed.append(path)
    return removed


def _size(db_path: Path) -> int:
    """The file and its WAL (0 for PostgreSQL, whose db_path names no file)."""
    return sum(Path(f"{db_path}{s}").stat().st_size for s in ("", "-wal")
               if Path(f"{db_path}{s}").exists())


# -- the purge -----------------------------------------------------------------------------

def purge(store: Store, db_path: Path, *, keep_counts: bool = False,
          today: str | None = None) -> PurgeResult:
    """Remove the event's personal data (see the module docstring)."""
    db_path = Path(db_path)
    _refuse_before_end(store, today)
    _refuse_waiting(store)
    _refuse_desks_not_final(store)
    conn = store.db.conn
    before = _size(db_path)
    paired = store.meta("sync_hub") is not None
    removed: dict[str, int] = {}
    conn.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed, not left as they were
    with store.transaction():
        files = _badge_files(store)
        kept = _counts(store) if keep_counts and store.attendee_count() else []
        if kept:
            conn.execute("DELETE FROM purged_counts")
            conn.executemany("INSERT INTO purged_counts (day, role, country, registered, "
                             "checked_in) VALUES (?, ?, ?, ?, ?)", kept)
        stamp = now()
        conn.execute("INSERT INTO purge_permit (id, started) VALUES (1, ?)", [stamp])
        for table in _TABLES:
            removed[table] = conn.execute(f"DELETE FROM {table}").rowcount
        conn.execute("DELETE FROM purge_permit")
        if paired:
            conn.execute(f"DELETE FROM meta WHERE key IN ({','.join('?' * len(_SYNC_META))})",
                         list(_SYNC_META))
        store.set_meta(PURGED_AT, stamp)
        payload: dict[str, Any] = {"removed": removed, "kept_counts": len(kept),
                                   "files": len(files)}
        store.append(DATA_PURGED, payload=payload)
    log.info("purge of %s: removed %s; kept %d count rows", db_path, removed, len(kept))
    result = PurgeResult(removed, kept_counts=len(kept), unpaired=paired,
                         bytes_before=before, server=pg.is_postgres_db(store.db))
    if paired:
        from checkin.sync.client import token_path

        files.append(token_path(db_path))
    result.files = _remove(files + _backups(db_path) + [search_cache.cache_path(db_path)])
    if result.files:
        log.info("purge of %s: removed the files %s", db_path,
                 ", ".join(str(p) for p in result.files))
    rewrite(store, db_path)
    result.bytes_after = _size(db_path)
    return result


def rewrite(store: Store, db_path: Path) -> None:
    """VACUUM the file and empty its WAL: nothing deleted stays in free pages or the WAL.
    CheckinError when another program keeps the checkpoint from finishing. On
    PostgreSQL: VACUUM FULL of the emptied tables (module docstring)."""
    conn = store.db.conn
    if pg.is_postgres_db(store.db):
        try:
            for table in _TABLES:
                conn.execute(f"VACUUM FULL {table}")
            if _may_vacuum_catalogs(store):
                # Statistics dropped by db/pg/0011 may still sit in its pages as dead rows.
                conn.execute("VACUUM FULL pg_statistic")
        except sqlite3.OperationalError as exc:  # a lock not granted in time (checkin.pg)
            log.warning("purge: VACUUM FULL not done (%s)", exc)
            raise CheckinError("the personal data is removed from the tables, but a hub "
                               "process holds them, so their old pages remain: stop `checkin "
                               "hub serve` and run `checkin purge` again") from None
        return
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat4'").fetchone():
            conn.execute("DELETE FROM sqlite_stat4")  # ANALYZE's samples: column values
        _checkpoint(conn, db_path)
        conn.execute("VACUUM")
        _checkpoint(conn, db_path)
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        _held(db_path, str(exc))


def _may_vacuum_catalogs(store: Store) -> bool:
    """A superuser or the database's owner (PostgreSQL lets only them vacuum a catalog)."""
    row = store.db.execute(
        "SELECT r.rolsuper OR pg_has_role(current_user, d.datdba, 'MEMBER') "
        "FROM pg_roles r, pg_database d WHERE r.rolname = current_user "
        "AND d.datname = current_database()").fetchone()
    return bool(row and row[0])


def _checkpoint(conn: sqlite3.Connection, db_path: Path) -> None:
    busy, _frames, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        _held(db_path, "checkpoint busy")


def _held(db_path: Path, detail: str) -> None:
    log.warning("purge of %s: the file could not be rewritten (%s)", db_path, detail)
    raise CheckinError(f"{db_path}: the personal data is removed from the tables, but another "
                       "program holds the database, so old pages may remain in its WAL file: "
                       "close it (the station app, `checkin hub serve`) and run `checkin "
                       "purge` again")
