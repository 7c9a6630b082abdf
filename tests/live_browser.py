"""A real Chromium for the live view's tests and screenshots: Debian's `chromium` and
`chromium-driver` (scripts/setup.sh installs them), driven by Selenium. Nothing is
downloaded: the browser and its driver are named by path.

    reason = missing()            # why there is no browser here, or None
    driver = start(width, height) # headless, a fresh profile, network log on
    statuses(driver, "/live/")    # HTTP statuses the page has seen, from the network log
    driver.quit()
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")


def missing() -> str | None:
    if not CHROMIUM.exists() or not DRIVER.exists():
        return (f"no {CHROMIUM} and {DRIVER} (Debian's chromium and chromium-driver: "
                "scripts/setup.sh installs them)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


def start(width: int = 1280, height: int = 900, *, lang: str = "en-GB") -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="checkin-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--hide-scrollbars",
                 f"--user-data-dir={profile}", f"--window-size={width},{height}",
                 f"--lang={lang}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(executable_path=str(DRIVER))
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except BaseException:
        shutil.rmtree(profile, ignore_errors=True)
        raise
    driver.profile_dir = profile
    return driver


def quit(driver: Any) -> None:
    try:
        driver.quit()
    finally:
        shutil.rmtree(driver.profile_dir, ignore_errors=True)


def statuses(driver: Any, path_part: str) -> list[tuple[str, int]]:
    """(url, HTTP status) of every response since the last call whose URL holds
    path_part, in order (Chromium's network log, read and emptied)."""
    found = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.responseReceived":
            continue
        response = message["params"]["response"]
        if path_part in response["url"]:
            found.append((response["url"], int(response["status"])))
    return found


def page_bytes(driver: Any) -> int:
    """Bytes the page's load transferred (document, style sheet, script, ...), as the
    browser's Resource Timing counts them (encoded body sizes: what crossed the wire)."""
    return int(driver.execute_script(
        "var nav = performance.getEntriesByType('navigation')[0];"
        "var total = nav.encodedBodySize + (nav.transferSize - nav.encodedBodySize > 0 ?"
        " nav.transferSize - nav.encodedBodySize : 0);"
        "performance.getEntriesByType('resource').forEach(function (r) {"
        "  total += r.encodedBodySize; });"
        "return total;"))


def screenshot(driver: Any, path: Path, width: int, height: int | None = None) -> None:
    """A PNG of the page at width; height None: the whole page, however long."""
    if height is None:
        height = int(driver.execute_script(
            "return Math.ceil(document.documentElement.scrollHeight)"))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    try:
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    import base64

    path.write_bytes(base64.b64decode(shot["data"]))
