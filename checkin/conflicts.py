"""Double admissions that desks made while they could not see each other.

Contract: ``conflicts(store, day=None) -> list[Conflict]``, from the log alone (merged by
sync, or a single database): a delegate admitted on the same day at two or more
different stations, counting only check-ins that no undo annuls (an undo's payload
``{"undoes": uuid}`` names the check-in it annuls; an undo without it annuls nothing
here). Ordered by day, then attendee id; the admissions of each by time.

A conflict is one person inside, not two: Store.checked_in_ids counts them once. It
is listed so that the organiser can look (a shared ticket, a forged copy, two desks
on a bad network), not because a count is wrong. Two admissions at the same station
are the engine's own business (it refuses the second) and not a conflict.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from checkin.store import CHECKIN, UNDO, Store


@dataclass(frozen=True)
class Admission:
    station: str
    operator: str
    time: str
    uuid: str = field(compare=False)

    def to_json(self) -> dict[str, str]:
        return {"station": self.station, "operator": self.operator, "time": self.time}


@dataclass(frozen=True)
class Conflict:
    attendee_id: str
    name: str
    day: str
    admissions: list[Admission]

    def to_json(self) -> dict[str, Any]:
        return {"attendee_id": self.attendee_id, "name": self.name, "day": self.day,
                "admissions": [a.to_json() for a in self.admissions]}


def conflicts(store: Store, day: str | None = None) -> list[Conflict]:
    sql = ("SELECT uuid, type, attendee_id, station, operator, time, day, "
           "json_extract(payload, '$.undoes') FROM events WHERE type IN (?, ?) "
           "AND attendee_id IS NOT NULL AND day IS NOT NULL")
    params: list[str] = [CHECKIN, UNDO]
    if day is not None:
        sql += " AND day = ?"
        params.append(day)
    annulled: set[str] = set()
    admitted: dict[tuple[str, str], list[Admission]] = {}
    for uuid, kind, attendee_id, station, operator, time, event_day, undoes in \
            store.db.execute(sql, params):
        if kind == UNDO:
            if isinstance(undoes, str):
                annulled.add(undoes)
            continue
        admitted.setdefault((event_day, attendee_id), []).append(
            Admission(station, operator, time, uuid))
    found = []
    for (event_day, attendee_id), admissions in sorted(admitted.items()):
        standing = [a for a in admissions if a.uuid not in annulled]
        if len({a.station for a in standing}) < 2:
            continue
        attendee = store.attendee(attendee_id)
        name = (attendee.display_name if attendee else "") or ""
        found.append(Conflict(attendee_id, name, event_day,
                              sorted(standing, key=_when)))
    return found


def _when(admission: Admission) -> tuple[float, str]:
    """Desks may write different UTC offsets: order by the instant, not the text."""
    try:
        return datetime.fromisoformat(admission.time).timestamp(), admission.station
    except (ValueError, OverflowError):
        return float("inf"), admission.station
