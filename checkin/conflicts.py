"""Double admissions that desks made while they could not see each other.

Contract: ``conflicts(store, day=None) -> list[Conflict]``, from the log alone (merged by
sync, or a single database): a delegate admitted on the same day at two or more
different stations, counting only check-ins that no undo annuls (an undo's payload
``{"undoes": uuid}`` names the check-in it annuls; Store.admissions_in_force). Ordered
by day, then attendee id; the admissions of each by time.

A conflict is one person inside, not two: Store.checked_in_ids counts them once. It
is listed so that the organiser can look (a shared ticket, a forged copy, two desks
on a bad network), not because a count is wrong. Two admissions at the same station
are the engine's own business (it refuses the second) and not a conflict.
"""

from dataclasses import dataclass
from typing import Any

from checkin.store import Admission, Store


@dataclass(frozen=True)
class Conflict:
    attendee_id: str
    name: str
    day: str
    admissions: list[Admission]

    def to_json(self) -> dict[str, Any]:
        return {"attendee_id": self.attendee_id, "name": self.name, "day": self.day,
                "admissions": [{"station": a.station, "operator": a.operator, "time": a.time}
                               for a in self.admissions]}


def conflicts(store: Store, day: str | None = None) -> list[Conflict]:
    found = []
    for (attendee_id, event_day), standing in sorted(
            store.admissions_in_force(day=day).items(), key=lambda item: item[0][::-1]):
        if len({a.station for a in standing}) < 2:
            continue
        attendee = store.attendee(attendee_id)
        name = (attendee.display_name if attendee else "") or ""
        found.append(Conflict(attendee_id, name, event_day, standing))
    return found
