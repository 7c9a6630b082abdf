"""The stored connection to one pretix check-in list, and `connect`'s check of it.

Contract:

- ``check(url, organizer, event, list_id, token) -> Checked`` asks pretix at once and
  raises a CheckinError whose one line says what is wrong: pretix unreachable (or not
  pretix at all), the token refused, the organizer, the event or the list unknown to
  pretix (or out of the token's reach: pretix does not tell these apart). Stores nothing.
- ``connect(store, db_path, url, organizer, event, list_id, token) -> Connection``: check,
  then store the connection in `pretix_connection` and the token in a file beside the
  database readable by its owner only (0600, ``token_path``), both or neither. Another
  organizer or event than before forgets what the old one knew (positions, check-in
  ids); the same list behind another URL keeps everything.
- ``load(store) -> Connection`` (CheckinError when there is none) and ``read_token``.

The token never enters the database or the log.
"""

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkin.errors import CheckinError
from checkin.pretix.client import Client, PretixError
from checkin.pretix.mapping import text_of
from checkin.store import Store, now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Connection:
    url: str
    organizer: str
    event: str
    list_id: int
    event_name: str = ""
    list_name: str = ""
    connected_at: str = ""
    pulled_at: str | None = None
    full_pull_at: str | None = None
    modified_since: str | None = None
    list_rules: str = ""
    pushed_at: str | None = None
    last_error: str = ""

    @property
    def event_path(self) -> str:
        return f"organizers/{self.organizer}/events/{self.event}/"

    @property
    def list_path(self) -> str:
        return f"{self.event_path}checkinlists/{self.list_id}/"

    def describe(self) -> str:
        event = f"{self.event_name!r} " if self.event_name else ""
        listed = f"{self.list_name!r} " if self.list_name else ""
        return (f"{self.url}: organizer {self.organizer}, event {event}({self.event}), "
                f"check-in list {listed}(id {self.list_id})")


@dataclass(frozen=True)
class Checked:
    event: dict[str, Any]  # pretix's event resource
    checkin_list: dict[str, Any]  # pretix's check-in list resource


def token_path(db_path: Path) -> Path:
    """The API token lives beside the database, never inside it (like the signing key)."""
    return db_path.with_name(db_path.name + ".pretix-token")


def normalise_url(url: str) -> str:
    """'https://pretix.eu/api/v1/' and 'https://pretix.eu' name the same server."""
    url = url.strip().rstrip("/")
    url = url.removesuffix("/api/v1")
    if not url.startswith(("http://", "https://")):
        raise CheckinError(f"{url!r} is not a pretix URL (write it as https://HOST)")
    return url


def check(url: str, organizer: str, event: str, list_id: int, token: str,
          *, client: Client | None = None) -> Checked:
    """Ask pretix whether the connection works; raise a CheckinError saying what does not."""
    if not token.strip():
        raise CheckinError("no API token given")
    url = normalise_url(url)
    api = client or Client(url, token.strip(), retries=1)
    try:
        org_path = f"organizers/{organizer}/"
        answer = api.get(org_path)
        _refuse(answer.status, answer.body, url, "organizer", organizer, answer.reason())
        answer = api.get(f"{org_path}events/{event}/")
        _refuse(answer.status, answer.body, url, "event", f"{event} of organizer {organizer}",
                answer.reason())
        event_body = answer.body
        answer = api.get(f"{org_path}events/{event}/checkinlists/{list_id}/")
        _refuse(answer.status, answer.body, url, "check-in list",
                f"{list_id} of event {event}", answer.reason())
        return Checked(event=event_body, checkin_list=answer.body)
    finally:
        if client is None:
            api.close()


def _refuse(status: int, body: Any, url: str, what: str, name: str, reason: str) -> None:
    if not isinstance(body, dict):  # pretix answers JSON, also when it refuses
        raise PretixError(f"{url} does not answer like pretix's API (HTTP {status}: {reason})",
                          status, reason)
    if status == 401:
        raise PretixError(f"pretix at {url} refused the API token ({reason})", status, reason)
    if status in (403, 404):
        raise PretixError(f"pretix at {url} has no {what} {name} that this token may see "
                          f"({reason})", status, reason)
    if not 200 <= status < 300:
        raise PretixError(f"{url} does not answer like pretix's API (HTTP {status}: {reason})",
                          status, reason)


def connect(store: Store, db_path: Path, url: str, organizer: str, event: str, list_id: int,
            token: str, *, client: Client | None = None,
            checked: Checked | None = None) -> Connection:
    """Check the connection with pretix, then store it (see the module docstring).
    checked: the answer of a check() made just before (the CLI checks before it opens,
    or creates, the database)."""
    url = normalise_url(url)
    checked = checked or check(url, organizer, event, list_id, token, client=client)
    connection = Connection(
        url=url, organizer=organizer, event=event, list_id=list_id,
        event_name=text_of(checked.event.get("name")),
        list_name=str(checked.checkin_list.get("name") or ""), connected_at=now())
    path = token_path(db_path)
    partial = path.with_name(path.name + f".{os.getpid()}.tmp")
    _write_private(partial, token.strip())
    try:
        with store.transaction():
            _save(store, connection)
            partial.replace(path)  # last step before COMMIT: both or neither
    finally:
        partial.unlink(missing_ok=True)
    log.info("pretix connected: %s", connection.describe())
    return load(store)


def _write_private(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    with contextlib.suppress(OSError):  # a umask cannot widen 0600, but chmod says it plainly
        os.chmod(path, 0o600)


def _save(store: Store, connection: Connection) -> None:
    db = store.db
    old = db.execute("SELECT organizer, event, list_id FROM pretix_connection").fetchone()
    if old and (old[0], old[1]) != (connection.organizer, connection.event):
        # Another event: its positions and check-in ids mean nothing for this one.
        db.execute("DELETE FROM pretix_positions")
        db.execute("DELETE FROM pretix_checkins")
    same_list = old is not None and tuple(old) == (connection.organizer, connection.event,
                                                   connection.list_id)
    db.execute(
        "INSERT INTO pretix_connection (id, url, organizer, event, list_id, event_name, "
        "list_name, connected_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
        "SET url = excluded.url, organizer = excluded.organizer, event = excluded.event, "
        "list_id = excluded.list_id, event_name = excluded.event_name, "
        "list_name = excluded.list_name, connected_at = excluded.connected_at, "
        "last_error = ''",
        [connection.url, connection.organizer, connection.event, connection.list_id,
         connection.event_name, connection.list_name, connection.connected_at])
    if not same_list:  # the next pull reads every order again
        db.execute("UPDATE pretix_connection SET modified_since = NULL, full_pull_at = NULL")


def load(store: Store) -> Connection:
    rows = list(store.db.query("SELECT * FROM pretix_connection WHERE id = 1"))
    if not rows:
        raise CheckinError("not connected to pretix (run `checkin pretix connect` first)")
    row = rows[0]
    row.pop("id")
    return Connection(**row)


def connected(store: Store) -> bool:
    return store.db.execute("SELECT 1 FROM pretix_connection").fetchone() is not None


def read_token(db_path: Path) -> str:
    path = token_path(db_path)
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise CheckinError(f"the pretix API token file {path} is missing (run `checkin pretix "
                           "connect` again)") from None
    except OSError as exc:
        raise CheckinError(f"cannot read the pretix API token file {path}: "
                           f"{exc.strerror}") from None
    if not token:
        raise CheckinError(f"the pretix API token file {path} is empty")
    return token


def note_error(store: Store, message: str) -> None:
    """Remember a failed pull or push for `status` (its own small transaction)."""
    with contextlib.suppress(Exception), store.transaction():
        store.db.execute("UPDATE pretix_connection SET last_error = ?",
                         [f"{now()}: {message}"[:500]])
