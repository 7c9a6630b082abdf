"""Events from another database into this one: once per uuid, with what they change.

Contract (the hub calls it for a push, a desk for every pulled page; always inside the
caller's transaction, so a batch is applied whole or not at all):

- ``store_events(store, events) -> list[Event]``: append each event whose uuid is not in
  the log yet, keeping its uuid, station, operator, time and day (INSERT ... ON CONFLICT
  (uuid) DO NOTHING RETURNING, 100 rows a statement: a repeated batch stores nothing
  twice), and apply the new ones:
  attendee_created writes the attendee from its payload (the full row), attendee_updated
  and attendee_cancelled write the "to" side of their changes, token_revoked lists the old
  ref in revoked_refs and gives the attendee the new one; attendee_merged changes no row
  (what it does is read from the log: Store.merges), it is checked and logged. Search
  keys are computed as the importer computes them (checkin.search.search_key). Returns
  the events that were new, with their local seq.
- ``merge_keys(store, keys)`` / ``merge_revoked_refs(store, refs)``: the hub's public
  keys (the event's, and the desks' own station keys with the desk's name) and revoked
  refs as listed in a pull answer, upserted on a desk.

Not applied: key_added / key_revoked events are stored but never list a key; a desk gets
keys only from the hub's public_keys list, so a desk cannot make a signing key valid
elsewhere. A change to an attendee this database does not have is stored, not applied,
and logged (a hub and its desks never get there: a creation precedes its changes in the
hub's order).
"""

import base64
import binascii
import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from checkin.models import ATTENDEE_FIELDS, Attendee, Event
from checkin.store import (
    ATTENDEE_CANCELLED,
    ATTENDEE_CREATED,
    ATTENDEE_MERGED,
    ATTENDEE_UPDATED,
    Store,
)
from checkin.sync.protocol import CHANGEABLE, MAX_NAME, TOKEN_REVOKED, payload_problem

log = logging.getLogger(__name__)

_COLUMNS = "(uuid, type, attendee_id, station, operator, time, day, payload)"
_ROW = "(?, ?, ?, ?, ?, ?, ?, ?)"
# Rows per INSERT statement: one round trip per 100 events instead of one per event (a
# PostgreSQL hub holds its write lock meanwhile), 800 parameters (SQLite allows 32,766).
_CHUNK = 100


def store_events(store: Store, events: Sequence[Event]) -> list[Event]:
    """Append and apply the events new to this log (see the module docstring)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    conn = store.db.conn
    stored: dict[str, int] = {}
    for start in range(0, len(events), _CHUNK):
        chunk = events[start:start + _CHUNK]
        values: list[Any] = []
        for e in chunk:
            values += [e.uuid, e.type, e.attendee_id, e.station, e.operator, e.time, e.day,
                       encode(e.payload)]
        # A uuid already in the log (or twice in this batch) is not inserted and not
        # returned: nothing to do for it, ever.
        rows = conn.execute(
            f"INSERT INTO events {_COLUMNS} VALUES {', '.join([_ROW] * len(chunk))} "
            "ON CONFLICT (uuid) DO NOTHING RETURNING uuid, seq", values).fetchall()
        stored.update((str(uuid), int(seq)) for uuid, seq in rows)
    new: list[Event] = []
    for event in events:
        seq = stored.pop(event.uuid, None)  # pop: a uuid twice in the batch is new once
        if seq is None:
            continue
        new.append(Event(**{**event.__dict__, "seq": seq}))
        _apply(store, event)
    return new


def _apply(store: Store, event: Event) -> None:
    if event.type not in (ATTENDEE_CREATED, ATTENDEE_UPDATED, ATTENDEE_CANCELLED,
                          TOKEN_REVOKED, ATTENDEE_MERGED):
        return
    problem = payload_problem(event.type, event.attendee_id, event.day, event.payload)
    if problem:
        log.warning("event %s (%s) stored but not applied: %s", event.uuid, event.type, problem)
        return
    if event.type == ATTENDEE_MERGED:
        # Nothing to write: admissions, badges and conflicts read merges from the log.
        log.info("event %s: attendee %s merged into %s (by %s)", event.uuid,
                 event.payload["from"], event.payload["into"], event.station)
        return
    assert event.attendee_id is not None  # payload_problem checked it
    if event.type == ATTENDEE_CREATED:
        known = {k: v for k, v in event.payload.items() if k in ATTENDEE_FIELDS or k == "ref"}
        _write(store, Attendee(**{**known, "id": event.attendee_id}))
        return
    current = store.attendee(event.attendee_id)
    if current is None:
        log.warning("event %s (%s) stored but not applied: no attendee %r here", event.uuid,
                    event.type, event.attendee_id)
        return
    if event.type == TOKEN_REVOKED:
        _revoke_ref(store, current, event.payload)
        return
    changes: dict[str, Any] = event.payload["changes"]
    for name, change in changes.items():
        if name in CHANGEABLE:
            setattr(current, name, change["to"])
    _write(store, current)


def _write(store: Store, attendee: Attendee) -> None:
    from checkin.search import search_key  # a second's import: only when attendees change

    if not attendee.ref:
        attendee.ref = _existing_ref(store, attendee.id)
    store.write_attendees([(attendee, search_key(attendee))])


def _existing_ref(store: Store, attendee_id: str) -> str:
    row = store.db.execute("SELECT ref FROM attendees WHERE id = ?", [attendee_id]).fetchone()
    return str(row[0]) if row else ""  # "": write_attendees draws a fresh ref


def _revoke_ref(store: Store, attendee: Attendee, payload: dict[str, Any]) -> None:
    old, fresh = str(payload["ref"]), str(payload["new_ref"])
    store.db.execute(
        "INSERT INTO revoked_refs (ref, attendee_id, reason, revoked_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (ref) DO NOTHING",
        [old, attendee.id, str(payload.get("reason", ""))[:500], _now()])
    # Only the ref it replaced: a later revocation that arrived first keeps its newer ref.
    store.db.execute("UPDATE attendees SET ref = ? WHERE id = ? AND ref = ?",
                     [fresh, attendee.id, old])


def _now() -> str:
    from checkin.store import now

    return now()


def merge_keys(store: Store, keys: Iterable[dict[str, Any]]) -> int:
    """Upsert public keys listed by the hub (a revocation there revokes here); how many
    rows changed. A key whose id does not belong to it is skipped and logged."""
    from checkin.tokens import key_id_for

    changed = 0
    for key in keys:
        try:
            key_id, public = str(key["key_id"]), str(key["public_key"])
            raw = base64.b64decode(public, validate=True)
        except (KeyError, TypeError, ValueError, binascii.Error):
            log.warning("hub listed a malformed public key: skipped")
            continue
        if len(raw) != 32 or key_id_for(raw) != key_id:
            log.warning("hub listed key %r whose id does not match it: skipped", key_id[:8])
            continue
        revoked, station = key.get("revoked_at"), key.get("station")
        cursor = store.db.execute(
            "INSERT INTO public_keys (key_id, algorithm, public_key, created_at, revoked_at, "
            "station) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET "
            "revoked_at = excluded.revoked_at WHERE public_keys.public_key = excluded.public_key "
            "AND public_keys.revoked_at IS NOT excluded.revoked_at",
            [key_id, str(key.get("algorithm") or "ed25519"), public,
             str(key.get("created_at") or _now()), str(revoked) if revoked else None,
             str(station)[:MAX_NAME] if station else None])
        changed += max(cursor.rowcount, 0)
    return changed


def merge_revoked_refs(store: Store, refs: Iterable[dict[str, Any]]) -> int:
    """Add revoked refs listed by the hub; how many were new here."""
    rows = [(str(r["ref"]), r.get("attendee_id"), str(r.get("reason") or ""),
             str(r.get("revoked_at") or _now()))
            for r in refs if isinstance(r, dict) and isinstance(r.get("ref"), str)]
    before = store.db.conn.total_changes
    store.db.conn.executemany(
        "INSERT INTO revoked_refs (ref, attendee_id, reason, revoked_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (ref) DO NOTHING", rows)
    return store.db.conn.total_changes - before
