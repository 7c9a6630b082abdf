"""Station keys with a real TLS hub and desks paired by code: a walk-in's badge, signed at
one desk with that desk's own key, verifies at another desk after both synced, until the
first desk is revoked at the hub; a key id that another key has is replaced by a new key;
the hub refuses keys that are not the desk's to list.
"""

import base64
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from checkin import keys, station_keys, tokens
from checkin.admission import ALREADY_CHECKED_IN, INVALID_SIGNATURE, OK, Engine
from checkin.confirmations import qr_text_for
from checkin.db import open_db
from checkin.decode import decode_file
from checkin.desk import DbContext, walk_in
from checkin.models import Attendee
from checkin.store import Store
from checkin.sync import stations
from checkin.sync.client import STATION_KEY_KEY, SyncError, sync_once
from checkin.sync.pairing import pair, parse
from checkin.sync.tls import fingerprint_of_file, pinned_context, self_signed_paths
from tests.hub_server import HubProcess

TODAY = date.today()
TOMORROW = TODAY + timedelta(days=1)


@dataclass
class Hub:
    process: HubProcess
    path: Path
    store: Store


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    folder = tmp_path_factory.mktemp("keys-hub")
    path = folder / "event.sqlite"
    store = Store(open_db(path, create=True), station="office")
    store.set_event("Test Congress", [TODAY.isoformat(), TOMORROW.isoformat()])
    keys.ensure_event_key(store, path)
    process = HubProcess(path, folder, tls=["--tls-self-signed"]).start()
    try:
        yield Hub(process, path, store)
    finally:
        process.stop()
        store.close()


def paired_desk(hub: Hub, run_cli, folder: Path, name: str) -> Path:
    """A desk paired by the code of `checkin hub add-station`, after its first sync."""
    result = run_cli("hub", "add-station", name, db=hub.path)
    assert result.exit_code == 0, result.output
    code = result.output.split("sync --pair ")[1].split()[0]
    path = folder / f"{name}.sqlite"
    result = run_cli("sync", "--pair", code, db=path)
    assert result.exit_code == 0, result.output
    return path


def public_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def test_a_walk_in_badge_verifies_at_another_desk_until_its_desk_is_revoked(
        hub: Hub, run_cli, tmp_path: Path) -> None:
    a_path = paired_desk(hub, run_cli, tmp_path, "desk-a")
    b_path = paired_desk(hub, run_cli, tmp_path, "desk-b")
    a_key = station_keys.ensure_station_key(a_path)
    listed = hub.store.db.execute("SELECT station, revoked_at FROM public_keys WHERE key_id = ?",
                                  [a_key.key_id]).fetchone()
    assert listed == ("desk-a", None)

    desk_a = DbContext(a_path, "desk-a", "ann")
    out = walk_in(desk_a, Attendee(id="", given_name="Wanda", family_name="Walker"))
    assert out.kind == "created" and out.attendee is not None
    person = out.attendee
    # The badge as desk A renders it carries a token signed with desk A's key.
    pdf = tmp_path / "badge.pdf"
    result = run_cli("badges", "--ids", person.id, "--out", str(pdf), db=a_path)
    assert result.exit_code == 0, result.output
    [token] = decode_file(pdf)
    parsed = tokens.parse(token)
    assert parsed is not None and parsed.signed and parsed.key_id == a_key.key_id
    at_a = Engine(desk_a.store).scan(token)  # ok (a scanner's repeat) or already in
    assert at_a.verdict in (OK, ALREADY_CHECKED_IN) and at_a.attendee is not None
    assert at_a.attendee.id == person.id

    assert sync_once(desk_a.store, a_path).pushed >= 2  # the registration and the admission
    desk_b = Store(open_db(b_path), station="desk-b", operator="bo")
    assert sync_once(desk_b, b_path).pulled >= 2
    today = Engine(desk_b).scan(token)
    assert today.verdict == ALREADY_CHECKED_IN
    assert today.previous is not None and today.previous.station == "desk-a"
    assert Engine(desk_b).scan(token, day=TOMORROW.isoformat()).verdict == OK

    result = run_cli("hub", "revoke-station", "desk-a", db=hub.path)
    assert result.exit_code == 0, result.output
    assert f"its station key {a_key.key_id} too" in result.output
    revoked = hub.store.db.execute(
        "SELECT payload FROM events WHERE type = 'key_revoked' AND payload LIKE ?",
        [f'%"{a_key.key_id}"%']).fetchall()
    assert len(revoked) == 1 and '"station": "desk-a"' in revoked[0][0]

    assert sync_once(desk_b, b_path).pulled >= 1  # the key_revoked event
    refused = Engine(desk_b).scan(token, day=TOMORROW.isoformat())
    assert refused.verdict == INVALID_SIGNATURE
    assert f"signed with key {a_key.key_id}, which was revoked" in refused.message
    with pytest.raises(SyncError, match="refused this station's token"):
        sync_once(desk_a.store, a_path)
    desk_a.close()
    desk_b.close()


def test_badges_are_signed_with_the_station_key_from_the_sync_that_listed_it(
        hub: Hub, run_cli, tmp_path: Path) -> None:
    result = run_cli("hub", "add-station", "desk-w", db=hub.path)
    code = result.output.split("sync --pair ")[1].split()[0]
    path = tmp_path / "desk.sqlite"
    pair(path, parse(code))
    desk = DbContext(path, "desk-w", "wim")
    sync_once(desk.store, path)
    # A desk whose key the hub has not listed: paired and synced once, then a new key.
    station_keys.replace_station_key(path)
    out = walk_in(desk, Attendee(id="", given_name="Olu", family_name="Ade"))
    assert out.kind == "created" and out.attendee is not None
    text_for = qr_text_for(desk.store, path)  # as the app's print lane keeps it
    assert text_for(out.attendee) == tokens.unsigned(out.attendee.ref)
    sync_once(desk.store, path)
    signed = tokens.parse(text_for(out.attendee))
    assert signed is not None and signed.signed
    assert signed.key_id == station_keys.ensure_station_key(path).key_id
    desk.close()


def test_a_station_key_whose_id_is_taken_is_replaced(hub: Hub, run_cli,
                                                      tmp_path: Path) -> None:
    # Two real keys with the same 20-bit key id (a birthday search: about 1300 keys).
    seen: dict[str, Ed25519PrivateKey] = {}
    while True:
        key = Ed25519PrivateKey.generate()
        key_id = tokens.key_id_for(base64.b64decode(public_b64(key)))
        if key_id in seen:
            first, second = seen[key_id], key
            break
        seen[key_id] = key
    stations.add_station(hub.store, "desk-z")
    assert stations.register_station_key(hub.store, "desk-z", public_b64(first)) == key_id

    result = run_cli("hub", "add-station", "desk-k", db=hub.path)
    code = result.output.split("sync --pair ")[1].split()[0]
    path = tmp_path / "desk.sqlite"
    pair(path, parse(code))
    key_file = station_keys.station_key_path(path)
    pem = second.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())
    fd = os.open(tmp_path / "second.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, pem)
    os.close(fd)
    os.replace(tmp_path / "second.pem", key_file)

    store = Store(open_db(path), station="desk-k")
    sync_once(store, path)
    made = station_keys.ensure_station_key(path)
    assert made.key_id != key_id
    assert store.meta(STATION_KEY_KEY) == made.key_id
    assert hub.store.db.execute("SELECT station, public_key FROM public_keys WHERE key_id = ?",
                                [key_id]).fetchone() == ("desk-z", public_b64(first))
    assert hub.store.db.execute("SELECT station FROM public_keys WHERE key_id = ?",
                                [made.key_id]).fetchone() == ("desk-k",)
    assert station_keys.station_signer(store, path) is not None  # listed here too now
    store.close()


def test_the_hub_lists_only_a_desks_own_valid_keys(hub: Hub) -> None:
    fingerprint = fingerprint_of_file(self_signed_paths(hub.path)[0])
    own = Ed25519PrivateKey.generate()
    tokens_by_desk = {name: stations.add_station(hub.store, name)
                      for name in ("desk-r1", "desk-r2")}

    def post(desk: str, body: object) -> httpx.Response:
        with httpx.Client(base_url=hub.process.url, verify=pinned_context(fingerprint),
                          trust_env=False, timeout=10,
                          headers={"Authorization": f"Bearer {tokens_by_desk[desk]}"}) as c:
            return c.post("/api/v1/station-key", json=body)

    first = post("desk-r1", {"algorithm": "ed25519", "public_key": public_b64(own)})
    assert first.status_code == 200, first.text
    assert first.json()["station"] == "desk-r1"
    again = post("desk-r1", {"public_key": public_b64(own)})
    assert again.status_code == 200 and again.json() == first.json()  # once, however often
    taken = post("desk-r2", {"public_key": public_b64(own)})
    assert taken.status_code == 403
    assert taken.json() == {"error": f"key {first.json()['key_id']} is listed for station "
                                     "'desk-r1'"}
    event_key_id, event_key = hub.store.db.execute(
        "SELECT key_id, public_key FROM public_keys WHERE station IS NULL").fetchone()
    assert post("desk-r2", {"public_key": event_key}).json() == {
        "error": f"key {event_key_id} is listed for the event"}
    for body in ({"public_key": "AAAA"}, {"public_key": public_b64(own), "algorithm": "rsa"},
                 {"public_key": public_b64(own), "more": 1}, {}):
        answer = post("desk-r2", body)
        assert answer.status_code == 422 and set(answer.json()) == {"error"}, body
    not_base64 = post("desk-r2", {"public_key": "!" * 44})
    assert not_base64.status_code == 403
    assert "base64 of a raw 32-byte Ed25519 key" in not_base64.json()["error"]
    def listed() -> int:
        return int(hub.store.db.execute(
            "SELECT count(*) FROM public_keys WHERE station = 'desk-r2'").fetchone()[0])

    def post_new_key() -> httpx.Response:
        while True:  # 409: a key id taken by chance; a desk makes another key, so do we
            answer = post("desk-r2", {"public_key": public_b64(Ed25519PrivateKey.generate())})
            if answer.status_code != 409:
                return answer

    assert listed() == 0
    while listed() < stations.MAX_STATION_KEYS:
        assert post_new_key().status_code == 200
    one_more = post_new_key()
    assert one_more.status_code == 403
    assert "the most a desk may have" in one_more.json()["error"]
    assert listed() == stations.MAX_STATION_KEYS
