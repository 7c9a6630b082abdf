"""Events of a chosen size for the report tests (no tests of its own): names in many
scripts, roles, countries, admissions over a morning at three desks, a few conflicts
and walk-ins. Deterministic: the same arguments give the same event."""

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from checkin.db import open_db
from checkin.models import Attendee, Event
from checkin.store import ATTENDEE_CREATED, CHECKIN, Store

DAY1, DAY2 = "2026-12-01", "2026-12-02"
ZONE = timezone(timedelta(hours=1))

NAMES = [  # (given, family, name_order, country)
    ("Anna", "Müller", "given_first", "DE"), ("Jean-Luc", "Lefèvre", "given_first", "FR"),
    ("María José", "García Fernández", "given_first", "ES"),
    ("Νίκος", "Παπαδόπουλος", "given_first", "GR"), ("Ελένη", "Γεωργίου", "given_first", "GR"),
    ("秀英", "王", "family_first", "CN"), ("伟", "李", "family_first", "CN"),
    ("さくら", "佐藤", "family_first", "JP"), ("健太", "髙橋", "family_first", "JP"),
    ("민준", "김", "family_first", "KR"), ("محمد", "العلي", "given_first", "SA"),
    ("فاطمة", "حسن", "given_first", "EG"), ("अनिल", "कुमार", "given_first", "IN"),
    ("Ольга", "Иванова", "given_first", "RU"), ("Sipho", "Dlamini", "given_first", "ZA"),
    ("Nguyễn", "Thị Hương", "given_first", "VN"), ("דוד", "כהן", "given_first", "IL"),
    ("Chidi", "Okonkwo", "given_first", "NG"), ("Lucía", "Pérez", "given_first", "AR"),
    ("Siosaia", "Tupou", "given_first", "TO"),
]
MANY_COUNTRIES = ["DE", "FR", "ES", "GR", "CN", "JP", "KR", "SA", "EG", "IN", "RU", "ZA", "VN",
                  "IL", "NG", "AR", "TO", "US", "GB", "IT", "NL", "BE", "PL", "SE", "NO", "FI",
                  "DK", "PT", "IE", "AT", "CH", "CZ", "HU", "RO", "BG", "TR", "BR", "MX", "CA",
                  "AU", "NZ", "KE", "GH", "MA", "TN", "PK", "BD", "TH", "MY", "ID", "PH"]
ROLES = ["delegate"] * 12 + ["speaker"] * 3 + ["press", "staff", "exhibitor", "vip", "student"]


def make(path: Path, size: int, *, admitted: float = 0.8, countries: list[str] | None = None,
         conflicts: int = 3, walk_ins: int = 2, seed: int = 7) -> Store:
    """An event of size attendees on two days; admitted: the share checked in on day 1."""
    rng = random.Random(seed)
    store = Store(open_db(path, create=True), station="office")
    store.set_event("Weltkongress für Medizin · Παγκόσμιο Συνέδριο · 世界医学大会", [DAY1, DAY2])
    people = []
    with store.transaction():
        for i in range(size):
            given, family, order, country = NAMES[i % len(NAMES)]
            if countries:
                country = countries[i % len(countries)]
            person = Attendee(id=f"P-{i:05d}", given_name=given, family_name=family,
                              name_order=order, country=country, role=rng.choice(ROLES),
                              organisation=f"Institute {i % 37}",
                              days=[DAY1] if i % 11 == 5 else [])
            store.add_attendee(person, source="import")
            people.append(person)
        start = datetime(2026, 12, 1, 7, 45, tzinfo=ZONE)
        inside = [p for p in people if rng.random() < admitted]
        events = []
        for n, person in enumerate(inside):
            minutes = min(abs(rng.gauss(70, 45)), 9 * 60)
            time = start + timedelta(minutes=minutes, seconds=n % 60)
            events.append(Event(uuid=f"00000000-0000-4000-8000-{n:012d}", type=CHECKIN,
                                attendee_id=person.id, station=f"desk-{n % 3 + 1}",
                                operator="op", time=time.isoformat(timespec="milliseconds"),
                                day=DAY1, payload={"method": "scan"}))
        for n, person in enumerate(inside[:conflicts]):
            time = start + timedelta(hours=2, minutes=n)
            events.append(Event(uuid=f"00000000-0000-4000-9000-{n:012d}", type=CHECKIN,
                                attendee_id=person.id, station="desk-9", operator="",
                                time=time.isoformat(timespec="milliseconds"), day=DAY1,
                                payload={"method": "scan"}))
        store.append_many(events)
        for n in range(walk_ins):  # registered and admitted at a desk on day 1
            walker = Attendee(id=f"W1201-{n:06d}", given_name="Walk", family_name=f"In {n}",
                              country="DE", ref=f"WALKIN{n:06d}")
            time = (start + timedelta(hours=3, minutes=n)).isoformat(timespec="milliseconds")
            store.write_attendees([(walker, "")])
            payload = {**walker.to_row(), "days": [], "extra": {}, "source": "walk-in"}
            store.append(ATTENDEE_CREATED, walker.id, payload=payload, time=time,
                         station=f"desk-{n % 3 + 1}")
            store.append(CHECKIN, walker.id, day=DAY1, time=time, station=f"desk-{n % 3 + 1}")
    return store
