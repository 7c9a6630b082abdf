"""Signing key changes lose no key: on a disk that fills at any step, after a crash between
the database commit and the file switch, and never by adopting a stranger's key file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from checkin import keys
from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.db import open_db
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.paths import key_path
from checkin.store import Store
from tests.conftest import run_checkin
from tests.disk import PAGE, fill, small_disk, unfill

DAY = "2026-12-01"


def _new_event(path: Path) -> tuple[bytes, list[keys.KeyInfo]]:
    store = Store(open_db(path, create=True))
    store.set_event("Key Congress", [DAY])
    keys.ensure_event_key(store, path)
    listed = keys.list_keys(store)
    store.close()
    return key_path(path).read_bytes(), listed


def _clear(folder: Path) -> None:
    for item in folder.iterdir():
        item.unlink()


@pytest.mark.parametrize("revoke_old", [False, True])
def test_rotate_on_a_filling_disk_never_loses_the_signing_key(tmp_path, revoke_old):
    """A real tmpfs filled to leave 0..23 pages free: whichever write runs out of space
    (the new key file, the WAL frames of the commit), afterwards the key file signs for
    the database, and a refused rotation changed neither."""
    outcomes = set()
    with small_disk(tmp_path / "disk", "4m") as disk:
        for pages in range(24):
            _clear(disk)
            db = disk / "event.sqlite"
            old_key, old_list = _new_event(db)
            store = Store(open_db(db))
            fill(disk, leave=pages * PAGE)
            try:
                new_id: str | None = keys.rotate_key(store, db, revoke_old=revoke_old)
            except (CheckinError, sqlite3.Error) as exc:
                new_id = None
                outcomes.add("refused")
                assert isinstance(exc, CheckinError), f"{pages} pages: {exc!r}"
            else:
                outcomes.add("rotated")
            store.close()
            unfill(disk)
            store = Store(open_db(db))
            signer = keys.load_signer(store, db)  # raises if the key file is not listed
            assert signer is not None
            if new_id is None:
                assert key_path(db).read_bytes() == old_key, f"{pages} pages"
                assert keys.list_keys(store) == old_list, f"{pages} pages"
            else:
                assert signer.key_id == new_id
            assert not keys.pending_path(key_path(db)).exists()
            store.close()
    assert outcomes == {"refused", "rotated"}, "the disk must fill in the middle"


def _stage(path: Path, *, commit: bool) -> str:
    """The state a crash leaves: a new key beside the old one, committed or not."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    store = Store(open_db(path))
    key = Ed25519PrivateKey.generate()
    keys._write_exclusive(keys.pending_path(key_path(path)), key)
    key_id = keys.key_id_of(key)
    if commit:
        with store.transaction():
            keys._register(store, keys.public_raw(key))
    store.close()
    return key_id


def test_a_crash_after_the_commit_is_finished_on_the_next_run(tmp_path):
    db = tmp_path / "event.sqlite"
    _new_event(db)
    new_id = _stage(db, commit=True)
    result = run_checkin("--db", str(db), "keys", "list")
    assert result.returncode == 0, result.stderr
    marked = [line for line in result.stdout.splitlines() if line.startswith("*")]
    assert len(marked) == 1 and new_id in marked[0]
    assert not keys.pending_path(key_path(db)).exists()
    assert "completed an interrupted key change" in Path(os.environ["CHECKIN_LOG"]).read_text()


def test_a_crash_before_the_commit_keeps_the_old_key(tmp_path):
    db = tmp_path / "event.sqlite"
    old_key, _ = _new_event(db)
    _stage(db, commit=False)
    result = run_checkin("--db", str(db), "keys", "rotate")
    assert result.returncode == 0, result.stderr
    store = Store(open_db(db))
    assert len(keys.list_keys(store)) == 2  # the stray key was never listed, nor is now
    assert key_path(db).read_bytes() != old_key
    assert keys.load_signer(store, db) is not None
    store.close()


def test_init_refuses_a_key_file_left_beside_a_new_database(tmp_path):
    old_db = tmp_path / "old.sqlite"
    _new_event(old_db)
    new_db = tmp_path / "event.sqlite"
    key_path(new_db).write_bytes(key_path(old_db).read_bytes())
    key_path(new_db).chmod(0o600)
    for command in (["init", "--event", "New", "--days", DAY], ["demo"]):
        result = run_checkin("--db", str(new_db), *command)
        assert result.returncode == 1, result.stdout
        assert len(result.stderr.splitlines()) == 1 and "not this event's" in result.stderr
        assert not new_db.exists(), "nothing may be created"
    assert key_path(new_db).read_bytes() == key_path(old_db).read_bytes()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners and modes")
@pytest.mark.parametrize("how", ["other owner", "writable by others", "symlink"])
def test_a_key_file_others_control_is_refused(tmp_path, how):
    if how == "other owner" and os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    db = tmp_path / "event.sqlite"
    original, _ = _new_event(db)
    path = key_path(db)
    if how == "other owner":
        os.chown(path, 4321, 4321)
    elif how == "writable by others":
        path.chmod(0o666)
    else:
        target = tmp_path / "elsewhere.key"
        path.rename(target)
        path.symlink_to(target)
    listed = keyed_connect(db).execute("SELECT count(*) FROM public_keys").fetchone()[0]
    for command in (["keys", "rotate"], ["init", "--event", "Again", "--days", DAY, "--force"]):
        result = run_checkin("--db", str(db), *command)
        assert result.returncode == 1, (command, result.stdout)
        assert result.stderr.startswith("error: refused the signing key"), result.stderr
        assert len(result.stderr.splitlines()) == 1
    assert path.read_bytes() == original
    after = keyed_connect(db).execute("SELECT count(*) FROM public_keys").fetchone()[0]
    assert after == listed


def test_two_rotations_at_once_leave_one_working_key(tmp_path):
    db = tmp_path / "event.sqlite"
    _new_event(db)
    procs = [subprocess.Popen([sys.executable, "-m", "checkin", "--db", str(db), "keys",
                               "rotate"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(3)]
    for proc in procs:
        proc.communicate(timeout=120)
        assert proc.returncode in (0, 1)
    store = Store(open_db(db))
    assert keys.load_signer(store, db) is not None
    assert not keys.pending_path(key_path(db)).exists()
    store.close()
