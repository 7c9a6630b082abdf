"""Day statistics for the dashboard and the end-of-day report: plain data, no Qt.

Admissions are derived from the event log the same way the store does it (the newest
check-in not followed by an undo), so the numbers here always agree with the desk.
An attendee's arrival time is the first check-in of the admission in force: a second
desk that admitted the same person while cut off (a sync conflict) does not move the
arrival, and an undone check-in followed by a new one counts at the new time.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from checkin.store import SCAN_REFUSED, Store

QUARTER_MINUTES = 15


@dataclass(frozen=True)
class Slot:
    """Arrivals in one quarter hour: start is the local wall-clock time "HH:MM"."""

    start: str
    count: int


@dataclass(frozen=True)
class GroupCount:
    """Checked-in and expected attendees of one group (a role or a country code)."""

    key: str
    checked_in: int
    expected: int


@dataclass(frozen=True)
class DayReport:
    day: str
    checked_in: int
    expected: int
    arrivals: list[Slot]
    roles: list[GroupCount]
    countries: list[GroupCount]
    conflicts: int = 0  # people admitted at several desks while apart (counted once above)
    # codes refused as invalid that day, by cause (admission.InvalidCause: damaged,
    # forged, key_unknown, key_revoked): a run of forged ones is worth a look
    refused: dict[str, int] = field(default_factory=dict)


def admissions(store: Store, day: str) -> dict[str, str]:
    """Attendee id -> arrival time (ISO 8601, the first admission) for everyone in on day."""
    return {attendee_id: found[0].time
            for (attendee_id, _), found in store.admissions_in_force(day=day).items()}


def quarter_of(time: str) -> int:
    """Quarter-hour index of the day (0..95) in the wall-clock time the station recorded."""
    stamp = datetime.fromisoformat(time)
    return stamp.hour * 4 + stamp.minute // QUARTER_MINUTES


def slot_label(quarter: int) -> str:
    return f"{quarter // 4:02d}:{(quarter % 4) * QUARTER_MINUTES:02d}"


def arrivals_per_quarter_hour(store: Store, day: str) -> list[Slot]:
    """Arrivals per 15 minutes, from the first to the last busy quarter, empty ones as 0."""
    return _slots(admissions(store, day))


def _slots(admitted: dict[str, str]) -> list[Slot]:
    counts = Counter(quarter_of(time) for time in admitted.values())
    if not counts:
        return []
    return [Slot(slot_label(q), counts.get(q, 0)) for q in range(min(counts), max(counts) + 1)]


def _event_day(store: Store, day: str) -> bool:
    days = json.loads(store.meta("event_days") or "[]")
    return not days or day in days


def _expected(store: Store, day: str, column: str) -> Counter[str]:
    """Confirmed attendees registered for day (no days listed means every event day)."""
    if not _event_day(store, day):
        return Counter()
    rows = store.db.execute(
        f"SELECT {column}, count(*) FROM attendees WHERE status = 'confirmed' AND "
        "(days = '[]' OR EXISTS (SELECT 1 FROM json_each(attendees.days) WHERE value = ?)) "
        "GROUP BY 1",  # by position: column may be a constant, which PostgreSQL refuses
        [day],
    ).fetchall()
    return Counter({str(key): int(n) for key, n in rows})


def _checked_in_by(store: Store, admitted: dict[str, str], column: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    if not admitted:
        return counts
    # One statement for any number of admissions: the ids travel as one JSON array
    # (no 999-variable limit, no temp table writes).
    rows = store.db.execute(
        f"SELECT {column}, count(*) FROM attendees "
        f"WHERE id IN (SELECT value FROM json_each(?)) GROUP BY 1",
        [json.dumps(list(admitted))],
    ).fetchall()
    for key, n in rows:
        counts[str(key)] += int(n)
    unknown = len(admitted) - sum(counts.values())  # admitted ids with no attendee record
    if unknown:
        counts[""] += unknown
    return counts


def _groups(store: Store, day: str, admitted: dict[str, str], column: str) -> list[GroupCount]:
    expected = _expected(store, day, column)
    checked = _checked_in_by(store, admitted, column)
    keys = set(expected) | set(checked)
    groups = [GroupCount(k, checked.get(k, 0), expected.get(k, 0)) for k in keys]
    groups.sort(key=lambda g: (-g.checked_in, -g.expected, g.key))
    return groups


def by_role(store: Store, day: str) -> list[GroupCount]:
    """Checked in and expected per role, most arrivals first."""
    return _groups(store, day, admissions(store, day), "role")


def by_country(store: Store, day: str) -> list[GroupCount]:
    """Checked in and expected per country code ("" = unknown), most arrivals first."""
    return _groups(store, day, admissions(store, day), "country")


def expected_count(store: Store, day: str) -> int:
    return sum(_expected(store, day, "'all'").values())


def refused_codes(store: Store, day: str) -> dict[str, int]:
    """Codes refused as invalid on day (scan_refused events), counted by cause."""
    rows = store.db.execute(
        "SELECT json_extract(payload, '$.cause'), count(*) FROM events "
        "WHERE day = ? AND type = ? GROUP BY 1", [day, SCAN_REFUSED]).fetchall()
    return {str(cause or "unknown"): int(n) for cause, n in rows}


def kept_report(store: Store, day: str) -> DayReport | None:
    """The counts `checkin purge --keep-counts` kept for day (checkin.retention), once no
    attendee is left; None while there are attendees or nothing was kept for day."""
    if store.db.execute("SELECT 1 FROM attendees LIMIT 1").fetchone():
        return None
    rows = store.db.execute("SELECT role, country, registered, checked_in FROM purged_counts "
                            "WHERE day = ?", [day]).fetchall()
    if not rows:
        return None
    roles: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    expected_roles: Counter[str] = Counter()
    expected_countries: Counter[str] = Counter()
    for role, country, registered, checked_in in rows:
        roles[str(role)] += int(checked_in)
        countries[str(country)] += int(checked_in)
        expected_roles[str(role)] += int(registered)
        expected_countries[str(country)] += int(registered)

    def groups(checked: Counter[str], expected: Counter[str]) -> list[GroupCount]:
        found = [GroupCount(k, checked[k], expected[k]) for k in set(checked) | set(expected)]
        return sorted(found, key=lambda g: (-g.checked_in, -g.expected, g.key))

    return DayReport(day=day, checked_in=sum(roles.values()),
                     expected=sum(expected_roles.values()), arrivals=[],
                     roles=groups(roles, expected_roles),
                     countries=groups(countries, expected_countries))


def day_report(store: Store, day: str) -> DayReport:
    """Everything the dashboard shows, from one read of the log (after a purge that kept
    counts: those, kept_report)."""
    kept = kept_report(store, day)
    if kept is not None:
        return kept
    standing = store.admissions_in_force(day=day)
    admitted = {attendee_id: found[0].time for (attendee_id, _), found in standing.items()}
    return DayReport(
        day=day,
        conflicts=sum(1 for found in standing.values() if len({a.station for a in found}) > 1),
        checked_in=len(admitted),
        expected=expected_count(store, day),
        arrivals=_slots(admitted),
        roles=_groups(store, day, admitted, "role"),
        countries=_groups(store, day, admitted, "country"),
        refused=refused_codes(store, day),
    )
