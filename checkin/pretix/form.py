"""The station app's pretix form (ui/pretix_panel.py): its fields, and Test / Connect / Pull
now as use cases the app runs on its network lane (no Qt here; the app runs no SQL).

Contract:

- ``Fields(url, organizer, event, list_id, token)``: what the form holds. An empty token
  means "the one stored beside the database" (the form never shows it).
- ``current(store, db_path) -> Fields | None``: the stored connection, token "".
- ``test(store, db_path, fields) -> Answer``: asks pretix, stores nothing (CheckinError
  in one line, as `checkin pretix connect` words it, when something is wrong).
- ``connect(store, db_path, fields) -> Answer``: the same check, then stored
  (checkin.pretix.connect: the token in its 0600 file).
- ``pull_now(store, db_path) -> PullResult``: checkin.pretix.pull.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkin.errors import CheckinError
from checkin.pretix.connection import check, connected, load, read_token
from checkin.pretix.connection import connect as store_connection
from checkin.pretix.mapping import text_of
from checkin.pretix.pull import PullResult, pull
from checkin.store import Store


@dataclass(frozen=True)
class Fields:
    url: str
    organizer: str
    event: str
    list_id: int
    token: str = ""


@dataclass(frozen=True)
class Answer:
    """What pretix said about the form's list."""

    event_name: str
    list_name: str
    positions: int | None  # pretix's count of the list's positions, when it gives one


def current(store: Store, db_path: Path) -> Fields | None:
    if not connected(store):
        return None
    found = load(store)
    return Fields(found.url, found.organizer, found.event, found.list_id)


def _token(fields: Fields, db_path: Path) -> str:
    if fields.token.strip():
        return fields.token.strip()
    try:
        return read_token(db_path)
    except CheckinError:
        raise CheckinError("no API token given (the form needs pretix's API token once)"
                           ) from None


def _checked(fields: Fields, db_path: Path) -> tuple[Any, str]:
    for name, value in (("address", fields.url), ("organizer", fields.organizer),
                        ("event", fields.event)):
        if not value.strip():
            raise CheckinError(f"pretix's {name} is missing")
    token = _token(fields, db_path)
    return check(fields.url, fields.organizer.strip(), fields.event.strip(), fields.list_id,
                 token), token


def _answer(checked: Any) -> Answer:
    count = checked.checkin_list.get("position_count")
    return Answer(event_name=text_of(checked.event.get("name")),
                  list_name=str(checked.checkin_list.get("name") or ""),
                  positions=count if isinstance(count, int) else None)


def test(store: Store, db_path: Path, fields: Fields) -> Answer:
    checked, _ = _checked(fields, db_path)
    return _answer(checked)


def connect(store: Store, db_path: Path, fields: Fields) -> Answer:
    checked, token = _checked(fields, db_path)
    store_connection(store, db_path, fields.url, fields.organizer.strip(), fields.event.strip(),
                     fields.list_id, token, checked=checked)
    return _answer(checked)


def pull_now(store: Store, db_path: Path) -> PullResult:
    return pull(store, db_path)
