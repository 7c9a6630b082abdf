"""Shared fixtures for the station UI tests (pytest-qt, offscreen).

- `station_event`: a real event database in tmp_path (today + tomorrow), a signing key,
  a handful of attendees covering the cases a desk sees, and a signed token for each.
- `station_config`: station settings printing into a PDF folder under tmp_path.
- `main_window`: the real MainWindow over both, shown, with the event open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from checkin.config import StationConfig
from checkin.models import Attendee
from ui import print_backend_qt
from ui.earlyinit import start_gui_services


@pytest.fixture(autouse=True)
def qt_print_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """The UI tests run with the qt backend registered, as ui.app.main registers it before
    it builds the window. Per test, on a copy of the registry that is put back after it:
    the core tests, run before or after, meet the registry as the CLI does."""
    from checkin.printing import backend

    monkeypatch.setattr(backend, "_REGISTRY", dict(backend._REGISTRY))
    print_backend_qt.register()


TODAY = date.today().isoformat()
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


def _people() -> list[Attendee]:
    return [
        Attendee(id="A1", given_name="Anja", family_name="Müller", title="Dr.",
                 organisation="Charité Berlin", country="DE", role="speaker",
                 email="anja@example.org"),
        Attendee(id="A2", given_name="Bruno", family_name="Costa", organisation="USP",
                 country="BR", status="cancelled"),
        Attendee(id="A3", given_name="伟", family_name="王", name_order="family_first",
                 organisation="Peking University", country="CN"),
        Attendee(id="A4", given_name="Dora", family_name="Nagy", country="HU",
                 name_order="family_first", days=[TOMORROW]),
        Attendee(id="A5", given_name="Eva", family_name="Lindqvist", organisation="Karolinska",
                 country="SE", role="vip", notes="Wheelchair user: reserved seat row 1"),
        Attendee(id="A6", given_name="Farid", family_name="Haddad", organisation="AUB",
                 country="LB", code="PRETIX-SECRET-6"),
    ]


@dataclass
class StationEvent:
    db_path: Path
    tokens: dict[str, str] = field(default_factory=dict)  # attendee id -> signed token
    forged: str = ""  # A1's token with one signature character changed


@pytest.fixture
def station_event(tmp_path: Path) -> StationEvent:
    from tests.event_setup import signed_event

    db_path = tmp_path / "event.sqlite"
    tokens = signed_event(db_path, _people(), [TODAY, TOMORROW])
    token = tokens["A1"]
    last = token[-1]
    forged = token[:-1] + ("A" if last != "A" else "B")
    return StationEvent(db_path, tokens, forged)


@pytest.fixture
def station_config(tmp_path: Path) -> StationConfig:
    return StationConfig(station="Desk 1", operator="Tess", printer=str(tmp_path / "printed"),
                         printer_backend="pdf", layout="a6", auto_print=True,
                         camera_enabled=False, sound=True, language="en", kiosk_pin="2468")


@pytest.fixture(autouse=True)
def _gui_services(qapp):
    """As the app: garbage collection on the GUI thread during long waits too."""
    start_gui_services(qapp)


def open_window(qtbot, db_path: Path, config: StationConfig, config_path: Path):
    from ui.main_window import MainWindow
    from ui.qtlog import load_multimedia
    from ui.services import Station

    load_multimedia()  # as the app does, before any lane starts (see ui/qtlog.py)
    station = Station(db_path, config, config_path)
    window = MainWindow(station, config)
    qtbot.addWidget(window)
    # the offscreen screen is 800x600, where the window starts maximised: the desk tests
    # run at the size they were written for (tests/ui/test_screen_sizes.py tries others)
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1280, 800)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=30_000):
        station.open()
    return window


@pytest.fixture
def main_window(qtbot, station_event: StationEvent, station_config: StationConfig,
                tmp_path: Path):
    window = open_window(qtbot, station_event.db_path, station_config,
                         tmp_path / "station.toml")
    yield window
    close_window(qtbot, window)


def close_window(qtbot, window) -> None:
    if window.kiosk is not None:  # a test left the kiosk open: unlock it
        window.kiosk._unlocked = True
        window.kiosk.close()
    if getattr(window, "locked", False):  # a test left the station locked (ui/lock.py)
        window.unlock(window.config.operator)
    if window.dialog is not None:
        window.dialog.reject()
    window.confirm_quit = False  # badges a test left waiting: no question on the way out
    window.close()
    for lane in window.station.lanes:
        assert not lane._thread.isRunning()


# The offscreen platform plugin cannot pass a top-level window's size hints on and says
# so as a warning every time a window with a minimum size is shown; on real platforms
# (xcb, Windows, macOS) the call works. Only this message is ignored; any other Qt
# warning still fails a test (qt_log_level_fail = WARNING).
OFFSCREEN_NOISE = (r"This plugin does not support propagateSizeHints\(\)",)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE))
