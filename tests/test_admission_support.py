"""Shared setup for the token, key, engine and scan tests (no tests of its own)."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from checkin import keys
from checkin.admission import Engine
from checkin.models import Attendee
from checkin.store import Store
from checkin.tokens import Signer

DAY1, DAY2, DAY3 = "2026-12-01", "2026-12-02", "2026-12-03"

PEOPLE = [
    Attendee(id="a1", given_name="Ann", family_name="Lee", code="k3j9x2m8q7w4e5r6t1y0u9i8o7p6a5s4"),
    Attendee(id="a2", given_name="Björn", family_name="Öberg", code="ORD7Z"),  # order code
    Attendee(id="a3", given_name="Chen", family_name="王", code="ORD7Z"),  # same order
    Attendee(id="a4", given_name="Dara", family_name="Ní Bhriain", code="1234567890123456789"),
    Attendee(id="a5", given_name="Emre", family_name="Yilmaz", days=[DAY2]),
    Attendee(id="a6", given_name="Farid", family_name="Haddad", status="cancelled",
             code="CANC3LLED"),
    Attendee(id="a7", given_name="Gil", family_name="Azulay", code="QAZW-9817"),
]


class Clock:
    """A settable clock for the engine (tests advance it instead of sleeping)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, 0, tzinfo=timezone(timedelta(hours=1)))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Setup:
    path: Path
    store: Store
    signer: Signer
    clock: Clock
    place: Path | str | None = None  # a PostgreSQL event's URL (path: where its key is)

    @property
    def db(self) -> Path | str:
        """What `checkin --db` names: the file, or the PostgreSQL URL."""
        return self.place or self.path

    def engine(self, station: str = "desk-1", operator: str = "ann") -> Engine:
        return Engine(self.store, station=station, operator=operator, clock=self.clock)

    def token(self, attendee_id: str) -> str:
        attendee = self.store.attendee(attendee_id)
        assert attendee is not None
        return self.signer.sign(attendee.ref)


def make_event(place: Path | str, people: list[Attendee] | None = None) -> Setup:
    """An event with a signing key and these people: in an SQLite file, or in the
    PostgreSQL database of a URL (tests/pg_server.py)."""
    from checkin import places

    store = places.open_store(place, create=True, station="desk-1", operator="ann")
    path = places.files_path(place)
    store.set_event("Test Congress", [DAY1, DAY2])
    keys.ensure_event_key(store, path)
    with store.transaction():
        for person in people if people is not None else PEOPLE:
            store.add_attendee(Attendee(**{**person.__dict__, "ref": ""}))
    signer = keys.load_signer(store, path)
    assert signer is not None
    return Setup(path, store, signer, Clock(), place if places.is_postgres(place) else None)
