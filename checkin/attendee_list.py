"""The attendee list's queries: who matches the filters for a day, in which order, and
the rows to show for a page of them.

Built for 100,000 attendees read in pages: load_ids() returns only the matching ids
(in display order) with the filter choices, load_rows() the display rows for a slice of
them. Both read through the Store's connection and keep no state, so a caller may run
them on any thread that owns its Store.

A person's state for the day: checked_in (an admission in force that day, whatever
their registration says), else cancelled (registration cancelled), else not_yet
(registered for the day, or for every day) or not_today. The status filter "not_yet"
keeps only not_yet; "checked_in" only checked_in.

The text filter keeps people whose search key (written by checkin.search) holds every
word of the text, folded the way the search folds (checkin.text.fold_search), so
"mueller" finds Müller and "zhang" finds 张. Unknown status filters and sort orders
raise ValueError when the ListQuery is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from checkin import reports
from checkin.models import Attendee
from checkin.romanise import latin_spelling
from checkin.store import Store
from checkin.text import fold_search, has_cjk

# States of a person for the day shown.
CHECKED_IN, NOT_YET, CANCELLED, NOT_TODAY = "checked_in", "not_yet", "cancelled", "not_today"
STATUS_FILTERS = ("all", CHECKED_IN, NOT_YET)

# Sort orders; every one ends in the display name, then the id, so the order is total.
BY_NAME, BY_ORGANISATION, BY_COUNTRY, BY_ROLE, BY_STATE, BY_TIME = (
    "name", "organisation", "country", "role", "state", "time")
SORTS = (BY_NAME, BY_ORGANISATION, BY_COUNTRY, BY_ROLE, BY_STATE, BY_TIME)

_REGISTERED = ("(a.days = '[]' OR EXISTS "
               "(SELECT 1 FROM json_each(a.days) WHERE value = :day))")
_NAME_KEY = ("CASE WHEN a.badge_name != '' THEN a.badge_name "
             "WHEN a.name_order = 'family_first' THEN a.family_name || ' ' || a.given_name "
             "ELSE a.given_name || ' ' || a.family_name END COLLATE NOCASE")
_ORDER = {
    BY_NAME: _NAME_KEY,
    BY_ORGANISATION: f"a.organisation COLLATE NOCASE, {_NAME_KEY}",
    BY_COUNTRY: f"a.country, {_NAME_KEY}",
    BY_ROLE: f"a.role, {_NAME_KEY}",
    BY_STATE: _NAME_KEY,  # then re-sorted by state in Python
    BY_TIME: _NAME_KEY,
}
_STATE_RANK = {CHECKED_IN: 0, NOT_YET: 1, NOT_TODAY: 2, CANCELLED: 3}


@dataclass(frozen=True)
class ListQuery:
    day: str
    status: str = "all"  # one of STATUS_FILTERS
    role: str = ""  # "" = every role
    country: str = ""  # "" = every country
    text: str = ""
    sort: str = BY_NAME  # one of SORTS
    descending: bool = False

    def __post_init__(self) -> None:
        if self.status not in STATUS_FILTERS:
            raise ValueError(f"unknown status filter {self.status!r} "
                             f"(one of: {', '.join(STATUS_FILTERS)})")
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort order {self.sort!r} (one of: {', '.join(SORTS)})")


@dataclass(frozen=True)
class IdList:
    ids: list[str]
    total: int  # attendees in the database
    roles: list[str]  # every role and country in the database, for the filter choices
    countries: list[str]


@dataclass(frozen=True)
class Row:
    id: str
    name: str
    organisation: str
    country: str
    role: str
    state: str
    time: str  # ISO 8601 of the day's admission, or ""
    latin: str = ""  # the name's Latin spelling when written in another script (romanise)


def _text_clause(text: str, params: dict[str, str]) -> str:
    """Every word of the text must occur in the attendee's search key.

    The ranked type-ahead (checkin.search.Searcher) is for the desk's top hits; a filter
    needs every match, which one indexed scan of search_key gives without holding a
    second index in memory.
    """
    words: list[str] = []
    for word in fold_search(text).split():
        # CJK names are written without spaces, and the key may hold family and given
        # name in either order: each CJK character is a word of its own.
        if has_cjk(word):
            words.extend(ch for ch in word if ch.strip())
        else:
            words.append(word)
    clauses = []
    for n, word in enumerate(words):
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params[f"w{n}"] = f"%{escaped}%"
        clauses.append(f"a.search_key LIKE :w{n} ESCAPE '\\'")
    return " AND ".join(clauses)


def load_ids(store: Store, query: ListQuery) -> IdList:
    """The ids matching the query, in display order, with the filter choices."""
    params: dict[str, str] = {"day": query.day}
    where = []
    if query.role:
        where.append("a.role = :role")
        params["role"] = query.role
    if query.country:
        where.append("a.country = :country")
        params["country"] = query.country
    if query.text.strip():
        clause = _text_clause(query.text, params)
        if clause:
            where.append(clause)
    sql = (f"SELECT a.id, a.status, {_REGISTERED} FROM attendees a"
           + (" WHERE " + " AND ".join(where) if where else "")
           + f" ORDER BY {_ORDER[query.sort]}, a.id")
    rows: list[tuple[str, str, int]] = store.db.execute(sql, params).fetchall()
    admitted = reports.admissions(store, query.day)

    def state(row: tuple[str, str, int]) -> str:
        if row[0] in admitted:
            return CHECKED_IN
        if row[1] == "cancelled":
            return CANCELLED
        return NOT_YET if row[2] else NOT_TODAY

    if query.status == CHECKED_IN:
        rows = [r for r in rows if r[0] in admitted]
    elif query.status == NOT_YET:
        rows = [r for r in rows if state(r) == NOT_YET]
    if query.sort == BY_STATE:
        rows.sort(key=lambda r: _STATE_RANK[state(r)])
    elif query.sort == BY_TIME:
        # Not yet admitted rows go last; stable sort keeps them in name order.
        rows.sort(key=lambda r: (r[0] not in admitted, admitted.get(r[0], "")))
    ids = [r[0] for r in rows]
    if query.descending:
        ids.reverse()
    roles = [r[0] for r in store.db.execute(
        "SELECT DISTINCT role FROM attendees WHERE role != '' ORDER BY role")]
    countries = [r[0] for r in store.db.execute(
        "SELECT DISTINCT country FROM attendees WHERE country != '' ORDER BY country")]
    return IdList(ids, store.attendee_count(), roles, countries)


def load_rows(store: Store, ids: list[str], day: str) -> list[Row]:
    """Display rows for ids (a page), in the order given; an id no longer in the
    database shows as itself, not_today."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    found = {r["id"]: r for r in store.db.query(
        f"SELECT id, title, given_name, family_name, name_order, badge_name, organisation, "
        f"country, role, status, days FROM attendees WHERE id IN ({marks})", ids)}
    admitted = {attendee_id: found[0].time for (attendee_id, _), found
                in store.admissions_in_force(day=day, ids=ids).items()}
    rows = []
    for attendee_id in ids:
        record = found.get(attendee_id)
        if record is None:
            rows.append(Row(attendee_id, attendee_id, "", "", "", NOT_TODAY, ""))
            continue
        person = Attendee.from_row(record)
        if attendee_id in admitted:
            state = CHECKED_IN
        elif person.status == "cancelled":
            state = CANCELLED
        elif person.registered_for(day):
            state = NOT_YET
        else:
            state = NOT_TODAY
        rows.append(Row(attendee_id, person.display_name, person.organisation, person.country,
                        person.role, state, admitted.get(attendee_id, ""),
                        latin_spelling(person)))
    return rows
