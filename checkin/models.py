"""Plain data records shared by the core and the UI."""

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from checkin.text import has_cjk

ROLES = ("delegate", "speaker", "press", "staff", "exhibitor", "vip", "organiser", "student")
ATTENDEE_FIELDS = (
    "id", "code", "title", "given_name", "family_name", "name_order", "badge_name",
    "organisation", "country", "role", "email", "days", "status", "notes", "extra",
)


@dataclass
class Attendee:
    id: str
    given_name: str = ""
    family_name: str = ""
    title: str = ""
    name_order: str = "given_first"  # or "family_first"
    badge_name: str = ""
    organisation: str = ""
    country: str = ""  # ISO 3166-1 alpha-2, or ""
    role: str = "delegate"
    email: str = ""
    days: list[str] = field(default_factory=list)  # ISO dates; empty means every event day
    status: str = "confirmed"  # or "cancelled"
    notes: str = ""
    code: str | None = None  # upstream scannable code (pretix secret, barcode, ...)
    extra: dict[str, Any] = field(default_factory=dict)
    ref: str = ""  # opaque reference carried in signed tokens

    @property
    def display_name(self) -> str:
        """The name as the person writes it: badge name, else given/family in their order."""
        if self.badge_name:
            return self.badge_name
        parts = [self.given_name, self.family_name]
        if self.name_order == "family_first":
            parts.reverse()
        sep = "" if self.name_order == "family_first" and has_cjk(self.family_name) else " "
        return sep.join(p for p in parts if p)

    def registered_for(self, day: str) -> bool:
        return not self.days or day in self.days

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Attendee":
        return cls(
            id=row["id"],
            code=row.get("code"),
            ref=row.get("ref", ""),
            title=row.get("title", ""),
            given_name=row.get("given_name", ""),
            family_name=row.get("family_name", ""),
            name_order=row.get("name_order", "given_first"),
            badge_name=row.get("badge_name", ""),
            organisation=row.get("organisation", ""),
            country=row.get("country", ""),
            role=row.get("role", "delegate"),
            email=row.get("email", ""),
            days=json.loads(row.get("days") or "[]"),
            status=row.get("status", "confirmed"),
            notes=row.get("notes", ""),
            extra=json.loads(row.get("extra") or "{}"),
        )

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["days"] = json.dumps(self.days)
        row["extra"] = json.dumps(self.extra, ensure_ascii=False, sort_keys=True)
        return row


@dataclass(frozen=True)
class Event:
    uuid: str
    type: str
    attendee_id: str | None
    station: str
    operator: str
    time: str  # ISO 8601 with UTC offset
    day: str | None
    payload: dict[str, Any]
    seq: int = 0

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Event":
        return cls(
            uuid=row["uuid"],
            type=row["type"],
            attendee_id=row["attendee_id"],
            station=row["station"],
            operator=row["operator"],
            time=row["time"],
            day=row["day"],
            payload=json.loads(row["payload"] or "{}"),
            seq=row.get("seq", 0),
        )


@dataclass(frozen=True)
class EventInfo:
    name: str
    days: list[str]
