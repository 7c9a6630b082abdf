"""The live view's viewer accounts and texts, without a server: links, sessions,
revocation, the `checkin hub add-viewer / revoke-viewer / viewers` commands, and the
English and German strings (assets/live/strings.toml).
"""

import hashlib
import json
import re
import string
import tomllib

import pytest

from checkin import resources
from checkin.errors import CheckinError
from checkin.sync.live import viewers
from checkin.sync.live.texts import choose, country_name, languages, texts
from tests.conftest import run_checkin
from tests.live_support import make_live_event


@pytest.fixture
def store(db_path):
    store = make_live_event(db_path)
    yield store
    store.db.conn.close()


def test_a_link_token_is_stored_only_as_its_hash(store, db_path) -> None:
    token = viewers.add_viewer(store, "wall")
    assert len(token) >= 43  # 256 bits
    row = store.db.execute("SELECT token_sha256 FROM viewers WHERE name = 'wall'").fetchone()
    assert row[0] == hashlib.sha256(token.encode()).hexdigest()
    session = viewers.sign_in(store, token)
    assert session is not None and session.viewer == "wall"
    stored = store.db.execute("SELECT session_sha256 FROM viewer_sessions").fetchall()
    assert stored == [(hashlib.sha256(session.cookie.encode()).hexdigest(),)]
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = db_path.read_bytes()
    assert token.encode() not in raw and session.cookie.encode() not in raw


def test_the_link_stays_valid_and_each_opening_is_a_session_of_its_own(store) -> None:
    token = viewers.add_viewer(store, "phone")
    first, second = viewers.sign_in(store, token), viewers.sign_in(store, token)
    assert first is not None and second is not None and first.cookie != second.cookie
    assert viewers.viewer_of(store, first.cookie) == "phone"
    assert viewers.viewer_of(store, second.cookie) == "phone"
    [info] = viewers.viewers(store)
    assert info.sessions == 2 and info.last_sign_in is not None and info.revoked_at is None


def test_wrong_tokens_and_cookies_sign_nobody_in(store) -> None:
    token = viewers.add_viewer(store, "wall")
    for wrong in ("", " ", token[:-1], token + "x", "x" * 5000,
                  hashlib.sha256(token.encode()).hexdigest()):
        assert viewers.sign_in(store, wrong) is None, wrong
        assert viewers.viewer_of(store, wrong) is None, wrong
    assert viewers.viewer_of(store, token) is None  # the link is not a session
    assert store.db.execute("SELECT count(*) FROM viewer_sessions").fetchone()[0] == 0


def test_revoking_ends_the_link_and_every_session(store) -> None:
    token = viewers.add_viewer(store, "wall")
    other = viewers.sign_in(store, viewers.add_viewer(store, "phone"))
    sessions = [viewers.sign_in(store, token) for _ in range(3)]
    assert viewers.revoke_viewer(store, "wall") == 3
    assert viewers.sign_in(store, token) is None
    assert all(viewers.viewer_of(store, s.cookie) is None for s in sessions if s)
    assert other is not None and viewers.viewer_of(store, other.cookie) == "phone"
    with pytest.raises(CheckinError, match="already revoked"):
        viewers.revoke_viewer(store, "wall")
    with pytest.raises(CheckinError, match="no viewer named 'nobody'"):
        viewers.revoke_viewer(store, "nobody")


def test_a_revoked_name_gets_a_new_link_and_the_old_one_stays_dead(store) -> None:
    old = viewers.add_viewer(store, "wall")
    with pytest.raises(CheckinError, match="already exists"):
        viewers.add_viewer(store, "wall")
    viewers.revoke_viewer(store, "wall")
    new = viewers.add_viewer(store, "wall")
    assert viewers.sign_in(store, old) is None
    assert viewers.sign_in(store, new) is not None


def test_a_viewer_keeps_only_its_newest_sessions(store) -> None:
    token = viewers.add_viewer(store, "wall")
    opened = [viewers.sign_in(store, token) for _ in range(viewers.MAX_SESSIONS + 5)]
    live = [s for s in opened if s and viewers.viewer_of(store, s.cookie)]
    assert len(live) == viewers.MAX_SESSIONS
    assert opened[-1] in live


@pytest.mark.parametrize("name", ["", " ", "-wall", "a/b", "x" * 65, "wall\n2", "ünï"])
def test_a_name_that_is_not_valid_is_one_line(store, name) -> None:
    with pytest.raises(CheckinError) as caught:
        viewers.add_viewer(store, name)
    assert "\n" not in str(caught.value) and "is not a viewer name" in str(caught.value)
    assert viewers.viewers(store) == []


# -- the commands ----------------------------------------------------------------------------


def test_add_viewer_prints_the_link_alone_on_the_last_line(store, db_path, run_cli) -> None:
    result = run_cli("hub", "add-viewer", "wall", "--url", "http://192.0.2.7:8765", db=db_path)
    assert result.exit_code == 0, result.output
    last = result.output.rstrip("\n").splitlines()[-1]
    match = re.fullmatch(r"http://192\.0\.2\.7:8765/sign-in\?token=([A-Za-z0-9_-]{43})", last)
    assert match, last
    session = viewers.sign_in(store, match.group(1))
    assert session is not None and session.viewer == "wall"
    again = run_checkin("--db", str(db_path), "hub", "add-viewer", "wall")
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.count("\n") == 1 and "already exists" in again.stderr


def test_revoke_viewer_and_the_list(store, db_path, run_cli) -> None:
    viewers.sign_in(store, viewers.add_viewer(store, "wall"))
    viewers.add_viewer(store, "phone")
    result = run_cli("hub", "revoke-viewer", "wall", db=db_path)
    assert result.exit_code == 0, result.output
    assert "viewer 'wall' revoked" in result.output and "1 open session ended" in result.output
    listed = json.loads(run_cli("hub", "viewers", "--json", db=db_path).output)
    assert [(v["name"], v["revoked_at"] is not None, v["sessions"]) for v in listed] == [
        ("phone", False, 0), ("wall", True, 0)]
    table = run_cli("hub", "viewers", db=db_path).output
    assert "revoked" in table and "never" in table
    missing = run_checkin("--db", str(db_path), "hub", "revoke-viewer", "nobody")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1


def test_add_viewer_refuses_a_database_without_an_event(tmp_path) -> None:
    result = run_checkin("--db", str(tmp_path / "none.sqlite"), "hub", "add-viewer", "wall")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


# -- texts -----------------------------------------------------------------------------------


def test_english_and_german_have_the_same_keys_and_placeholders() -> None:
    with open(resources.assets() / "live" / "strings.toml", "rb") as handle:
        table = tomllib.load(handle)
    assert set(table) == {"en", "de"} and languages() == ["en", "de"]
    assert set(table["en"]) == set(table["de"])
    names = string.Formatter()
    for key, english in table["en"].items():
        placeholders = {f for _, f, _, _ in names.parse(english) if f}
        assert placeholders == {f for _, f, _, _ in names.parse(table["de"][key]) if f}, key


def test_every_text_the_templates_use_is_there() -> None:
    used = set()
    for template in (resources.assets() / "live" / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\.([a-z_]+)\b", text)) - {"fmt", "around", "lang", "get"}
        used |= set(re.findall(r't\.(?:fmt|around)\("([a-z_]+)"', text))
    for lang in languages():
        assert used <= set(texts(lang).words), sorted(used - set(texts(lang).words))


@pytest.mark.parametrize(("asked", "remembered", "header", "expected"), [
    (None, None, "", "en"),
    (None, None, "de-DE,de;q=0.9,en;q=0.8", "de"),
    (None, None, "fr-FR, de-AT;q=0.5, en;q=0.4", "de"),
    (None, None, "en;q=0.3, de;q=0.7", "de"),
    (None, None, "de;q=0, en", "en"),
    (None, None, "fr, es", "en"),
    (None, None, "garbage;;q=x,,", "en"),
    (None, "de", "en", "de"),
    ("en", "de", "de", "en"),
    ("xx", None, "de", "de"),
])
def test_the_language_is_chosen_by_link_cookie_then_browser(asked, remembered, header,
                                                          expected) -> None:
    assert choose(asked, remembered, header) == expected


def test_country_names_in_both_languages() -> None:
    assert country_name("DE", "en") == "Germany"
    assert country_name("DE", "de") == "Deutschland"
    assert country_name("XK", "de") in ("XK", "Kosovo")
    assert country_name("Q1", "en") == "Q1"
