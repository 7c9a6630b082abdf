"""`checkin pretix connect` against the real test pretix: one clear line for each kind of
wrong connection, nothing stored after a failed connect, the token only in a 0600 file."""

import os
import stat
from pathlib import Path

import pytest

from checkin.db import open_db
from checkin.pretix import connection, status
from checkin.store import Store
from tests.conftest import LOG_FILE, run_checkin
from tests.pretix_server import PretixServer

pytestmark = pytest.mark.pretix


def connect_args(server: PretixServer, db: Path, **changes: object) -> list[str]:
    options = {"url": server.url, "organizer": server.organizer, "event": server.event,
               "list": server.list_id, "token": server.token, **changes}
    args = ["--db", str(db), "pretix", "connect"]
    for key, value in options.items():
        args += [f"--{key}", str(value)]
    return args


@pytest.mark.parametrize(("changes", "words"), [
    ({"token": "wrong" * 8}, "refused the API token"),
    ({"organizer": "no-such-organizer"}, "no organizer no-such-organizer"),
    ({"event": "no-such-event"}, "no event no-such-event"),
    ({"list": 99999}, "no check-in list 99999"),
    ({"url": "http://127.0.0.1:9"}, "unavailable: connection refused"),
    ({"url": "http://127.0.0.1:{port}/nothing-here"}, "does not answer like pretix"),
])
def test_a_wrong_connection_is_one_line_and_stores_nothing(
        pretix_server: PretixServer, tmp_path: Path, changes: dict[str, object],
        words: str) -> None:
    if "url" in changes:
        changes = {"url": str(changes["url"]).format(port=pretix_server.port)}
    db = tmp_path / "event.sqlite"
    result = run_checkin(*connect_args(pretix_server, db, **changes))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert words in lines[0]
    # Nothing stored: no database made, no token file.
    assert not db.exists()
    assert not connection.token_path(db).exists()


def test_a_failed_connect_leaves_an_existing_database_as_it_was(
        pretix_server: PretixServer, event_db: Path) -> None:
    before = event_db.read_bytes()
    result = run_checkin(*connect_args(pretix_server, event_db, list=424242))
    assert result.returncode == 1
    assert "no check-in list 424242" in result.stderr
    assert not connection.token_path(event_db).exists()
    store = Store(open_db(event_db))
    assert not connection.connected(store)
    store.close()
    assert event_db.read_bytes() == before


def test_connect_stores_the_connection_and_keeps_the_token_out_of_the_database(
        pretix_server: PretixServer, event_db: Path) -> None:
    result = run_checkin(*connect_args(pretix_server, event_db))
    assert result.returncode == 0, result.stderr
    assert "check-in list 'Main entrance'" in result.stdout
    token_file = connection.token_path(event_db)
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    assert token_file.read_text().strip() == pretix_server.token
    store = Store(open_db(event_db))
    state = status(store, event_db)
    store.close()
    assert state.connection is not None
    assert (state.connection.organizer, state.connection.list_id) == (
        pretix_server.organizer, pretix_server.list_id)
    for path in (event_db, event_db.with_name(event_db.name + "-wal")):
        if path.exists():
            assert pretix_server.token.encode() not in path.read_bytes()
    assert pretix_server.token not in Path(LOG_FILE).read_text(errors="replace")
    status_out = run_checkin("--db", str(event_db), "pretix", "status")
    assert status_out.returncode == 0
    assert pretix_server.token not in status_out.stdout


def test_pull_without_a_connection_says_so(event_db: Path) -> None:
    result = run_checkin("--db", str(event_db), "pretix", "pull")
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: not connected to pretix (run `checkin pretix "
                                     "connect` first)")
