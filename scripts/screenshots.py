"""Screenshots of the station's main states into docs/screenshots/*.png.

    python scripts/screenshots.py                  # every screen below, each its own Xvfb
    python scripts/screenshots.py --size 1024x600  # one screen (on $DISPLAY if set)

Runs the real app in a real X window (Xvfb, no window manager) on a fresh copy of the
demo event: start, each verdict, a name search, the dashboard and kiosk mode. The window
places itself on the screen as the app does (MainWindow.place_on_screen). 1280x800 is the
full set in docs/screenshots/; the other screens (a 1024x600 netbook, a 1366x768 laptop,
1920x1080, and 1920x1080 at 150 % scaling) get the desk's main states in
docs/screenshots/<size>/. Look at them after any change to the screen.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from xdisplay import run_under_xvfb

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
FULL = "1280x800"
# screen -> QT_SCALE_FACTOR
SCREENS = {FULL: "1", "1024x600": "1", "1366x768": "1", "1920x1080": "1",
           "1920x1080@1.5": "1.5"}
# the states shot on every screen besides FULL
SUBSET = ("01-start", "02-ok", "03-already-checked-in", "05-not-registered-today",
          "07-forged", "09-search", "14-kiosk-welcome")


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["--size"] and len(args) == 2:
        if not os.environ.get("DISPLAY"):
            return run_under_xvfb([sys.executable, __file__, *args],
                                  args[1].split("@")[0] + "x24", env=_env(args[1]))
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        sys.path.insert(0, str(ROOT))
        with tempfile.TemporaryDirectory() as tmp:
            return shoot(Path(tmp), args[1])
    if args:
        print(__doc__, file=sys.stderr)
        return 2
    for screen in SCREENS:
        code = run_under_xvfb([sys.executable, __file__, "--size", screen],
                              screen.split("@")[0] + "x24", env=_env(screen))
        if code:
            return code
    return 0


def _env(screen: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["QT_SCALE_FACTOR"] = SCREENS.get(screen, "1")
    return env


def shoot(tmp: Path, screen: str) -> int:
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from checkin import keys
    from checkin.config import StationConfig
    from checkin.db import open_db
    from checkin.demo import create_demo
    from checkin.store import CHECKIN, Store, today
    from ui import qtlog
    from ui.app import install_language, register_fonts
    from ui.earlyinit import early_init, start_gui_services
    from ui.main_window import MainWindow
    from ui.services import Station

    early_init()
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "cfg")
    db_path = tmp / "event.sqlite"
    store = Store(open_db(db_path, create=True), station="Desk 3", operator="Jonas")
    create_demo(store)
    keys.ensure_event_key(store, db_path)
    signer = keys.load_signer(store, db_path)
    assert signer is not None
    people = store.all_attendees()
    day = today()
    ok = next(p for p in people if p.status == "confirmed" and not p.days and p.notes
              and p.organisation and not p.badge_name)
    cjk = next(p for p in people if p.status == "confirmed" and not p.days
               and p.name_order == "family_first" and p.country in ("CN", "JP", "KR"))
    already = next(p for p in people if p.status == "confirmed" and not p.days
                   and p.country == "BR")
    cancelled = next(p for p in people if p.status == "cancelled")
    visitor = next(p for p in people if p.status == "confirmed" and not p.days
                   and p.country in ("GR", "EG", "SA", "IL", "IN", "TH", "RU", "UA", "GE"))
    not_today = next(p for p in people if p.status == "confirmed" and p.days
                     and day not in p.days)
    with store.transaction():
        earlier = (datetime.now().astimezone() - timedelta(minutes=23)).isoformat(
            timespec="milliseconds")
        store.append(CHECKIN, already.id, day=day, time=earlier,
                     payload={"method": "scan"})
    token = {p.id: signer.sign(p.ref) for p in (ok, cjk, already, cancelled, not_today, visitor)}
    forged = token[ok.id][:-3] + ("AAA" if not token[ok.id].endswith("AAA") else "BBB")
    store.db.conn.close()

    app = QApplication([sys.argv[0]])
    start_gui_services(app)
    app.setApplicationName("checkin-station")
    qtlog.silence_categories()
    register_fonts()
    config = StationConfig(station="Desk 1", operator="Mia", printer=str(tmp / "printed"),
                           printer_backend="pdf", layout="a6", camera_enabled=True,
                           sound=False, language="en", kiosk_pin="2468")
    install_language(app, "en")
    qtlog.load_multimedia()
    station = Station(db_path, config, tmp / "station.toml")
    window = MainWindow(station, config)  # places itself on the screen
    window.show()
    out = OUT if screen == FULL else OUT / screen.replace("@", "-at-")
    out.mkdir(parents=True, exist_ok=True)

    def wait(condition, timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise RuntimeError("screenshots: timed out waiting for the app")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    def settle(ms: int = 400) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def grab(name: str, widget=None) -> None:
        if screen != FULL and name not in SUBSET:
            return
        settle()
        path = out / f"{name}.png"
        (widget or window).grab().save(str(path))
        print(f"wrote {path.relative_to(ROOT)}")

    shown: list = []
    window.outcomeShown.connect(shown.append)

    def scan(text: str, kind: str | None = None) -> None:
        shown.clear()
        window.scan.clear()
        field = window.scan.field
        field.setText(text)
        field.selectAll()
        window.scan.field.returnPressed.emit()
        wait(lambda: bool(shown) and (kind is None or shown[-1].kind == kind))

    station.open()
    wait(lambda: station.ready)
    wait(lambda: bool(station.print_state.backend))
    grab("01-start")
    scan(token[ok.id], "ok")
    wait(lambda: station.print_state.done >= 1)
    grab("02-ok")
    scan(token[already.id], "already_checked_in")
    grab("03-already-checked-in")
    scan(token[cancelled.id], "cancelled")
    grab("04-cancelled")
    scan(token[not_today.id], "not_registered_today")
    grab("05-not-registered-today")
    scan("ORDER-ZZ9Q7", "unknown")
    grab("06-unknown")
    scan(forged, "invalid_signature")
    grab("07-forged")
    scan(token[cjk.id], "ok")
    grab("08-ok-cjk")
    # a typed name: results on each keystroke, then Down to preview the person
    window.scan.clear()
    query = ok.family_name[:4].lower()
    window.scan.field.setText(query)
    window.scan.field.textEdited.emit(query)
    wait(lambda: bool(window.scan.hits()))
    shown.clear()
    window.scan.choose(0)
    wait(lambda: bool(shown))
    grab("09-search")
    window.show_tab(2)
    wait(lambda: window.dashboard is not None)
    settle(1500)
    grab("10-dashboard")
    window.show_tab(1)
    settle(1500)
    grab("11-attendees")
    window.show_tab(0)
    window.set_language("de", save=False)
    scan(token[cancelled.id], "cancelled")
    settle(300)
    grab("12-cancelled-german")
    window.set_language("en", save=False)
    window.act_kiosk.trigger()
    kiosk = window.kiosk
    settle(600)
    grab("13-kiosk", kiosk)
    shown.clear()
    kiosk.scan_text(token[visitor.id])
    wait(lambda: bool(shown))
    grab("14-kiosk-welcome", kiosk)
    kiosk._unlocked = True
    kiosk.close()
    if screen == FULL:
        more_screens(window, station, config, people, wait, grab)
    window.confirm_quit = False
    window.close()
    QCoreApplication.processEvents()
    return 0


def more_screens(window, station, config, people, wait, grab) -> None:
    """The first-start dialog, and the print queue with badges waiting for a printer
    that is away."""
    from dataclasses import replace

    from ui import print_backend_qt

    window.first_run()
    wait(lambda: window.dialog is not None)
    grab("15-first-start", window.dialog)
    window.dialog.reject()
    wait(lambda: window.dialog is None)
    print_backend_qt.register()
    window.apply_config(replace(config, printer_backend="qt", printer="Front desk Zebra"))
    waiting = [p for p in people if p.status == "confirmed" and not p.days][40:43]
    for person in waiting:
        station.check_in(person.id)
    wait(lambda: station.print_state.queued >= len(waiting), 30.0)
    window.show_print_queue()
    wait(lambda: window.dialog is not None and len(window.dialog.entries) == len(waiting))
    window.dialog.resize(900, 360)
    grab("16-print-queue", window.dialog)
    window.dialog.reject()
    wait(lambda: window.dialog is None)


if __name__ == "__main__":
    sys.exit(main())
