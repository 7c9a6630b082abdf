"""What `checkin pretix status` shows, read from the database alone (pretix is not asked).

Contract: ``status(store, db_path=None) -> Status``; ``Status.lines()`` is the text.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkin.pretix.connection import Connection, connected, load, token_path
from checkin.pretix.push import FAILED, NOT_PUSHED, OK, REFUSED, Refusal, waiting
from checkin.store import Store

RECENT = 10  # refusals listed


@dataclass
class Status:
    connection: Connection | None
    token_file: Path
    token_present: bool
    positions: int = 0  # attendees known as pretix positions
    pulled_checkins: int = 0
    waiting: int = 0
    pushed: int = 0
    refused: int = 0
    failed: int = 0  # tried, pretix unavailable: waiting
    not_pushed: int = 0
    refusals: list[Refusal] = field(default_factory=list)  # the newest RECENT

    def lines(self) -> list[str]:
        c = self.connection
        if c is None:
            return ["pretix: not connected (run `checkin pretix connect`)"]
        token = "present" if self.token_present else "MISSING (connect again)"
        lines = [f"pretix: {c.describe()}",
                 f"connected {c.connected_at}; API token file {self.token_file} {token}",
                 f"last pull: {c.pulled_at or 'never'} (last full pull: "
                 f"{c.full_pull_at or 'never'}); {self.positions} positions, "
                 f"{self.pulled_checkins} check-ins from other pretix devices",
                 f"last push: {c.pushed_at or 'never'}; {self.pushed} accepted, "
                 f"{self.refused} refused, {self.not_pushed} not for pretix; "
                 f"{self.waiting} waiting" + (f" ({self.failed} tried, pretix unavailable)"
                                              if self.failed else "")]
        if c.last_error:
            lines.append(f"last error: {c.last_error}")
        lines += [f"refused: {r.line()}" for r in self.refusals]
        return lines

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["connection"] = self.connection.__dict__ if self.connection else None
        data["token_file"] = str(self.token_file)
        data["refusals"] = [r.__dict__ for r in self.refusals]
        return data


def status(store: Store, db_path: Path | None = None) -> Status:
    path = token_path(db_path or store.path)
    if not connected(store):
        return Status(None, path, path.exists())
    db = store.db
    counts = dict(db.execute(
        "SELECT status, count(*) FROM pretix_pushes GROUP BY status").fetchall())
    refusals = [Refusal(uuid, attendee or "", kind, when, reason, http)
                for uuid, kind, reason, http, attendee, when in db.execute(
                    "SELECT p.event_uuid, p.kind, p.reason, p.http_status, e.attendee_id, "
                    "e.time FROM pretix_pushes p JOIN events e ON e.uuid = p.event_uuid "
                    "WHERE p.status = ? ORDER BY e.seq DESC LIMIT ?", [REFUSED, RECENT])]
    return Status(
        connection=load(store), token_file=path, token_present=path.exists(),
        positions=int(db.execute("SELECT count(*) FROM pretix_positions").fetchone()[0]),
        pulled_checkins=int(db.execute(
            "SELECT count(*) FROM pretix_checkins WHERE origin = 'pulled'").fetchone()[0]),
        waiting=waiting(store), pushed=counts.get(OK, 0), refused=counts.get(REFUSED, 0),
        failed=counts.get(FAILED, 0), not_pushed=counts.get(NOT_PUSHED, 0), refusals=refusals)
