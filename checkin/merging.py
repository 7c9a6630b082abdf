"""Likely duplicates among registrations, and merging two registrations of one person.

Desks that cannot see each other may each register the same walk-in, or register someone
who was registered already. This module finds them and joins them, at the hub.

Contract:

- ``duplicates(store) -> list[DuplicateGroup]``: groups of two or more registrations
  that look like one person, at least one of them a walk-in (created with source
  "walk-in": two imported registrations that look alike are the registration system's
  business). Two registrations match on the same e-mail address (trimmed, casefolded),
  or on the same name and organisation: the name's words as ``checkin.text.fold_words``
  folds them, in any order ("Lee Ann" is "Ann Lee": desks type family-first names both
  ways), the organisation's letters and digits as ``fold_compact`` folds them ("P.K.U."
  is "PKU"). Matches chain (a-b by e-mail, b-c by name: one group). Cancelled and merged-away
  registrations are left out. In a group, registrations that did not come from a desk
  (imports: the registration system's ids) come first, then the oldest: the first is
  the one to keep.
- ``merge(store, keep, gone, *, reason="") -> MergeResult``: join registration ``gone``
  into ``keep``, by appending events only (the log is append-only): ``attendee_updated``
  on keep with what only gone knew (empty fields filled in, registered days joined, extra
  keys added), ``attendee_cancelled`` on gone (reason "merged into KEEP"), then
  ``attendee_merged`` {"from": gone, "into": keep} (attendee_id keep), all in one
  transaction. From then on the log's readers count gone's events as keep's
  (Store.merges: admissions, badges printed, conflicts, reports, exports), and a scan of
  gone's code admits keep. Every event of gone stays in the log under its own id.
  CheckinError (one line) for an unknown or identical id, a registration merged away
  already, keep cancelled, or a database that is a desk of a hub: merges are made at the
  hub (or on a database that syncs with nobody) and reach the desks by sync.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.store import (
    ATTENDEE_CREATED,
    ATTENDEE_MERGED,
    BADGE_PRINTED,
    CHECKIN,
    Store,
)
from checkin.text import clean_text, fold_compact, fold_words

log = logging.getLogger(__name__)

WALK_IN = "walk-in"  # the source checkin.desk.walk_in writes
_FILLED = ("title", "given_name", "family_name", "badge_name", "organisation", "country",
           "email", "notes")


@dataclass(frozen=True)
class Registration:
    """One registration of a duplicate group, with where and how it was made."""

    attendee: Attendee
    source: str  # "walk-in", "import", "test", ... ("" when the log does not say)
    station: str  # where it was created
    created: str  # when (ISO 8601)
    admitted: list[str]  # days with a check-in in force

    def to_json(self) -> dict[str, Any]:
        a = self.attendee
        return {"id": a.id, "name": a.display_name, "organisation": a.organisation,
                "email": a.email, "country": a.country, "role": a.role,
                "source": self.source, "station": self.station, "created": self.created,
                "admitted": self.admitted}


@dataclass(frozen=True)
class DuplicateGroup:
    match: list[str]  # "e-mail", "name and organisation"
    registrations: list[Registration]

    def to_json(self) -> dict[str, Any]:
        return {"match": self.match,
                "attendees": [r.to_json() for r in self.registrations]}


@dataclass(frozen=True)
class MergeResult:
    keep: str
    gone: str
    checkins: int  # check-in events of gone (now read as keep's)
    badges: int  # badge_printed events of gone
    filled: list[str] = field(default_factory=list)  # fields of keep taken from gone


def name_key(attendee: Attendee) -> str:
    """The folded words of the name, sorted (word order does not matter); "" if none."""
    text = f"{attendee.given_name} {attendee.family_name}".strip() or attendee.badge_name
    return " ".join(sorted(fold_words(text).split()))


def person_key(attendee: Attendee) -> str:
    """Name and organisation, folded; "" for a registration without a name."""
    name = name_key(attendee)
    return f"{name}|{fold_compact(attendee.organisation)}" if name else ""


def email_key(attendee: Attendee) -> str:
    email = attendee.email.strip().casefold()
    return email if "@" in email else ""


def _origins(store: Store) -> dict[str, tuple[str, str, str]]:
    """attendee id -> (source, station, time) of its attendee_created event."""
    rows = store.db.execute(
        "SELECT attendee_id, coalesce(json_extract(payload, '$.source'), ''), station, time "
        "FROM events WHERE type = ? ORDER BY seq", [ATTENDEE_CREATED])
    found: dict[str, tuple[str, str, str]] = {}
    for attendee_id, source, station, time in rows:
        found.setdefault(str(attendee_id), (str(source), str(station), str(time)))
    return found


def duplicates(store: Store) -> list[DuplicateGroup]:
    merges = store.merges()
    people = [a for a in store.all_attendees()
              if a.status != "cancelled" and a.id not in merges]
    origins = _origins(store)
    parent = {a.id: a.id for a in people}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    reasons: dict[frozenset[str], set[str]] = {}
    for label, key_of in (("e-mail", email_key), ("name and organisation", person_key)):
        seen: dict[str, str] = {}
        for a in people:
            key = key_of(a)
            if not key:
                continue
            if key in seen:
                first = seen[key]
                reasons.setdefault(frozenset((first, a.id)), set()).add(label)
                parent[root(a.id)] = root(first)
            else:
                seen[key] = a.id
    groups: dict[str, list[Attendee]] = {}
    for a in people:
        groups.setdefault(root(a.id), []).append(a)
    admitted: dict[str, list[str]] = {}
    for attendee_id, day in store.admissions_in_force():
        admitted.setdefault(attendee_id, []).append(day)
    found = []
    for members in groups.values():
        if len(members) < 2:
            continue
        if not any(origins.get(a.id, ("",))[0] == WALK_IN for a in members):
            continue
        ids = {a.id for a in members}
        match = sorted({label for pair, labels in reasons.items() if pair <= ids
                        for label in labels})
        registrations = [Registration(a, *origins.get(a.id, ("", "", "")),
                                      sorted(admitted.get(a.id, []))) for a in members]
        registrations.sort(key=lambda r: (r.source == WALK_IN, r.created, r.attendee.id))
        found.append(DuplicateGroup(match, registrations))
    found.sort(key=lambda g: (g.registrations[0].created, g.registrations[0].attendee.id))
    return found


def _joined_days(keep: list[str], gone: list[str]) -> list[str]:
    if not keep or not gone:
        return []  # an empty list is every day: the wider registration stands
    return sorted(set(keep) | set(gone))


def merge(store: Store, keep_id: str, gone_id: str, *, reason: str = "") -> MergeResult:
    from checkin.search import search_key

    desk_of = store.meta("sync_hub")
    if desk_of or store.meta("sync_hub_id"):
        raise CheckinError(f"this database is a desk of the hub {desk_of or ''}".rstrip()
                           + ": merge at the hub (`checkin merge` on its database); the "
                           "desks get the merge at their next sync")
    if keep_id == gone_id:
        raise CheckinError(f"cannot merge {keep_id!r} into itself")
    reason = clean_text(reason)[:500]
    with store.transaction():
        merges = store.merges()
        keep, gone = store.attendee(keep_id), store.attendee(gone_id)
        for wanted, found in ((keep_id, keep), (gone_id, gone)):
            if found is None:
                raise CheckinError(f"no attendee with id {wanted!r}")
            if wanted in merges:
                raise CheckinError(f"{wanted} was merged into {merges[wanted]} already"
                                   + (f": merge into {merges[wanted]} instead"
                                      if wanted == keep_id else ""))
        assert keep is not None and gone is not None
        if keep.status == "cancelled":
            raise CheckinError(f"{keep_id} is cancelled: keep a registration that is not "
                               f"(`checkin merge {gone_id} {keep_id}` keeps the other one)")
        joined = replace(keep, days=_joined_days(keep.days, gone.days),
                         extra={**gone.extra, **keep.extra})
        filled = []
        for name in _FILLED:
            if not getattr(keep, name) and getattr(gone, name):
                setattr(joined, name, getattr(gone, name))
                filled.append(name)
        if joined.days != keep.days:
            filled.append("days")
        why = f"merged with {gone_id}" + (f": {reason}" if reason else "")
        store.update_attendee(joined, search_key=search_key(joined), source="merge",
                              reason=why)
        if gone.status != "cancelled":
            store.update_attendee(replace(gone, status="cancelled"),
                                  search_key=search_key(gone), source="merge",
                                  reason=f"merged into {keep_id}"
                                  + (f": {reason}" if reason else ""))
        payload: dict[str, Any] = {"from": gone_id, "into": keep_id}
        if reason:
            payload["reason"] = reason
        store.append(ATTENDEE_MERGED, keep_id, payload=payload)
        counts = dict(store.db.execute(
            "SELECT type, count(*) FROM events WHERE attendee_id = ? AND type IN (?, ?) "
            "GROUP BY type", [gone_id, CHECKIN, BADGE_PRINTED]).fetchall())
    result = MergeResult(keep_id, gone_id, int(counts.get(CHECKIN, 0)),
                         int(counts.get(BADGE_PRINTED, 0)), filled)
    log.info("merged %s into %s at %s: %d check-ins and %d badges of %s now count as %s's; "
             "filled in: %s%s", gone_id, keep_id, store.station, result.checkins,
             result.badges, gone_id, keep_id, ", ".join(filled) or "nothing",
             f"; reason: {reason}" if reason else "")
    return result
