"""The hub uploads the attendance after a desk's final sync: a real hub process, a real
receiving server on 127.0.0.1 (tests/webhook_server.py), bounded retries, every attempt
recorded, and the hub serving the desks all along."""

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from checkin.admission import OK, Engine
from checkin.store import Store
from checkin.sync import stations
from checkin.sync.client import sync_once
from checkin.sync.upload import Uploader, UploadPolicy, uploads
from tests.conftest import run_checkin
from tests.hub_server import HubProcess, free_port, synced_desk
from tests.test_admission_support import DAY1, Setup, make_event
from tests.webhook_server import Webhook

WAIT = 30.0  # seconds, at most, for a background upload to get somewhere


def wait_for(what: Callable[[], Any], timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = what()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s")
        time.sleep(0.05)  # polling: the upload thread has no signal but its table rows


@pytest.fixture
def event(tmp_path: Path) -> Iterator[Setup]:
    setup = make_event(tmp_path / "hub" / "event.sqlite")
    yield setup
    setup.store.close()


def desk(run_cli, event: Setup, url: str, folder: Path, name: str) -> Store:
    return synced_desk(run_cli, event.store, url, folder, name)



def settled(store: Store) -> list[Any]:
    """The attempts, once the newest says ok or failed (no retry follows)."""
    found = uploads(store)
    return found if found and found[-1].status in ("ok", "failed") else []


def test_final_sync_uploads_after_two_failures_without_blocking_the_hub(
        event: Setup, run_cli, tmp_path: Path) -> None:
    with Webhook([503, (500, b"database\nlocked", {"Retry-After": "0"}), 200],
                 hold={3}) as hook:
        hub = HubProcess(event.path, tmp_path / "hub", args=[
            "--upload", hook.url + "?secret=s3cr3t", "--upload-backoff", "0.05"]).start()
        try:
            desk_1 = desk(run_cli, event, hub.url, tmp_path, "desk-1")
            desk_2 = desk(run_cli, event, hub.url, tmp_path, "desk-2")
            assert Engine(desk_1).check_in("a1", day=DAY1).verdict == OK
            result = run_cli("sync", "--final", db=desk_1.path)
            assert result.exit_code == 0, result.output
            assert result.output.splitlines()[-1].startswith("the hub uploads the attendance")
            wait_for(lambda: len(hook.requests) == 3 and len(uploads(event.store)) == 2)
            # The third attempt hangs at the endpoint: desks sync meanwhile, unhindered.
            started = time.monotonic()
            assert Engine(desk_2).check_in("a2", day=DAY1).verdict == OK
            assert sync_once(desk_2, desk_2.path).pushed == 1
            assert time.monotonic() - started < 10
            assert [u.status for u in uploads(event.store)] == ["retrying", "retrying"]
            hook.gate.set()
            attempts = wait_for(lambda: settled(event.store))
        finally:
            hub.stop()
    assert [(a.attempt, a.status, a.http_code) for a in attempts] == [
        (1, "retrying", 503), (2, "retrying", 500), (3, "ok", 200)]
    assert attempts[1].error == "the endpoint answered 500: database locked"
    assert {a.upload_id for a in attempts} == {attempts[0].upload_id}
    assert {a.url for a in attempts} == {hook.url + "?…"}  # the secret is not kept
    assert [a.bytes for a in attempts] == [len(r.body) for r in hook.requests]
    assert {a.trigger for a in attempts} == {"final sync of desk-1"}
    assert {r.path for r in hook.requests} == {"/hook?secret=s3cr3t"}
    assert {r.headers["Idempotency-Key"] for r in hook.requests} == {attempts[0].upload_id}
    assert hook.requests[0].headers["Content-Type"] == "application/json; charset=utf-8"

    sent = json.loads(hook.requests[-1].body)
    assert {k: sent[k] for k in ("format", "version", "upload_id", "trigger", "event")} == {
        "format": "checkin-attendance", "version": 1, "upload_id": attempts[0].upload_id,
        "trigger": "final sync of desk-1",
        "event": {"name": "Test Congress", "days": ["2026-12-01", "2026-12-02"]}}
    assert sent["hub_id"] == event.store.meta("hub_id")
    # As of the third attempt, built before desk-2's admission arrived.
    assert sent["counts"] == {"attendees": 7, "checked_in": {DAY1: 1, "2026-12-02": 0},
                              "conflicts": 0}
    by_id = {a["id"]: a for a in sent["attendees"]}
    assert by_id["a1"]["checkins"] == {DAY1: {"time": by_id["a1"]["checkins"][DAY1]["time"],
                                              "station": "desk-1"}, "2026-12-02": None}
    assert by_id["a1"]["merged_into"] is None
    assert set(by_id["a1"]) == {"id", "code", "title", "given_name", "family_name",
                                "organisation", "country", "role", "email", "status", "days",
                                "checkins", "merged_into"}
    desks = {d["name"]: d for d in sent["desks"]}
    assert desks["desk-1"]["final_at"] is not None and desks["desk-2"]["final_at"] is None
    assert sent["conflicts"] == []

    listed = run_cli("hub", "uploads", db=event.path)
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert len(lines) == 3 and "ok" in lines[2] and " 200 " in lines[2]
    assert "(the endpoint answered 503)" in lines[0]
    as_json = json.loads(run_cli("hub", "uploads", "--json", db=event.path).output)
    assert [u["status"] for u in as_json] == ["retrying", "retrying", "ok"]


def test_an_endpoint_that_is_down_is_retried_and_recorded(event: Setup, run_cli,
                                                          tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}/hook"
    hub = HubProcess(event.path, tmp_path / "hub",
                     args=["--upload", down, "--upload-backoff", "0.05"]).start()
    try:
        desk_1 = desk(run_cli, event, hub.url, tmp_path, "desk-1")
        result = run_cli("sync", "--final", db=desk_1.path)
        assert result.exit_code == 0, result.output
        attempts = wait_for(lambda: settled(event.store))
        # Six attempts, all refused, and the hub still serves.
        assert [(a.status, a.http_code, a.error) for a in attempts] == \
            [("retrying", None, "connection refused")] * 5 + [
                ("failed", None, "connection refused")]
        assert Engine(desk_1).check_in("a3", day=DAY1).verdict == OK
        assert sync_once(desk_1, desk_1.path).pushed == 1
    finally:
        hub.stop()
    listed = run_cli("hub", "uploads", db=event.path).output.splitlines()
    assert len(listed) == 6 and "failed" in listed[-1] and "(connection refused)" in listed[-1]
    log = (tmp_path / "hub" / "hub.err").read_text() + (tmp_path / "hub" / "hub.out").read_text()
    assert "Traceback" not in log


def test_a_refusal_or_a_redirect_is_not_retried(event: Setup) -> None:
    policy = UploadPolicy(first_delay=0.01)
    with Webhook([(400, b"unknown event", {}),
                  (301, b"", {"Location": "https://elsewhere.example/x?token=1"})]) as hook:
        uploader = Uploader(event.path, hook.url, policy)
        uploader.start()
        try:
            uploader.trigger("test")
            wait_for(lambda: settled(event.store))
            uploader.trigger("test again")
            wait_for(lambda: len(uploads(event.store)) == 2)
        finally:
            uploader.stop()
    first, second = uploads(event.store)
    assert (first.attempt, first.status, first.http_code, first.error) == (
        1, "failed", 400, "the endpoint answered 400: unknown event")
    assert (second.status, second.http_code) == ("failed", 301)
    assert second.error == ("the endpoint answered 301 (redirect to https://elsewhere.example"
                            "/x?…): uploads follow no redirect; set the final address")
    assert len(hook.requests) == 2


def test_a_retry_left_by_a_killed_hub_is_resumed(event: Setup, run_cli,
                                                 tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    set_url = run_cli("hub", "upload-url", url, db=event.path)  # from the meta this time
    assert set_url.exit_code == 0, set_url.output
    hub = HubProcess(event.path, tmp_path / "hub", args=["--upload-backoff", "3600"]).start()
    try:
        desk_1 = desk(run_cli, event, hub.url, tmp_path, "desk-1")
        assert sync_once(desk_1, desk_1.path, final=True).upload == "queued"
        wait_for(lambda: uploads(event.store))
        assert uploads(event.store)[0].status == "retrying"
        hub.kill()  # waiting an hour for its next attempt
        with Webhook([200], port=port) as hook:
            hub.start()
            attempts = wait_for(lambda: settled(event.store))
            assert len(hook.requests) == 1
    finally:
        hub.stop()
    assert [(a.status, a.trigger) for a in attempts] == [
        ("retrying", "final sync of desk-1"),
        ("ok", "resumed after a restart (final sync of desk-1)")]


def test_without_an_upload_address_a_final_sync_uploads_nothing(event: Setup, run_cli,
                                                                tmp_path: Path) -> None:
    assert run_cli("hub", "upload-url", db=event.path).output == \
        "no upload address (`checkin hub upload-url URL` sets one)\n"
    done = run_cli("hub", "upload-url", "https://reg.example.org/hook?key=x", db=event.path)
    assert done.output == ("after each final sync the hub uploads the attendance to "
                           "https://reg.example.org/hook?… (from its next start)\n")
    assert run_cli("hub", "upload-url", db=event.path).output == \
        "https://reg.example.org/hook?…\n"
    assert run_cli("hub", "upload-url", "--clear", db=event.path).output == \
        "no upload address: final syncs upload nothing\n"
    refused = run_checkin("--db", str(event.path), "hub", "upload-url", "ftp://x")
    assert (refused.returncode, refused.stderr) == (1, (
        "error: 'ftp://x' is not an upload address like "
        "https://registration.example.org/hooks/checkin\n"))
    hub = HubProcess(event.path, tmp_path / "hub").start()
    try:
        desk_1 = desk(run_cli, event, hub.url, tmp_path, "desk-1")
        result = sync_once(desk_1, desk_1.path, final=True)
        assert result.upload == "off"
        final_at = {s.name: s for s in stations.stations(event.store)}
        assert final_at["desk-1"].last_contact is not None
        assert event.store.db.execute(
            "SELECT final_at FROM sync_stations WHERE name = 'desk-1'").fetchone()[0]
        assert Engine(desk_1).check_in("a4", day=DAY1).verdict == OK
        assert sync_once(desk_1, desk_1.path).upload is None  # not final: not told
    finally:
        hub.stop()
    assert uploads(event.store) == []
