"""Signing keys: created by init beside the database, owner-only, rotated, listed."""

import os
import stat
import sys

import pytest

from checkin import keys, tokens
from checkin.admission import INVALID_SIGNATURE, OK
from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.paths import key_path
from checkin.store import Store
from tests.conftest import run_checkin
from tests.test_admission_support import DAY1, DAY2, make_event


@pytest.fixture
def store(db_path):
    s = Store(open_db(db_path, create=True))
    s.set_event("E", [DAY1])
    return s


def test_init_creates_the_key_beside_the_database(event_db, run_cli):
    path = key_path(event_db)
    assert path.exists() and path.parent == event_db.parent
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store = Store(open_db(event_db))
    listed = keys.list_keys(store)
    assert len(listed) == 1
    signer = keys.load_signer(store, event_db)
    assert signer.key_id == listed[0].key_id
    # The private key is nowhere in the database file (nor its WAL).
    from cryptography.hazmat.primitives import serialization

    raw = signer.private_key.private_bytes(serialization.Encoding.Raw,
                                           serialization.PrivateFormat.Raw,
                                           serialization.NoEncryption())
    pem_body = path.read_text().splitlines()[1]
    for file in event_db.parent.glob(event_db.name + "*"):
        if file != path:
            data = file.read_bytes()
            assert raw not in data and pem_body.encode() not in data


def test_init_force_keeps_the_key(event_db, run_cli):
    before = key_path(event_db).read_bytes()
    result = run_cli("init", "--event", "Renamed", "--days", DAY1, "--force")
    assert result.exit_code == 0, result.output
    assert key_path(event_db).read_bytes() == before
    assert len(keys.list_keys(Store(open_db(event_db)))) == 1


def test_ensure_is_idempotent_and_logged(store, db_path):
    first = keys.ensure_event_key(store, db_path)
    assert keys.ensure_event_key(store, db_path) == first
    assert len(keys.list_keys(store)) == 1
    added = store.events(types=(keys.KEY_ADDED,))
    assert len(added) == 1 and added[0].payload["key_id"] == first
    assert "private" not in str(added[0].payload).lower()


def test_ensure_refuses_a_key_file_copied_beside_a_fresh_database(store, db_path, tmp_path):
    """A key file beside a fresh database is another event's: refused, not adopted (two
    events would share one key), unless set aside for the station's automatic demo."""
    keys.ensure_event_key(store, db_path)
    other_db = tmp_path / "copy.sqlite"
    key_path(other_db).write_bytes(key_path(db_path).read_bytes())
    key_path(other_db).chmod(0o600)
    other = Store(open_db(other_db, create=True))
    with pytest.raises(CheckinError, match="not this event's signing key"):
        keys.ensure_event_key(other, other_db)
    assert keys.list_keys(other) == []
    fresh = keys.ensure_event_key(other, other_db, set_aside_stale=True)
    assert fresh != keys.list_keys(store)[0].key_id
    assert len(list(tmp_path.glob("copy.sqlite.key.stale-*"))) == 1


def test_rotate_keeps_old_tokens_valid(tmp_path):
    ev = make_event(tmp_path / "event.sqlite")
    old_token = ev.token("a1")
    new_id = keys.rotate_key(ev.store, ev.path)
    assert new_id != ev.signer.key_id
    signer = keys.load_signer(ev.store, ev.path)
    assert signer.key_id == new_id
    new_token = signer.sign(ev.store.attendee("a2").ref)
    assert new_token[3:7] == new_id
    engine = ev.engine()
    assert engine.scan(old_token, day=DAY1).verdict == OK
    assert engine.scan(new_token, day=DAY1).verdict == OK
    assert [k.key_id for k in keys.list_keys(ev.store)] == [ev.signer.key_id, new_id]
    if sys.platform != "win32":
        assert stat.S_IMODE(key_path(ev.path).stat().st_mode) == 0o600


def test_signer_errors_are_one_line(store, db_path, tmp_path):
    with pytest.raises(CheckinError, match="no signing key yet: `checkin keys rotate`"):
        keys.load_signer(store, db_path)  # an event made before it had keys
    assert keys.load_signer(store, db_path, strict=False) is None
    # A key file of another event does not sign for this one.
    other_db = tmp_path / "other.sqlite"
    keys.ensure_event_key(Store(open_db(other_db, create=True)), other_db)
    keys.ensure_event_key(store, db_path)
    key_path(db_path).write_bytes(key_path(other_db).read_bytes())
    with pytest.raises(CheckinError, match="does not belong"):
        keys.load_signer(store, db_path)
    key_path(db_path).write_text("not a key")
    with pytest.raises(CheckinError, match="not an unencrypted PEM"):
        keys.load_signer(store, db_path)


def test_key_ids_come_from_the_public_key():
    assert tokens.key_id_for(b"\x00" * 32) == tokens.key_id_for(b"\x00" * 32)
    assert tokens.key_id_for(b"\x00" * 32) != tokens.key_id_for(b"\x01" + b"\x00" * 31)
    assert len(tokens.key_id_for(os.urandom(32))) == 4


def test_keys_cli(event_db, run_cli):
    listed = run_cli("keys", "list")
    assert listed.exit_code == 0 and listed.output.startswith("* ")
    rotated = run_cli("keys", "rotate")
    assert rotated.exit_code == 0 and rotated.output.startswith("new signing key")
    lines = run_cli("keys", "list").output.splitlines()
    assert len(lines) == 2 and lines[0].startswith("  ") and lines[1].startswith("* ")
    revoked = run_cli("keys", "rotate", "--revoke-old")
    assert "revoked" in revoked.output
    assert sum("revoked" in line for line in run_cli("keys", "list").output.splitlines()) == 2


def test_keys_revoke_cli(tmp_path, run_cli):
    ev = make_event(tmp_path / "event.sqlite")
    old = ev.token("a1")
    result = run_cli("keys", "revoke", "a1", "--reason", "lost", db=ev.path)
    assert result.exit_code == 0, result.output
    assert ev.engine().scan(old, day=DAY1).verdict == "cancelled"
    result = run_checkin("--db", str(ev.path), "keys", "revoke", "nobody")
    assert result.returncode == 1 and result.stderr.startswith("error: no attendee")


def test_keys_list_on_station_without_key(event_db, tmp_path):
    key_path(event_db).unlink()
    result = run_checkin("--db", str(event_db), "keys", "list")
    assert result.returncode == 0 and not result.stdout.startswith("*")


def test_token_of_a_revoked_key_says_so(tmp_path):
    ev = make_event(tmp_path / "event.sqlite")
    old_token = ev.token("a1")
    keys.rotate_key(ev.store, ev.path, revoke_old=True)
    verdict = ev.engine().scan(old_token, day=DAY1)
    assert verdict.verdict == INVALID_SIGNATURE and verdict.attendee is None
    assert "was revoked" in verdict.message
    foreign = make_event(tmp_path / "other.sqlite").token("a1")
    other = ev.engine().scan(foreign, day=DAY1)
    assert other.verdict == INVALID_SIGNATURE and "does not list" in other.message


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_a_key_file_copied_with_loose_rights_is_made_owner_only(tmp_path):
    ev = make_event(tmp_path / "event.sqlite")
    path = key_path(ev.path)
    path.chmod(0o644)  # what `cp` or an unpacked archive leaves
    assert keys.load_signer(ev.store, ev.path) is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_running_engine_stops_accepting_a_key_revoked_meanwhile(tmp_path):
    ev = make_event(tmp_path / "event.sqlite")
    engine = ev.engine()  # the station app's engine lives for the whole day
    leaked = ev.token("a1")
    assert engine.scan(leaked, day=DAY1).verdict == OK
    other = Store(open_db(ev.path))  # the organiser, another process
    keys.rotate_key(other, ev.path, revoke_old=True)
    verdict = engine.scan(leaked, day=DAY2)
    assert verdict.verdict == INVALID_SIGNATURE and "was revoked" in verdict.message


def test_rotate_on_a_desk_station_without_the_key_file_is_refused(event_db, run_cli):
    key_path(event_db).unlink()  # a station: the database with its public keys, no key
    with pytest.raises(CheckinError, match="desk station"):
        run_cli("keys", "rotate")
    assert not key_path(event_db).exists()
    result = run_cli("keys", "rotate", "--new-signer")  # the organiser lost the key file
    assert result.exit_code == 0 and key_path(event_db).exists()
