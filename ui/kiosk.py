"""Kiosk mode: full-screen self check-in (scan, welcome, badge), left only with the PIN.

Delegates see a friendly answer, not the desk's diagnostics: anything but a welcome
sends them to the front desk. Escape (or Ctrl+Shift+Q) asks for the PIN from the
station settings; a wrong PIN keeps the kiosk locked.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.result_card import LOOKS, VerdictIcon

RESET_MS = 8000  # back to "please scan" after a welcome
PIN_IDLE_MS = 20_000  # an unanswered PIN prompt closes, the scan field takes the focus


def _font(size: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(size)
    font.setBold(bold)
    return font


class KioskWindow(QWidget):
    closed = Signal()
    exitRequested = Signal()

    def __init__(self, station: Any, pin: str, event_name: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kiosk")
        self.setWindowFlag(Qt.WindowType.Window)
        self.station = station
        self.pin = pin
        self.event_name = event_name
        self.state = "idle"
        self._name = ""
        self._unlocked = False
        self._camera: QWidget | None = None
        self.title = QLabel()
        self.title.setObjectName("kioskTitle")
        self.title.setFont(_font(28, True))
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.icon = VerdictIcon()
        self.icon.setFixedSize(220, 220)
        self.message = QLabel()
        self.message.setObjectName("kioskMessage")
        self.message.setFont(_font(44, True))
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.sub = QLabel()
        self.sub.setObjectName("kioskSub")
        self.sub.setFont(_font(24))
        self.sub.setWordWrap(True)
        self.sub.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field = QLineEdit()
        self.field.setObjectName("kioskField")
        self.field.setFont(_font(18))
        self.field.setMaximumWidth(700)
        self.field.setMaxLength(4096)
        self.field.returnPressed.connect(self._enter)

        # the PIN panel, hidden until Escape
        self.pin_label = QLabel()
        self.pin_label.setFont(_font(16))
        self.pin_field = QLineEdit()
        self.pin_field.setObjectName("pinField")
        self.pin_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_field.setFont(_font(18))
        self.pin_field.setMaximumWidth(240)
        self.pin_field.returnPressed.connect(self._check_pin)
        self.pin_message = QLabel()
        self.pin_message.setObjectName("pinMessage")
        self.pin_message.setFont(_font(16, True))
        self.pin_panel = QWidget()
        pin_row = QHBoxLayout(self.pin_panel)
        pin_row.addStretch(1)
        pin_row.addWidget(self.pin_label)
        pin_row.addWidget(self.pin_field)
        pin_row.addWidget(self.pin_message)
        pin_row.addStretch(1)
        self.pin_panel.hide()

        layout = QVBoxLayout(self)
        self._layout = layout
        layout.setContentsMargins(40, 40, 40, 40)
        layout.addWidget(self.title)
        layout.addStretch(1)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(20)
        layout.addWidget(self.message)
        layout.addWidget(self.sub)
        self.camera_slot = QVBoxLayout()  # the desk's camera pane while in kiosk mode
        layout.addLayout(self.camera_slot)
        layout.addStretch(1)
        layout.addWidget(self.field, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.pin_panel)

        self._reset = QTimer(self)
        self._reset.setSingleShot(True)
        self._reset.setInterval(RESET_MS)
        self._reset.timeout.connect(lambda: self._show("idle"))
        # A PIN prompt nobody answers goes away: the next delegate's scan must not land in
        # the PIN field (and read as a wrong PIN) while staff have walked off.
        self._pin_idle = QTimer(self)
        self._pin_idle.setSingleShot(True)
        self._pin_idle.setInterval(PIN_IDLE_MS)
        self._pin_idle.timeout.connect(self._hide_pin)
        self.pin_field.textEdited.connect(lambda _text: self._pin_idle.start())
        for sequence in ("Ctrl+Shift+Q",):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.activated.connect(self.ask_pin)
        self._show("idle")

    # -- life ----------------------------------------------------------------------------

    def start(self) -> None:
        # Without a window manager (a kiosk X session) nobody acts on the full-screen
        # request and the window would open at its size hint: cover the screen ourselves.
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            self.setGeometry(screen.geometry())
        self.showFullScreen()
        self.activateWindow()
        if QGuiApplication.platformName() not in ("offscreen", "minimal"):
            self.raise_()  # headless platforms cannot stack windows (and warn)
        self.field.setFocus()

    # point sizes at scale 1 (a 1280x800 screen); the kiosk scales them by its size
    FONTS = (("title", 28), ("message", 44), ("sub", 24), ("field", 18))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._scale()

    def _scale(self) -> None:
        """Text and icon by the screen's size: a 1024x600 kiosk shows the whole message,
        a 4K one shows it large."""
        width, height = self.width(), self.height()
        if width <= 0 or height <= 0:
            return
        scale = max(0.5, min(2.5, width / 1280, height / 800))
        margin = round(40 * min(scale, 1.5))
        self._layout.setContentsMargins(margin, margin, margin, margin)
        self.icon.setFixedSize(round(220 * scale), round(220 * scale))
        for attr, points in self.FONTS:
            widget: QWidget = getattr(self, attr)
            widget.setFont(_font(round(points * scale), attr in ("title", "message")))
        self.field.setMaximumWidth(round(700 * scale))
        self.field.setMinimumWidth(min(round(420 * scale), width - 2 * margin))
        if self._camera is not None:  # the camera preview shares the height: smaller
            self._camera.setFixedSize(round(360 * scale * 0.75), round(240 * scale * 0.75))

    def set_camera(self, pane: QWidget) -> None:
        """Show the desk's camera preview here (the pane keeps decoding for us)."""
        self._camera = pane
        pane.setParent(self)
        pane.setFixedSize(360, 240)  # until the kiosk has its size (_scale)
        self.camera_slot.addWidget(pane, 0, Qt.AlignmentFlag.AlignHCenter)
        pane.show()
        self._scale()

    def take_camera(self) -> QWidget | None:
        """Hand the camera pane back to the desk."""
        pane, self._camera = self._camera, None
        if pane is not None:
            self.camera_slot.removeWidget(pane)
            pane.setMinimumSize(240, 180)
            pane.setMaximumSize(16777215, 16777215)
            pane.setParent(None)
        return pane

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            if self.pin_panel.isVisible():
                self._hide_pin()
            else:
                self.ask_pin()
            return
        super().keyPressEvent(event)

    def ask_pin(self) -> None:
        self.exitRequested.emit()
        self.pin_message.setText("")
        self.pin_field.clear()
        self.pin_panel.show()
        self.pin_field.setFocus()
        self._pin_idle.start()

    def _hide_pin(self) -> None:
        self._pin_idle.stop()
        self.pin_panel.hide()
        self.pin_field.clear()
        self.field.setFocus()

    def _check_pin(self) -> None:
        if self.pin and self.pin_field.text() == self.pin:
            self._unlocked = True
            self._reset.stop()
            self.close()
            return
        self.pin_message.setText(self.tr("Wrong PIN"))
        self.pin_field.clear()
        self.pin_field.setFocus()
        self._pin_idle.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._unlocked:  # Alt+F4 and friends do not leave the kiosk
            event.ignore()
            self.ask_pin()
            return
        super().closeEvent(event)
        self.closed.emit()

    # -- scanning --------------------------------------------------------------------------

    def _enter(self) -> None:
        text = self.field.text()
        self.field.clear()
        if text.strip():
            self.scan_text(text)

    def scan_text(self, text: str) -> None:
        self._show("busy")
        self.station.scan(text)

    def show_outcome(self, out: Any) -> None:
        a = out.attendee
        self._name = (a.display_name if a is not None else "") or ""
        kind = out.kind
        if kind in ("ok", "created"):
            self._show("welcome", printing=out.printing)
        elif kind == "already_checked_in":
            self._show("again")
        elif kind == "malformed":
            self._show("scan_qr")
        elif kind in ("found", "saved", "undone"):
            return
        else:
            self._show("desk")
        self._reset.start()

    def badge_failed(self) -> None:
        """The welcomed person's badge did not print: they must not wait at the printer."""
        if self.state == "welcome":
            self._show("no_badge")
            self._reset.start()

    def show_error(self, message: str) -> None:
        self._show("desk")
        self._reset.start()

    def _show(self, state: str, printing: bool = False) -> None:
        self.state = state
        self._printing = printing
        look = {"idle": "idle", "busy": "idle", "welcome": "ok", "no_badge": "ok",
                "again": "already_checked_in",
                "scan_qr": "malformed", "desk": "cancelled"}[state]
        colours = LOOKS[look]
        self.setStyleSheet(f"#kiosk {{ background: {colours.background}; }}"
                           f"#kiosk QLabel {{ color: {colours.foreground}; }}"
                           "#kiosk QLineEdit { background: white; color: black; }")
        self.icon.set_shape(colours.icon, colours.foreground)
        self.retranslateUi()
        if state in ("idle",) and not self.pin_panel.isVisible():
            self.field.setFocus()

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Self check-in"))
        self.title.setText(self.event_name or self.tr("Self check-in"))
        name = self._name
        texts = {
            "idle": (self.tr("Welcome! Please scan your QR code"),
                     self.tr("Hold the confirmation (phone or printout) under the scanner.")),
            "busy": (self.tr("One moment…"), ""),
            "welcome": (self.tr("Welcome, %1!").replace("%1", name),
                        self.tr("Your badge is printing.") if self._printing
                        else self.tr("You are checked in.")),
            "no_badge": (self.tr("Welcome, %1!").replace("%1", name),
                         self.tr("You are checked in. Your badge could not be printed: "
                                 "please ask at the front desk.")),
            "again": (self.tr("Welcome back, %1").replace("%1", name),
                      self.tr("You are already checked in. Need a new badge? "
                              "Please ask at the front desk.")),
            "scan_qr": (self.tr("Please scan the QR code"),
                        self.tr("Use the code from your confirmation e-mail.")),
            "desk": (self.tr("Please see the front desk"),
                     self.tr("Our staff will help you right away.")),
        }
        message, sub = texts.get(self.state, ("", ""))
        self.message.setText(message)
        self.sub.setText(sub)
        self.field.setPlaceholderText(self.tr("Scan here"))
        self.pin_label.setText(self.tr("Staff PIN to leave kiosk mode:"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
