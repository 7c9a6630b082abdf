"""`checkin-station [--db PATH] [--version]`: the desktop app.

The database is resolved exactly like the CLI's (`--db`, else $CHECKIN_DB, else the
per-user data directory). With no event in it, the demo event is created (on the db
lane, while the window is already up) and a banner says how to import a real list.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtCore import QCoreApplication

    from checkin.sync.pairing import Pairing

START = time.perf_counter()


def parse_args(argv: list[str]) -> argparse.Namespace:
    from checkin import __version__

    parser = argparse.ArgumentParser(
        prog="checkin-station", description="Check-in station: scan, admit, print badges.")
    parser.add_argument("--db", metavar="PATH",
                        help="event database (default: $CHECKIN_DB, else the per-user "
                             "data directory; created with the demo event if missing)")
    parser.add_argument("--config", metavar="PATH", help="station settings file (TOML)")
    parser.add_argument("--version", action="version", version=f"checkin-station {__version__}")
    # For the start-up benchmark and the packaged-app smoke test: print the time to a
    # usable window and quit.
    parser.add_argument("--quit-when-ready", action="store_true", help=argparse.SUPPRESS)
    # For the start-up benchmark at 100,000 attendees: once ready, search for TEXT, print
    # the time from start to its answer and quit.
    parser.add_argument("--search-when-ready", metavar="TEXT", help=argparse.SUPPRESS)
    known, _qt_args = parser.parse_known_args(argv)
    return known


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(args_list)

    from ui.earlyinit import early_init, start_gui_services

    early_init()

    from pathlib import Path

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from checkin import paths
    from checkin.config import StationConfig
    from ui import qtlog

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(
        [sys.argv[0] if sys.argv else "checkin-station", *args_list])
    app.setApplicationName("checkin-station")
    app.setApplicationDisplayName("Check-in station")
    app.setOrganizationName("checkin")
    start_gui_services(app)
    qtlog.silence_categories()

    config_path = Path(args.config) if args.config else None
    from checkin.config import default_path

    first_start = not (config_path or default_path()).exists()
    config = StationConfig.load(config_path)
    problem = config_problem(config_path)
    install_language(app, config.language)

    from ui import print_backend_qt
    from ui.main_window import MainWindow
    from ui.services import Station

    print_backend_qt.register()  # before any print lane asks for the "qt" backend
    qtlog.load_multimedia()  # before the lanes start (see there why)
    db_path = paths.resolve_db(args.db)
    logging.getLogger(__name__).info("station starting: database %s, settings %s",
                                     db_path, config_path or "default")
    from ui.passphrase_dialog import install_prompter, unlock_at_start

    install_prompter()
    if not unlock_at_start(db_path):  # an encrypted database: asked before it opens
        return 1
    QTimer.singleShot(0, register_fonts)
    note = ""
    while True:  # once more after the desk was paired with a hub by a scanned code
        station = Station(db_path, config, config_path)
        window = MainWindow(station, config)
        window.set_config_problem(problem)
        if note:
            window.show_note(note)
        window.show()
        if first_start and not args.quit_when_ready:  # station name and operator, asked once
            window.ready.connect(window.first_run)
            first_start = False
        station.open()

        if args.quit_when_ready:
            def ready(window: MainWindow = window, station: Station = station) -> None:
                print(f"ready in {(time.perf_counter() - START) * 1000:.0f} ms", flush=True)
                if args.search_when_ready:
                    station.searched.connect(lambda _query, hits: searched(window, hits))
                    station.search(args.search_when_ready)
                    return
                window.close()
                app.quit()

            def searched(window: MainWindow, hits: list[object]) -> None:
                print(f"searched in {(time.perf_counter() - START) * 1000:.0f} ms: "
                      f"{len(hits)} found", flush=True)
                window.close()
                app.quit()

            window.ready.connect(ready)
            station.openFailed.connect(lambda msg: (print(f"error: {msg}", file=sys.stderr),
                                                    app.exit(1)))
        code = app.exec()
        station.shutdown()
        pairing, config = window.pair_with, window.config
        window.deleteLater()
        if pairing is None:
            return int(code)
        note = pair_desk(db_path, pairing)


def pair_desk(db_path: Path, pairing: Pairing) -> str:
    """Pair the station's database with the hub (the station is shut down meanwhile);
    the line the reopened window shows."""
    from PySide6.QtCore import QCoreApplication

    from checkin.errors import CheckinError
    from checkin.sync.desk_pairing import pair_and_sync

    try:
        result = pair_and_sync(db_path, pairing)
    except CheckinError as exc:
        return QCoreApplication.translate("Pairing", "Not paired: {reason}").format(
            reason=str(exc))
    text = QCoreApplication.translate(
        "Pairing", "Paired with the hub {hub}: event {event}, {n} attendees.").format(
            hub=result.hub, event=result.event, n=result.attendees)
    if result.demo_kept_at is not None:
        text += " " + QCoreApplication.translate(
            "Pairing", "The demo event was kept as {path}.").format(path=result.demo_kept_at)
    return text


def config_problem(path: object = None) -> str:
    """Why the settings file was not (fully) used, or "".

    StationConfig.load falls back to the defaults for a file it cannot read and skips
    values of the wrong type; a desk must hear about it (its printer setting may be the
    one ignored) instead of printing into the default PDF folder unnoticed."""
    import tomllib
    from dataclasses import fields
    from pathlib import Path

    from checkin.config import StationConfig, default_path

    file = Path(str(path)) if path else default_path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        return f"{file}: {exc}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return f"{file}: {exc}"
    defaults = StationConfig()
    wrong = [f"{f.name} = {data[f.name]!r}" for f in fields(StationConfig)
             if f.name in data and not isinstance(data[f.name], type(getattr(defaults, f.name)))]
    return f"{file}: " + ", ".join(wrong) if wrong else ""


def install_language(app: QCoreApplication, language: str) -> None:
    from ui.i18n import install_translator

    install_translator(app, language)


def register_fonts() -> None:
    """The badge fonts (Noto, shipped in assets/fonts) show names in every script on screen."""
    from PySide6.QtGui import QFontDatabase

    from checkin import resources

    folder = resources.assets() / "fonts"
    if folder.is_dir():
        for path in sorted(folder.glob("*.[ot]tf")):
            QFontDatabase.addApplicationFont(str(path))


if __name__ == "__main__":
    sys.exit(main())
