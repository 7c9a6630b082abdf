"""pretix: pull a check-in list into the event database, push the desks' admissions back.

The core API (the CLI is checkin/cli/pretix.py; docs/pretix.md has the whole story). Each
call works on the caller's own Store (its own SQLite connection: a hub thread, a CLI run)
and finds the API token in the file beside the database (db_path, default store.path):

    connect(store, db_path, url, organizer, event, list_id, token) -> Connection
    pull(store, db_path=None, *, full=None) -> PullResult
    push(store, db_path=None, *, retry_refused=False) -> PushResult
    status(store, db_path=None) -> Status            (the database only; pretix not asked)

Failures the user can act on are CheckinErrors with a one-line message (PretixError for
pretix's refusals, PretixUnavailable when it cannot be reached). A failed pull changes no
attendee and no event; a push records each answer as it comes, so nothing is lost or
sent twice. checkin.pretix.cycle calls them on a schedule (pull every few minutes, push
soon after admissions, back off while pretix is away): the hub's relay
(checkin.sync.pretix_relay) and the station app run it.
"""

from checkin.pretix.client import PretixError, PretixUnavailable
from checkin.pretix.connection import Connection, check, connect, token_path
from checkin.pretix.pull import PullResult, pull
from checkin.pretix.push import PushResult, Refusal, push
from checkin.pretix.status import Status, status

__all__ = ["Connection", "PretixError", "PretixUnavailable", "PullResult", "PushResult",
           "Refusal", "Status", "check", "connect", "pull", "push", "status", "token_path"]
