"""Kiosk mode, language switch, first start on the demo event, camera frames, sounds, the
Qt printer backend and the worker lanes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from checkin.config import StationConfig
from checkin.db import open_db
from checkin.store import Store
from tests.ui.conftest import close_window, open_window


def is_answer(out) -> bool:
    """An answer to a scan, not a late preview of a type-ahead result."""
    return out.kind != "found"


def type_and_enter(qtbot, field, text: str) -> None:
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


# -- kiosk -----------------------------------------------------------------------------------

def test_kiosk_welcome_and_pin(qtbot, main_window, station_event):
    window = main_window
    window.act_kiosk.trigger()
    kiosk = window.kiosk
    assert kiosk is not None and kiosk.isVisible()
    assert kiosk.state == "idle"
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000, check_params_cb=is_answer):
        type_and_enter(qtbot, kiosk.field, station_event.tokens["A5"])
    assert kiosk.state == "welcome"
    assert "Eva" in kiosk.message.text()
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000, check_params_cb=is_answer):
        type_and_enter(qtbot, kiosk.field, station_event.tokens["A2"])  # cancelled
    assert kiosk.state == "desk"  # no diagnostics for the public: "see the desk"
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000, check_params_cb=is_answer):
        type_and_enter(qtbot, kiosk.field, "hello there")
    assert kiosk.state == "scan_qr"

    # leaving: Escape asks for the PIN; a wrong PIN keeps the kiosk
    qtbot.keyClick(kiosk.field, Qt.Key.Key_Escape)
    assert kiosk.pin_panel.isVisible()
    type_and_enter(qtbot, kiosk.pin_field, "0000")
    assert kiosk.isVisible() and window.kiosk is kiosk
    assert kiosk.pin_message.text() == "Wrong PIN"
    kiosk.close()  # the window manager's close button does not leave either
    assert kiosk.isVisible() and window.kiosk is kiosk
    window.close()  # nor does closing the main window behind it
    assert window.isVisible()
    with qtbot.waitSignal(kiosk.closed, timeout=30_000):
        type_and_enter(qtbot, kiosk.pin_field, "2468")
    assert window.kiosk is None


def test_kiosk_pin_prompt_gives_way_to_the_next_scan(qtbot, main_window, station_event):
    """Staff pressed Escape and walked off: the unanswered PIN prompt closes, and the next
    delegate's scan lands in the kiosk's scan field, not in the PIN field."""
    from ui import kiosk as kiosk_module

    window = main_window
    window.act_kiosk.trigger()
    kiosk = window.kiosk
    kiosk._pin_idle.setInterval(50)  # the real 20 s, shortened; the test waits on the state
    assert kiosk_module.PIN_IDLE_MS >= 10_000
    qtbot.keyClick(kiosk.field, Qt.Key.Key_Escape)
    assert kiosk.pin_panel.isVisible() and kiosk.focusWidget() is kiosk.pin_field
    qtbot.waitUntil(lambda: not kiosk.pin_panel.isVisible(), timeout=30_000)
    assert kiosk.focusWidget() is kiosk.field
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000, check_params_cb=is_answer):
        type_and_enter(qtbot, kiosk.field, station_event.tokens["A5"])
    assert kiosk.state == "welcome"


def test_kiosk_says_when_the_badge_did_not_print(qtbot, tmp_path, station_event,
                                                station_config):
    """Self check-in with a badge that fails (no such layout): the delegate is told to ask
    at the desk instead of waiting at the printer."""
    from dataclasses import replace

    config = replace(station_config, layout="no-such-layout")
    window = open_window(qtbot, station_event.db_path, config, tmp_path / "station.toml")
    try:
        window.act_kiosk.trigger()
        kiosk = window.kiosk
        with qtbot.waitSignal(window.outcomeShown, timeout=30_000, check_params_cb=is_answer):
            type_and_enter(qtbot, kiosk.field, station_event.tokens["A5"])
        qtbot.waitUntil(lambda: kiosk.state == "no_badge", timeout=20_000)
        assert "front desk" in kiosk.sub.text() and "Eva" in kiosk.message.text()
    finally:
        close_window(qtbot, window)


# -- language -----------------------------------------------------------------------------

def test_language_switch(qtbot, main_window):
    window = main_window
    english = (window.menu_desk.title(), window.card.headline.text(),
               window.scan.caption.text(), window.buttons["walk_in"].text())
    with qtbot.waitSignal(window.languageChanged, timeout=30_000):
        window.act_german.trigger()
    # Qt delivers QEvent.LanguageChange through the event loop; each widget retranslates
    qtbot.waitUntil(lambda: window.card.headline.text() != english[1], timeout=30_000)
    german = (window.menu_desk.title(), window.card.headline.text(),
              window.scan.caption.text(), window.buttons["walk_in"].text())
    assert all(e != g for e, g in zip(english, german, strict=True)), german
    assert window.card.headline.text() == "Bereit: Code scannen oder Namen eingeben"
    assert window.config.language == "de"
    assert StationConfig.load(window.station.config_path).language == "de"
    with qtbot.waitSignal(window.languageChanged, timeout=30_000):
        window.act_english.trigger()
    qtbot.waitUntil(lambda: window.menu_desk.title() == english[0], timeout=30_000)
    assert window.card.headline.text() == english[1]


def test_german_card_says_the_verdict_reason_in_german(qtbot, main_window, station_event):
    """The engine words its reasons in English; in German the card says them in German,
    with the facts (days, country) in German too, and follows a switch back."""
    from tests.ui.test_station_flows import scan

    window = main_window
    with qtbot.waitSignal(window.languageChanged, timeout=30_000):
        window.act_german.trigger()
    qtbot.waitUntil(lambda: window.card.headline.text().startswith("Bereit"), timeout=30_000)
    scan(qtbot, window, station_event.tokens["A2"])
    assert window.card.detail.text() == "Die Anmeldung ist storniert."
    assert window.card.country.text() == "Brasilien"
    scan(qtbot, window, station_event.tokens["A4"])
    assert window.card.detail.text().startswith("Heute nicht angemeldet (")
    assert "Angemeldet für: " in window.card.detail.text()
    assert window.card.country.text() == "Ungarn"
    scan(qtbot, window, station_event.forged)
    assert window.card.detail.text().startswith("Der Code ist unvollständig oder unlesbar")
    scan(qtbot, window, "ZZ9-PLURAL-Z-ALPHA")
    assert window.card.detail.text() == "Kein Teilnehmer hat diesen Code."
    window.act_attendees.trigger()  # the list's country filter too
    qtbot.waitUntil(lambda: window.attendees is not None
                    and window.attendees.country_filter.findData("HU") > 0, timeout=30_000)
    combo = window.attendees.country_filter
    assert combo.itemText(combo.findData("HU")) == "HU — Ungarn"
    window.act_desk.trigger()
    window.walk_in()  # the dialog's countries are German too
    dialog = window.dialog
    assert dialog.country.itemText(dialog.country.findData("HU")) == "Ungarn (HU)"
    dialog.reject()
    with qtbot.waitSignal(window.languageChanged, timeout=30_000):
        window.act_english.trigger()
    qtbot.waitUntil(lambda: window.card.detail.text() == "No attendee has this code.",
                    timeout=30_000)


def test_shortcuts_are_in_the_menus(main_window):
    shortcuts = {a.objectName(): a.shortcut().toString()
                 for menu in (main_window.menu_desk, main_window.menu_view,
                              main_window.menu_settings)
                 for a in menu.actions() if a.objectName()}
    assert shortcuts["edit"] == "F2"
    assert shortcuts["print"] == "F5"
    assert shortcuts["undo"] == "Ctrl+Z"
    assert shortcuts["walkIn"] == "Ctrl+N"
    assert shortcuts["kiosk"] == "Ctrl+K"
    assert shortcuts["showDashboard"] == "Ctrl+D"
    assert shortcuts["settings"] == "Ctrl+,"


def test_shortcuts_work_from_the_scan_field(qtbot, main_window, station_event):
    from tests.ui.test_station_flows import scan

    window = main_window
    scan(qtbot, window, station_event.tokens["A3"])
    field = window.scan.field
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.dialog is not None and window.dialog.objectName() == "reasonDialog"
    window.dialog.reject()
    qtbot.keyClick(field, Qt.Key.Key_F2)
    assert window.dialog is not None and not window.dialog.walk_in
    window.dialog.reject()
    qtbot.keyClick(field, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.dialog is not None and window.dialog.walk_in
    window.dialog.reject()
    qtbot.keyClick(field, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 2
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 0 and field.hasFocus()
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert field.text() == "" and window.card.kind == "ok"


# -- first start ----------------------------------------------------------------------------

def test_keyboard_lands_in_each_view(qtbot, main_window):
    """Ctrl+L puts the keyboard in the list's find field, Ctrl+D on the dashboard's tabs,
    Ctrl+1 back in the scan field: no view needs the mouse to start typing."""
    from PySide6.QtWidgets import QApplication

    window = main_window
    qtbot.keyClick(window.scan.field, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.attendees is not None, timeout=30_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.attendees.search,
                    timeout=30_000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_D,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.dashboard is not None, timeout=30_000)
    qtbot.waitUntil(lambda: window.dashboard.isAncestorOf(QApplication.focusWidget()),
                    timeout=30_000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.scan.field.hasFocus, timeout=30_000)


def test_unreadable_settings_file_is_said_not_silently_replaced(qtbot, tmp_path,
                                                                main_window):
    """A broken station.toml falls back to the defaults (the core's choice); the window
    says so, naming the file and the fault, until the settings are saved again."""
    from ui.app import config_problem

    broken = tmp_path / "broken.toml"
    broken.write_text('station = "Desk 1\nprinter = "HL-L8360"\n', encoding="utf-8")
    assert config_problem(tmp_path / "none.toml") == ""
    problem = config_problem(broken)
    assert str(broken) in problem
    typed = tmp_path / "typed.toml"
    typed.write_text('auto_print = "maybe"\nstation = "Desk 2"\n', encoding="utf-8")
    assert "auto_print = 'maybe'" in config_problem(typed)
    window = main_window
    window.set_config_problem(problem)
    assert not window.banner.isHidden() and str(broken) in window.banner.text()
    window.apply_config(window.config)  # saved: the file holds what the station uses
    assert str(broken) not in window.banner.text()


def test_station_left_running_overnight_counts_the_new_day(qtbot, main_window):
    """Opened yesterday (simulated: the window's day set back), the day check moves the
    status bar's counts and the attendee list to today."""
    from checkin.store import today

    window = main_window
    window.act_attendees.trigger()
    qtbot.waitUntil(lambda: window.attendees is not None, timeout=30_000)
    window.act_desk.trigger()
    from dataclasses import replace

    window.summary.day = "2000-01-01"
    window.station.stats = replace(window.station.stats, day="2000-01-01")
    window.attendees.set_day("2000-01-01")
    with qtbot.waitSignal(window.station.statsChanged, timeout=20_000,
                          check_params_cb=lambda stats: stats.day == today()):
        window.check_day()
    assert window.summary.day == today()
    assert window.attendees.model.query.day == today()


def test_the_new_day_begins_at_midnight_in_the_events_time_zone(qtbot, tmp_path,
                                                               station_event,
                                                               station_config):
    """A laptop set to another zone than the event's: the counts move at the event's
    midnight. The two zones are 25 hours apart, so one of them is on another date than
    this laptop now."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from checkin import clock

    far = next(name for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago")
               if datetime.now(ZoneInfo(name)).date() != date.today())
    store = Store(open_db(station_event.db_path))
    with store.transaction():
        store.set_meta(clock.ZONE_KEY, far)
    store.close()
    window = open_window(qtbot, station_event.db_path, station_config,
                         tmp_path / "station.toml")
    try:
        there = datetime.now(ZoneInfo(far)).date().isoformat()
        assert window.summary.day == there
        window.summary.day = "2000-01-01"  # opened "yesterday"
        with qtbot.waitSignal(window.station.statsChanged, timeout=30_000,
                              check_params_cb=lambda stats: stats.day == there):
            window.check_day()
        assert window.summary.day == there != date.today().isoformat()
    finally:
        close_window(qtbot, window)


def test_first_start_creates_the_demo(qtbot, tmp_path, station_config):
    db_path = tmp_path / "fresh" / "event.sqlite"
    window = open_window(qtbot, db_path, station_config, tmp_path / "station.toml")
    try:
        assert window.banner.isVisible()
        assert "checkin import FILE" in window.banner.text()
        assert window.summary.created_demo and window.station.stats.expected > 0
        store = Store(open_db(db_path))
        try:
            assert store.attendee_count() >= 400
        finally:
            store.db.conn.close()
        assert Path(str(db_path) + ".key").exists()
        # the demo works at once: a typed name finds people
        with qtbot.waitSignal(window.station.searched, timeout=20_000,
                              check_params_cb=lambda q, hits: q == "a" and bool(hits)):
            qtbot.keyClicks(window.scan.field, "a")
    finally:
        close_window(qtbot, window)


def test_unusable_database_is_one_line_on_screen(qtbot, tmp_path, station_config):
    from ui.main_window import MainWindow
    from ui.qtlog import load_multimedia
    from ui.services import Station

    load_multimedia()
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    station = Station(bad, station_config, tmp_path / "station.toml")
    window = MainWindow(station, station_config)
    qtbot.addWidget(window)
    with qtbot.waitSignal(station.openFailed, timeout=20_000):
        station.open()
    assert window.card.kind == "open_failed"
    assert "cannot be opened" in window.card.headline.text()
    assert "checkin-station --db FILE" in window.card.detail.text()  # what to do
    assert "not a usable event database" in window.banner.text()
    assert not window.scan.field.isEnabled()
    close_window(qtbot, window)


def test_app_main_starts_and_quits(tmp_path):
    """`checkin-station --quit-when-ready` on a fresh path: demo created, window ready."""
    env = {"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    db = tmp_path / "app.sqlite"
    result = subprocess.run([sys.executable, "-c", "import sys, ui.app; "
                             "sys.exit(ui.app.main(sys.argv[1:]))",
                             "--db", str(db), "--quit-when-ready"],
                            capture_output=True, text=True, timeout=180, env=env,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ready in ")
    assert "Traceback" not in result.stderr
    version = subprocess.run([sys.executable, "-m", "ui.app", "--version"], capture_output=True,
                             text=True, timeout=60, env=env,
                             cwd=Path(__file__).resolve().parents[2])
    assert version.returncode == 0 and version.stdout.startswith("checkin-station ")


# -- camera ---------------------------------------------------------------------------------

def _qr_frame(text: str) -> tuple[bytes, int, int, int]:
    """A 640x480 grayscale 'camera frame' with a QR code in it, rows padded to 656 bytes."""
    import numpy as np
    import qrcode

    qr = qrcode.QRCode(border=4, box_size=6)
    qr.add_data(text)
    qr.make()
    matrix = np.array(qr.get_matrix(), dtype=bool)
    code = np.where(np.kron(matrix, np.ones((6, 6), dtype=bool)), 0, 255).astype(np.uint8)
    frame = np.full((480, 656), 200, dtype=np.uint8)
    h, w = code.shape
    frame[40:40 + h, 60:60 + w] = code
    return frame.tobytes(), 640, 480, 656


def test_camera_frames_decode_on_the_lane_and_drop_while_busy(qtbot, main_window,
                                                             station_event):
    window = main_window
    pane = window.camera
    assert pane.state in ("off", "none")  # camera disabled in the test config
    data, width, height, stride = _qr_frame(station_event.tokens["A1"])
    with qtbot.waitSignal(window.outcomeShown, timeout=30_000) as blocker:
        assert pane.submit_gray(data, width, height, stride)
        assert not pane.submit_gray(data, width, height, stride)  # one in flight: dropped
    assert pane.frames_dropped == 1
    assert blocker.args[0].kind == "ok" and blocker.args[0].attendee.id == "A1"
    # the same code seen again right away is not a second scan
    with qtbot.waitSignal(window.station.lanes["decode"].idle, timeout=30_000):
        pane.submit_gray(data, width, height, stride)
    assert window.card.kind == "ok"


def test_camera_video_frame_path(qtbot, main_window, station_event):
    """A QVideoFrame as the camera's sink delivers it: converted to gray, decoded, scanned."""
    import numpy as np
    from PySide6.QtGui import QImage
    from PySide6.QtMultimedia import QVideoFrame

    data, width, height, stride = _qr_frame(station_event.tokens["A6"])
    gray = np.frombuffer(data, dtype=np.uint8).reshape(height, stride)[:, :width].copy()
    image = QImage(gray.data, width, height, width, QImage.Format.Format_Grayscale8)
    frame = QVideoFrame(image.convertToFormat(QImage.Format.Format_RGB32))
    with qtbot.waitSignal(main_window.outcomeShown, timeout=30_000) as blocker:
        main_window.camera._frame(frame)
    assert blocker.args[0].kind == "ok" and blocker.args[0].attendee.id == "A6"
    assert main_window.camera.frames_seen == 1


def test_camera_planar_yuv_frame_uses_the_luma_plane(qtbot, main_window, station_event):
    from PySide6.QtCore import QSize
    from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

    data, width, height, stride = _qr_frame(station_event.tokens["A3"])
    frame = QVideoFrame(QVideoFrameFormat(QSize(width, height),
                                          QVideoFrameFormat.PixelFormat.Format_NV12))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    plane = memoryview(frame.bits(0))
    line = frame.bytesPerLine(0)
    for row in range(height):
        plane[row * line:row * line + width] = data[row * stride:row * stride + width]
    frame.unmap()
    with qtbot.waitSignal(main_window.outcomeShown, timeout=30_000) as blocker:
        main_window.camera._frame(frame)
        main_window.camera._frame(frame)  # one is being decoded: this one is dropped
    assert blocker.args[0].kind == "ok" and blocker.args[0].attendee.id == "A3"
    assert main_window.camera.frames_dropped == 1


def test_camera_pane_without_camera_says_so(qtbot, main_window):
    state = main_window.camera.start("")
    assert state in ("none", "on")
    if state == "none":
        assert "No camera" in main_window.camera.message.text()
        assert main_window.camera.message.isVisible()
    main_window.camera.stop()


# -- sounds ---------------------------------------------------------------------------------

def test_sounds_follow_verdicts_and_mute(qtbot, main_window, station_event):
    from tests.ui.test_station_flows import scan

    window = main_window
    scan(qtbot, window, station_event.tokens["A3"])
    assert window.sounds.played[-1] == "ok"
    window.act_mute.trigger()
    assert window.sounds.muted
    count = len(window.sounds.played)
    scan(qtbot, window, station_event.forged)
    assert len(window.sounds.played) == count
    assert all((Path(__file__).resolve().parents[2] / "assets" / "sounds" / f"{n}.wav").exists()
               for n in ("ok", "warn", "stop", "search"))


# -- Qt printer backend ------------------------------------------------------------------------

def test_qt_printer_backend_prints_the_pdf(qapp, tmp_path):
    import pypdfium2 as pdfium
    from reportlab.lib.pagesizes import A6
    from reportlab.pdfgen import canvas

    from ui.print_backend_qt import QtPrinterBackend

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A6)
    page.setFont("Helvetica-Bold", 30)
    page.drawString(30, 300, "Anja")
    page.showPage()
    page.save()
    backend = QtPrinterBackend(str(tmp_path / "out.pdf"))
    assert backend.status().ready
    job = backend.submit(buffer.getvalue(), "Badge Anja")
    assert job and backend.job_done(job) is True
    document = pdfium.PdfDocument(str(backend.last_output))
    width, height = document[0].get_size()
    assert len(document) == 1 and abs(width - A6[0]) < 2 and abs(height - A6[1]) < 2
    document.close()


def test_qt_printer_backend_refuses_broken_pdf_and_missing_printer(qapp, tmp_path):
    from checkin.errors import CheckinError
    from checkin.printing.backend import PrinterUnavailable
    from ui.print_backend_qt import QtPrinterBackend

    with pytest.raises(CheckinError):
        QtPrinterBackend(str(tmp_path / "x.pdf")).submit(b"not a pdf", "x")
    missing = QtPrinterBackend("no-such-printer-here")
    assert not missing.status().ready
    with pytest.raises(PrinterUnavailable):
        missing.submit(b"%PDF-1.4", "x")


# -- lanes ----------------------------------------------------------------------------------

def test_lane_runs_in_order_off_the_gui_thread(qtbot):
    import threading

    from ui.workers import Lane

    lane = Lane("test", lambda: {"opened_in": threading.get_ident()})
    results: list[int] = []
    errors: list[str] = []
    for i in range(5):
        lane.submit(lambda ctx, i=i: (i, ctx["opened_in"]), lambda r: results.append(r))
    lane.submit(lambda ctx: 1 / 0, None, lambda exc: errors.append(type(exc).__name__))
    with qtbot.waitSignal(lane.idle, timeout=30_000):
        pass
    assert [r[0] for r in results] == [0, 1, 2, 3, 4]
    assert all(r[1] != threading.get_ident() for r in results)
    assert errors == ["ZeroDivisionError"]
    lane.stop()
    assert not lane._thread.isRunning()


# -- settings -------------------------------------------------------------------------------

def test_settings_change_station_and_sound(qtbot, main_window):
    window = main_window
    window.act_settings.trigger()
    dialog = window.dialog
    assert dialog is not None
    dialog.station.setText("Desk 9")
    dialog.sound.setChecked(False)
    dialog.accept()
    qtbot.waitUntil(lambda: window.dialog is None, timeout=30_000)
    assert window.config.station == "Desk 9"
    assert window.sounds.muted and window.act_mute.isChecked()
    assert StationConfig.load(window.station.config_path).station == "Desk 9"
    qtbot.waitUntil(lambda: "Desk 9" in window.status.station_label.text(), timeout=30_000)


def test_kiosk_borrows_the_camera_pane(qtbot, main_window):
    window = main_window
    pane = window.camera
    pane.state = "on"  # as if a camera were running (no camera on the test machine)
    window.act_kiosk.trigger()
    kiosk = window.kiosk
    assert pane.parent() is kiosk and pane.isVisible()
    qtbot.keyClick(kiosk.field, Qt.Key.Key_Escape)
    with qtbot.waitSignal(kiosk.closed, timeout=30_000):
        type_and_enter(qtbot, kiosk.pin_field, "2468")
    assert window.desk.isAncestorOf(pane) and pane.isVisible()
    pane.state = "off"
