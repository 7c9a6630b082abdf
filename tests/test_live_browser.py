"""The live view in a real browser: Debian's headless Chromium driven by Selenium
(tests/live_browser.py), against a real hub process. Sign in with the link, see the
numbers, a desk syncs three admissions and the page shows them without a reload; a
revoked viewer is shut out; a request without a session gets 401. Skipped, with the
reason, where Chromium or its driver is not installed (scripts/setup.sh installs them).

The page asks the hub every 2 s (checkin.sync.live.render.EVERY_MS), so three
admissions show within about 2 s of the desk's sync; the waits here end when the page
shows them and give up only after 30 s (the machine is shared: no timing is asserted).
The page swaps its parts in place as it updates, so a part is read by a script in one
step (`text`), never as an element found first and read later (that element may be gone).
"""

from collections.abc import Iterator
from typing import Any

import pytest

from tests import live_browser
from tests.live_support import TODAY, LiveHub, admit, start_hub

WAIT = 30.0

pytestmark = pytest.mark.skipif(live_browser.missing() is not None,
                                reason=live_browser.missing() or "")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    driver = live_browser.start(1280, 900)
    try:
        yield driver
    finally:
        live_browser.quit(driver)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    started = start_hub(tmp_path_factory.mktemp("live-browser"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def page(browser: Any, hub: LiveHub) -> Any:
    """The browser without any session, and its network log read empty."""
    browser.get(f"{hub.url}/live/static/none")  # on the hub's origin: its cookies go
    browser.delete_all_cookies()
    live_browser.statuses(browser, hub.url)
    return browser


def wait_for(browser: Any, condition: Any, what: str) -> Any:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT, poll_frequency=0.2,
                         ignored_exceptions=(StaleElementReferenceException,)
                         ).until(condition, message=what)


def text(browser: Any, css: str) -> str | None:
    """The visible text of the first element css finds, or None when there is none."""
    found = browser.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css)
    return None if found is None else str(found).strip()


def metric(browser: Any, name: str) -> str:
    return text(browser, f'[data-metric="{name}"]') or ""


def test_sign_in_see_the_numbers_and_three_admissions_arrive_without_a_reload(
        page: Any, hub: LiveHub) -> None:
    from selenium.webdriver.common.by import By

    page.get(hub.viewer("browser-wall"))
    wait_for(page, lambda b: b.current_url.rstrip("/") == hub.url, "the link goes on to /")
    wait_for(page, lambda b: b.find_elements(By.CSS_SELECTOR, '[data-metric="checked-in"]'),
             "the page shows its figures")
    assert [status for url, status in live_browser.statuses(page, hub.url)
            if "/sign-in" in url or url.rstrip("/") == hub.url] == [200, 200]
    before = int(metric(page, "checked-in"))
    assert int(metric(page, "expected")) > 0
    assert metric(page, "conflicts") == "0"
    online = int(metric(page, "desks-online"))
    assert (text(page, "h1") or "").startswith("Live Congress")
    page.execute_script("window.notReloaded = true;")

    path, desk = hub.desk("desk-browser")
    admit(path, desk, ["p07", "p08", "p09"], printer="ready")

    wait_for(page, lambda b: metric(b, "checked-in") == str(before + 3),
             "three admissions shown")
    assert page.execute_script("return window.notReloaded === true;"), "the page reloaded"
    wait_for(page, lambda b: text(
        b, '[data-desk="desk-browser"] [data-field="admissions"]') == "3", "the desk's row")
    assert "ready" in (text(page, '[data-desk="desk-browser"]') or "")
    assert int(metric(page, "desks-online")) == online + 1
    assert text(page, "#connection") == ""  # no complaint


def test_a_request_without_a_session_gets_401(page: Any, hub: LiveHub) -> None:
    from selenium.webdriver.common.by import By

    page.get(f"{hub.url}/?day={TODAY}")
    assert page.find_element(By.TAG_NAME, "h1").text == "Not signed in"
    assert not page.find_elements(By.CSS_SELECTOR, "[data-metric]")
    assert (f"{hub.url}/?day={TODAY}", 401) in live_browser.statuses(page, hub.url)


def test_a_revoked_viewer_is_shut_out(page: Any, hub: LiveHub, run_cli) -> None:
    from selenium.webdriver.common.by import By

    page.get(hub.viewer("browser-phone"))
    wait_for(page, lambda b: b.find_elements(By.CSS_SELECTOR, '[data-metric="checked-in"]'),
             "signed in")
    result = run_cli("hub", "revoke-viewer", "browser-phone", db=hub.path)
    assert result.exit_code == 0, result.output
    # the open page finds out at its next update, and says so
    wait_for(page, lambda b: "Signed out" in (text(b, "#connection") or ""),
             "the open page says it was signed out")
    live_browser.statuses(page, hub.url)
    page.refresh()
    assert page.find_element(By.TAG_NAME, "h1").text == "Not signed in"
    assert (page.current_url, 401) in live_browser.statuses(page, hub.url)


def test_german_by_the_switch_and_the_keyboard_reaches_the_skip_link(page: Any,
                                                                      hub: LiveHub) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page.get(hub.viewer("browser-keys"))
    wait_for(page, lambda b: b.find_elements(By.CSS_SELECTOR, '[data-metric="checked-in"]'),
             "signed in")
    page.find_element(By.LINK_TEXT, "Deutsch").click()
    wait_for(page, lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de",
             "the page in German")
    assert "Eingecheckt" in (text(page, "main") or "")
    page.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = page.switch_to.active_element
    assert focused.get_attribute("class") == "skip" and focused.is_displayed()
    focused.send_keys(Keys.ENTER)
    assert page.current_url.endswith("#main")


def test_one_load_of_the_page_stays_under_200_kb(page: Any, hub: LiveHub) -> None:
    from selenium.webdriver.common.by import By

    page.get(hub.viewer("browser-weight"))
    wait_for(page, lambda b: b.find_elements(By.CSS_SELECTOR, '[data-metric="checked-in"]'),
             "signed in")
    page.refresh()  # a load of the page itself, not the sign-in page
    wait_for(page, lambda b: b.execute_script(
        "return document.readyState === 'complete' && "
        "performance.getEntriesByType('resource').length >= 2;"), "the page loaded")
    loaded = live_browser.page_bytes(page)
    assert 0 < loaded < 200 * 1024, loaded
