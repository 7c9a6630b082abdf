"""One way for tests to make a real signed event database (no tests of its own)."""

from dataclasses import replace
from pathlib import Path

from checkin import keys
from checkin.db import open_db
from checkin.models import Attendee
from checkin.search import search_key
from checkin.store import Store


def signed_event(db_path: Path, people: list[Attendee], days: list[str]) -> dict[str, str]:
    """Create the event with a signing key and these attendees; attendee id -> signed token."""
    store = Store(open_db(db_path, create=True), station="setup")
    store.set_event("Test Congress", days)
    keys.ensure_event_key(store, db_path)
    with store.transaction():
        for person in people:
            store.add_attendee(replace(person), search_key=search_key(person), source="test")
    signer = keys.load_signer(store, db_path)
    assert signer is not None
    tokens = {a.id: signer.sign(a.ref) for a in store.all_attendees()}
    store.close()
    return tokens
