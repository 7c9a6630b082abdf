"""The desk driven by real X key events, as an operator and a handheld scanner would.

    python scripts/keyboard_check.py     # starts itself under xvfb-run; needs xdotool

pytest-qt sends key events straight to a widget; this sends them through an X server
(Xvfb, no window manager), with the Shift presses, timestamps and focus changes a real
keyboard and a USB scanner produce. Each step is checked; the exit code says whether
all held. Found two defects the offscreen tests could not see: a scanner's Shift ended
its burst, and nothing had the focus after a dialog closed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xdisplay import rerun_under_xvfb

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    if not shutil.which("xdotool"):
        print("error: needs xdotool (Debian: apt-get install xdotool)", file=sys.stderr)
        return 1
    code = rerun_under_xvfb()
    if code is not None:
        return code
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "cfg")
        return check(Path(tmp))


def check(tmp: Path) -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from checkin import keys
    from checkin.config import StationConfig
    from checkin.db import open_db
    from checkin.demo import create_demo
    from checkin.store import Store
    from ui import qtlog
    from ui.earlyinit import early_init, start_gui_services
    from ui.main_window import MainWindow
    from ui.services import Station

    early_init()
    db_path = tmp / "event.sqlite"
    store = Store(open_db(db_path, create=True), station="setup")
    create_demo(store)
    keys.ensure_event_key(store, db_path)
    signer = keys.load_signer(store, db_path)
    assert signer is not None
    people = [p for p in store.all_attendees() if p.status == "confirmed" and not p.days]
    first, second = people[5], people[9]
    # someone whose family name is theirs alone and typeable: found by typing it
    families = [p.family_name.lower() for p in people]
    third = next(p for p in people[20:] if p.family_name.isascii() and p.family_name.isalpha()
                 and len(p.family_name) >= 5 and families.count(p.family_name.lower()) == 1)
    fourth = people[30]
    token = {p.id: signer.sign(p.ref) for p in (first, second, fourth)}
    store.db.conn.close()

    def badges(attendee_id: str) -> int:
        from checkin.store import BADGE_PRINTED

        reader = Store(open_db(db_path))
        try:
            return len(reader.events(attendee_id, types=(BADGE_PRINTED,)))
        finally:
            reader.db.conn.close()

    app = QApplication([sys.argv[0]])
    start_gui_services(app)
    config = StationConfig(station="Desk 1", operator="Mia", printer=str(tmp / "printed"),
                           printer_backend="pdf", layout="a6", camera_enabled=False,
                           sound=False, language="en", kiosk_pin="2468")
    qtlog.load_multimedia()
    station = Station(db_path, config, tmp / "station.toml")
    window = MainWindow(station, config)  # places itself on the screen
    window.show()
    window.activateWindow()
    shown: list = []
    window.outcomeShown.connect(shown.append)
    failures: list[str] = []

    def wait(condition, timeout: float = 20.0) -> bool:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                return False
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return True

    def settle(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def xdo(*args: str) -> None:
        process = subprocess.Popen(["xdotool", *args])
        wait(lambda: process.poll() is not None)

    def type_slowly(text: str) -> None:  # a person: ~120 ms a key
        xdo("type", "--delay", "120", text)

    def scanner(text: str) -> None:  # a USB scanner: a few ms a key, then Enter at once
        # one xdotool process for the code and its Enter (a second process would put tens
        # of ms before the Enter, which no scanner does); `type` cannot end with Return
        names = {"-": "minus", ".": "period", "/": "slash", ":": "colon"}
        xdo("key", "--delay", "3", *[names.get(ch, ch) for ch in text], "Return")

    def expect(what: str, ok: bool) -> None:
        print(("ok    " if ok else "FAIL  ") + what, flush=True)
        if not ok and os.environ.get("KC_DEBUG"):
            print("   last:", [(o.kind, o.input[:30]) for o in shown[-3:]], flush=True)
        if not ok:
            failures.append(what)

    def answered(*kinds: str) -> bool:
        return wait(lambda: any(o.kind in kinds for o in shown))

    def dialog_up() -> bool:  # open and active: the next key goes to it (as one waits to see it)
        return wait(lambda: window.dialog is not None
                    and QApplication.activeWindow() is window.dialog, 5.0)

    def field_has_focus() -> bool:
        return wait(lambda: QApplication.focusWidget() is window.scan.field, 3.0)

    station.open()
    expect("the event opens", wait(lambda: station.ready))
    settle(300)
    expect("the scan field has the focus at start", field_has_focus())

    type_slowly(first.family_name[:4])
    expect("a typed name lists matches", wait(lambda: bool(window.scan.hits()), 5.0))
    shown.clear()
    scanner(token[first.id])
    expect("a scan typed behind the name admits the scanned person",
           answered("ok") and shown[-1].attendee.id == first.id)

    xdo("key", "ctrl+l")
    expect("Ctrl+L: the list's find field has the focus",
           wait(lambda: window.attendees is not None
                and QApplication.focusWidget() is window.attendees.search, 5.0))
    type_slowly("Mue")
    shown.clear()
    scanner(token[second.id])
    expect("a scan on the list tab is admitted at the desk",
           answered("ok") and shown[-1].attendee.id == second.id
           and window.tabs.currentIndex() == 0)
    expect("... and the list's filter keeps the typed text",
           window.attendees.search.text() == "Mue")
    expect("... and the scan field has the focus again", field_has_focus())

    shown.clear()
    xdo("key", "ctrl+z")
    expect("Ctrl+Z opens the undo dialog", dialog_up())
    xdo("key", "Return")
    expect("Enter confirms the undo", answered("undone"))
    expect("the scan field has the focus after the dialog", field_has_focus())
    shown.clear()
    xdo("key", "ctrl+Return")
    expect("Ctrl+Return checks the person in again", answered("ok"))
    xdo("key", "F5")
    expect("F5 on a printed badge asks why", dialog_up())
    done = station.print_state.done
    xdo("key", "Down")
    xdo("key", "Return")
    expect("a reason and Enter reprint the badge",
           wait(lambda: station.print_state.done > done, 20.0))
    expect("the scan field has the focus after the reprint", field_has_focus())

    # a typed name, then F5: for the person chosen in the list, not the last card's
    printed_before = badges(first.id)
    type_slowly(third.family_name.lower())
    expect("a typed name leaves the last card: nobody selected until chosen",
           wait(lambda: window.card.kind == "matches" and window.current is None, 5.0))
    xdo("key", "F5")
    settle(300)
    expect("... F5 then prints nobody's badge (not the last card's person)",
           window.dialog is None and badges(first.id) == printed_before)
    shown.clear()
    xdo("key", "Down", "F5")  # chosen, and F5 at once, before the card is up
    expect("Down then F5 prints the badge of the person chosen in the list",
           wait(lambda: badges(third.id) == 1, 20.0)
           and window.current is not None and window.current.attendee.id == third.id)
    expect("... and no other badge", badges(first.id) == printed_before)

    # the walk-in form: a person typing at 80 ms a key keeps every letter and their Enter
    xdo("key", "ctrl+n")
    expect("Ctrl+N opens the walk-in form", dialog_up())
    dialog = window.dialog
    expect("... with the focus in the given name",
           wait(lambda: QApplication.focusWidget() is dialog.given, 3.0))
    xdo("type", "--delay", "80", "Konstantinos")
    xdo("key", "Tab")
    xdo("type", "--delay", "80", "Papadopoulos")
    expect("slow typing in the walk-in form is kept (not taken for a scanner)",
           wait(lambda: dialog.family.text() == "Papadopoulos", 5.0)
           and dialog.given.text() == "Konstantinos")
    shown.clear()
    xdo("key", "Return")
    expect("... and Enter registers the walk-in", answered("created")
           and shown[-1].attendee.display_name == "Konstantinos Papadopoulos")
    expect("the scan field has the focus after the walk-in", field_has_focus())

    # a scanner firing while a menu is open: scanned, not menu letters (the File menu's
    # Q would quit the station)
    xdo("key", "alt+f")
    expect("Alt+F opens the File menu",
           wait(lambda: QApplication.activePopupWidget() is window.menu_file, 5.0))
    shown.clear()
    scanner(token[fourth.id])
    expect("a scan while a menu is open is admitted and the menu closes",
           answered("ok") and shown[-1].attendee.id == fourth.id
           and QApplication.activePopupWidget() is None)
    expect("... and the status bar says so",
           "menu was open" in window.statusBar().currentMessage())

    xdo("key", "ctrl+k")
    expect("Ctrl+K opens the kiosk, full screen",
           wait(lambda: window.kiosk is not None and window.kiosk.isFullScreen(), 5.0))
    kiosk = window.kiosk
    if kiosk is None:
        print(f"{len(failures)} of the checks failed (no kiosk: stopped there)")
        return 1
    screen = kiosk.screen().geometry()
    expect("the kiosk covers the whole screen without a window manager",
           wait(lambda: kiosk.geometry() == screen, 5.0))
    expect("... and its field has the keyboard",
           wait(lambda: QApplication.focusWidget() is kiosk.field, 5.0))
    shown.clear()
    scanner(token[first.id])
    expect("a scan in the kiosk answers there", answered("already_checked_in", "ok")
           and kiosk.state in ("again", "welcome"))
    xdo("key", "Escape")
    expect("Escape asks for the PIN", wait(lambda: kiosk.pin_panel.isVisible(), 3.0))
    type_slowly("0000")
    xdo("key", "Return")
    settle(300)
    expect("a wrong PIN stays in the kiosk", window.kiosk is kiosk)
    xdo("key", "alt+F4")
    settle(300)
    expect("Alt+F4 does not leave the kiosk", window.kiosk is kiosk)
    type_slowly("2468")
    xdo("key", "Return")
    expect("the right PIN leaves the kiosk", wait(lambda: window.kiosk is None, 5.0))
    expect("the scan field has the focus after the kiosk", field_has_focus())

    window.close()
    station.shutdown()
    print(f"{len(failures)} of the checks failed" if failures else "all checks held")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
