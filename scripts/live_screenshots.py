"""Screenshots of the organiser's live view into docs/screenshots/live-*.png.

    python scripts/live_screenshots.py

A real hub on 127.0.0.1 serving the demo event after a morning at three desks
(tests/live_scene.py), a viewer signed in with its link, and Debian's headless Chromium
(tests/live_browser.py): a phone (360 px wide, the whole page) and a 1080p wall screen,
each in English and German. Look at them after any change to the page.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import live_browser  # noqa: E402
from tests.live_scene import Scene  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SHOTS = {  # name -> (width, height or None for the whole page, language)
    "live-phone.png": (360, None, "en"),
    "live-phone-de.png": (360, None, "de"),
    "live-wall.png": (1920, 1080, "en"),
    "live-wall-de.png": (1920, 1080, "de"),
}


def main() -> int:
    reason = live_browser.missing()
    if reason:
        print(f"live screenshots: {reason}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="checkin-live-") as folder:
        scene = Scene.build(Path(folder))
        driver = live_browser.start(1920, 1080)
        try:
            driver.get(scene.link)
            for name, (width, height, lang) in SHOTS.items():
                driver.set_window_size(width, height or 900)
                driver.get(f"{scene.hub.url}/?day={scene.day}&lang={lang}")
                live_browser.screenshot(driver, OUT / name, width, height)
                print(f"live screenshots: {OUT / name}")
        finally:
            live_browser.quit(driver)
            scene.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
