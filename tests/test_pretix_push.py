"""`checkin pretix push` against the real test pretix: idempotent uploads (nonce), offline
admissions uploaded once pretix is back, bounded retries, undos as annulments, refusals
recorded with pretix's reason, pretix's own check-ins never sent back."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from checkin.admission import Engine, VerdictKind
from checkin.models import Attendee
from checkin.pretix import pull, push, status
from checkin.pretix.client import Client
from checkin.pretix.push import waiting
from checkin.store import Store
from tests.pretix_server import PretixProxy, PretixServer
from tests.test_pretix_pull import connected_store, device_redeem, paid_positions

pytestmark = pytest.mark.pretix


def attendee_id(position: dict[str, Any]) -> str:
    return f"{position['order']}-{position['positionid']}"


def checkins_in_pretix(server: PretixServer, position: dict[str, Any]) -> list[dict[str, Any]]:
    """The position's successful check-ins on the main list, as pretix's API has them."""
    with server.http() as api:
        answer = api.get(f"{server.event_path}orderpositions/{position['id']}/")
    answer.raise_for_status()
    return [c for c in answer.json()["checkins"] if c["list"] == server.list_id]


@pytest.fixture
def store(pretix_server: PretixServer, db_path: Path) -> Iterator[Store]:
    opened = connected_store(pretix_server, db_path)
    pull(opened, db_path)
    yield opened
    opened.close()


def test_a_push_repeated_leaves_one_checkin_per_admission(
        pretix_server: PretixServer, store: Store, db_path: Path) -> None:
    positions = paid_positions(pretix_server)[10:13]
    engine = Engine(store)
    verdicts = [engine.scan(p["secret"]) for p in positions]
    assert [v.verdict for v in verdicts] == [VerdictKind.OK] * 3
    assert waiting(store) == 3

    first = push(store, db_path)
    assert (first.ok, first.refused, first.waiting) == (3, 0, 0)
    assert first.requests == 3
    second = push(store, db_path)  # nothing waits: nothing sent
    assert (second.ok, second.requests) == (0, 0)
    # As if every answer had been lost (a crash, a dropped connection): all sent again,
    # with the same nonces; pretix keeps one check-in each.
    store.db.execute("DELETE FROM pretix_pushes")
    third = push(store, db_path)
    assert (third.ok, third.requests) == (3, 3)
    for position, verdict in zip(positions, verdicts, strict=True):
        [checkin] = checkins_in_pretix(pretix_server, position)
        sent = datetime.fromisoformat(verdict.event.time)  # type: ignore[union-attr]
        assert datetime.fromisoformat(checkin["datetime"]) == sent  # the scan's own time
    rows = store.db.execute("SELECT status, kind, http_status FROM pretix_pushes").fetchall()
    assert rows == [("ok", "redeem", 201)] * 3
    # Our own check-ins, pulled back, are known as ours: no new events.
    pull(store, db_path, full=True)
    for position in positions:
        assert len(store.events(attendee_id(position), types=("checkin",))) == 1


def test_an_admission_made_while_pretix_was_down_is_pushed_once_it_is_back(
        pretix_server: PretixServer, db_path: Path) -> None:
    proxy = PretixProxy(pretix_server.port)
    try:
        store = connected_store(pretix_server, db_path, url=proxy.url)
        pull(store, db_path)
        proxy.down()  # pretix is away; the desk goes on
        position = paid_positions(pretix_server)[13]
        verdict = Engine(store).scan(position["secret"])
        assert verdict.verdict == VerdictKind.OK
        offline = push(store, db_path, client=Client(proxy.url, pretix_server.token,
                                                     retries=2, backoff=0.01))
        assert offline.unavailable and "connection refused" in offline.unavailable
        assert (offline.ok, offline.waiting, offline.requests) == (0, 1, 3)
        state = status(store, db_path)
        assert state.waiting == 1 and "connection refused" in (
            state.connection.last_error if state.connection else "")
        assert checkins_in_pretix(pretix_server, position) == []

        proxy.up()
        back = push(store, db_path)
        assert (back.ok, back.waiting, back.unavailable) == (1, 0, "")
        [checkin] = checkins_in_pretix(pretix_server, position)
        assert datetime.fromisoformat(checkin["datetime"]) == datetime.fromisoformat(
            verdict.event.time)  # type: ignore[union-attr]
        attempts = store.db.execute("SELECT attempts, status FROM pretix_pushes").fetchone()
        assert attempts == (2, "ok")
        store.close()
    finally:
        proxy.close()


def test_5xx_answers_are_retried_a_bounded_number_of_times(
        pretix_server: PretixServer, db_path: Path) -> None:
    proxy = PretixProxy(pretix_server.port)
    try:
        store = connected_store(pretix_server, db_path, url=proxy.url)
        pull(store, db_path)
        Engine(store).scan(paid_positions(pretix_server)[14]["secret"])
        proxy.busy()  # every request: 503
        busy = push(store, db_path, client=Client(proxy.url, pretix_server.token,
                                                  retries=3, backoff=0.01))
        assert busy.requests == 4  # the first try and 3 retries, then it stops
        assert "HTTP 503" in busy.unavailable and busy.waiting == 1
        proxy.up()
        assert push(store, db_path).ok == 1
        store.close()
    finally:
        proxy.close()


def test_undo_is_an_annulment_within_15_minutes_and_reported_after(
        pretix_server: PretixServer, store: Store, db_path: Path) -> None:
    soon, late = paid_positions(pretix_server)[15:17]
    at = datetime.now().astimezone()
    Engine(store, clock=lambda: at).scan(soon["secret"])
    Engine(store, clock=lambda: at + timedelta(minutes=2)).undo(attendee_id(soon))
    Engine(store, clock=lambda: at).scan(late["secret"])
    Engine(store, clock=lambda: at + timedelta(minutes=20)).undo(
        attendee_id(late), reason="wrong person")
    result = push(store, db_path)
    assert (result.ok, result.refused) == (3, 1)
    assert checkins_in_pretix(pretix_server, soon) == []  # annulled
    assert len(checkins_in_pretix(pretix_server, late)) == 1  # pretix keeps it
    [refusal] = result.refusals
    assert refusal.kind == "annul" and refusal.attendee_id == attendee_id(late)
    assert "15 minutes" in refusal.reason and refusal.http_status == 400
    # Final: not sent again, but listed by status.
    assert push(store, db_path).requests == 0
    assert [r.attendee_id for r in status(store, db_path).refusals] == [attendee_id(late)]


def test_refusals_are_shown_with_pretix_reason_and_can_be_retried(
        pretix_server: PretixServer, store: Store, db_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    position = paid_positions(pretix_server)[17]
    Engine(store).scan(position["secret"])
    # pretix re-issued the ticket since the last pull: the stored secret is unknown there.
    store.db.execute("UPDATE pretix_positions SET secret = 'reissued-elsewhere' "
                     "WHERE attendee_id = ?", [attendee_id(position)])
    result = run_cli("pretix", "push")
    assert result.exit_code == 1
    assert "1 refused" in result.output
    assert f"refused: admission of {attendee_id(position)} at " in result.output
    assert "invalid" in result.output and "(HTTP 404)" in result.output
    assert status(store, db_path).refused == 1
    pull(store, db_path, full=True)  # the secret is right again
    retried = push(store, db_path, retry_refused=True)
    assert (retried.ok, retried.refused) == (1, 0)
    assert len(checkins_in_pretix(pretix_server, position)) == 1


def test_checkins_from_pretix_and_walk_ins_are_not_pushed(
        pretix_server: PretixServer, store: Store, db_path: Path) -> None:
    position = paid_positions(pretix_server)[18]
    device_redeem(pretix_server, position["secret"])
    assert pull(store, db_path).checkins >= 1
    with store.transaction():
        store.add_attendee(Attendee(id="walk-in-1", given_name="Walk", family_name="In"))
    assert Engine(store).check_in("walk-in-1").verdict == VerdictKind.OK
    # The desk undoes the check-in pretix's other device made: pretix lets only that
    # device annul it, so it is reported, not sent.
    Engine(store).undo(attendee_id(position))
    result = push(store, db_path)
    assert (result.ok, result.not_pushed, result.requests) == (0, 2, 0)
    reasons = sorted(r.reason for r in result.skipped)
    assert reasons[0].startswith("not a pretix ticket")
    assert reasons[1].startswith("the check-in was made by another pretix device")
    assert len(checkins_in_pretix(pretix_server, position)) == 1
    assert waiting(store) == 0
