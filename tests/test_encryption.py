"""Encryption at rest (docs/encryption.md): SQLCipher event databases, `checkin init
--encrypt`, `checkin encrypt` / `decrypt`, passphrase sources, the key file, the hub."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import signal
import sqlite3 as standard_sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest

from checkin import cipher, db, encryption, keys, passphrases, paths
from checkin.cli import encryption as cli_encryption
from checkin.db import open_db
from checkin.dbapi import sqlite3
from checkin.errors import CheckinError
from checkin.store import Store

ROOT = Path(__file__).resolve().parent.parent
SECRET = "correct horse battery staple"
WRONG = "incorrect horse battery"


@pytest.fixture(autouse=True)
def _no_remembered_passphrases(monkeypatch: pytest.MonkeyPatch):
    """Each test starts with nothing in this process's memory, and no keyring."""
    monkeypatch.delenv(passphrases.ENV, raising=False)
    monkeypatch.delenv(passphrases.ENV_ENCRYPT, raising=False)
    monkeypatch.setattr(passphrases, "keyring_get", lambda path: None)
    passphrases._known.clear()
    yield
    passphrases._known.clear()
    passphrases.set_prompter(None)


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in (passphrases.ENV, passphrases.ENV_ENCRYPT)}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.update(extra)
    return env


def checkin(db_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`checkin --db db_path ARGS` in its own process (nothing remembered between runs)."""
    return subprocess.run([sys.executable, "-m", "checkin", "--db", str(db_path), *args],
                          capture_output=True, text=True, env=cli_env(**env), timeout=120,
                          stdin=subprocess.DEVNULL)


def demo_names(store: Store, count: int = 20) -> list[str]:
    rows = store.db.execute("SELECT family_name FROM attendees WHERE length(family_name) >= 6 "
                            "ORDER BY id LIMIT ?", [count]).fetchall()
    return [row[0] for row in rows]


def files_of(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir())
            if p.name.startswith(path.name)}


def digest(path: Path) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in files_of(path).items()}


def make_demo(path: Path, *, encrypted: bool) -> Path:
    """The demo event (400 attendees); encrypted: with SECRET, as $CHECKIN_ENCRYPT makes it."""
    env = {passphrases.ENV: SECRET, passphrases.ENV_ENCRYPT: "1"} if encrypted else {}
    result = checkin(path, "demo", **env)
    assert result.returncode == 0, result.stderr
    assert cipher.is_encrypted(path) == encrypted
    return path


@pytest.fixture(scope="module")
def plain_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("plain") / "event.sqlite", encrypted=False)


@pytest.fixture
def plain_copy(plain_demo: Path, tmp_path: Path) -> Path:
    target = tmp_path / "event.sqlite"
    for name, data in files_of(plain_demo).items():
        (tmp_path / name).write_bytes(data)
    os.chmod(paths.key_path(target), 0o600)
    return target


# -- the layer ---------------------------------------------------------------------------


def test_checkin_imports_sqlite_only_through_the_driver_module():
    """One SQLite library per process (checkin/dbapi.py says why)."""
    offenders = []
    for file in sorted((ROOT / "checkin").rglob("*.py")):
        if file.name == "dbapi.py" and file.parent.name == "checkin":
            continue
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "sqlite3" or n.startswith("sqlite3.") for n in names):
                offenders.append(f"{file.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_plain_files_open_as_before_through_sqlcipher(db_path: Path):
    store = Store(open_db(db_path, create=True))
    store.set_event("Plain", ["2026-12-01"])
    store.close()
    assert db_path.read_bytes().startswith(cipher.PLAIN_HEADER)
    conn = standard_sqlite3.connect(db_path)  # the standard module reads it as ever
    assert conn.execute("SELECT value FROM meta WHERE key = 'event_name'").fetchone() == (
        "Plain",)
    conn.close()


# -- an encrypted database ---------------------------------------------------------------


def test_an_encrypted_database_holds_no_name_in_its_file_or_wal(tmp_path: Path):
    path = make_demo(tmp_path / "event.sqlite", encrypted=True)
    store = Store(open_db(path, passphrase=SECRET), station="desk", operator="op")
    names = demo_names(store)
    assert len(names) == 20
    # Written now, left in the WAL: a walk-in whose name is in no demo list.
    store.db.execute("PRAGMA wal_autocheckpoint = 0")
    from checkin.models import Attendee

    with store.transaction():
        store.add_attendee(Attendee(id="walkin-1", given_name="Xaverine",
                                    family_name="Quillfeather-Oyelaran"))
    wal = Path(f"{path}-wal")
    assert wal.stat().st_size > 0
    for name, data in files_of(path).items():
        for secret_text in [*names, "Quillfeather-Oyelaran", "Crypt Congress",
                            "Personalised Medicine"]:
            assert secret_text.encode("utf-8") not in data, (name, secret_text)
    assert not path.read_bytes().startswith(cipher.PLAIN_HEADER)
    # Plain SQLite cannot read it.
    conn = standard_sqlite3.connect(path)
    with pytest.raises(standard_sqlite3.DatabaseError, match="not a database"):
        conn.execute("SELECT count(*) FROM attendees").fetchone()
    conn.close()
    store.close()
    # With the passphrase it reads: the CLI lists the names.
    result = checkin(path, "attendees", "--json", **{passphrases.ENV: SECRET})
    assert result.returncode == 0, result.stderr
    listed = {row["family_name"] for row in json.loads(result.stdout)}
    assert {"Quillfeather-Oyelaran", *names} <= listed


def test_the_key_file_is_encrypted_with_the_same_passphrase(tmp_path: Path):
    path = tmp_path / "event.sqlite"
    result = checkin(path, "init", "--event", "K", "--days", "2026-12-01", "--encrypt",
                     **{passphrases.ENV: SECRET})
    assert result.returncode == 0, result.stderr
    assert "encrypted" in result.stdout
    key_file = paths.key_path(path)
    data = key_file.read_bytes()
    assert data.startswith(keys.SALT_LINE) and b"ENCRYPTED PRIVATE KEY" in data
    with pytest.raises(CheckinError, match="is encrypted"):
        keys.read_private_key(key_file)
    with pytest.raises(CheckinError, match="does not open the signing key"):
        keys.read_private_key(key_file, WRONG)
    assert keys.read_private_key(key_file, SECRET) is not None
    listed = checkin(path, "keys", "list", **{passphrases.ENV: SECRET})
    assert listed.returncode == 0 and listed.stdout.startswith("*"), listed.stdout


@pytest.mark.parametrize("args", [("attendees",), ("scan", "CK0NOTHING"), ("doctor",),
                                  ("decrypt",), ("encrypt",)])
def test_a_wrong_passphrase_is_one_line_and_changes_nothing(tmp_path: Path, args):
    path = make_demo(tmp_path / "event.sqlite", encrypted=True)
    before = digest(path)
    result = checkin(path, *args, **{passphrases.ENV: WRONG})
    assert result.returncode != 0
    if args != ("doctor",):  # the doctor's FAIL line names it on stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "passphrase" in lines[0] and "Traceback" not in result.stderr
        assert "nothing was changed" in lines[0]
    else:
        assert "passphrase" in result.stdout
    assert digest(path) == before


def test_no_passphrase_at_all_is_one_line(tmp_path: Path):
    path = make_demo(tmp_path / "event.sqlite", encrypted=True)
    before = digest(path)
    result = checkin(path, "attendees")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "CHECKIN_PASSPHRASE" in result.stderr
    assert digest(path) == before


def test_the_prompt_asks_in_a_terminal_and_gives_up_after_three_tries(
        tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch):
    path = make_demo(tmp_path / "event.sqlite", encrypted=True)
    monkeypatch.setattr(cli_encryption, "interactive", lambda: True)
    result = run_cli("attendees", "--json", db=path, input=f"{WRONG}\n{SECRET}\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Passphrase for") == 2
    passphrases._known.clear()
    with pytest.raises(cipher.WrongPassphrase, match="from the prompt"):
        run_cli("attendees", db=path, input=f"{WRONG}\n" * 3)


def test_a_new_passphrase_must_be_long_enough(tmp_path: Path):
    path = tmp_path / "event.sqlite"
    result = checkin(path, "init", "--event", "K", "--days", "2026-12-01", "--encrypt",
                     **{passphrases.ENV: "short"})
    assert result.returncode == 1 and "too short" in result.stderr
    assert not path.exists()


def test_init_encrypt_refuses_an_existing_plain_database(plain_copy: Path):
    before = digest(plain_copy)
    result = checkin(plain_copy, "init", "--event", "K", "--days", "2026-12-01", "--encrypt",
                     "--force", **{passphrases.ENV: SECRET})
    assert result.returncode == 1 and "checkin encrypt" in result.stderr
    assert digest(plain_copy) == before


def test_the_keyring_is_a_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A keyring backend in this process (no desktop session here has a real one)."""
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]
        stored: ClassVar[dict[tuple[str, str], str]] = {}

        def get_password(self, service, username):
            return self.stored.get((service, username))

        def set_password(self, service, username, password):
            self.stored[(service, username)] = password

        def delete_password(self, service, username):
            self.stored.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    monkeypatch.undo()  # the real keyring_get again (the autouse fixture replaced it)
    monkeypatch.delenv(passphrases.ENV, raising=False)
    try:
        path = make_demo(tmp_path / "event.sqlite", encrypted=False)
        passphrases.keyring_store(path, SECRET)
        outcome = encryption.encrypt(path, passphrases.for_new(path))
        assert outcome.key_file and cipher.is_encrypted(path)
        passphrases._known.clear()
        store = Store(open_db(path))  # from the keyring, nothing else
        assert store.attendee_count() == 400
        store.close()
        encryption.decrypt(path)
        assert Memory.stored == {}  # decrypt removed the entry
    finally:
        keyring.set_keyring(previous)


# -- encrypt and decrypt -------------------------------------------------------------------


def snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    store = Store(open_db(path))
    try:
        return {table: store.db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                for table in ("attendees", "events", "meta", "public_keys")}
    finally:
        store.close()


def test_encrypt_and_decrypt_round_trip(plain_copy: Path, monkeypatch: pytest.MonkeyPatch):
    before = snapshot(plain_copy)
    key_before = keys.read_private_key(paths.key_path(plain_copy))
    assert key_before is not None
    mode = plain_copy.stat().st_mode
    result = checkin(plain_copy, "encrypt", **{passphrases.ENV: SECRET})
    assert result.returncode == 0, result.stderr
    assert "the signing key file too" in result.stdout
    assert cipher.is_encrypted(plain_copy) and plain_copy.stat().st_mode == mode
    assert keys.is_encrypted_key(paths.key_path(plain_copy))
    assert not list(plain_copy.parent.glob(".*crypting-*"))
    monkeypatch.setenv(passphrases.ENV, SECRET)
    assert snapshot(plain_copy) == before
    # Again: nothing to do.
    again = checkin(plain_copy, "encrypt", **{passphrases.ENV: SECRET})
    assert again.returncode == 0 and "encrypted already" in again.stdout
    passphrases._known.clear()
    result = checkin(plain_copy, "decrypt", **{passphrases.ENV: SECRET})
    assert result.returncode == 0, result.stderr
    assert plain_copy.read_bytes().startswith(cipher.PLAIN_HEADER)
    assert not keys.is_encrypted_key(paths.key_path(plain_copy))
    key_after = keys.read_private_key(paths.key_path(plain_copy))
    assert key_after is not None and keys.public_raw(key_after) == keys.public_raw(key_before)
    monkeypatch.delenv(passphrases.ENV)
    passphrases._known.clear()
    assert snapshot(plain_copy) == before


def test_an_interrupted_encrypt_leaves_the_original(plain_copy: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    before = snapshot(plain_copy)
    key_before = paths.key_path(plain_copy).read_bytes()
    real_export = encryption._export

    written: list[int] = []

    def export_interrupted(conn, target, new_passphrase):
        def progress() -> int:
            size = target.stat().st_size if target.exists() else 0
            if size > 64 * 1024:  # part of the copy is on disk: stop it here
                written.append(size)
                return 1
            return 0

        conn.set_progress_handler(progress, 100)
        real_export(conn, target, new_passphrase)

    monkeypatch.setattr(encryption, "_export", export_interrupted)
    with pytest.raises(CheckinError, match="the database is unchanged"):
        encryption.encrypt(plain_copy, SECRET)
    assert written, "the export was not interrupted part-way"
    assert plain_copy.read_bytes().startswith(cipher.PLAIN_HEADER)
    assert paths.key_path(plain_copy).read_bytes() == key_before
    assert [p.name for p in plain_copy.parent.iterdir() if "crypting" in p.name] == []
    passphrases._known.clear()
    assert snapshot(plain_copy) == before


def test_a_copy_that_does_not_read_back_the_same_is_not_switched(
        plain_copy: Path, monkeypatch: pytest.MonkeyPatch):
    before = snapshot(plain_copy)
    real_counts = encryption._counts
    calls = [0]

    def one_row_short(conn, schema="main"):
        counts = real_counts(conn, schema)
        calls[0] += 1
        if calls[0] == 2:  # the copy's
            counts["attendees"] -= 1
        return counts

    monkeypatch.setattr(encryption, "_counts", one_row_short)
    with pytest.raises(CheckinError, match="did not read back the same"):
        encryption.encrypt(plain_copy, SECRET)
    assert not cipher.is_encrypted(plain_copy)
    assert not keys.is_encrypted_key(paths.key_path(plain_copy))
    assert snapshot(plain_copy) == before


def test_encrypt_killed_at_any_moment_leaves_one_whole_database(plain_copy: Path):
    """SIGKILL while `checkin encrypt` runs: afterwards the path holds either the plain
    original or the encrypted copy, whole, never a mix; a second run finishes the job."""
    before = snapshot(plain_copy)
    process = subprocess.Popen(
        [sys.executable, "-m", "checkin", "--db", str(plain_copy), "encrypt"],
        env=cli_env(**{passphrases.ENV: SECRET}), stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while (not list(plain_copy.parent.glob(f".{plain_copy.name}.encrypting-*"))
           and process.poll() is None and time.monotonic() < deadline):
        time.sleep(0.001)  # polling: the copy's file appearing is the moment to kill
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    passphrases._known.clear()
    if cipher.is_encrypted(plain_copy):
        store = Store(open_db(plain_copy, passphrase=SECRET))
        store.close()
    else:
        assert snapshot(plain_copy) == before
    result = checkin(plain_copy, "encrypt", **{passphrases.ENV: SECRET})
    assert result.returncode == 0, result.stderr
    assert keys.is_encrypted_key(paths.key_path(plain_copy))
    assert not list(plain_copy.parent.glob(".*crypting-*"))
    passphrases._known.clear()
    os.environ[passphrases.ENV] = SECRET
    try:
        assert snapshot(plain_copy) == before
    finally:
        del os.environ[passphrases.ENV]


def test_encrypt_is_refused_while_the_database_is_open(plain_copy: Path):
    store = Store(open_db(plain_copy))
    try:
        before = digest(plain_copy)
        with pytest.raises(CheckinError, match="open in another program"):
            encryption.encrypt(plain_copy, SECRET)
        assert not cipher.is_encrypted(plain_copy)
        assert {k: v for k, v in digest(plain_copy).items() if not k.endswith("-shm")} == {
            k: v for k, v in before.items() if not k.endswith("-shm")}
        assert store.attendee_count() == 400  # the desk goes on
    finally:
        store.close()


def test_a_plain_key_file_beside_an_encrypted_database_is_read_and_finished(
        plain_copy: Path, monkeypatch: pytest.MonkeyPatch):
    """The state an encrypt interrupted between its two switches leaves."""
    key_file = paths.key_path(plain_copy)
    plain_key = key_file.read_bytes()
    encryption.encrypt(plain_copy, SECRET)
    key_file.write_bytes(plain_key)
    passphrases._known.clear()
    monkeypatch.setenv(passphrases.ENV, SECRET)
    store = Store(open_db(plain_copy))
    assert keys.load_signer(store, plain_copy) is not None
    store.close()
    outcome = encryption.encrypt(plain_copy, None)
    assert outcome.already and outcome.key_file
    assert keys.is_encrypted_key(key_file)


def test_demo_force_keeps_an_encrypted_event_encrypted(tmp_path: Path):
    path = make_demo(tmp_path / "event.sqlite", encrypted=True)
    result = checkin(path, "demo", "--force", **{passphrases.ENV: SECRET})
    assert result.returncode == 0, result.stderr
    assert cipher.is_encrypted(path)
    backups = list(tmp_path.glob("event.replaced-*.sqlite"))
    assert len(backups) == 1 and cipher.is_encrypted(backups[0])
    assert b"Personalised" not in backups[0].read_bytes()


# -- the hub and its desks -----------------------------------------------------------------


def test_a_desk_made_from_an_encrypted_hub_is_encrypted(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch):
    from tests.hub_server import HubProcess

    hub_db = make_demo(tmp_path / "hub.sqlite", encrypted=True)
    monkeypatch.setenv(passphrases.ENV, SECRET)
    token = checkin(hub_db, "hub", "add-station", "desk-1", **{passphrases.ENV: SECRET})
    assert token.returncode == 0, token.stderr
    hub = HubProcess(hub_db, tmp_path / "hub", args=())
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    hub.start()
    try:
        desk = tmp_path / "desk.sqlite"
        desk_secret = "the desk's own passphrase"
        result = checkin(desk, "sync", "--hub", hub.url, "--token",
                         token.stdout.strip().splitlines()[-1],
                         **{passphrases.ENV: desk_secret})
        assert result.returncode == 0, result.stderr
        assert "encrypted like the hub's" in result.stdout
        assert cipher.is_encrypted(desk)
        assert b"Personalised" not in desk.read_bytes()
        store = Store(open_db(desk, passphrase=desk_secret))
        assert store.attendee_count() == 400
        store.close()
        # A plain hub makes a plain desk.
        plain_hub = make_demo(tmp_path / "plain-hub.sqlite", encrypted=False)
        token2 = checkin(plain_hub, "hub", "add-station", "desk-2")
        hub2 = HubProcess(plain_hub, tmp_path / "hub2")
        hub2.start()
        try:
            desk2 = tmp_path / "desk2.sqlite"
            result = checkin(desk2, "sync", "--hub", hub2.url, "--token",
                             token2.stdout.strip().splitlines()[-1])
            assert result.returncode == 0, result.stderr
            assert not cipher.is_encrypted(desk2)
        finally:
            hub2.stop()
    finally:
        hub.stop()


def test_wrong_passphrase_error_is_a_checkin_error_in_the_core(tmp_path: Path):
    path = make_demo(tmp_path / "event.sqlite", encrypted=True)
    with pytest.raises(cipher.WrongPassphrase):
        open_db(path, passphrase=WRONG)
    with pytest.raises(CheckinError, match="not encrypted"):
        db.connect(make_demo(tmp_path / "p.sqlite", encrypted=False), passphrase=SECRET)
    conn = db.connect(path, read_only=True, passphrase=SECRET)
    assert conn.execute("SELECT count(*) FROM attendees").fetchone()[0] == 400
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM meta")
    conn.close()


def test_damage_in_an_encrypted_file_is_damage_not_a_wrong_passphrase(tmp_path: Path):
    path = make_demo(tmp_path / "event.sqlite", encrypted=True)
    with open(path, "r+b") as handle:  # a page in the middle, overwritten
        handle.seek(4096 * 20)
        handle.write(bytes([0xA5, 0x5A]) * 2048)
    result = checkin(path, "attendees", **{passphrases.ENV: SECRET})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "is damaged" in result.stderr
    assert "passphrase" not in result.stderr


def test_no_search_index_in_the_clear_beside_an_encrypted_database(plain_copy: Path):
    """checkin.search_cache keeps the folded names in a file beside a plain database;
    `checkin encrypt` removes it and an encrypted database never gets one."""
    from checkin import search_cache

    cache = search_cache.cache_path(plain_copy)
    found = checkin(plain_copy, "attendees", "--search", "Abubakar", "--json")
    assert found.returncode == 0 and "Abubakar" in found.stdout
    assert cache.exists() and b"abubakar" in cache.read_bytes().lower()
    assert checkin(plain_copy, "encrypt", **{passphrases.ENV: SECRET}).returncode == 0
    assert not cache.exists()
    again = checkin(plain_copy, "attendees", "--search", "Abubakar", "--json",
                    **{passphrases.ENV: SECRET})
    assert again.returncode == 0 and "Abubakar" in again.stdout
    assert not cache.exists()
    assert [p.name for p in plain_copy.parent.iterdir()
            if b"Abubakar" in p.read_bytes()] == []
