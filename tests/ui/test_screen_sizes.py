"""The desk on screens that are not 1280x800: from a 1024x600 netbook to 4K, also at 150 %
and 200 % scaling (QT_SCALE_FACTOR). Every label's text fits its rectangle (measured with
its font's metrics), nothing on the card overlaps, the buttons and the status bar are
inside the window, and the window starts within the screen's available area."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.exceptions import TimeoutError

from tests.ui.test_station_flows import scan

ROOT = Path(__file__).resolve().parents[2]
# logical sizes: a netbook, 1920x1080 at 150 %, a laptop, 1920x1080 (or 4K at 200 %),
# 2560x1440, 4K at 100 %
SIZES = [(1024, 600), (1280, 720), (1366, 768), (1920, 1080), (2560, 1440), (3840, 2160)]


def _rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def layout_problems(window) -> list[str]:
    """What is cut or out of place on the window as it is laid out now ([] = all fits)."""
    problems = []
    inside = window.rect()
    for label in window.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        where = f"{label.objectName() or 'label'} {label.text()[:30]!r}"
        rect = label.contentsRect()
        flags = int(label.alignment()) | (int(Qt.TextFlag.TextWordWrap)
                                          if label.wordWrap() else 0)
        drawn = label.fontMetrics().boundingRect(rect, flags, label.text())
        if drawn.width() > rect.width() or drawn.height() > rect.height():
            problems.append(f"{where}: text {drawn.size().toTuple()} in "
                            f"{rect.size().toTuple()}")
        if not inside.contains(_rect_in(label, window)):
            problems.append(f"{where}: outside the window")
        parent = label.parentWidget()
        if parent is not None and not parent.rect().contains(label.geometry()):
            problems.append(f"{where}: outside {parent.objectName() or 'its parent'}")
    for button in window.findChildren(QPushButton):
        if not button.isVisible():
            continue
        metrics = button.fontMetrics()
        lines = button.text().split("\n")
        if (max(metrics.horizontalAdvance(line) for line in lines) > button.width() - 6
                or metrics.lineSpacing() * len(lines) > button.height()):
            problems.append(f"button {button.text()!r}: {button.size().toTuple()}")
        if not inside.contains(_rect_in(button, window)):
            problems.append(f"button {button.text()!r}: outside the window")
    if not hasattr(window, "card"):
        return problems
    bar = window.statusBar()
    if not inside.contains(_rect_in(bar, window)):
        problems.append("the status bar is outside the window")
    card = window.card
    parts = [w for w in (card.icon, *card.findChildren(QLabel)) if w.isVisible()]
    for i, first in enumerate(parts):
        for second in parts[i + 1:]:
            if first.geometry().intersects(second.geometry()):
                problems.append(f"on the card, {first.objectName()} overlaps "
                                f"{second.objectName()}")
    return problems


def fits(qtbot, window, size: tuple[int, int]) -> None:
    window.resize(*size)
    try:
        qtbot.waitUntil(lambda: window.size().toTuple() == size
                        and not layout_problems(window), timeout=30_000)
    except TimeoutError:
        pytest.fail(f"at {size[0]}x{size[1]}: " + "; ".join(layout_problems(window)))


def test_every_card_fits_from_1024x600_to_4k(qtbot, main_window, station_event):
    from checkin.models import Attendee

    window = main_window
    outcomes = [station_event.tokens["A1"], station_event.tokens["A4"],
                station_event.forged, station_event.tokens["A5"]]
    for text in outcomes:
        scan(qtbot, window, text)
        for size in SIZES:
            fits(qtbot, window, size)
    # the longest a card shows: title, a long name and its Latin spelling, organisation,
    # role, VIP, a long note (once the last badge has printed: the card that followed it
    # would otherwise be drawn again over this one)
    qtbot.waitUntil(lambda: window.current is not None and not window.current.printing,
                    timeout=30_000)
    window.card.show_state("already_checked_in", Attendee(
        id="L1", given_name="Μαρία-Ελευθερία", family_name="Παπαδοπούλου-Χατζηγεωργίου",
        title="Prof. Dr. med.", country="GR", role="speaker", extra={"vip": True},
        organisation="Universitätsklinikum Schleswig-Holstein, Campus Kiel, Klinik für "
                     "Innere Medizin II mit den Schwerpunkten Hämatologie und Onkologie",
        notes="Needs a wheelchair-accessible seat in row 1; vegetarian lunch. " * 3),
        "Checked in at 09:12, Desk 3, by Jonas")
    for size in SIZES:
        fits(qtbot, window, size)
    assert window.card.latin.isVisible()
    assert window.card.scale > 1.2  # at 4K the card's text grows


def test_german_desk_fits(qtbot, main_window, station_event):
    """German words are longer ("Namensschild drucken" was cut at 1280x800)."""
    window = main_window
    window.set_language("de", save=False)
    try:
        for text in (station_event.tokens["A1"], station_event.tokens["A4"],
                     station_event.forged, station_event.tokens["A2"]):
            scan(qtbot, window, text)
            for size in SIZES[:4]:
                fits(qtbot, window, size)
    finally:
        window.set_language("en", save=False)


def test_headline_wraps_or_shrinks_never_cut(qtbot, main_window, station_event):
    """ "ALREADY CHECKED IN" whole on a narrow card, not "ALREADY"."""
    window = main_window
    window.card.show_state("already_checked_in", None, "Checked in at 09:12, Desk 3")
    fits(qtbot, window, (1024, 600))
    headline = window.card.headline
    assert headline.text() == "ALREADY CHECKED IN"
    metrics = headline.fontMetrics()
    drawn = metrics.boundingRect(headline.contentsRect(), int(Qt.TextFlag.TextWordWrap),
                                 headline.text())
    assert drawn.height() <= headline.height()


def test_kiosk_covers_the_screen_and_fits(qtbot, main_window, station_event):
    """Kiosk mode covers the whole screen itself (without a window manager nobody acts on
    the full-screen request: it opened as a 792x561 window), and its words fit at every
    size."""
    window = main_window
    window.act_kiosk.trigger()
    kiosk = window.kiosk
    assert kiosk is not None
    qtbot.waitUntil(lambda: kiosk.geometry() == kiosk.screen().geometry(), timeout=30_000)
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000):
        kiosk.scan_text(station_event.tokens["A5"])
    for size in SIZES:
        kiosk.resize(*size)
        try:
            qtbot.waitUntil(lambda size=size: kiosk.size().toTuple() == size
                            and not layout_problems(kiosk), timeout=30_000)
        except TimeoutError:
            pytest.fail(f"kiosk at {size}: " + "; ".join(layout_problems(kiosk)))


def test_start_geometry_is_the_available_area():
    from ui.main_window import start_geometry

    for available in (QRect(0, 0, 1366, 728), QRect(0, 0, 1024, 600), QRect(0, 27, 1280, 773),
                      QRect(0, 0, 3840, 2120)):
        rect, maximised = start_geometry(available)
        assert maximised and rect == available


SCREEN_CHECK = r"""
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from checkin.config import StationConfig
from ui.earlyinit import early_init
early_init()
app = QApplication(["t"])
from ui.main_window import MainWindow
from ui.services import Station
config = StationConfig(station="Desk 1", operator="Mia", camera_enabled=False, sound=False,
                       printer_backend="pdf", printer=sys.argv[2], kiosk_pin="2468")
window = MainWindow(Station(Path(sys.argv[1]), config), config)
window.show()
app.processEvents()
screen = window.screen()
print(json.dumps({"available": screen.availableGeometry().getRect(),
                  "frame": window.frameGeometry().getRect(),
                  "minimum": window.minimumSizeHint().toTuple(),
                  "ratio": screen.devicePixelRatio()}))
window.station.shutdown()
"""


@pytest.mark.parametrize("width,height,scale", [(1024, 600, "1"), (1366, 768, "1"),
                                                (1920, 1080, "1.5"), (3840, 2160, "2")])
def test_window_starts_within_the_screen(tmp_path, width, height, scale):
    """A real start on a screen of that size and scale (the offscreen platform configured
    with one screen): the window and its frame lie within the available area, and its
    minimum size fits there too."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": "s", "x": 0, "y": 0, "width": width, "height": height,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "QT_SCALE_FACTOR": scale, "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    result = subprocess.run([sys.executable, "-c", SCREEN_CHECK, str(tmp_path / "e.sqlite"),
                             str(tmp_path / "printed")], capture_output=True, text=True,
                            timeout=180, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    ax, ay, aw, ah = found["available"]
    fx, fy, fw, fh = found["frame"]
    assert found["ratio"] == float(scale)
    assert ax <= fx and ay <= fy and fx + fw <= ax + aw and fy + fh <= ay + ah, found
    assert found["minimum"][0] <= aw and found["minimum"][1] <= ah, found
