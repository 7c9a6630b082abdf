"""The hub's HTTP API against a real hub process: tokens, refusals, idempotent pushes.

One hub for the whole module (tests/hub_server.py); each test registers the desks it
needs, so the tests do not depend on each other's order.
"""

import hashlib
import http.client
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.errors import CheckinError
from checkin.store import Store
from checkin.sync import stations
from tests.conftest import run_checkin
from tests.hub_server import HubProcess
from tests.test_admission_support import DAY1, Setup, make_event

API = "/api/v1"
UNAUTHORIZED = {"error": "unauthorized"}


@dataclass
class Hub:
    process: HubProcess
    event: Setup  # the hub's database, opened in this process too (WAL: both may write)

    @property
    def path(self) -> Path:
        return self.event.path

    @property
    def store(self) -> Store:
        return self.event.store

    def add(self, name: str) -> str:
        return stations.add_station(self.store, name)

    def client(self, token: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return httpx.Client(base_url=self.process.url, headers=headers, timeout=10,
                            trust_env=False)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    folder = tmp_path_factory.mktemp("hub")
    event = make_event(folder / "event.sqlite")
    process = HubProcess(event.path, folder).start()
    try:
        yield Hub(process, event)
    finally:
        process.stop()
        event.store.db.conn.close()


def wire(kind: str, attendee_id: str | None, *, day: str | None = None,
         payload: dict[str, Any] | None = None, station: str = "desk-x") -> dict[str, Any]:
    return {"uuid": str(uuid.uuid4()), "type": kind, "attendee_id": attendee_id,
            "station": station, "operator": "ann",
            "time": datetime.now().astimezone().isoformat(timespec="milliseconds"),
            "day": day, "payload": payload or {}}


def push_body(events: list[dict[str, Any]], *, skew: float = 0.0) -> dict[str, Any]:
    """A push whose desk clock is skew seconds behind this machine's."""
    station_time = datetime.now().astimezone() - timedelta(seconds=skew)
    return {"station_time": station_time.isoformat(timespec="milliseconds"), "events": events}


def snapshot(path: Path) -> tuple[Any, ...]:
    """What a refused request must not change: the log, attendees, revoked refs, keys."""
    conn = keyed_connect(path)
    try:
        return tuple(conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                     for table in ("events", "attendees", "revoked_refs", "public_keys"))
    finally:
        conn.close()


# -- tokens -----------------------------------------------------------------------------------


ROUTES = [("GET", f"{API}/status"), ("GET", f"{API}/pull?since=0"), ("POST", f"{API}/push"),
          ("GET", f"{API}/openapi.json"), ("GET", "/docs"), ("GET", f"{API}/nothing-here"),
          ("GET", "/event.sqlite.key")]


def test_every_request_without_a_valid_token_is_401_with_no_data(hub: Hub, run_cli) -> None:
    token = hub.add("desk-revoked")
    with hub.client(token) as desk:
        assert desk.get(f"{API}/status").json()["station"] == "desk-revoked"
    result = run_cli("hub", "revoke-station", "desk-revoked", db=hub.path)
    assert result.exit_code == 0, result.output
    good = hub.add("desk-good")
    wrong = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    for headers in ({}, {"Authorization": f"Bearer {wrong}"}, {"Authorization": "Bearer"},
                    {"Authorization": f"Basic {good}"}, {"Authorization": good},
                    {"Authorization": f"Bearer {token}"},  # revoked
                    {"Authorization": f"Bearer {hashlib.sha256(good.encode()).hexdigest()}"}):
        with httpx.Client(base_url=hub.process.url, trust_env=False, timeout=10) as client:
            for method, route in ROUTES:
                body = push_body([]) if method == "POST" else None
                answer = client.request(method, route, headers=headers, json=body)
                assert answer.status_code == 401, (headers, route)
                assert answer.json() == UNAUTHORIZED, (headers, route)


def test_tokens_are_stored_only_as_hashes(hub: Hub) -> None:
    token = hub.add("desk-hash")
    row = hub.store.db.execute(
        "SELECT token_sha256 FROM sync_stations WHERE name = 'desk-hash'").fetchone()
    assert row[0] == hashlib.sha256(token.encode()).hexdigest()
    assert token.encode() not in hub.path.read_bytes()
    assert len(token) >= 43  # secrets.token_urlsafe(32): 256 bits


def _raw_get(hub: Hub, path: str, token: str) -> tuple[int, bytes]:
    """A GET whose path is sent exactly as written (httpx would resolve the dot segments)."""
    conn = http.client.HTTPConnection("127.0.0.1", hub.process.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.putheader("Authorization", f"Bearer {token}")
        conn.endheaders()
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def test_the_private_key_file_is_never_served(hub: Hub) -> None:
    token = hub.add("desk-curious")
    key_file = hub.path.with_name(hub.path.name + ".key")
    pem = key_file.read_bytes()
    secret_lines = [line for line in pem.splitlines() if line and b"-----" not in line]
    name = key_file.name
    paths = [f"/{name}", f"{API}/{name}", f"{API}/../{name}", f"/..%2f{name}",
             f"{API}/%2e%2e/{name}", f"/static/{name}", f"{API}/key", f"{API}/keys",
             f"{API}/private_key", f"/{hub.path.name}", f"{API}/pull/../../{name}",
             f"/{key_file}", f"{API}/pull?since=0&file={name}", "/.well-known/" + name]
    for path in paths:
        status, body = _raw_get(hub, path, token)
        assert status in (200, 404, 422) or 400 <= status < 500, path
        assert b"PRIVATE KEY" not in body, path
        assert not any(line in body for line in secret_lines), path
        if status != 200:
            assert list(json.loads(body)) == ["error"], path
    # What is served (status, pull, the schema) holds no private key either.
    with hub.client(token) as desk:
        for route in ("/status", "/pull?since=0&limit=1000", "/openapi.json"):
            text = desk.get(API + route).content
            assert b"PRIVATE KEY" not in text
            assert not any(line in text for line in secret_lines)


# -- the station CLI --------------------------------------------------------------------------


def test_add_station_prints_the_token_alone_on_the_last_line(hub: Hub, run_cli) -> None:
    result = run_cli("hub", "add-station", "desk-cli", db=hub.path)
    assert result.exit_code == 0, result.output
    lines = result.output.rstrip("\n").split("\n")
    assert lines[0] == f"station 'desk-cli' added for the hub at {hub.process.url}"
    assert lines[-2].startswith(f"or: checkin sync --hub {hub.process.url} --token TOKEN")
    token = lines[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", token), token
    with hub.client(token) as desk:
        status = desk.get(f"{API}/status").json()
    assert status["station"] == "desk-cli"
    assert set(status) >= {"hub_time", "hub_seq", "station"}

    for args, message in [(("add-station", "desk-cli"), "already exists"),
                          (("revoke-station", "no-such-desk"), "no station named"),
                          (("add-station", "bad/name"), "not a station name")]:
        done = run_checkin("--db", str(hub.path), "hub", *args)
        assert done.returncode == 1, done
        assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    with pytest.raises(CheckinError, match="already exists"):
        hub.add("desk-cli")


def test_stations_list_shows_contact_count_and_a_skewed_clock(hub: Hub, run_cli) -> None:
    token = hub.add("desk-late")
    with hub.client(token) as desk:
        answer = desk.post(f"{API}/push", json=push_body(
            [wire("badge_printed", "a1", day=DAY1, station="desk-late")], skew=120))
    assert answer.status_code == 200, answer.text
    listed = {s.name: s for s in stations.stations(hub.store)}["desk-late"]
    assert listed.last_contact is not None and listed.events_received == 1
    assert listed.clock_skew is not None and 115 < listed.clock_skew < 130
    assert listed.skew_flagged
    table = run_cli("hub", "stations", db=hub.path).output
    line = next(line for line in table.splitlines() if line.startswith("desk-late"))
    assert "active" in line and " 1 " in line and "+12" in line and "!" in line
    as_json = json.loads(run_cli("hub", "stations", "--json", db=hub.path).output)
    entry = next(s for s in as_json if s["name"] == "desk-late")
    assert entry["clock_skew_flagged"] is True and entry["events_received"] == 1


# -- pushes -----------------------------------------------------------------------------------


def test_a_push_repeated_after_a_lost_answer_stores_nothing_twice(hub: Hub) -> None:
    token = hub.add("desk-repeat")
    walk_in = {"id": "w-repeat", "given_name": "Walk", "family_name": "In", "ref": "",
               "days": [DAY1], "status": "confirmed", "extra": {}}
    events = [
        wire("attendee_created", "w-repeat", payload=walk_in, station="desk-repeat"),
        wire("checkin", "w-repeat", day=DAY1, payload={"method": "manual"},
             station="desk-repeat"),
        wire("attendee_updated", "a2", payload={
            "changes": {"organisation": {"from": "", "to": "Uppsala Universitet"}}},
            station="desk-repeat"),
    ]
    with hub.client(token) as desk:
        first = desk.post(f"{API}/push", json=push_body(events))
        before = snapshot(hub.path)
        again = desk.post(f"{API}/push", json=push_body(events))  # the answer was "lost"
    assert first.status_code == again.status_code == 200
    assert first.json()["acknowledged"] == again.json()["acknowledged"] == [
        e["uuid"] for e in events]
    assert again.json()["hub_seq"] == first.json()["hub_seq"]
    assert snapshot(hub.path) == before
    uuids = [e["uuid"] for e in events]
    counted = hub.store.db.execute(
        f"SELECT count(*) FROM events WHERE uuid IN ({','.join('?' * 3)})", uuids).fetchone()
    assert counted[0] == 3
    assert hub.store.attendee("w-repeat") is not None
    a2 = hub.store.attendee("a2")
    assert a2 is not None and a2.organisation == "Uppsala Universitet"
    listed = {s.name: s for s in stations.stations(hub.store)}["desk-repeat"]
    assert listed.events_received == 3  # new events only, the repeat added none


def _deep(depth: int) -> str:
    return '{"station_time": "2026-12-01T09:00:00+01:00", "events": [' \
        + '{"uuid": ' + "[" * depth + "]" * depth + "}]}"


def test_bad_pushes_get_one_line_4xx_and_change_nothing(hub: Hub) -> None:
    token = hub.add("desk-bad")
    good = wire("checkin", "a1", day=DAY1, station="desk-bad")
    ok_time = push_body([])["station_time"]

    def with_event(**changes: Any) -> dict[str, Any]:
        return {"station_time": ok_time, "events": [{**wire("checkin", "a1", day=DAY1),
                                                     **changes}]}

    bodies: list[tuple[str, bytes | dict[str, Any] | list[Any], int]] = [
        ("not JSON", b"{not json", 400),
        ("empty body", b"", 400),
        ("a list", [1, 2], 422),
        ("events not a list", {"station_time": ok_time, "events": "x"}, 422),
        ("no station_time", {"events": [good]}, 422),
        ("station_time not ISO", {"station_time": "yesterday", "events": [good]}, 422),
        ("station_time without offset", {"station_time": "2026-12-01T09:00:00",
                                         "events": [good]}, 422),
        ("uuid a number", with_event(uuid=12345), 422),
        ("uuid not canonical", with_event(uuid=str(uuid.uuid4()).upper()), 422),
        ("unknown type", with_event(type="teleport"), 422),
        ("type a list", with_event(type=["checkin"]), 422),
        ("time not ISO", with_event(time="9 o'clock"), 422),
        ("day not a day", with_event(day="2026-13-45"), 422),
        ("checkin without day", with_event(day=None), 422),
        ("station empty", with_event(station=""), 422),
        ("station too long", with_event(station="x" * 5000), 422),
        ("payload a string", with_event(payload="{}"), 422),
        ("unknown field", with_event(hub_seq=3), 422),
        ("bad status change", {"station_time": ok_time, "events": [wire(
            "attendee_updated", "a1", payload={"changes": {"status": {"to": "gone"}}})]}, 422),
        ("bad created row", {"station_time": ok_time, "events": [wire(
            "attendee_created", "zz", payload={"id": "zz", "days": "all"})]}, 422),
        ("too many events", push_body([wire("checkin", "a1", day=DAY1)] * 501), 422),
        ("payload over 64 KB", with_event(payload={"x": "y" * 70_000}), 422),
        ("payload nested deep", with_event(payload={"a": json.loads("[" * 50 + "]" * 50)}),
         422),
        ("nested 100k deep", _deep(100_000).encode(), 400),
        ("10 MB", b'{"station_time": "' + b"x" * (10 * 1024 * 1024) + b'"}', 413),
        # A good event beside a bad one: the whole batch is refused.
        ("good and bad", {"station_time": ok_time, "events": [good, {**good, "uuid": "x"}]},
         422),
    ]
    before = snapshot(hub.path)
    with hub.client(token) as desk:
        for what, body, status in bodies:
            if isinstance(body, bytes):
                answer = desk.post(f"{API}/push", content=body,
                                   headers={"Content-Type": "application/json"})
            else:
                answer = desk.post(f"{API}/push", json=body)
            assert answer.status_code == status, (what, answer.status_code, answer.text[:200])
            error = answer.json()["error"]
            assert list(answer.json()) == ["error"] and error and "\n" not in error, what
        for query in ("since=-1", "since=abc", "limit=0", "limit=100000",
                      f"since={10**30}", "since=1.5"):
            answer = desk.get(f"{API}/pull?{query}")
            assert answer.status_code == 422, (query, answer.text)
            assert "\n" not in answer.json()["error"]
        assert desk.get(f"{API}/push").status_code == 405
        assert desk.delete(f"{API}/pull").status_code == 405
    assert snapshot(hub.path) == before
    assert good["uuid"] not in {r[0] for r in hub.store.db.execute("SELECT uuid FROM events")}


def _raw_push(desk: httpx.Client, event: dict[str, Any], payload_json: str) -> httpx.Response:
    """A push whose event's payload is the given JSON text (json.dumps would not write it)."""
    text = json.dumps(push_body([{**event, "payload": "PAYLOAD"}]))
    return desk.post(f"{API}/push", content=text.replace('"PAYLOAD"', payload_json),
                     headers={"Content-Type": "application/json"})


def test_a_payload_holding_nan_or_infinity_is_refused_and_pulls_go_on(hub: Hub) -> None:
    # It was stored; SQLite's JSON, which writes the pull answers, cannot carry it, so
    # every pull from then on failed (503) and no desk could sync any more.
    token = hub.add("desk-nan")
    before = snapshot(hub.path)
    with hub.client(token) as desk:
        for number in ("NaN", "Infinity", "-Infinity", '[1, {"x": NaN}]'):
            answer = _raw_push(desk, wire("badge_printed", "a1"), f'{{"n": {number}}}')
            assert answer.status_code == 422, (number, answer.text)
            assert "not finite" in answer.json()["error"]
        assert snapshot(hub.path) == before
        assert desk.get(f"{API}/pull?since=0").status_code == 200


def test_a_payload_holding_a_lone_surrogate_is_refused(hub: Hub) -> None:
    # JSON may escape half of a UTF-16 pair alone; SQLite cannot store that text, and the
    # push was answered 500.
    token = hub.add("desk-surrogate")
    before = snapshot(hub.path)
    with hub.client(token) as desk:
        for payload in ('{"x": "\\ud800"}', '{"\\udfff": 1}', '{"a": ["ok", {"b": "\\udc00x"}]}'):
            answer = _raw_push(desk, wire("badge_printed", "a1"), payload)
            assert answer.status_code == 422, (payload, answer.text)
            assert "lone surrogate" in answer.json()["error"]
        assert snapshot(hub.path) == before
        paired = _raw_push(desk, wire("badge_printed", "a1"), '{"x": "\\ud83d\\ude00"}')
        assert paired.status_code == 200, paired.text  # a whole pair is one character


def test_pull_pages_through_the_log_in_hub_order(hub: Hub) -> None:
    token = hub.add("desk-pager")
    with hub.client(token) as desk:
        everything = desk.get(f"{API}/pull", params={"since": 0, "limit": 1000}).json()
        assert not everything["more"]
        seqs = [e["hub_seq"] for e in everything["events"]]
        assert seqs == sorted(seqs) and everything["next"] == seqs[-1]
        assert everything["event"] == {"name": "Test Congress", "days": ["2026-12-01",
                                                                          "2026-12-02"],
                                       "timezone": None}
        assert everything["public_keys"] and "private" not in json.dumps(everything).lower()
        paged: list[int] = []
        since = 0
        for _ in range(100):
            page = desk.get(f"{API}/pull", params={"since": since, "limit": 3}).json()
            paged += [e["hub_seq"] for e in page["events"]]
            since = page["next"]
            if not page["more"]:
                break
    assert paged[:len(seqs)] == seqs


def test_the_openapi_schema_describes_the_routes(hub: Hub) -> None:
    with hub.client(hub.add("desk-schema")) as desk:
        schema = desk.get(f"{API}/openapi.json").json()
    assert {f"{API}/status", f"{API}/pull", f"{API}/push"} <= set(schema["paths"])
    pushed = schema["components"]["schemas"]["WireEvent"]["properties"]
    assert {"uuid", "type", "attendee_id", "station", "operator", "time", "day",
            "payload"} == set(pushed)
    assert set(schema["components"]["schemas"]["PullAnswer"]["properties"]) == {
        "event", "events", "next", "more", "public_keys", "revoked_refs"}


def test_every_event_type_the_core_writes_can_be_pushed():
    """A type the hub does not accept would stall a desk's outbox for good: every
    `append(TYPE, ...)` and `Event(type=TYPE, ...)` in checkin/ names one it accepts."""
    import ast
    import importlib
    from pathlib import Path

    import checkin
    from checkin.sync.protocol import EVENT_TYPES

    root = Path(checkin.__file__).parent
    written: dict[str, str] = {}
    for path in root.rglob("*.py"):
        if path.name == "__main__.py":
            continue
        module = importlib.import_module(
            ".".join(("checkin", *path.relative_to(root).with_suffix("").parts))
            .removesuffix(".__init__"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            named = None
            if isinstance(node.func, ast.Attribute) and node.func.attr == "append" \
                    and node.args and isinstance(node.args[0], ast.Name):
                named = node.args[0].id
            for keyword in node.keywords:
                if keyword.arg == "type" and isinstance(keyword.value, ast.Name):
                    named = keyword.value.id
            value = getattr(module, named, None) if named else None
            if isinstance(value, str):
                written[value] = f"{path.name}: {named}"
    assert {"checkin", "undo", "scan_refused", "attendee_merged"} <= set(written)
    assert {kind: where for kind, where in written.items() if kind not in EVENT_TYPES} == {}
