"""What the hub sends desks of each attendee (docs/privacy.md, "Minimisation").

A desk needs a person's name, days and status to find and admit them, and what their badge
and card show; it does not need their e-mail address, phone number or postal address. The
hub strips the rest while serving a pull, so it never reaches a desk's disk.

Contract:

- ``Policy``: ``withheld`` (fields of OPTIONAL replaced by "" or null on the wire),
  ``extra`` (the keys of ``extra`` sent; None: all of them), ``search_by_email`` (e-mail
  addresses are sent, so desks find people by them). ``load(store)`` reads it from the
  hub's meta (``desk_fields``, ``desk_email_search``; missing: DEFAULT), ``save(store,
  policy)`` writes it. Per event: the policy is part of the event's database.
- ``attendee_sql(policy, column) -> str``: the SQL expression the hub's snapshot selects
  for an attendees column (withheld fields blank, extra reduced, the search key without
  the withheld e-mail address). A hub on PostgreSQL runs it and payload_sql in SQLite too,
  on the rows it copied into the image's connection (checkin.sync.snapshot).
- For the pulls of a hub on PostgreSQL (whose SQL has other JSON functions): ``payload(
  policy, kind, data) -> dict`` and ``wire_text(policy, text) -> str`` in Python.
- ``wire_event(policy) -> str``: the SQL expression the hub's pull selects for each
  events row: the JSON object of protocol.to_wire with hub_seq, its payload minimised.
  attendee_created: withheld fields replaced ("" for text, null for code), ``extra``
  reduced to the keys sent; attendee_updated / attendee_cancelled: the change of a
  withheld field becomes {"from": "", "to": ""} (the desk applies it and learns nothing),
  ``extra`` changes are reduced alike. Other events travel as they are. The keys stay,
  so a desk's checks (protocol.payload_problem) and its apply (checkin.sync.apply) see
  the same shapes as before.

Never withheld: id, ref, given_name, family_name, name_order, status and days (a desk
cannot find or admit anyone without them). A policy made stricter later does not reach
into what desks already pulled; make the desks again (a new first sync) to apply it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from checkin.errors import CheckinError
from checkin.store import ATTENDEE_CANCELLED, ATTENDEE_CREATED, ATTENDEE_UPDATED, Store

REQUIRED = ("id", "ref", "given_name", "family_name", "name_order", "status", "days")
OPTIONAL = ("code", "title", "badge_name", "organisation", "country", "role", "notes",
            "email")
_NULLABLE = ("code",)
# What desks read from extra: the country as registered when the import could not map it
# (badges print it), vip (the card's star), walk_in, salutation and suffix (names).
DEFAULT_EXTRA = ("country", "days", "salutation", "suffix", "vip", "walk_in")
FIELDS_KEY, EMAIL_KEY = "desk_fields", "desk_email_search"


@dataclass(frozen=True)
class Policy:
    withheld: tuple[str, ...] = ()
    extra: tuple[str, ...] | None = DEFAULT_EXTRA
    search_by_email: bool = False

    @property
    def stripped(self) -> tuple[str, ...]:
        """Fields withheld on the wire: the chosen ones, and e-mail unless searched by."""
        found = [f for f in OPTIONAL if f in self.withheld and f != "email"]
        if not self.search_by_email:
            found.append("email")
        return tuple(found)

    def sent(self) -> list[str]:
        return [*REQUIRED, *(f for f in OPTIONAL if f not in self.stripped)]

    def to_json(self) -> dict[str, object]:
        return {"sent": self.sent(), "withheld": list(self.stripped),
                "extra": list(self.extra) if self.extra is not None else "*",
                "search_by_email": self.search_by_email}


DEFAULT = Policy()


def load(store: Store) -> Policy:
    raw = store.meta(FIELDS_KEY)
    email = store.meta(EMAIL_KEY) == "on"
    if not raw:
        return Policy(search_by_email=email)
    try:
        data = json.loads(raw)
        withheld = tuple(f for f in data.get("withhold", []) if f in OPTIONAL)
        extra = data.get("extra", list(DEFAULT_EXTRA))
        keys = None if extra == "*" else tuple(str(k) for k in extra)
    except (ValueError, AttributeError, TypeError):
        # A hand-edited row that does not read: the strictest reading, never the loosest.
        return Policy(withheld=OPTIONAL, extra=(), search_by_email=False)
    return Policy(withheld, keys, email)


def save(store: Store, policy: Policy) -> None:
    unknown = [f for f in policy.withheld if f not in OPTIONAL]
    if unknown:
        raise CheckinError(f"{unknown[0]!r} cannot be withheld (one of {', '.join(OPTIONAL)}; "
                           f"{', '.join(REQUIRED)} are always sent)")
    with store.transaction():
        store.set_meta(FIELDS_KEY, json.dumps({
            "withhold": [f for f in OPTIONAL if f in policy.withheld and f != "email"],
            "extra": list(policy.extra) if policy.extra is not None else "*"}))
        store.set_meta(EMAIL_KEY, "on" if policy.search_by_email else "off")


def _literal(text: str) -> str:
    """An SQL string literal (ASCII JSON only reaches here: nothing to escape but ')."""
    return "'" + text.replace("'", "''") + "'"


def _kept(source: str, path: str, keys: tuple[str, ...]) -> str:
    """SQL: the object at path of source with only the given keys (values as they were)."""
    allowed = _literal(json.dumps(list(keys)))
    return ("(SELECT json_group_object(key, CASE type WHEN 'true' THEN json('true') "
            "WHEN 'false' THEN json('false') WHEN 'null' THEN json('null') "
            "WHEN 'object' THEN json(value) WHEN 'array' THEN json(value) ELSE value END) "
            f"FROM json_each({source}, {_literal(path)}) "
            f"WHERE key IN (SELECT value FROM json_each({allowed})))")


def payload_sql(policy: Policy) -> str:
    """SQL: an events row's payload as JSON text, minimised by policy."""
    # The column's text as it is (SQLite's JSON functions parse it, and reuse one parse
    # of the same text within a row): a json() around it parsed and wrote it again.
    raw = "coalesce(nullif(payload, ''), '{}')"
    created, changed = [], []
    for name in policy.stripped:
        blank = "json('null')" if name in _NULLABLE else "''"
        created.append(f"'$.{name}', {blank}")
        empty = '{"from":null,"to":null}' if name in _NULLABLE else '{"from":"","to":""}'
        changed.append(f"'$.changes.{name}', json({_literal(empty)})")
    if policy.extra is not None:
        # Most payloads' extra is empty: that one needs no json_each.
        created.append(f"'$.extra', json(CASE WHEN json_extract({raw}, '$.extra') = '{{}}' "
                       f"THEN '{{}}' ELSE {_kept(raw, '$.extra', policy.extra)} END)")
        for side in ("from", "to"):
            changed.append(f"'$.changes.extra.{side}', "
                           f"json({_kept(raw, f'$.changes.extra.{side}', policy.extra)})")
    if not created:
        return raw
    return (f"CASE WHEN type = {_literal(ATTENDEE_CREATED)} THEN json_replace({raw}, "
            f"{', '.join(created)}) "
            f"WHEN type IN ({_literal(ATTENDEE_UPDATED)}, {_literal(ATTENDEE_CANCELLED)}) "
            f"THEN json_replace({raw}, {', '.join(changed)}) ELSE {raw} END")


# The fields checkin.search.search_key folds into an attendee's search key (besides the
# names and the id, which are always sent).
_SEARCHED = ("badge_name", "organisation", "email", "code")
FOLD_FUNCTION = "checkin_fold"  # the SQL name attendee_sql's search key needs (fold_search)


def attendee_sql(policy: Policy, column: str) -> str:
    """SQL: an attendees column as a desk may hold it (the hub's first-sync snapshot).
    Withheld fields are blank, extra keeps the keys sent. The search key drops a withheld
    e-mail address (the text search_key folded in; FOLD_FUNCTION must be defined on the
    connection); a search key that held other withheld fields is left empty, and the desk
    makes it from what it holds (checkin.sync.snapshot)."""
    if column in policy.stripped:
        return "NULL" if column in _NULLABLE else "''"
    if column == "extra" and policy.extra is not None:
        return (f"CASE WHEN extra = '{{}}' THEN extra "
                f"ELSE coalesce({_kept('extra', '$', policy.extra)}, '{{}}') END")
    if column == "search_key":
        stripped = [f for f in _SEARCHED if f in policy.stripped]
        if any(f != "email" for f in stripped):
            return "''"
        if stripped:
            return (f"CASE WHEN email = '' THEN search_key ELSE trim(replace(' ' || search_key "
                    f"|| ' ', ' ' || {FOLD_FUNCTION}(email) || ' ', ' ')) END")
    return column


ATTENDEE_TYPES = (ATTENDEE_CREATED, ATTENDEE_UPDATED, ATTENDEE_CANCELLED)


def payload(policy: Policy, kind: str, data: dict[str, object]) -> dict[str, object]:
    """An event's payload minimised in Python, as payload_sql does it in SQLite (a
    PostgreSQL hub's pull and snapshot; tests check the two agree)."""
    if kind == ATTENDEE_CREATED:
        out = dict(data)
        for name in policy.stripped:
            if name in out:
                out[name] = None if name in _NULLABLE else ""
        if policy.extra is not None and "extra" in out:
            out["extra"] = _kept_dict(out["extra"], policy.extra)
        return out
    if kind in (ATTENDEE_UPDATED, ATTENDEE_CANCELLED) and isinstance(data.get("changes"), dict):
        changes = dict(data["changes"])  # type: ignore[call-overload]
        for name in policy.stripped:
            if name in changes:
                changes[name] = {"from": None, "to": None} if name in _NULLABLE \
                    else {"from": "", "to": ""}
        extra = changes.get("extra")
        if policy.extra is not None and isinstance(extra, dict):
            changes["extra"] = {side: _kept_dict(value, policy.extra) if side in ("from", "to")
                                else value for side, value in extra.items()}
        return {**data, "changes": changes}
    return data


def _kept_dict(value: object, keys: tuple[str, ...]) -> dict[str, object]:
    return {k: v for k, v in value.items() if k in keys} if isinstance(value, dict) else {}


def wire_text(policy: Policy, text: str) -> str:
    """A wire event's JSON text with its payload minimised (payload, above)."""
    event = json.loads(text)
    if event.get("type") in ATTENDEE_TYPES:
        event["payload"] = payload(policy, event["type"], event.get("payload") or {})
    return json.dumps(event, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def wire_event(policy: Policy) -> str:
    """SQL: an events row as the JSON object of protocol.to_wire, hub_seq included."""
    return ("json_object('uuid', uuid, 'type', type, 'attendee_id', attendee_id, "
            "'station', station, 'operator', operator, 'time', time, 'day', day, "
            f"'payload', json({payload_sql(policy)}), 'hub_seq', seq)")
