"""`checkin pretix pull` against the real test pretix (tests/pretix_server.py).

The session's pretix is shared: each test that changes something in pretix works on
orders no other test touches (helpers.paid_positions()[n], a different n per test)."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from checkin.admission import Engine, VerdictKind
from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.importing import import_file
from checkin.pretix import PretixUnavailable, connect, pull
from checkin.store import CHECKIN, Store
from tests.pretix_server import PretixProxy, PretixServer

pytestmark = pytest.mark.pretix


# -- helpers shared with test_pretix_push.py ---------------------------------------------


def positions_on_list(server: PretixServer) -> list[dict[str, Any]]:
    """Every position pretix counts on the main list, whatever its order's status."""
    found: list[dict[str, Any]] = []
    with server.http() as api:
        url = f"{server.event_path}checkinlists/{server.list_id}/positions/"
        params: dict[str, str] | None = {"ignore_status": "true"}
        while url:
            page = api.get(url, params=params).raise_for_status().json()
            found += page["results"]
            url, params = page["next"], None
    return found


_PAID: dict[str, list[dict[str, Any]]] = {}


def paid_positions(server: PretixServer) -> list[dict[str, Any]]:
    """Paid one-person orders' positions as they were at the first call of the session, in
    a fixed order: each test picks its own index, and later changes (a cancelled order)
    do not shift the others."""
    if server.url not in _PAID:
        positions = [p for p in positions_on_list(server) if p["order__status"] == "p"]
        per_order: dict[str, int] = {}
        for p in positions:
            per_order[p["order"]] = per_order.get(p["order"], 0) + 1
        _PAID[server.url] = sorted((p for p in positions if per_order[p["order"]] == 1),
                                   key=lambda p: p["id"])
    return _PAID[server.url]


def connected_store(server: PretixServer, db: Path, *, url: str | None = None,
                    list_id: int | None = None) -> Store:
    store = Store(open_db(db, create=True), station="desk-1", operator="Ines")
    connect(store, db, url or server.url, server.organizer, server.event,
            list_id or server.list_id, server.token)
    return store


def device_redeem(server: PretixServer, secret: str) -> dict[str, Any]:
    """A check-in at another pretix device (its own device token, its own scan)."""
    with server.http(device=True) as api:
        answer = api.post("checkinrpc/redeem/", json={
            "secret": secret, "lists": [server.list_id], "type": "entry",
            "questions_supported": False})
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def dump(store: Store) -> tuple[list[Any], list[Any]]:
    return (store.db.execute("SELECT * FROM attendees ORDER BY id").fetchall(),
            store.db.execute("SELECT * FROM events ORDER BY seq").fetchall())


@pytest.fixture
def store(pretix_server: PretixServer, db_path: Path) -> Iterator[Store]:
    """A new database (no event yet) connected to the session's pretix."""
    opened = connected_store(pretix_server, db_path)
    yield opened
    opened.close()


# -- tests -------------------------------------------------------------------------------


def test_first_pull_creates_the_event_and_imports_every_position(
        pretix_server: PretixServer, store: Store, db_path: Path) -> None:
    result = pull(store, db_path)
    assert result.full and result.event_created
    info = store.event_info()
    assert info.name == "Personalised Medicine Congress"
    assert info.days == ["2026-12-01", "2026-12-02"]  # Berlin days of date_from/date_to

    truth = positions_on_list(pretix_server)
    assert len(truth) >= 60
    assert result.positions == result.added == store.attendee_count()
    # Every position pretix lists, and besides them only cancelled positions (which
    # pretix's list leaves out and the CSV export keeps: cancelled here too).
    listed = {f"{p['order']}-{p['positionid']}" for p in truth}
    others = [a for a in store.all_attendees() if a.id not in listed]
    assert len(others) == store.attendee_count() - len(truth)
    assert all(a.status == "cancelled" for a in others)
    assert result.requests >= 4  # event, list, products, orders (pages followed)
    by_id = {a.id: a for a in store.all_attendees()}
    for position in truth:
        attendee = by_id[f"{position['order']}-{position['positionid']}"]
        parts = position["attendee_name_parts"]
        assert attendee.code == position["secret"]
        assert attendee.given_name == parts["given_name"]
        assert attendee.family_name == parts["family_name"]
        assert attendee.title == parts.get("title", "")
        assert attendee.organisation == (position["company"] or "")
        assert attendee.country == position["country"]
        if position["attendee_email"]:
            assert attendee.email == position["attendee_email"]
        else:  # the order's e-mail, as the CSV import falls back to it
            assert attendee.email.startswith("order")
        cancelled = position["order__status"] in ("c", "e")
        assert attendee.status == ("cancelled" if cancelled else "confirmed")
    roles = {a.role for a in by_id.values()}
    assert {"delegate", "speaker", "press", "student", "exhibitor"} <= roles
    assert len({a.country for a in by_id.values()}) >= 15
    # "Conference ticket" / "Invited speaker": the variation names the role.
    with pretix_server.http() as api:
        items = api.get(f"{pretix_server.event_path}items/").json()["results"]
    conference = next(i for i in items if i["name"]["en"] == "Conference ticket")
    invited = next(v["id"] for v in conference["variations"]
                   if v["value"]["en"] == "Invited speaker")
    speakers = [p for p in truth if p["variation"] == invited]
    assert speakers
    assert all(by_id[f"{p['order']}-{p['positionid']}"].role == "speaker" for p in speakers)
    # Add-ons are notes of the person they belong to, never attendees of their own.
    noted = [a for a in by_id.values() if a.notes.startswith("Add-ons: ")]
    assert noted
    assert {a.notes for a in noted} <= {"Add-ons: Workshop: Pharmacogenomics",
                                        "Add-ons: Conference dinner"}
    created = store.events(types=("attendee_created",))
    assert {e.payload["source"] for e in created} == {"pretix"}

    again = pull(store, db_path)  # nothing changed in pretix: nothing changes here
    assert not again.full and again.added == again.changed == again.cancelled == 0


def test_the_csv_export_of_the_same_orders_then_pull_makes_no_duplicates(
        pretix_server: PretixServer, store: Store, db_path: Path, tmp_path: Path) -> None:
    # pretix's own "Order positions" CSV export, as an organiser downloads it.
    with pretix_server.http() as api:
        run = api.post(f"{pretix_server.event_path}exporters/orderlist/run/",
                       json={"_format": "positions:default"})
        assert run.status_code == 202, run.text
        download = run.json()["download"].split("/api/v1/organizers/")[1].split("/", 1)[1]
        for _ in range(100):
            answer = api.get(download)
            if answer.status_code == 200:
                break
            time.sleep(0.2)  # 409: the export is still being made
        assert answer.status_code == 200, answer.text
    export = tmp_path / "pmc2026_orders.csv"
    export.write_bytes(answer.content)
    store.set_event("Personalised Medicine Congress", ["2026-12-01", "2026-12-02"])
    summary = import_file(store, export)
    imported = {a.id: a for a in store.all_attendees()}
    assert summary.added == len(imported) >= 60

    result = pull(store, db_path)
    assert result.added == 0, "a position of the CSV got a second attendee"
    assert store.attendee_count() == len(imported)
    pulled = {a.id: a for a in store.all_attendees()}
    assert pulled.keys() == imported.keys()
    for attendee_id, before in imported.items():
        after = pulled[attendee_id]
        assert (after.code, after.given_name, after.family_name, after.title, after.email,
                after.organisation, after.country, after.role, after.status, after.ref) == (
            before.code, before.given_name, before.family_name, before.title, before.email,
            before.organisation, before.country, before.role, before.status, before.ref)
    # What the pull added: the add-ons, which the import leaves out.
    changed = store.events(types=("attendee_updated",))
    assert len(changed) == result.changed
    assert all(set(e.payload["changes"]) == {"notes"} for e in changed)


def test_scanning_a_pulled_secret_admits(pretix_server: PretixServer, store: Store,
                                         db_path: Path) -> None:
    pull(store, db_path)
    position = paid_positions(pretix_server)[0]
    verdict = Engine(store).scan(position["secret"])
    assert verdict.verdict == VerdictKind.OK, verdict.message
    assert verdict.attendee is not None
    assert verdict.attendee.id == f"{position['order']}-{position['positionid']}"


def test_an_order_cancelled_in_pretix_is_cancelled_after_the_next_pull(
        pretix_server: PretixServer, store: Store, db_path: Path) -> None:
    pull(store, db_path)
    position = paid_positions(pretix_server)[1]
    attendee_id = f"{position['order']}-{position['positionid']}"
    assert store.attendee(attendee_id).status == "confirmed"  # type: ignore[union-attr]
    with pretix_server.http() as api:
        answer = api.post(f"{pretix_server.event_path}orders/{position['order']}/"
                          "mark_canceled/", json={"send_email": False})
    assert answer.status_code == 200, answer.text
    result = pull(store, db_path)
    # Incremental: the changed order came (and what other tests changed seconds before).
    assert not result.full and 1 <= result.orders < 10 and result.cancelled >= 1
    assert store.attendee(attendee_id).status == "cancelled"  # type: ignore[union-attr]
    assert Engine(store).scan(position["secret"]).verdict == VerdictKind.CANCELLED


def test_a_checkin_on_another_pretix_device_is_already_checked_in_at_our_desk(
        pretix_server: PretixServer, store: Store, db_path: Path, tmp_path: Path) -> None:
    pull(store, db_path)
    position = paid_positions(pretix_server)[2]
    attendee_id = f"{position['order']}-{position['positionid']}"
    device_redeem(pretix_server, position["secret"])
    result = pull(store, db_path)
    assert result.checkins >= 1
    [event] = store.events(attendee_id, types=(CHECKIN,))
    assert event.station == "pretix" and event.payload["source"] == "pretix"
    verdict = Engine(store).scan(position["secret"])
    assert verdict.verdict == VerdictKind.ALREADY_CHECKED_IN, verdict.message
    assert verdict.previous is not None and verdict.previous.uuid == event.uuid
    # The same pretix check-in never becomes two events: not on the next pull, not in a
    # full one, and another database pulling it names it with the same UUID.
    assert pull(store, db_path).checkins == 0
    assert pull(store, db_path, full=True).checkins == 0
    assert len(store.events(attendee_id, types=(CHECKIN,))) == 1
    other_db = tmp_path / "other.sqlite"
    other = connected_store(pretix_server, other_db)
    pull(other, other_db)
    assert [e.uuid for e in other.events(attendee_id, types=(CHECKIN,))] == [event.uuid]
    other.close()


def test_a_pull_changes_only_what_changed_in_pretix(
        pretix_server: PretixServer, store: Store, db_path: Path) -> None:
    pull(store, db_path)
    position = paid_positions(pretix_server)[3]
    attendee_id = f"{position['order']}-{position['positionid']}"
    with pretix_server.http() as api:
        answer = api.patch(f"{pretix_server.event_path}orderpositions/{position['id']}/",
                           json={"company": "Institut Pasteur"})
    assert answer.status_code == 200, answer.text
    result = pull(store, db_path)
    assert not result.full and 1 <= result.orders < 10 and result.added == 0
    assert store.attendee(attendee_id).organisation == "Institut Pasteur"  # type: ignore[union-attr]
    [update] = store.events(attendee_id, types=("attendee_updated",))
    assert update.payload["changes"]["organisation"]["to"] == "Institut Pasteur"


def test_positions_that_leave_the_list_are_cancelled(
        pretix_server: PretixServer, db_path: Path) -> None:
    """The workshop list (every product) loses the press passes: a pull notices that the
    list changed, reads everything, and cancels the press passes here."""
    store = connected_store(pretix_server, db_path, list_id=pretix_server.other_list_id)
    pull(store, db_path)
    press = [a.id for a in store.all_attendees() if a.role == "press"]
    assert press
    with pretix_server.http() as api:
        items = api.get(f"{pretix_server.event_path}items/").json()["results"]
        keep = [i["id"] for i in items if i["name"]["en"] != "Press pass"]
        path = f"{pretix_server.event_path}checkinlists/{pretix_server.other_list_id}/"
        assert api.patch(path, json={"all_products": False, "limit_products": keep}
                         ).status_code == 200
        try:
            result = pull(store, db_path)
        finally:
            api.patch(path, json={"all_products": True, "limit_products": []})
    assert result.full
    assert all(store.attendee(i).status == "cancelled" for i in press)  # type: ignore[union-attr]
    store.close()


def test_a_failed_pull_changes_nothing(pretix_server: PretixServer, db_path: Path) -> None:
    proxy = PretixProxy(pretix_server.port)
    try:
        store = connected_store(pretix_server, db_path, url=proxy.url)
        pull(store, db_path)
        before = dump(store)
        proxy.down()
        with pytest.raises(PretixUnavailable, match="connection refused"):
            pull(store, db_path, full=True)
        assert dump(store) == before
        # A token pretix no longer takes: refused, one line, nothing changed either.
        proxy.up()
        db_path.with_name(db_path.name + ".pretix-token").write_text("revoked" * 8)
        with pytest.raises(CheckinError, match="Invalid token"):
            pull(store, db_path)
        assert dump(store) == before
        state = store.db.execute("SELECT last_error FROM pretix_connection").fetchone()[0]
        assert "Invalid token" in state
        store.close()
    finally:
        proxy.close()


def test_the_command_line_pull(pretix_server: PretixServer, db_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("pretix", "connect", "--url", pretix_server.url, "--organizer",
                     pretix_server.organizer, "--event", pretix_server.event, "--list",
                     str(pretix_server.list_id), "--token", pretix_server.token)
    assert result.exit_code == 0, result.output
    result = run_cli("pretix", "pull")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("pretix pull (full): ")
    assert "note: event 'Personalised Medicine Congress'" in result.output
    with httpx.Client() as plain:  # the pretix is still fine after all that
        assert plain.get(f"{pretix_server.url}/api/v1/").status_code in (200, 401, 403)
