"""What hub and desks agree on: routes, limits, event types and an event on the wire.

An event on the wire is a JSON object with the columns of the `events` table:
``{"uuid", "type", "attendee_id", "station", "operator", "time", "day", "payload"}``,
plus ``"hub_seq"`` (the hub's events.seq) in pull answers. ``payload_problem`` says in
one line what is wrong with an event's payload, or None: the hub refuses a push that has
one (422), and a desk applies no pulled event that has one (it is stored, and logged).
The attendee payloads are those of Store.add_attendee / update_attendee and of the
importer; token_revoked is that of checkin.confirmations.revoke; attendee_merged is
``{"from": id, "into": id}`` with attendee_id the "into" id (checkin.merging).
"""

import json
from datetime import date, datetime
from typing import Any

from checkin.models import Event
from checkin.store import (
    ATTENDEE_CANCELLED,
    ATTENDEE_CREATED,
    ATTENDEE_MERGED,
    ATTENDEE_UPDATED,
    BADGE_PRINTED,
    CHECKIN,
    SCAN_REFUSED,
    UNDO,
)

API = "/api/v1"
OPENAPI = f"{API}/openapi.json"

# The types a desk may push (every type the core writes today). keys.KEY_ADDED and
# KEY_REVOKED, tokens.TOKEN_REVOKED are spelt out here so that importing this module
# stays cheap (checkin.keys and checkin.tokens pull in more).
TOKEN_REVOKED = "token_revoked"
KEY_ADDED = "key_added"
KEY_REVOKED = "key_revoked"
# checkin.audit.DATA_EXPORTED (a file of personal data written) and
# checkin.retention.DATA_PURGED (an event's personal data removed): no attendee.
DATA_EXPORTED = "data_exported"
DATA_PURGED = "data_purged"
EVENT_TYPES = frozenset({ATTENDEE_CREATED, ATTENDEE_UPDATED, ATTENDEE_CANCELLED, CHECKIN, UNDO,
                         BADGE_PRINTED, TOKEN_REVOKED, KEY_ADDED, KEY_REVOKED,
                         ATTENDEE_MERGED, SCAN_REFUSED, DATA_EXPORTED, DATA_PURGED})
ATTENDEE_EVENTS = frozenset({ATTENDEE_CREATED, ATTENDEE_UPDATED, ATTENDEE_CANCELLED})

MAX_PUSH_EVENTS = 500  # events per push
PUSH_BATCH_BYTES = 2_000_000  # a desk starts a new push beyond this much JSON
MAX_BODY_BYTES = 8 * 1024 * 1024  # the hub refuses bigger request bodies (413)
MAX_PAYLOAD_BYTES = 64 * 1024  # one event's payload, as JSON
MAX_PAYLOAD_DEPTH = 16  # nesting of a payload (a deeper one is refused, never recursed into)
PULL_LIMIT = 500  # events per pull page, by default
MAX_PULL_LIMIT = 1000
MAX_ID = 1000  # characters of an attendee id (the importer refuses longer cells)
MAX_NAME = 200  # station and operator names
MAX_TEXT = 10_000  # one attendee field
# A push's optional "printer" (printing.backend.PrinterCondition values and any later
# ones): a desk sends nothing rather than a value the hub would refuse with its push.
PRINTER_PATTERN = "^[a-z_]{1,40}$"

_TEXT_FIELDS = ("title", "given_name", "family_name", "badge_name", "organisation", "country",
                "role", "email", "notes")
CHANGEABLE = frozenset({*_TEXT_FIELDS, "code", "name_order", "days", "status", "extra"})
_CHOICES = {"name_order": ("given_first", "family_first"), "status": ("confirmed", "cancelled")}
_PLAIN = frozenset(_TEXT_FIELDS) - set(_CHOICES)  # any string up to MAX_TEXT
# One encoder for every size check: json.dumps with arguments builds a new one per call.
# allow_nan=False: NaN and Infinity are not JSON; the hub's pull answers (made by SQLite)
# could not carry an event holding one, and every desk's pull would fail from there on.
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def to_wire(event: Event, *, hub_seq: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "uuid": event.uuid, "type": event.type, "attendee_id": event.attendee_id,
        "station": event.station, "operator": event.operator, "time": event.time,
        "day": event.day, "payload": event.payload,
    }
    if hub_seq is not None:
        data["hub_seq"] = hub_seq
    return data


def from_wire(data: dict[str, Any]) -> Event:
    """An Event from a checked wire object (hub_seq is not kept: seq is local)."""
    return Event(uuid=data["uuid"], type=data["type"], attendee_id=data.get("attendee_id"),
                 station=data["station"], operator=data.get("operator") or "",
                 time=data["time"], day=data.get("day"), payload=data.get("payload") or {})


def time_problem(text: str) -> str | None:
    if len(text) > 40:
        return "a time of more than 40 characters"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return f"{text[:40]!r} is not an ISO 8601 time"
    if parsed.tzinfo is None:
        return f"{text!r} has no UTC offset"
    return None


def day_problem(text: str) -> str | None:
    try:
        if len(text) == 10 and date.fromisoformat(text).isoformat() == text:
            return None
    except ValueError:
        pass
    return f"{text[:20]!r} is not a day as YYYY-MM-DD"


_CONTAINERS = (dict, list)  # a tuple: isinstance with it is faster than with dict | list


def _depth(value: Any) -> int:
    """Nesting depth, without recursion (a hostile payload may nest thousands deep): 1 for
    a scalar or an empty container, else 1 + the depth of its deepest item. Only
    containers are walked: a payload is mostly flat, and this runs for every event a hub
    or desk receives."""
    if not isinstance(value, _CONTAINERS):
        return 1
    deepest, stack = 1, [(value, 1)]
    while stack:
        item, level = stack.pop()
        items = item.values() if isinstance(item, dict) else item
        if not items:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_PAYLOAD_DEPTH:
            break
        for v in items:
            if isinstance(v, _CONTAINERS):
                stack.append((v, level + 1))
    return deepest


def _field_problem(name: str, value: Any) -> str | None:
    if name == "code":
        ok = value is None or (isinstance(value, str) and len(value) <= MAX_TEXT)
        return None if ok else "code must be a string or null"
    if name == "days":
        if not isinstance(value, list) or len(value) > 366:
            return "days must be a list of days"
        for day in value:
            if not isinstance(day, str) or day_problem(day):
                return "days must be a list of days as YYYY-MM-DD"
        return None
    if name == "extra":
        return None if isinstance(value, dict) else "extra must be an object"
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        return f"{name} must be a string of at most {MAX_TEXT} characters"
    if name in _CHOICES and value not in _CHOICES[name]:
        return f"{name} must be one of {', '.join(_CHOICES[name])}"
    return None


def payload_problem(kind: str, attendee_id: str | None, day: str | None,
                    payload: dict[str, Any], *, size: int | None = None) -> str | None:
    """What is wrong with an event of type kind, in one line; None if nothing. size: the
    length of the payload as JSON (ensure_ascii=False), when the caller has encoded it."""
    if kind not in EVENT_TYPES:
        return f"unknown event type {kind[:40]!r}"
    if _depth(payload) > MAX_PAYLOAD_DEPTH:
        return f"payload nested more than {MAX_PAYLOAD_DEPTH} deep"
    if size is None:
        try:
            text = _ENCODE(payload)
        except ValueError:
            return "payload holds a number that is not finite (NaN or Infinity)"
        if not text.isascii():
            try:  # JSON's \ud800 escapes decode to lone surrogates, which SQLite cannot store
                text.encode("utf-8")
            except UnicodeEncodeError:
                return "payload holds text that is not Unicode (a lone surrogate)"
        size = len(text)
    if size > MAX_PAYLOAD_BYTES:
        return f"payload over {MAX_PAYLOAD_BYTES // 1024} KB"
    if kind in (CHECKIN, UNDO, BADGE_PRINTED, *ATTENDEE_EVENTS, TOKEN_REVOKED,
                ATTENDEE_MERGED) and not attendee_id:
        return f"a {kind} event needs an attendee_id"
    if kind in (CHECKIN, UNDO) and day is None:
        return f"a {kind} event needs a day"
    if kind == UNDO and not isinstance(payload.get("undoes", ""), str):
        return "undoes must be an event uuid"
    if kind == ATTENDEE_CREATED:
        if payload.get("id", attendee_id) != attendee_id:
            return "the payload's id differs from attendee_id"
        for name in CHANGEABLE:
            if name in payload:
                value = payload[name]
                if name in _PLAIN and isinstance(value, str) and len(value) <= MAX_TEXT:
                    continue  # the common case, without a call
                problem = _field_problem(name, value)
                if problem:
                    return problem
        ref = payload.get("ref", "")
        if not isinstance(ref, str) or len(ref) > 64:
            return "ref must be a string of at most 64 characters"
    if kind in (ATTENDEE_UPDATED, ATTENDEE_CANCELLED):
        changes = payload.get("changes")
        if not isinstance(changes, dict) or not changes:
            return f"a {kind} event needs changes as {{field: {{\"from\", \"to\"}}}}"
        for name, change in changes.items():
            if name not in CHANGEABLE:
                return f"{str(name)[:40]!r} is not an attendee field that can change"
            if not isinstance(change, dict) or "to" not in change:
                return f"the change of {name} needs a \"to\" value"
            problem = _field_problem(name, change["to"])
            if problem:
                return problem
    if kind == ATTENDEE_MERGED:
        for name in ("from", "into"):
            value = payload.get(name)
            if not isinstance(value, str) or not value or len(value) > MAX_ID:
                return f"an attendee_merged event needs {name} (an attendee id)"
        if payload["into"] != attendee_id:
            return "an attendee_merged event's into differs from its attendee_id"
        if payload["from"] == payload["into"]:
            return "an attendee_merged event merges an attendee into itself"
    if kind == TOKEN_REVOKED:
        for name in ("ref", "new_ref"):
            value = payload.get(name)
            if not isinstance(value, str) or not value or len(value) > 64:
                return f"a token_revoked event needs {name} (a string)"
    return None
