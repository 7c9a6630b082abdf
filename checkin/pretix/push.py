"""Push: admissions and undos made at the desks, uploaded to the connected pretix list.

Contract: ``push(store, db_path=None, *, client=None, retry_refused=False) -> PushResult``
and ``waiting(store) -> int``.

- Waiting: every `checkin` and `undo` event in the log, in log order, that has no final
  answer from pretix yet (no row in `pretix_pushes`, or a `failed` one), except the
  check-ins pulled from pretix and the undos a pull wrote (payload "source": "pretix"):
  those are pretix's own and never go back.
- A check-in: ``POST /api/v1/organizers/{org}/checkinrpc/redeem/`` with the position's
  secret, the list, type `entry`, the original scan time with its UTC offset as
  `datetime`, the event's UUID as `nonce` (pretix records one check-in per nonce, so a push
  repeated after a lost answer or a crash is harmless) and `force: true`: the desk admits
  without asking pretix, so every admission is an offline one that already happened and
  must be recorded whatever pretix would have decided (a ticket pretix thinks redeemed or
  cancelled included). Attendees that are no pretix positions (walk-ins, other imports)
  are `not_pushed`.
- An undo: ``POST .../checkinrpc/annul/`` with the undone admission's nonce and the undo's
  time. pretix allows it within 15 minutes of the check-in; later ones come back as
  `refused` with pretix's reason. An undo of a check-in pretix does not have (refused,
  not pushed) or that another pretix device made (pretix lets only that device annul it)
  is `not_pushed` with the reason; an undo whose check-in still waits waits with it.
- pretix's answer is recorded per event (`pretix_pushes`: status, reason, HTTP status,
  attempts, time), each in its own transaction right after the answer: `ok`; `refused`
  (a 4xx, final, shown with pretix's reason; ``retry_refused`` sends them again);
  `failed` (unreachable, timeout, 5xx after checkin.pretix.client's bounded retries):
  the push stops there and the event waits for the next one. Nothing is lost.
"""

import logging
import time as timing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from checkin.pretix.client import Client, PretixUnavailable, Response
from checkin.pretix.connection import Connection, load, note_error, read_token
from checkin.pretix.pull import SOURCE
from checkin.store import CHECKIN, UNDO, Store, now

log = logging.getLogger(__name__)

OK, REFUSED, FAILED, NOT_PUSHED = "ok", "refused", "failed", "not_pushed"
_ALREADY_ANNULLED = "cannot annul an unsuccessful checkin"  # pretix's words (400)


@dataclass
class Refusal:
    event_uuid: str
    attendee_id: str
    kind: str  # "redeem" (an admission) or "annul" (an undo)
    time: str  # when it happened at the desk
    reason: str
    http_status: int | None = None

    def line(self) -> str:
        what = "admission" if self.kind == "redeem" else "undo"
        status = f" (HTTP {self.http_status})" if self.http_status else ""
        return f"{what} of {self.attendee_id} at {self.time}: {self.reason}{status}"


@dataclass
class PushResult:
    ok: int = 0
    refused: int = 0
    not_pushed: int = 0
    failed: int = 0
    waiting: int = 0  # still waiting after this push
    requests: int = 0
    seconds: float = 0.0
    refusals: list[Refusal] = field(default_factory=list)
    skipped: list[Refusal] = field(default_factory=list)  # not_pushed, with the reason
    unavailable: str = ""  # why the push stopped early, if it did

    def line(self) -> str:
        text = (f"pretix push: {self.ok} accepted, {self.refused} refused, "
                f"{self.not_pushed} not for pretix, {self.waiting} waiting "
                f"({self.requests} requests, {self.seconds:.1f} s)")
        if self.unavailable:
            text += f"; stopped: {self.unavailable} (nothing lost: they wait for the next push)"
        return text

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["refusals"] = [r.__dict__ for r in self.refusals]
        data["skipped"] = [r.__dict__ for r in self.skipped]
        return data


@dataclass
class _Waiting:
    uuid: str
    type: str
    attendee_id: str
    time: str
    payload: dict[str, Any]
    secret: str | None


_PRETIX_OWN = ("json_extract(e.payload, '$.source') IS NOT ? "
               "AND e.uuid NOT IN (SELECT event_uuid FROM pretix_checkins WHERE origin = "
               "'pulled')")


def _waiting(store: Store, statuses: tuple[str, ...]) -> list[_Waiting]:
    import json

    marks = ",".join("?" * len(statuses))
    rows = store.db.execute(
        "SELECT e.uuid, e.type, e.attendee_id, e.time, e.payload, pp.secret FROM events e "
        "LEFT JOIN pretix_pushes p ON p.event_uuid = e.uuid "
        "LEFT JOIN pretix_positions pp ON pp.attendee_id = e.attendee_id "
        f"WHERE e.type IN (?, ?) AND {_PRETIX_OWN} "
        f"AND (p.status IS NULL OR p.status IN ({marks})) ORDER BY e.seq",
        [CHECKIN, UNDO, SOURCE, *statuses]).fetchall()
    return [_Waiting(uuid, kind, attendee_id or "", when, json.loads(payload or "{}"), secret)
            for uuid, kind, attendee_id, when, payload, secret in rows]


def waiting(store: Store) -> int:
    """Admissions and undos that pretix has not answered for good yet."""
    row = store.db.execute(
        "SELECT count(*) FROM events e LEFT JOIN pretix_pushes p ON p.event_uuid = e.uuid "
        f"WHERE e.type IN (?, ?) AND {_PRETIX_OWN} AND (p.status IS NULL OR p.status = ?)",
        [CHECKIN, UNDO, SOURCE, FAILED]).fetchone()
    return int(row[0])


def push(store: Store, db_path: Path | None = None, *, client: Client | None = None,
         retry_refused: bool = False) -> PushResult:
    """Upload what waits (see the module docstring)."""
    started = timing.monotonic()
    connection = load(store)
    result = PushResult()
    todo = _waiting(store, (FAILED, REFUSED) if retry_refused else (FAILED,))
    if todo:
        api = client or Client(connection.url, read_token(db_path or store.path))
        try:
            _push(store, connection, api, todo, result)
        finally:
            result.requests = api.requests
            if client is None:
                api.close()
    result.waiting = waiting(store)
    result.seconds = timing.monotonic() - started
    if result.unavailable:
        note_error(store, f"push stopped: {result.unavailable}")
        log.warning("%s", result.line())
    else:
        log.info("%s", result.line())
    return result


def _push(store: Store, connection: Connection, api: Client, todo: list[_Waiting],
          result: PushResult) -> None:
    redeem = f"organizers/{connection.organizer}/checkinrpc/redeem/"
    annul = f"organizers/{connection.organizer}/checkinrpc/annul/"
    for item in todo:
        kind = "redeem" if item.type == CHECKIN else "annul"
        if item.type == CHECKIN:
            if not item.secret:
                _record(store, item, kind, NOT_PUSHED, result,
                        "not a pretix ticket (a walk-in or another import): pretix has no "
                        "position for it")
                continue
            body: dict[str, Any] = {
                "secret": item.secret, "source_type": "barcode",
                "lists": [connection.list_id], "type": "entry", "datetime": item.time,
                "nonce": item.uuid, "force": True, "questions_supported": False}
            path = redeem
        else:
            undone = str(item.payload.get("undoes") or "")
            blocker = _annul_blocker(store, undone)
            if blocker is None:
                continue  # its check-in waits: so does the undo
            if blocker:
                _record(store, item, kind, NOT_PUSHED, result, blocker)
                continue
            explanation = str(item.payload.get("reason") or "undone at the check-in desk")
            body = {"nonce": undone, "lists": [connection.list_id], "datetime": item.time,
                    "error_explanation": explanation[:200]}
            path = annul
        try:
            answer = api.post(path, body)
        except PretixUnavailable as exc:
            _record(store, item, kind, FAILED, result, exc.reason or str(exc))
            result.unavailable = str(exc)
            return
        _answered(store, item, kind, answer, result)
    store.db.execute("UPDATE pretix_connection SET pushed_at = ?, last_error = ''", [now()])


def _annul_blocker(store: Store, undone: str) -> str | None:
    """Why an undo cannot be sent ("" when it can; None: its check-in still waits)."""
    pulled = store.db.execute(
        "SELECT 1 FROM pretix_checkins WHERE event_uuid = ? AND origin = 'pulled'",
        [undone]).fetchone()
    if pulled:
        return ("the check-in was made by another pretix device: pretix lets only that "
                "device annul it")
    row = store.db.execute("SELECT status, reason FROM pretix_pushes WHERE event_uuid = ?",
                           [undone]).fetchone()
    if row is None or row[0] == FAILED:
        exists = store.db.execute("SELECT 1 FROM events WHERE uuid = ?", [undone]).fetchone()
        return None if exists else "the undone check-in is not in this database"
    if row[0] == OK:
        return ""
    return f"its admission is not in pretix ({row[0]}: {row[1]})"


def _answered(store: Store, item: _Waiting, kind: str, answer: Response,
              result: PushResult) -> None:
    body = answer.body if isinstance(answer.body, dict) else {}
    if answer.ok and body.get("status", "ok") == "ok":
        _record(store, item, kind, OK, result, "", answer.status)
        if kind == "redeem":
            _remember_checkin(store, item, body.get("position"))
        return
    reason = answer.reason()
    if kind == "annul" and answer.status == 400 and _ALREADY_ANNULLED in reason.lower():
        # A retry after an answer that got lost: pretix annulled it the first time.
        _record(store, item, kind, OK, result, "annulled before", answer.status)
        return
    _record(store, item, kind, REFUSED, result, reason, answer.status)


def _remember_checkin(store: Store, item: _Waiting, position: Any) -> None:
    """The id pretix gave our check-in (the answer's position lists the list's check-ins),
    so that a pull knows it as ours."""
    if not isinstance(position, dict):
        return
    try:
        ours = datetime.fromisoformat(item.time)
    except ValueError:
        return
    for checkin in position.get("checkins") or []:
        try:
            theirs = datetime.fromisoformat(str(checkin.get("datetime")))
        except ValueError:
            continue
        if isinstance(checkin.get("id"), int) and abs((theirs - ours).total_seconds()) < 1:
            with store.transaction():
                store.db.execute(
                    "INSERT OR IGNORE INTO pretix_checkins (checkin_id, event_uuid, "
                    "attendee_id, origin) VALUES (?, ?, ?, 'pushed')",
                    [checkin["id"], item.uuid, item.attendee_id])
            return


def _record(store: Store, item: _Waiting, kind: str, status: str, result: PushResult,
            reason: str, http_status: int | None = None) -> None:
    with store.transaction():
        store.db.execute(
            "INSERT INTO pretix_pushes (event_uuid, kind, status, reason, http_status, "
            "attempts, time) VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT (event_uuid) DO UPDATE "
            "SET status = excluded.status, reason = excluded.reason, "
            "http_status = excluded.http_status, attempts = attempts + 1, time = excluded.time",
            [item.uuid, kind, status, reason, http_status, now()])
    refusal = Refusal(item.uuid, item.attendee_id, kind, item.time, reason, http_status)
    if status == OK:
        result.ok += 1
    elif status == REFUSED:
        result.refused += 1
        result.refusals.append(refusal)
        log.warning("pretix refused the %s", refusal.line())
    elif status == NOT_PUSHED:
        result.not_pushed += 1
        result.skipped.append(refusal)
        log.info("not pushed to pretix: %s", refusal.line())
    else:
        result.failed += 1
