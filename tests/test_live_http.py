"""The live view over HTTP at a real hub process (tests/hub_server.py): who gets in, what
the page shows and what it never shows, what desks report with their sync, and that a
viewer changes nothing. The browser's side is tests/test_live_browser.py.
"""

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.store import default_station
from checkin.sync.client import sync_once
from checkin.sync.live.app import COOKIE
from checkin.sync.protocol import API
from tests.live_support import (
    TODAY,
    TOMORROW,
    LiveHub,
    admit,
    metrics,
    people,
    start_hub,
)

HTML = {"Accept": "text/html,application/xhtml+xml"}
UNAUTHORIZED = {"error": "unauthorized"}
PAGE_BUDGET = 200 * 1024  # bytes per page load (the limit)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    started = start_hub(tmp_path_factory.mktemp("live"))
    try:
        yield started
    finally:
        started.stop()


def plain(hub: LiveHub) -> httpx.Client:
    return httpx.Client(base_url=hub.url, trust_env=False, timeout=20)


def _counts(hub: LiveHub) -> tuple[int, ...]:
    db = hub.store.db
    return tuple(int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                 for table in ("events", "attendees", "viewers", "sync_stations"))


def test_without_a_session_every_path_answers_401(hub: LiveHub) -> None:
    desk_path, _desk = hub.desk("desk-curious")
    token = desk_path.with_name(desk_path.name + ".hub-token").read_text().strip()
    paths = ["/", f"/?day={TODAY}", "/live/part", f"/live/part?day={TODAY}",
             "/live/static/live.css", "/live/static/live.js", "/nothing", "/docs",
             "/event.sqlite", "/event.sqlite.key", "/live/static/../../event.sqlite.key"]
    cookies = [{}, {COOKIE: "x"}, {COOKIE: "A" * 43}, {COOKIE: "a" * 5000}, {COOKIE: token}]
    with plain(hub) as client:
        for jar in cookies:
            client.cookies.clear()
            for name, value in jar.items():
                client.cookies.set(name, value)
            for path in paths:
                for method in ("GET", "POST", "DELETE"):
                    answer = client.request(method, path)
                    assert answer.status_code == 401, (jar, method, path)
                    assert answer.json() == UNAUTHORIZED, (jar, path)
        # a desk's token opens the API, not the page
        answer = client.get("/", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401
        # a browser is told in words, and sees no figures
        client.cookies.clear()
        page = client.get("/", headers=HTML)
        assert page.status_code == 401 and "Not signed in" in page.text
        assert "data-metric" not in page.text and "Live Congress" not in page.text


def test_a_session_opens_the_page_but_not_the_desk_api(hub: LiveHub) -> None:
    with hub.signed_in("api-probe") as client:
        assert client.get("/").status_code == 200
        for path in (f"{API}/status", f"{API}/pull", f"{API}/openapi.json"):
            answer = client.get(path)
            assert answer.status_code == 401 and answer.json() == UNAUTHORIZED, path


def test_the_link_gives_an_httponly_strict_cookie_and_goes_on_to_the_page(hub: LiveHub
                                                                           ) -> None:
    link = hub.viewer("wall")
    with plain(hub) as client:
        answer = client.get(link)
        assert answer.status_code == 200
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # plain http: a Secure cookie would never come back
        assert 'http-equiv="refresh" content="0; url=/"' in answer.text
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
        page = client.get("/")
        assert page.status_code == 200 and "Live Congress" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        wrong = client.get(link[:-3] + "xyz", headers=HTML)
        assert wrong.status_code == 401 and "not valid" in wrong.text


def test_the_cookie_is_secure_under_tls(tmp_path) -> None:
    secure = start_hub(tmp_path / "tls", tls=("--tls-self-signed",))
    try:
        with httpx.Client(trust_env=False, timeout=20, verify=False) as client:
            answer = client.get(secure.viewer("tls-wall"))
            assert answer.status_code == 200
            assert "Secure" in answer.headers["set-cookie"]
            assert client.get(f"{secure.url}/").status_code == 200
    finally:
        secure.stop()


def test_the_key_figures_desks_and_conflicts(hub: LiveHub) -> None:
    with hub.signed_in("figures") as client:
        before = metrics(client.get(f"/?day={TODAY}").text)
        assert set(before) == {"checked-in", "expected", "conflicts", "desks-online"}
        assert before["expected"] == str(sum(1 for p in people() if TODAY in p.days))
        path_a, desk_a = hub.desk("desk-a")
        path_b, desk_b = hub.desk("desk-b")
        # both desks admit p01 before either hears of the other: a conflict
        admit(path_a, desk_a, ["p01", "p02", "p03"], printer="ready")
        admit(path_b, desk_b, ["p01", "p04"], printer="out_of_paper")
        sync_once(desk_a, path_a, printer="ready")
        page = client.get(f"/?day={TODAY}").text
        after = metrics(page)
        assert int(after["checked-in"]) == int(before["checked-in"]) + 4
        assert int(after["conflicts"]) == int(before["conflicts"]) + 1
        assert int(after["desks-online"]) >= 2
        row_a = _row(page, "desk-a")
        assert 'data-field="admissions" data-label="Admissions">3<' in row_a
        assert ">ready<" in row_a
        row_b = _row(page, "desk-b")
        assert ">out of paper<" in row_b and 'data-label="Waiting to sync">0<' in row_b
        conflicts = _part(page, "conflicts")
        assert "Given01 Family01" in conflicts and "desk-a" in conflicts \
            and "desk-b" in conflicts
        # the parts the page's script fetches say the same
        part = client.get(f"/live/part?day={TODAY}").text
        assert metrics(part) == after and "<html" not in part


def test_an_older_desk_that_reports_nothing_still_syncs(hub: LiveHub) -> None:
    path, _desk = hub.desk("desk-old")
    token = path.with_name(path.name + ".hub-token").read_text().strip()
    with httpx.Client(base_url=hub.url, trust_env=False, timeout=20,
                      headers={"Authorization": f"Bearer {token}"}) as api:
        answer = api.post(f"{API}/push", json={
            "station_time": datetime.now().astimezone().isoformat(), "events": []})
        assert answer.status_code == 200, answer.text
        for wrong in ({"printer": "READY!"}, {"waiting": -1}, {"waiting": "3"},
                      {"station_name": ""}, {"printer": "x" * 41}):
            before = _counts(hub)
            refused = api.post(f"{API}/push", json={
                "station_time": datetime.now().astimezone().isoformat(), "events": [],
                **wrong})
            assert refused.status_code == 422, wrong
            assert list(refused.json()) == ["error"] and "\n" not in refused.json()["error"]
            assert _counts(hub) == before
    with hub.signed_in("old-desk-viewer") as client:
        row = _row(client.get(f"/?day={TODAY}").text, "desk-old")
        assert row.count("not reported") == 2  # waiting and printer


def test_a_desk_the_hub_has_not_heard_from_is_said_to_be_lost(hub: LiveHub) -> None:
    path, desk = hub.desk("desk-quiet")
    sync_once(desk, path)
    quiet = (datetime.now().astimezone() - timedelta(minutes=9)).isoformat()
    with hub.signed_in("lost-watch") as client:
        online = int(metrics(client.get("/").text)["desks-online"])
        with hub.store.transaction():
            hub.store.db.execute("UPDATE sync_stations SET last_contact = ? WHERE name = ?",
                                 [quiet, "desk-quiet"])
        page = client.get("/").text
        assert int(metrics(page)["desks-online"]) == online - 1
        lost = _part(page, "lost")
        assert "The hub has lost contact with desk desk-quiet" in lost and "9 min ago" in lost
        assert "lost contact" in _row(page, "desk-quiet")
        german = client.get("/?lang=de").text
        assert "Der Hub hat den Kontakt zu Schalter desk-quiet verloren" in german


def test_personal_data_names_only_in_the_conflicts_and_no_email(hub: LiveHub) -> None:
    with hub.signed_in("privacy") as client:
        for day in (TODAY, TOMORROW):
            for lang in ("en", "de"):
                page = client.get(f"/?day={day}&lang={lang}").text
                assert "@" not in page
                conflicts = _part(page, "conflicts")
                rest = page.replace(conflicts, "")
                for person in people():
                    assert person.family_name not in rest, (day, person.id)
                    assert person.email not in page


def test_english_or_german_from_the_browser_or_the_switch(hub: LiveHub) -> None:
    with hub.signed_in("languages") as client:
        german = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})
        assert '<html lang="de">' in german.text and "Eingecheckt" in german.text
        english = client.get("/", headers={"Accept-Language": "en-GB"})
        assert '<html lang="en">' in english.text and "Checked in" in english.text
        chosen = client.get("/?lang=de", headers={"Accept-Language": "en"})
        assert "Eingecheckt" in chosen.text and "checkin_lang=de" in chosen.headers[
            "set-cookie"]
        kept = client.get("/", headers={"Accept-Language": "en"})  # the cookie is kept
        assert "Eingecheckt" in kept.text
        back = client.get("/?lang=en")
        assert "Checked in" in back.text


def test_another_day_and_a_day_that_is_not_the_events(hub: LiveHub) -> None:
    with hub.signed_in("days") as client:
        tomorrow = client.get(f"/?day={TOMORROW}").text
        assert metrics(tomorrow)["checked-in"] == "0"
        assert metrics(tomorrow)["expected"] == str(
            sum(1 for p in people() if TOMORROW in p.days))
        assert f'href="?day={TOMORROW}" aria-current="page"' in tomorrow
        for bad in ("2000-01-01", "yesterday", "<script>"):
            answer = client.get("/", params={"day": bad}, headers=HTML)
            assert answer.status_code == 400, bad
            assert "<script>" not in answer.text
            assert client.get("/live/part", params={"day": bad}).status_code == 400


def test_a_viewer_changes_nothing(hub: LiveHub) -> None:
    with hub.signed_in("read-only") as client:
        before = _counts(hub)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            for path in ("/", "/live/part", "/live/static/live.css", "/sign-in"):
                answer = client.request(method, path, json={"events": []})
                assert answer.status_code == 405, (method, path)
        assert _counts(hub) == before


def test_revoking_shuts_the_viewer_out(hub: LiveHub, run_cli) -> None:
    link = hub.viewer("revoked")
    with plain(hub) as client, plain(hub) as second:
        assert client.get(link).status_code == 200
        assert second.get(link).status_code == 200
        assert client.get("/").status_code == 200
        result = run_cli("hub", "revoke-viewer", "revoked", db=hub.path)
        assert result.exit_code == 0 and "2 open sessions ended" in result.output
        for browser in (client, second):
            assert browser.get("/").status_code == 401
            assert browser.get("/live/part").status_code == 401
        assert client.get(link).status_code == 401


def test_the_page_and_what_it_loads_stay_under_200_kb(hub: LiveHub) -> None:
    with hub.signed_in("weight") as client:
        page = client.get(f"/?day={TODAY}")
        loaded = re.findall(r'(?:href|src)="(/live/static/[^"]+)"', page.text)
        assert len(loaded) == 2
        total = len(page.content) + sum(len(client.get(url).content) for url in loaded)
        assert total < PAGE_BUDGET, total
        assert len(client.get(f"/live/part?day={TODAY}").content) < PAGE_BUDGET


def test_the_page_is_made_for_screen_readers_and_keyboards(hub: LiveHub) -> None:
    with hub.signed_in("a11y") as client:
        page = client.get(f"/?day={TODAY}").text
    assert page.count("<h1") == 1 and page.index('class="skip" href="#main"') \
        < page.index("<main")
    # every section has a heading it is labelled by; every table header says its scope
    for section in re.findall(r"<section[^>]*>", page):
        label = re.search(r'aria-labelledby="([^"]+)"', section)
        assert label and f'id="{label.group(1)}"' in page, section
    assert not re.search(r"<th(?![^>]*scope=)[\s>]", page)
    assert 'role="img" aria-label="' in page or "No arrivals yet" in page
    assert "<nav aria-label=" in page and 'aria-live="polite"' in page


def test_the_hub_tells_desks_which_fields_it_takes(hub: LiveHub) -> None:
    path, _desk = hub.desk("desk-status")
    token = path.with_name(path.name + ".hub-token").read_text().strip()
    with httpx.Client(base_url=hub.url, trust_env=False, timeout=20,
                      headers={"Authorization": f"Bearer {token}"}) as api:
        status = api.get(f"{API}/status").json()
    assert status["push_fields"] == ["printer", "waiting", "station_name"]
    row = keyed_connect(hub.path).execute(
        "SELECT event_station, waiting, printer FROM sync_stations WHERE name = ?",
        ["desk-status"]).fetchone()
    # its first sync, by the CLI: the configured station name (none here: the host's), no
    # printer known
    assert row == (default_station(), 0, None)


def _part(page: str, name: str) -> str:
    start = page.index(f'data-part="{name}"')
    start = page.rindex("<", 0, start)
    tag = page[start + 1:page.index(" ", start)]
    end = page.index(f"</{tag}>", start)
    return page[start:end]


def _row(page: str, desk: str) -> str:
    start = page.index(f'data-desk="{desk}"')
    return page[start:page.index("</tr>", start)]


def test_the_apps_background_sync_reports_what_its_print_lane_saw(hub: LiveHub,
                                                                    tmp_path) -> None:
    from checkin.config import StationConfig
    from checkin.desk import PrintContext, print_state
    from checkin.printing import reported
    from checkin.sync.background import SyncStatus, step

    path, desk = hub.desk("desk-app")
    assert reported.latest(path) is None  # no print lane yet: not reported
    config = StationConfig(station="desk-app", printer=str(tmp_path / "printed"),
                           printer_backend="pdf")
    lane = PrintContext(path, "desk-app", "op", config)
    try:
        assert print_state(lane).state == "ready"  # the print lane asks the printer
    finally:
        lane.close()
    assert reported.latest(path) == "ready"
    status = step(desk, path, SyncStatus())
    assert status.online, status.error
    row = hub.store.db.execute("SELECT printer, waiting, event_station FROM sync_stations "
                               "WHERE name = 'desk-app'").fetchone()
    assert row == ("ready", 0, "desk-app")
    # the printer goes away (a folder under a file: not even root can make it)
    (tmp_path / "a-file").write_text("")
    away = StationConfig(station="desk-app", printer=str(tmp_path / "a-file" / "printed"),
                         printer_backend="pdf")
    lane = PrintContext(path, "desk-app", "op", away)
    try:
        assert print_state(lane).state == "offline"
    finally:
        lane.close()
    step(desk, path, SyncStatus())
    with hub.signed_in("app-printer") as client:
        assert ">offline<" in _row(client.get("/").text, "desk-app")


def test_a_printer_word_the_hub_would_refuse_is_left_out_not_the_sync(hub: LiveHub) -> None:
    path, desk = hub.desk("desk-odd-printer")
    result = sync_once(desk, path, printer="Out Of Paper!")
    assert result.waiting == 0
    row = hub.store.db.execute("SELECT printer, event_station FROM sync_stations "
                               "WHERE name = 'desk-odd-printer'").fetchone()
    assert row == (None, "desk-odd-printer")


def test_admissions_made_at_the_hub_itself_get_a_row_of_their_own(hub: LiveHub) -> None:
    from checkin.admission import Engine

    office = Engine(hub.store, station="office-at-hub", operator="org")
    assert office.check_in("p13").verdict == "ok"
    with hub.signed_in("office") as client:
        page = client.get(f"/?day={TODAY}").text
    row = _row(page, "office-at-hub")
    assert "not a registered desk" in row and 'data-label="Admissions">1<' in row
    assert "lost contact" not in row  # not a desk the hub waits for
    assert "office-at-hub" not in _part(page, "lost")
