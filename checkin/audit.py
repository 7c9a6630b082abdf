"""Who did what, when, where: the audit over the event log (docs/privacy.md, "Operators").

Every desk action is an event that carries the station and the signed-in operator
(checkin.store.Store.append): admissions (checkin), undos, edits (attendee_updated,
attendee_cancelled), walk-ins (attendee_created from "walk-in"), badges printed and
reprinted (badge_printed, the operator who asked), and, since this module, exports
(``data_exported``, record_export) and purges (``data_purged``, checkin.retention).

Contract:

- ``audit(store, *, attendee=None, operator=None, since=None) -> list[Entry]`` in log
  order. attendee: that person's actions (merged registrations included); operator:
  case-insensitive, exact; since: a datetime, compared as an instant (desks write
  different UTC offsets). Runs of attendee changes from one import (same station,
  operator and source, not a desk's own walk-in or edit) are one entry with ``count``.
- ``parse_since(text) -> datetime``: an ISO 8601 date or date-time (without an offset:
  this computer's time zone); CheckinError in one line otherwise.
- ``record_export(store, what, path, fmt, records, personal_data)``: log a
  ``data_exported`` event (what was written, the file's name, not its folder; how many
  records; which personal data it holds).

An entry names fields changed by an edit, never their values: the audit itself should
not spread the data it watches over.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from checkin.errors import CheckinError
from checkin.store import (
    ATTENDEE_CANCELLED,
    ATTENDEE_CREATED,
    ATTENDEE_MERGED,
    ATTENDEE_UPDATED,
    BADGE_PRINTED,
    CHECKIN,
    SCAN_REFUSED,
    UNDO,
    Store,
    instant,
)

DATA_EXPORTED = "data_exported"
# Sources of attendee changes a desk makes one by one: never folded into a run.
_DESK_SOURCES = ("walk-in", "station", "merge", "")


@dataclass(frozen=True)
class Entry:
    time: str
    station: str
    operator: str
    action: str  # admitted, undone, walk-in, registered, imported, edited, cancelled, ...
    type: str  # the event type
    attendee_id: str | None
    name: str  # the attendee's name as stored now ("" when none or purged)
    detail: str
    uuid: str
    count: int = 1  # events in a run of one import

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_since(text: str) -> datetime:
    """--since: an ISO 8601 date or date-time; naive ones in this computer's zone."""
    text = text.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time())
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise CheckinError(f"--since {text[:40]!r}: not a date or time like 2026-05-04 or "
                           "2026-05-04T09:30") from None
    return moment if moment.tzinfo else moment.astimezone()


def record_export(store: Store, what: str, path: Path, fmt: str, records: int,
                  personal_data: list[str]) -> None:
    """Log that a file of personal data was written (who, where: the store's identity)."""
    with store.transaction():
        store.append(DATA_EXPORTED, payload={
            "what": what, "file": Path(path).name, "format": fmt, "records": records,
            "personal_data": personal_data})


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _describe(kind: str, payload: dict[str, Any]) -> tuple[str, str]:
    """(action, detail) of one event."""
    source = _text(payload.get("source"))
    if kind == CHECKIN:
        method = _text(payload.get("method")) or "manual"
        reason = _text(payload.get("override_reason"))
        return "admitted", method + (f"; not registered for the day: {reason}" if reason
                                     else "")
    if kind == UNDO:
        return "undone", _text(payload.get("reason"))
    if kind == ATTENDEE_CREATED:
        action = {"walk-in": "walk-in", "station": "registered"}.get(source, "imported")
        return action, "" if action == "walk-in" else source
    if kind in (ATTENDEE_UPDATED, ATTENDEE_CANCELLED):
        changes = payload.get("changes")
        fields = ", ".join(sorted(changes)) if isinstance(changes, dict) else ""
        reason = _text(payload.get("reason"))
        action = "cancelled" if kind == ATTENDEE_CANCELLED else (
            "edited" if source in _DESK_SOURCES else "imported")
        detail = "; ".join(p for p in (f"changed {fields}" if fields else "", reason,
                                       source if source not in _DESK_SOURCES else "") if p)
        return action, detail
    if kind == BADGE_PRINTED:
        reprint = bool(payload.get("reprint"))
        where = " ".join(p for p in (_text(payload.get("layout")),
                                     _text(payload.get("printer"))) if p)
        reason = _text(payload.get("reason"))
        return ("reprinted badge" if reprint else "printed badge",
                "; ".join(p for p in (where, reason) if p))
    if kind == DATA_EXPORTED:
        data = payload.get("personal_data")
        holds = ", ".join(str(d) for d in data) if isinstance(data, list) else ""
        return "exported", (f"{_text(payload.get('what'))} to {_text(payload.get('file'))} "
                            f"({_text(payload.get('format'))}, {payload.get('records', '?')} "
                            f"records)" + (f"; holds {holds}" if holds else ""))
    if kind == "data_purged":
        removed = payload.get("removed")
        removed = removed if isinstance(removed, dict) else {}
        return "purged", (f"{removed.get('attendees', 0)} attendees, "
                          f"{removed.get('events', 0)} events removed; "
                          f"{payload.get('kept_counts', 0)} count rows kept")
    if kind == ATTENDEE_MERGED:
        return "merged", f"{_text(payload.get('from'))} into {_text(payload.get('into'))}"
    if kind == SCAN_REFUSED:
        return "refused code", _text(payload.get("cause"))
    return kind.replace("_", " "), ""


def audit(store: Store, *, attendee: str | None = None, operator: str | None = None,
          since: datetime | None = None) -> list[Entry]:
    """Who did what, when, where (see the module docstring)."""
    where, params = [], []
    if attendee is not None:
        ids = store.same_person(attendee)
        where.append(f"attendee_id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    if operator is not None:
        where.append("operator = ? COLLATE NOCASE")
        params.append(operator)
    sql = ("SELECT uuid, type, attendee_id, station, operator, time, payload FROM events"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq")
    names = {str(r[0]): _name(r[1:]) for r in store.db.execute(
        "SELECT id, badge_name, given_name, family_name, name_order FROM attendees")}
    after = since.timestamp() if since is not None else None
    entries: list[Entry] = []
    for uuid, kind, attendee_id, station, op, stamp, raw in store.db.execute(sql, params):
        if after is not None and instant(stamp) < after:
            continue
        try:
            payload = json.loads(raw or "{}")
        except ValueError:
            payload = {}
        payload = payload if isinstance(payload, dict) else {}
        action, detail = _describe(kind, payload)
        entry = Entry(stamp, station, op, action, kind, attendee_id,
                      names.get(attendee_id or "", ""), detail, uuid)
        last = entries[-1] if entries else None
        if (attendee is None and action == "imported" and last is not None
                and (last.action, last.type, last.station, last.operator, last.detail)
                == (action, kind, station, op, detail)):
            entries[-1] = Entry(last.time, station, op, action, kind, None, "", detail,
                                last.uuid, last.count + 1)
            continue
        entries.append(entry)
    return entries


def _name(row: tuple[Any, ...]) -> str:
    badge, given, family, order = (str(v or "") for v in row)
    if badge:
        return badge
    parts = [family, given] if order == "family_first" else [given, family]
    return " ".join(p for p in parts if p)
