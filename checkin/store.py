"""Queries and writes over one event database. Every change is also an event in the log."""

import base64
import json
import secrets
import socket
import uuid as uuidlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from time import monotonic, sleep
from typing import Any

import sqlite_utils

from checkin.dbapi import sqlite3
from checkin.errors import CheckinError, NoEvent
from checkin.models import Attendee, Event, EventInfo

# Event types in the log.
ATTENDEE_CREATED = "attendee_created"
ATTENDEE_UPDATED = "attendee_updated"
ATTENDEE_CANCELLED = "attendee_cancelled"
CHECKIN = "checkin"
UNDO = "undo"
BADGE_PRINTED = "badge_printed"
SCAN_REFUSED = "scan_refused"  # a code refused as invalid (no attendee): damaged or forged

# Two registrations of one person joined at the hub (checkin.merging): payload
# {"from": id, "into": id}; the log keeps both ids, and what is derived from it reads the
# "from" id's events as the "into" id's (Store.merges).
ATTENDEE_MERGED = "attendee_merged"

# The columns standing_admissions() reads, in this order, from events in log order.
ADMISSION_COLUMNS = ("uuid, type, attendee_id, day, station, operator, time, "
                     "json_extract(payload, '$.undoes')")


@dataclass(frozen=True)
class Admission:
    """A check-in that no undo annuls."""

    uuid: str
    attendee_id: str
    day: str
    station: str
    operator: str
    time: str


def instant(time: str) -> float:
    """Desks may write different UTC offsets: order by the instant, not the text."""
    try:
        return datetime.fromisoformat(time).timestamp()
    except (ValueError, OverflowError):
        return float("inf")


def standing_admissions(rows: Iterable[Sequence[Any]]
                        ) -> dict[tuple[str, str], list[Admission]]:
    """(attendee id, day) -> the check-ins in force, earliest first.

    rows are ADMISSION_COLUMNS of checkin and undo events. An undo annuls the check-in it
    names (payload "undoes"), wherever it stands in the log: desks merged by sync hold
    the same events in different orders, and must agree, so nothing here depends on the
    order. An undo that names no check-in (the engine always names one; other sources
    may not) annuls the attendee's check-ins of that day made up to its own time.
    Several check-ins in force are one person inside, admitted at several desks while
    they could not see each other (checkin.conflicts lists them).
    """
    admitted: dict[tuple[str, str], list[Admission]] = {}
    annulled: set[str] = set()
    undone_until: dict[tuple[str, str], float] = {}
    for uuid, kind, attendee_id, day, station, operator, time, undoes in rows:
        key = (attendee_id, day)
        if kind == CHECKIN:
            admitted.setdefault(key, []).append(
                Admission(uuid, attendee_id, day, station, operator, time))
        elif isinstance(undoes, str):
            annulled.add(undoes)
        else:
            undone_until[key] = max(undone_until.get(key, float("-inf")), instant(time))
    standing: dict[tuple[str, str], list[Admission]] = {}
    for key, found in admitted.items():
        until = undone_until.get(key, float("-inf"))
        left = [a for a in found if a.uuid not in annulled and instant(a.time) > until]
        if left:
            standing[key] = sorted(left, key=lambda a: (instant(a.time), a.uuid))
    return standing


def resolve_merges(rows: Iterable[Sequence[Any]]) -> dict[str, str]:
    """Merged-away id -> the id it counts as now, chains followed (a into b, b into c:
    a and b both count as c).

    rows are (from, into, time, uuid) of attendee_merged events, in any order: they are
    taken by instant, then uuid, so every database that holds the same merges agrees,
    whatever order sync gave its log. A merge of an id that is merged away already, or one
    that would close a circle, is ignored (the first one stands; `checkin merge` refuses
    both, so only a hand-made log gets there).
    """
    into_of: dict[str, str] = {}
    for source, target, _time, _uuid in sorted(
            (r for r in rows if isinstance(r[0], str) and isinstance(r[1], str)),
            key=lambda r: (instant(str(r[2])), str(r[3]))):
        if not source or not target or source in into_of:
            continue
        root = into_of.get(target, target)
        if root == source:
            continue
        into_of[source] = root
        for other, current in into_of.items():
            if current == source:
                into_of[other] = root
    return into_of


_REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def now() -> str:
    """Wall-clock time with the local UTC offset, millisecond precision."""
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


def today() -> str:
    return date.today().isoformat()


def default_station() -> str:
    return socket.gethostname() or "station"


_B32_TO_REF = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _REF_ALPHABET.encode())


def new_refs(count: int) -> list[str]:
    """count refs like new_ref() at once (bulk imports): base32 of one random block, every
    character 5 uniform random bits, 12 characters = 60 bits per ref."""
    blocks = (count + 1) // 2  # 15 random bytes = 24 base32 characters = two refs
    text = base64.b32encode(secrets.token_bytes(15 * blocks)).translate(_B32_TO_REF).decode()
    return [text[12 * i:12 * i + 12] for i in range(count)]


def new_ref() -> str:
    """An opaque, unguessable attendee reference for tokens (60 bits, QR-alphanumeric)."""
    return new_refs(1)[0]


def _begin_immediate(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting for another writer as long as the connection's busy timeout
    but trying again every millisecond or two. SQLite's own busy handler sleeps ever longer
    (up to 100 ms a try): a desk waiting behind an import that commits in short chunks
    (checkin.importing.importer) would mostly miss the gaps between them. Python's Ctrl+C
    also gets through between tries, not only after the busy timeout."""
    patience = conn.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        deadline = monotonic() + patience
        pause = 0.0005
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if monotonic() >= deadline:
                    raise
            sleep(pause)
            pause = min(pause * 1.5, 0.002)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(patience * 1000)}")


class Store:
    def __init__(self, db: sqlite_utils.Database, station: str = "", operator: str = "") -> None:
        self.db = db
        self.station = station or default_station()
        self.operator = operator

    # -- the connection -------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The file behind this Store's connection, so another thread can open its own."""
        for _seq, name, filename in self.db.execute("PRAGMA database_list").fetchall():
            if name == "main" and filename:
                return Path(filename)
        raise CheckinError(
            "the event database has no file (an in-memory database cannot be shared)")

    def close(self) -> None:
        self.db.conn.close()

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; IMMEDIATE takes the write lock up front (no upgrade deadlock)."""
        conn = self.db.conn
        if conn.in_transaction:  # nested: the outer transaction commits
            yield
            return
        _begin_immediate(conn)
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            # Also when COMMIT itself failed (a full disk): SQLite may have left the
            # transaction open, and the next BEGIN would then fail for every later write.
            if conn.in_transaction:
                with suppress(sqlite3.Error):  # the original error says more
                    conn.execute("ROLLBACK")
            raise

    # -- event metadata -----------------------------------------------------------------

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_event(self, name: str, days: list[str]) -> None:
        with self.transaction():
            self.set_meta("event_name", name)
            self.set_meta("event_days", json.dumps(sorted(days)))

    def event_info(self) -> EventInfo:
        name = self.meta("event_name")
        if name is None:
            raise NoEvent("this database holds no event (run `checkin init` or `checkin demo`)")
        return EventInfo(name=name, days=json.loads(self.meta("event_days") or "[]"))

    # -- the log --------------------------------------------------------------------------

    def append(
        self,
        type: str,
        attendee_id: str | None = None,
        *,
        day: str | None = None,
        payload: dict[str, Any] | None = None,
        station: str | None = None,
        operator: str | None = None,
        time: str | None = None,
        uuid: str | None = None,
    ) -> Event:
        event = Event(
            uuid=uuid or str(uuidlib.uuid4()),
            type=type,
            attendee_id=attendee_id,
            station=station if station is not None else self.station,
            operator=operator if operator is not None else self.operator,
            time=time or now(),
            day=day,
            payload=payload or {},
        )
        cursor = self.db.execute(
            "INSERT INTO events (uuid, type, attendee_id, station, operator, time, day, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [event.uuid, event.type, event.attendee_id, event.station, event.operator,
             event.time, event.day, json.dumps(event.payload, ensure_ascii=False)],
        )
        return Event(**{**event.__dict__, "seq": cursor.lastrowid or 0})

    def events(
        self, attendee_id: str | None = None, *, types: tuple[str, ...] = (), day: str | None = None
    ) -> list[Event]:
        where, params = [], []
        if attendee_id is not None:
            where.append("attendee_id = ?")
            params.append(attendee_id)
        if types:
            where.append(f"type IN ({','.join('?' * len(types))})")
            params.extend(types)
        if day is not None:
            where.append("day = ?")
            params.append(day)
        sql = "SELECT * FROM events" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self.db.query(sql + " ORDER BY seq", params)
        return [Event.from_row(row) for row in rows]

    # -- attendees ------------------------------------------------------------------------

    def attendee(self, attendee_id: str) -> Attendee | None:
        rows = list(self.db.query("SELECT * FROM attendees WHERE id = ?", [attendee_id]))
        return Attendee.from_row(rows[0]) if rows else None

    def attendee_by_ref(self, ref: str) -> Attendee | None:
        rows = list(self.db.query("SELECT * FROM attendees WHERE ref = ?", [ref]))
        return Attendee.from_row(rows[0]) if rows else None

    def attendees_by_code(self, code: str) -> list[Attendee]:
        """Attendees whose upstream code or id equals code (case-sensitive, then folded)."""
        rows = list(self.db.query(
            "SELECT * FROM attendees WHERE code = ? OR id = ?", [code, code]))
        return [Attendee.from_row(row) for row in rows]

    def created_from(self, source: str) -> bool:
        """True if any attendee was created with this source (`checkin demo` writes "demo")."""
        row = self.db.execute(
            "SELECT 1 FROM events WHERE type = ? AND json_extract(payload, '$.source') = ? "
            "LIMIT 1", [ATTENDEE_CREATED, source]).fetchone()
        return row is not None

    def first_created_from(self, source: str) -> bool:
        """True if the first attendee of the log was created with this source: a demo's
        attendees are always the first (`checkin demo` refuses an event that has any, and
        so does a desk's first sync), and this reads one event where created_from reads
        them all (0.2 s at 100,000 attendees, on the station's way to its first search)."""
        row = self.db.execute(
            "SELECT json_extract(payload, '$.source') FROM events WHERE type = ? ORDER BY seq "
            "LIMIT 1", [ATTENDEE_CREATED]).fetchone()
        return row is not None and row[0] == source

    def attendee_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM attendees").fetchone()[0])

    def all_attendees(self) -> list[Attendee]:
        return [Attendee.from_row(r) for r in self.db.query("SELECT * FROM attendees ORDER BY id")]

    def _write_attendee(self, attendee: Attendee, search_key: str) -> None:
        row = attendee.to_row()
        row["search_key"] = search_key
        columns = ", ".join(row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in row if c != "id")
        self.db.execute(
            f"INSERT INTO attendees ({columns}) VALUES ({', '.join('?' * len(row))}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}",
            list(row.values()),
        )

    def add_attendee(self, attendee: Attendee, *, search_key: str = "", source: str = "") -> Event:
        """Insert a new attendee and log attendee_created (call inside a transaction)."""
        if not attendee.ref:
            attendee.ref = new_ref()
        self._write_attendee(attendee, search_key)
        payload = attendee.to_row()
        payload["days"], payload["extra"] = attendee.days, attendee.extra
        if source:
            payload["source"] = source
        return self.append(ATTENDEE_CREATED, attendee.id, payload=payload)

    def update_attendee(
        self, attendee: Attendee, *, search_key: str = "", source: str = "", reason: str = ""
    ) -> Event | None:
        """Write changed fields and log attendee_updated with before/after; None if unchanged."""
        old = self.attendee(attendee.id)
        if old is None:
            return self.add_attendee(attendee, search_key=search_key, source=source)
        attendee.ref = attendee.ref or old.ref
        changes = {
            name: {"from": getattr(old, name), "to": getattr(attendee, name)}
            for name in ("code", "title", "given_name", "family_name", "name_order", "badge_name",
                         "organisation", "country", "role", "email", "days", "status", "notes",
                         "extra")
            if getattr(old, name) != getattr(attendee, name)
        }
        if not changes:
            return None
        self._write_attendee(attendee, search_key)
        kind = (ATTENDEE_CANCELLED if changes.get("status", {}).get("to") == "cancelled"
                else ATTENDEE_UPDATED)
        payload: dict[str, Any] = {"changes": changes}
        if source:
            payload["source"] = source
        if reason:
            payload["reason"] = reason
        return self.append(kind, attendee.id, payload=payload)

    # -- bulk writes (imports) ------------------------------------------------------------

    _BULK_COLUMNS = ("id", "code", "ref", "title", "given_name", "family_name", "name_order",
                     "badge_name", "organisation", "country", "role", "email", "days", "status",
                     "notes", "extra", "search_key")

    def write_attendees(self, items: Sequence[tuple[Attendee, str]]) -> None:
        """Upsert many (attendee, search_key) rows in one executemany; logs nothing, so the
        caller appends the matching events with append_many in the same transaction."""
        # One encoder for all rows: json.dumps(..., ensure_ascii=False) builds a new one
        # per call, a third of the JSON time of a 100,000-row import.
        encode_sorted = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
        missing = [attendee for attendee, _ in items if not attendee.ref]
        for attendee, ref in zip(missing, new_refs(len(missing)), strict=True):
            attendee.ref = ref
        columns = self._BULK_COLUMNS
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("id", "ref"))
        marks = ", ".join("?" * len(columns))
        self.db.conn.executemany(
            f"INSERT INTO attendees ({', '.join(columns)}) VALUES ({marks}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}",
            [(a.id, a.code, a.ref, a.title, a.given_name, a.family_name, a.name_order,
              a.badge_name, a.organisation, a.country, a.role, a.email,
              json.dumps(a.days) if a.days else "[]", a.status, a.notes,
              encode_sorted(a.extra) if a.extra else "{}", key)
             for a, key in items],
        )

    def append_many(self, events: Sequence[Event]) -> None:
        """Append ready-made events (uuid, time, station filled in) in one executemany."""
        encode = json.JSONEncoder(ensure_ascii=False).encode
        self.db.conn.executemany(
            "INSERT INTO events (uuid, type, attendee_id, station, operator, time, day, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(e.uuid, e.type, e.attendee_id, e.station, e.operator, e.time, e.day,
              encode(e.payload)) for e in events],
        )

    # -- merged registrations (derived from the log) --------------------------------------

    def merges(self) -> dict[str, str]:
        """Merged-away id -> the id it counts as (resolve_merges over this log). Merge
        events have no day: the (day, type) index finds them without a scan."""
        return resolve_merges(self.db.execute(
            "SELECT json_extract(payload, '$.from'), json_extract(payload, '$.into'), time, "
            "uuid FROM events WHERE day IS NULL AND type = ?", [ATTENDEE_MERGED]))

    def counts_as(self, attendee_id: str) -> str:
        """The id attendee_id counts as: itself, or the one it was merged into."""
        return self.merges().get(attendee_id, attendee_id)

    def same_person(self, attendee_id: str, merges: dict[str, str] | None = None) -> list[str]:
        """Every id whose events count as attendee_id's person: the id it counts as first,
        then the ids merged into that one."""
        merges = self.merges() if merges is None else merges
        root = merges.get(attendee_id, attendee_id)
        return [root, *sorted(k for k, v in merges.items() if v == root)]

    # -- admissions (derived from the log) ------------------------------------------------

    def admissions_in_force(self, *, day: str | None = None, attendee_id: str | None = None,
                            ids: Sequence[str] = ()) -> dict[tuple[str, str], list[Admission]]:
        """standing_admissions() over this log, for one day, one attendee or some ids.

        Merged registrations are one person: the check-ins and undos of a merged-away id
        count as those of the id it was merged into, and the keys name that id (asked for
        a merged-away id, the answer is keyed by the id it counts as)."""
        merges = self.merges()
        where, params = ["type IN (?, ?)", "attendee_id IS NOT NULL", "day IS NOT NULL"], \
            [CHECKIN, UNDO]
        if day is not None:
            where.append("day = ?")
            params.append(day)
        wanted = [attendee_id] if attendee_id is not None else []
        if attendee_id is not None and ids:
            wanted = [i for i in ids if i == attendee_id]  # both given: both must hold
        elif ids:
            wanted = list(ids)
        if attendee_id is not None or ids:
            if merges:
                wanted = list(dict.fromkeys(i for w in wanted
                                            for i in self.same_person(w, merges)))
            where.append(f"attendee_id IN ({','.join('?' * len(wanted))})" if wanted
                         else "0")
            params.extend(wanted)
        rows: Iterable[Sequence[Any]] = self.db.execute(
            f"SELECT {ADMISSION_COLUMNS} FROM events WHERE {' AND '.join(where)} ORDER BY seq",
            params)
        if merges:
            rows = ((u, k, merges.get(a, a), *rest) for u, k, a, *rest in rows)
        return standing_admissions(rows)

    def admission(self, attendee_id: str, day: str) -> Event | None:
        """The check-in in force for attendee on day (the earliest, if several desks
        admitted them while apart), or None. For a merged-away id: that of the id it
        counts as (the event may name either id)."""
        standing = self.admissions_in_force(day=day, attendee_id=attendee_id)
        if not standing:
            return None
        first = standing[(self.counts_as(attendee_id), day)][0]
        found = list(self.db.query("SELECT * FROM events WHERE uuid = ?", [first.uuid]))
        return Event.from_row(found[0])

    def checked_in_ids(self, day: str) -> set[str]:
        """Ids of everyone inside on day (merged registrations: the id they count as)."""
        return {attendee_id for attendee_id, _ in self.admissions_in_force(day=day)}

    def badge_printed(self, attendee_id: str) -> bool:
        """Whether a badge was printed for this person (under any id merged with it)."""
        ids = self.same_person(attendee_id)
        row = self.db.execute(
            f"SELECT 1 FROM events WHERE attendee_id IN ({','.join('?' * len(ids))}) "
            "AND type = ? LIMIT 1", [*ids, BADGE_PRINTED],
        ).fetchone()
        return row is not None
