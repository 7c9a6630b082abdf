"""Screenshots of the station's main states into docs/screenshots/*.png.

    python scripts/screenshots.py            # starts itself under xvfb-run if needed

Runs the real app in a real X window (Xvfb, 1280x800) on a fresh copy of the demo event:
start, each verdict, a name search, the dashboard and kiosk mode. Look at them after any
change to the screen.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from xdisplay import rerun_under_xvfb

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZE = (1280, 800)


def main() -> int:
    code = rerun_under_xvfb()
    if code is not None:
        return code
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        return shoot(Path(tmp))


def shoot(tmp: Path) -> int:
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
    window = MainWindow(station, config)
    window.resize(*SIZE)
    window.show()
    OUT.mkdir(parents=True, exist_ok=True)

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
        settle()
        (widget or window).grab().save(str(OUT / f"{name}.png"))
        print(f"wrote docs/screenshots/{name}.png")

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
    kiosk.resize(*SIZE)
    settle(600)
    grab("13-kiosk", kiosk)
    shown.clear()
    kiosk.scan_text(token[visitor.id])
    wait(lambda: bool(shown))
    grab("14-kiosk-welcome", kiosk)
    kiosk._unlocked = True
    kiosk.close()
    window.close()
    QCoreApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
