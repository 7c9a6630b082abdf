"""Pull: the connected pretix check-in list into the event database.

Contract: ``pull(store, db_path=None, *, full=None, client=None) -> PullResult``.

- Reads the event, the check-in list, the products and the orders (every page, following
  `next`), then applies everything in ONE transaction: a pull that fails on the way
  (pretix unreachable, a refusal, a bad answer) changes no attendee and no event; only
  `pretix_connection.last_error` notes it for `checkin pretix status`.
- Which positions: those pretix counts on the list (its product is on the list, or the
  list takes all products; the list's date for event series), in orders of every status
  (cancelled and expired ones become `cancelled`). Orders are read through
  `/orders/` and not through the list's `/positions/`, because in pretix 2026.8 only the
  former takes `modified_since` and carries the order's e-mail and the add-on positions
  (which the list leaves out when they are not admission products).
- The first pull, a pull after connecting to another list, a pull after the list's
  products or date changed in pretix, one FULL_EVERY after the last full one, and
  ``full=True`` read every order; other pulls ask for orders changed since the last one
  (`modified_since`, on pretix's clock: the HTTP Date of the pull's first answer, minus
  SINCE_MARGIN). A full pull also cancels the people pulled before whose positions pretix
  no longer lists; an incremental one cancels those whose position was cancelled or left
  the list.
- Attendees as checkin.pretix.mapping makes them, written through the import's sync
  (checkin.importing.importer.plan_sync): the same events (attendee_created, _updated,
  _cancelled, with "source": "pretix"), the same ids as the CSV import, so a person
  imported from pretix's export is found again, never doubled.
- Check-ins pretix has on the list (entries; made by other pretix devices) become
  `checkin` events from station "pretix", time and day as pretix recorded them (day: the
  local date of this machine, as the desk counts days). Each pretix check-in id becomes
  one event once (`pretix_checkins`, and a UUID derived from the id); our own pushed
  admissions coming back are recognised (by check-in id, else by attendee and time) and
  not added again. A pulled check-in that pretix has since annulled gets an `undo`.
- If the database holds no event yet, the pretix event becomes it (name; days from
  date_from to date_to in the event's time zone).
"""

import json
import logging
import time as timing
import uuid as uuidlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.importing.columns import ColumnMap
from checkin.importing.importer import Incoming, ParsedFile, plan_sync
from checkin.models import Event
from checkin.pretix.client import Client, PretixError
from checkin.pretix.connection import Connection, load, note_error, read_token
from checkin.pretix.mapping import (
    Product,
    attendee_of,
    position_id,
    product_label,
    product_names,
    text_of,
)
from checkin.store import CHECKIN, UNDO, Store, now

log = logging.getLogger(__name__)

SOURCE = "pretix"  # events' payload "source", and the station of pulled check-ins
STATION = "pretix"
FULL_EVERY = timedelta(hours=1)  # deleted orders show in no `modified_since` answer
SINCE_MARGIN = timedelta(seconds=5)  # Date has 1 s steps; a few seconds of overlap cost nothing
MAX_EVENT_DAYS = 60
# Derives the local event UUID of a pretix check-in from its id: the same check-in is the
# same event whoever pulls it (a hub and a desk pulling the same list agree).
_NAMESPACE = uuidlib.UUID("6f1b8f59-5a39-4c43-9d41-2f4c2b7d0e11")


@dataclass
class PullResult:
    full: bool
    orders: int = 0
    positions: int = 0  # positions on the list in what was read
    added: int = 0
    changed: int = 0
    cancelled: int = 0
    reinstated: int = 0
    unchanged: int = 0
    checkins: int = 0  # new check-ins from other pretix devices
    annulled: int = 0  # pulled check-ins that pretix has annulled since
    event_created: bool = False
    requests: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        kind = "full" if self.full else "changes"
        text = (f"pretix pull ({kind}): {self.orders} orders, {self.positions} positions on "
                f"the list: {self.added} added, {self.changed} changed, {self.cancelled} "
                f"cancelled, {self.unchanged} unchanged; {self.checkins} check-ins from "
                f"other pretix devices")
        if self.annulled:
            text += f", {self.annulled} annulled"
        return text + f" ({self.requests} requests, {self.seconds:.1f} s)"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Fetched:
    event: dict[str, Any]
    checkin_list: dict[str, Any]
    products: dict[int, Product]
    orders: list[dict[str, Any]]
    since: str  # the modified_since for the next pull
    rules: str  # the list's products and date, to notice a change
    full: bool


@dataclass
class _Seen:
    """A position on the list, as read."""

    attendee_id: str
    position_id: int
    order_code: str
    secret: str
    checkins: list[dict[str, Any]]


def pull(store: Store, db_path: Path | None = None, *, full: bool | None = None,
         client: Client | None = None) -> PullResult:
    """Pull the connected check-in list into store (see the module docstring)."""
    started = timing.monotonic()
    connection = load(store)
    result = PullResult(full=bool(full))
    api = client or Client(connection.url, read_token(db_path or store.path))
    try:
        fetched = _fetch(api, connection, bool(full))
        result.full = fetched.full
        result.requests = api.requests
        _apply(store, connection, fetched, result)
    except CheckinError as exc:
        note_error(store, f"pull failed: {exc}")
        log.warning("pretix pull failed (nothing changed): %s", exc)
        raise
    except sqlite3.OperationalError as exc:  # rolled back: locked past the timeout, disk full
        note_error(store, f"pull failed: {exc}")
        raise CheckinError(f"pretix pull not applied (nothing changed): the event database "
                           f"said {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:  # rolled back: an answer we cannot read
        log.exception("pretix pull: an answer of pretix could not be read")
        note_error(store, f"pull failed: unreadable answer ({exc!r})")
        raise CheckinError(f"pretix pull not applied (nothing changed): an answer of pretix "
                           f"could not be read ({type(exc).__name__}: {exc})") from None
    finally:
        if client is None:
            api.close()
    result.requests = api.requests
    result.seconds = timing.monotonic() - started
    log.info("%s", result.line())
    for note in result.notes:
        log.info("pretix pull: %s", note)
    return result


def _due_full(connection: Connection) -> bool:
    if connection.modified_since is None or connection.full_pull_at is None:
        return True
    try:
        last = datetime.fromisoformat(connection.full_pull_at)
    except ValueError:
        return True
    return datetime.now(UTC) - last > FULL_EVERY


def _fetch(api: Client, connection: Connection, full: bool) -> _Fetched:
    answer = api.get(connection.event_path)
    if not answer.ok or not isinstance(answer.body, dict):
        raise PretixError(f"pretix refused the event {connection.event}: {answer.reason()}",
                          answer.status, answer.reason())
    clock = answer.date or datetime.now(UTC)
    event = answer.body
    answer = api.get(connection.list_path)
    if not answer.ok or not isinstance(answer.body, dict):
        raise PretixError(f"pretix refused the check-in list {connection.list_id}: "
                          f"{answer.reason()}", answer.status, answer.reason())
    checkin_list = answer.body
    rules = json.dumps({key: checkin_list.get(key) for key in
                        ("all_products", "limit_products", "subevent")}, sort_keys=True)
    full = full or _due_full(connection) or rules != connection.list_rules
    products = product_names(list(api.pages(f"{connection.event_path}items/")))
    params = {"include_canceled_positions": "true"}
    if not full and connection.modified_since:
        params["modified_since"] = connection.modified_since
    orders = [order for order in api.pages(f"{connection.event_path}orders/", params)
              if isinstance(order, dict) and isinstance(order.get("code"), str)]
    return _Fetched(event, checkin_list, products, orders,
                    (clock - SINCE_MARGIN).astimezone(UTC).isoformat(), rules, full)


def _on_list(position: dict[str, Any], checkin_list: dict[str, Any]) -> bool:
    """pretix's own rule for which positions a check-in list holds, without the order
    status (cancelled orders are read too and cancel their attendees)."""
    if checkin_list.get("subevent") and position.get("subevent") != checkin_list["subevent"]:
        return False
    if checkin_list.get("all_products"):
        return True
    return position.get("item") in set(checkin_list.get("limit_products") or [])


def _apply(store: Store, connection: Connection, fetched: _Fetched,
           result: PullResult) -> None:
    list_id = int(fetched.checkin_list.get("id") or connection.list_id)
    with store.transaction():
        if store.meta("event_name") is None:
            name, days = _event_days(fetched.event)
            store.set_event(name, days)
            result.event_created = True
            result.notes.append(f"event {name!r} ({', '.join(days)}) created from pretix")
        known = dict(store.db.execute(
            "SELECT attendee_id, position_id FROM pretix_positions").fetchall())
        notes_of = dict(store.db.execute("SELECT id, notes FROM attendees").fetchall())
        rows: dict[str, Incoming] = {}
        seen: list[_Seen] = []
        off_list: set[str] = set()
        nameless = 0
        for order in fetched.orders:
            result.orders += 1
            positions = [p for p in order.get("positions") or [] if isinstance(p, dict)]
            addons: dict[int, list[str]] = {}
            for position in positions:
                parent = position.get("addon_to")
                if parent and not position.get("canceled"):
                    addons.setdefault(parent, []).append(
                        product_label(position, fetched.products))
            for position in positions:
                if position.get("addon_to") or "positionid" not in position:
                    continue
                attendee_id = position_id(order, position)
                if not _on_list(position, fetched.checkin_list):
                    off_list.add(attendee_id)
                    continue
                mapped = attendee_of(position, order, fetched.products,
                                     addons=addons.get(position.get("id") or 0, []),
                                     old_notes=notes_of.get(attendee_id, ""))
                if not (mapped.attendee.given_name or mapped.attendee.family_name):
                    nameless += 1
                rows[attendee_id] = Incoming(mapped.attendee, len(rows) + 1, mapped.carried,
                                             order["code"])
                seen.append(_Seen(attendee_id, int(position["id"]), order["code"],
                                  mapped.secret, [c for c in position.get("checkins") or []
                                                  if isinstance(c, dict)]))
        result.positions = len(seen)
        if nameless:
            result.notes.append(f"{nameless} position(s) without an attendee name")
        gone = set(known) - set(rows) if result.full else set()
        _cancel_known(store, rows, (off_list & set(known)) | gone)
        if gone:
            result.notes.append(f"{len(gone)} position(s) no longer listed by pretix: "
                                "cancelled")
        parsed = ParsedFile(source=SOURCE, rows=list(rows.values()), columns=ColumnMap())
        plan = plan_sync(store, parsed, full=False, source=SOURCE)
        store.write_attendees(plan.writes)
        store.append_many(plan.events)
        summary = plan.summary
        result.added, result.changed, result.cancelled = (summary.added, summary.changed,
                                                          summary.cancelled)
        result.reinstated, result.unchanged = summary.reinstated, summary.unchanged
        store.db.conn.executemany(
            "INSERT INTO pretix_positions (attendee_id, position_id, order_code, secret) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (attendee_id) DO UPDATE SET "
            "position_id = excluded.position_id, order_code = excluded.order_code, "
            "secret = excluded.secret",
            [(s.attendee_id, s.position_id, s.order_code, s.secret) for s in seen])
        _checkins(store, connection, list_id, seen, result)
        store.db.execute(
            "UPDATE pretix_connection SET pulled_at = ?, modified_since = ?, list_rules = ?, "
            "last_error = '', full_pull_at = CASE WHEN ? THEN ? ELSE full_pull_at END",
            [now(), fetched.since, fetched.rules, result.full, now()])


def _cancel_known(store: Store, rows: dict[str, Incoming], ids: set[str]) -> None:
    """Attendees pulled before whose positions left the list (or pretix): cancelled."""
    for attendee_id in sorted(ids - set(rows)):
        old = store.attendee(attendee_id)
        if old is None or old.status == "cancelled":
            continue
        rows[attendee_id] = Incoming(replace(old, status="cancelled"), len(rows) + 1,
                                     frozenset({"status"}))


def _event_days(event: dict[str, Any]) -> tuple[str, list[str]]:
    name = text_of(event.get("name")) or str(event.get("slug") or "pretix event")
    try:
        first = datetime.fromisoformat(str(event["date_from"])).date()
    except (KeyError, ValueError):
        raise CheckinError("the pretix event has no start date: create the event with "
                           "`checkin init` first") from None
    try:
        last = datetime.fromisoformat(str(event.get("date_to"))).date()
    except ValueError:
        last = first
    # date_from/date_to come with the event's own offset: their dates are its local days.
    count = min(max((last - first).days + 1, 1), MAX_EVENT_DAYS)
    return name, [(first + timedelta(days=i)).isoformat() for i in range(count)]


def checkin_uuid(connection: Connection, checkin_id: int, kind: str = "checkin") -> str:
    key = f"{connection.url}|{connection.organizer}|{connection.event}|{kind}|{checkin_id}"
    return str(uuidlib.uuid5(_NAMESPACE, key))


def _instant(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo else None


def _checkins(store: Store, connection: Connection, list_id: int, seen: list[_Seen],
              result: PullResult) -> None:
    db = store.db
    known = {row[0]: (row[1], row[2], row[3], row[4]) for row in db.execute(
        "SELECT checkin_id, event_uuid, attendee_id, origin, annulled FROM pretix_checkins")}
    # Our own admissions that pretix accepted and whose check-in id we do not know yet:
    # they come back in the pull and must not become second events.
    pushed: dict[str, list[tuple[str, datetime]]] = {}
    for uuid, attendee_id, when in db.execute(
            "SELECT e.uuid, e.attendee_id, e.time FROM events e JOIN pretix_pushes p "
            "ON p.event_uuid = e.uuid WHERE e.type = ? AND p.status = 'ok' AND e.uuid NOT IN "
            "(SELECT event_uuid FROM pretix_checkins)", [CHECKIN]):
        instant = _instant(when)
        if instant is not None:
            pushed.setdefault(attendee_id, []).append((uuid, instant))
    pulled: dict[str, list[tuple[int, str]]] = {}
    for checkin_id, (uuid, attendee_id, origin, annulled) in known.items():
        if origin == "pulled" and not annulled:
            pulled.setdefault(attendee_id, []).append((checkin_id, uuid))
    events: list[Event] = []
    records: list[tuple[int, str, str, str]] = []
    for position in seen:
        current = set()
        for checkin in position.checkins:
            if checkin.get("list") != list_id or checkin.get("type", "entry") != "entry":
                continue
            checkin_id = checkin.get("id")
            instant = _instant(str(checkin.get("datetime")))
            if not isinstance(checkin_id, int) or instant is None:
                continue
            current.add(checkin_id)
            if checkin_id in known:
                continue
            ours = next((item for item in pushed.get(position.attendee_id, [])
                         if abs((item[1] - instant).total_seconds()) < 1), None)
            if ours is not None:
                pushed[position.attendee_id].remove(ours)
                records.append((checkin_id, ours[0], position.attendee_id, "pushed"))
                continue
            local = instant.astimezone()
            event = Event(
                uuid=checkin_uuid(connection, checkin_id), type=CHECKIN,
                attendee_id=position.attendee_id, station=STATION, operator="",
                time=local.isoformat(timespec="milliseconds"), day=local.date().isoformat(),
                payload={"source": SOURCE, "method": "pretix", "pretix_checkin": checkin_id,
                         "device": checkin.get("device_id"), "gate": checkin.get("gate")})
            events.append(event)
            records.append((checkin_id, event.uuid, position.attendee_id, "pulled"))
        gone = [(checkin_id, uuid) for checkin_id, uuid in pulled.get(position.attendee_id, [])
                if checkin_id not in current]
        if gone:
            _annulled(store, connection, position.attendee_id, gone, events, result)
    # A derived UUID already in the log (the same list pulled into a copied database)
    # is the same check-in: not appended twice.
    present = {row[0] for row in db.execute(
        f"SELECT uuid FROM events WHERE uuid IN ({','.join('?' * len(events))})",
        [e.uuid for e in events])} if events else set()
    fresh = [e for e in events if e.uuid not in present]
    store.append_many(fresh)
    db.conn.executemany(
        "INSERT OR IGNORE INTO pretix_checkins (checkin_id, event_uuid, attendee_id, origin) "
        "VALUES (?, ?, ?, ?)", records)
    result.checkins = sum(1 for e in fresh if e.type == CHECKIN)


def _annulled(store: Store, connection: Connection, attendee_id: str,
              gone: list[tuple[int, str]], events: list[Event], result: PullResult) -> None:
    """Pulled check-ins of a position that pretix no longer lists were annulled there:
    undone here too when they are the admission in force (an undo annuls the newest)."""
    for checkin_id, uuid in gone:
        store.db.execute("UPDATE pretix_checkins SET annulled = 1 WHERE checkin_id = ?",
                         [checkin_id])
        row = store.db.execute("SELECT day FROM events WHERE uuid = ?", [uuid]).fetchone()
        admission = store.admission(attendee_id, row[0]) if row and row[0] else None
        if admission is None or admission.uuid != uuid:
            continue
        events.append(Event(
            uuid=checkin_uuid(connection, checkin_id, "annulled"), type=UNDO,
            attendee_id=attendee_id, station=STATION, operator="", time=now(),
            day=admission.day, payload={"undoes": uuid, "source": SOURCE,
                                        "reason": "annulled in pretix"}))
        result.annulled += 1
