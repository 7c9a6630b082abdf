"""The station's lock: a cover over the whole window, left only with the staff PIN.

The station locks on demand (Ctrl+Shift+L) and after StationConfig.lock_minutes without a
key press or a click in its windows (IdleWatch). While locked, nothing personal is on
screen: the cover hides the card, the list, the camera and the status bar, and shows only
the event's name and the day's numbers (as the dashboard does, without anyone in them);
open dialogs are hidden until the station is unlocked, and scans are not taken (kiosk
mode is the one way to keep scanning unattended, and it never locks: it has its own PIN).

Unlocking asks for the operator's name (the one signed in, ready to change at a shift
change) and the staff PIN (StationConfig.kiosk_pin). Whoever unlocks under another name
is the operator from then on: every event the desk logs carries that name
(docs/privacy.md, "Operators").
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

# What counts as someone at the desk (not paints, timers or a window being exposed).
_ACTIVITY = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                       QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin,
                       QEvent.Type.InputMethod})


class IdleWatch(QObject):
    """idle after interval_ms without input to the watched windows (0: never).

    It filters the events of each watched top-level window's QWindow, which sees every
    key and mouse event of that window before its widgets do: an application-wide
    filter would cost every event of the GUI thread a trip into Python."""

    idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self.set_interval(interval_ms)

    def set_interval(self, interval_ms: int) -> None:
        self._timer.setInterval(max(0, interval_ms))
        self.restart()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def restart(self) -> None:
        if self._timer.interval() > 0:
            self._timer.start()
        else:
            self._timer.stop()

    def stop(self) -> None:
        self._timer.stop()

    def watch(self, widget: QWidget) -> None:
        handle = widget.window().windowHandle()
        if handle is not None:
            handle.installEventFilter(self)

    def eventFilter(self, obj: Any, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False


def _font(size: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(size)
    font.setBold(bold)
    return font


class LockScreen(QWidget):
    """The cover (a child of the main window, laid over all of it)."""

    unlocked = Signal(str)  # the operator's name as typed

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#lockScreen { background: #263238; }"
                           "#lockScreen QLabel { color: #eceff1; }"
                           "#lockScreen QLineEdit { background: white; color: black; }")
        self.pin = ""
        self.event_name = QLabel()
        self.event_name.setObjectName("lockEvent")
        self.event_name.setFont(_font(22, True))
        self.event_name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.event_name.setTextFormat(Qt.TextFormat.PlainText)
        self.counts = QLabel()
        self.counts.setObjectName("lockCounts")
        self.counts.setFont(_font(16))
        self.counts.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heading = QLabel()
        self.heading.setObjectName("lockHeading")
        self.heading.setFont(_font(30, True))
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.operator = QLineEdit()
        self.operator.setObjectName("lockOperator")
        self.operator.setMaxLength(200)
        self.pin_field = QLineEdit()
        self.pin_field.setObjectName("lockPin")
        self.pin_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_field.setMaxLength(64)
        self.pin_field.returnPressed.connect(self.try_unlock)
        self.operator.returnPressed.connect(self.pin_field.setFocus)
        self.message = QLabel()
        self.message.setObjectName("lockMessage")
        self.message.setFont(_font(12, True))
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton()
        self.button.setObjectName("lockUnlock")
        self.button.clicked.connect(self.try_unlock)
        self._labels = (QLabel(), QLabel())

        form = QFormLayout()
        for label, field in zip(self._labels, (self.operator, self.pin_field), strict=True):
            label.setBuddy(field)
            field.setMinimumWidth(260)
            form.addRow(label, field)
        panel = QWidget()
        panel.setMaximumWidth(520)
        column = QVBoxLayout(panel)
        column.addLayout(form)
        column.addWidget(self.message)
        column.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 40, 40, 40)
        layout.addWidget(self.event_name)
        layout.addWidget(self.counts)
        layout.addStretch(1)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addSpacing(16)
        layout.addLayout(row)
        layout.addStretch(2)
        self.hide()
        self.retranslateUi()

    def cover(self, *, event_name: str, counts: str, operator: str, pin: str) -> None:
        """Lay the cover over the whole parent window and ask for the PIN."""
        self.pin = pin
        self.event_name.setText(event_name)
        self.counts.setText(counts)
        self.operator.setText(operator)
        self.pin_field.clear()
        self.message.clear()
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.pin_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_counts(self, counts: str) -> None:
        self.counts.setText(counts)

    def try_unlock(self) -> None:
        name = self.operator.text().strip()
        if not name:
            self.message.setText(self.tr("Type your name: what you do is logged under it."))
            self.operator.setFocus()
            return
        if not self.pin or self.pin_field.text() != self.pin:
            log.warning("station: a wrong PIN was typed to unlock it")
            self.message.setText(self.tr("Wrong PIN"))
            self.pin_field.clear()
            self.pin_field.setFocus()
            return
        self.pin_field.clear()
        self.hide()
        self.unlocked.emit(name)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape:  # nothing behind the cover to go back to
            self.pin_field.clear()
            return
        super().keyPressEvent(event)

    def retranslateUi(self) -> None:
        self.heading.setText(self.tr("Station locked"))
        self.hint.setText(self.tr("Type your name and the staff PIN to unlock. Another name "
                                  "signs you in: the desk logs what you do under it."))
        self._labels[0].setText(self.tr("&Operator:"))
        self._labels[1].setText(self.tr("Staff &PIN:"))
        self.button.setText(self.tr("&Unlock"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
