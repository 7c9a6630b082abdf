"""The live view's viewers: read-only accounts, their sign-in links and their sessions.

Contract (docs/live.md):

- ``add_viewer(store, name) -> str``: a new viewer; returns its link token
  (``secrets.token_urlsafe(32)``, 256 bits), shown once and stored only as its SHA-256.
  A revoked viewer's name may be given again: the account gets a new token, the old link
  stays dead. CheckinError (one line) for an active name or one that is not valid.
- ``revoke_viewer(store, name) -> int``: the link answers 401 from then on and every
  session of the viewer ends (deleted); returns the number of sessions ended.
- ``sign_in(store, token) -> Session | None``: the link's token exchanged for a new
  session (its cookie value returned once, stored only as its SHA-256), or None for a
  token that is wrong or revoked. A viewer keeps at most MAX_SESSIONS sessions (the
  oldest ones end), so a link opened over and over does not fill the table.
- ``viewer_of(store, cookie) -> str | None``: the viewer whose live session this is.
- ``viewers(store) -> list[ViewerInfo]``.

Tokens and cookie values are looked up by their hash (a unique index): a 256-bit random
value cannot be guessed a character at a time, so how long a lookup takes tells nothing.
"""

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass

from checkin.errors import CheckinError
from checkin.store import Store, now

log = logging.getLogger(__name__)

MAX_SESSIONS = 20  # per viewer: a wall, a phone, a laptop ... and every reopened link
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")
_MAX_SECRET = 256  # characters: anything longer is not one of ours, and is not hashed


@dataclass(frozen=True)
class Session:
    viewer: str
    cookie: str  # the cookie's value: shown to the browser once, stored as its SHA-256


@dataclass(frozen=True)
class ViewerInfo:
    name: str
    created_at: str
    revoked_at: str | None
    last_sign_in: str | None
    sessions: int


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise CheckinError(f"{name[:40]!r} is not a viewer name: 1-64 letters, digits, "
                           "spaces, dots, dashes or underscores, starting with a letter or digit")
    return name


def add_viewer(store: Store, name: str) -> str:
    name = check_name(name)
    token = secrets.token_urlsafe(32)
    with store.transaction():
        row = store.db.execute("SELECT revoked_at FROM viewers WHERE name = ?",
                               [name]).fetchone()
        if row is not None and row[0] is None:
            raise CheckinError(f"a viewer named {name!r} already exists (`checkin hub "
                               "revoke-viewer` first to give it a new link)")
        if row is None:
            store.db.execute("INSERT INTO viewers (name, token_sha256, created_at) "
                             "VALUES (?, ?, ?)", [name, _hash(token), now()])
        else:
            store.db.execute("UPDATE viewers SET token_sha256 = ?, created_at = ?, "
                             "revoked_at = NULL, last_sign_in = NULL WHERE name = ?",
                             [_hash(token), now(), name])
    log.info("hub: viewer %s added%s", name, " again" if row is not None else "")
    return token


def revoke_viewer(store: Store, name: str) -> int:
    with store.transaction():
        row = store.db.execute("SELECT revoked_at FROM viewers WHERE name = ?",
                               [name]).fetchone()
        if row is None:
            raise CheckinError(f"no viewer named {name[:64]!r} (`checkin hub viewers` "
                               "lists them)")
        if row[0] is not None:
            raise CheckinError(f"viewer {name!r} was already revoked on {row[0]}")
        store.db.execute("UPDATE viewers SET revoked_at = ? WHERE name = ?", [now(), name])
        ended = store.db.execute("DELETE FROM viewer_sessions WHERE viewer = ?",
                                 [name]).rowcount
    log.info("hub: viewer %s revoked, %d sessions ended", name, ended)
    return int(ended)


def sign_in(store: Store, token: str) -> Session | None:
    token = token.strip()
    if not token or len(token) > _MAX_SECRET:
        return None
    cookie = secrets.token_urlsafe(32)
    with store.transaction():
        row = store.db.execute("SELECT name FROM viewers WHERE token_sha256 = ? AND "
                               "revoked_at IS NULL", [_hash(token)]).fetchone()
        if row is None:
            return None
        name = str(row[0])
        when = now()
        store.db.execute("INSERT INTO viewer_sessions (session_sha256, viewer, created_at) "
                         "VALUES (?, ?, ?)", [_hash(cookie), name, when])
        store.db.execute("UPDATE viewers SET last_sign_in = ? WHERE name = ?", [when, name])
        store.db.execute(
            "DELETE FROM viewer_sessions WHERE viewer = ? AND session_sha256 NOT IN ("
            "SELECT session_sha256 FROM viewer_sessions WHERE viewer = ? "
            "ORDER BY created_at DESC LIMIT ?)", [name, name, MAX_SESSIONS])
    log.info("hub: viewer %s signed in", name)
    return Session(name, cookie)


def viewer_of(store: Store, cookie: str) -> str | None:
    if not cookie or len(cookie) > _MAX_SECRET:
        return None
    row = store.db.execute(
        "SELECT v.name FROM viewer_sessions s JOIN viewers v ON v.name = s.viewer "
        "WHERE s.session_sha256 = ? AND v.revoked_at IS NULL", [_hash(cookie)]).fetchone()
    return str(row[0]) if row else None


def viewers(store: Store) -> list[ViewerInfo]:
    rows = store.db.execute(
        "SELECT name, created_at, revoked_at, last_sign_in, "
        "(SELECT count(*) FROM viewer_sessions s WHERE s.viewer = v.name) "
        "FROM viewers v ORDER BY name").fetchall()
    return [ViewerInfo(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]
