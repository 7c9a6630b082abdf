"""First start: the station's name and who works at it (asked once, with a printer test),
and the kiosk's staff PIN (asked at the first kiosk start).

Both go into the station's settings file; the settings dialog (Ctrl+,) changes them later.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from checkin.config import StationConfig
from ui.settings_dialog import PIN_PATTERN


class FirstRunDialog(QDialog):
    """Station name and operator, and a test page on the station's printer."""

    def __init__(self, config: StationConfig, station: Any, printer_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from checkin.store import default_station

        self.setObjectName("firstRunDialog")
        self.setMinimumWidth(480)
        self._config = config
        self.station = station
        self._printer_text = printer_text
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.station_name = QLineEdit(config.station or default_station())
        self.station_name.setObjectName("stationName")
        self.operator = QLineEdit(config.operator)
        self.operator.setObjectName("operator")
        for edit in (self.station_name, self.operator):
            edit.setMaxLength(80)
        self.printer = QLabel()
        self.printer.setObjectName("printerLine")
        self.printer.setWordWrap(True)
        self.test_button = QPushButton()
        self.test_button.setObjectName("testPage")
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._labels = [QLabel(), QLabel()]
        form = QFormLayout()
        for label, field in zip(self._labels, (self.station_name, self.operator), strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        test_row = QHBoxLayout()
        test_row.addWidget(self.printer, 1)
        test_row.addWidget(self.test_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addLayout(test_row)
        layout.addWidget(self.test_result)
        layout.addWidget(self.buttons)
        self.test_button.clicked.connect(self.print_test)
        for edit in (self.station_name, self.operator):
            edit.textChanged.connect(self._check)
        self.retranslateUi()
        self._check()
        self.operator.setFocus()

    def config(self) -> StationConfig:
        return replace(self._config, station=self.station_name.text().strip(),
                       operator=self.operator.text().strip())

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.station_name.text().strip() and self.operator.text().strip()))

    def accept(self) -> None:
        if self.station_name.text().strip() and self.operator.text().strip():
            super().accept()

    def print_test(self) -> None:
        self.test_button.setEnabled(False)
        self.test_result.setText(self.tr("Printing a test page…"))
        self.station.print_test(self._tested, self._test_failed)

    def _tested(self, where: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(self.tr("Test page sent: %1. Check that it came out.")
                                 .replace("%1", where))

    def _test_failed(self, message: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(self.tr("The test page did not print: %1. Choose the "
                                         "printer in the settings (Ctrl+,).")
                                 .replace("%1", message))

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Welcome to the check-in station"))
        self.intro.setText(self.tr(
            "Before the first scan: which desk this is and who works at it. Both go into "
            "the log with every check-in. Asked once; the settings (Ctrl+,) change them."))
        self._labels[0].setText(self.tr("&Station name:"))
        self._labels[1].setText(self.tr("&Operator:"))
        self.operator.setPlaceholderText(self.tr("Your name"))
        self.printer.setText(self.tr("Badges print on: %1").replace("%1", self._printer_text))
        self.test_button.setText(self.tr("Print a &test page"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)


class KioskPinDialog(QDialog):
    """The staff PIN that leaves kiosk mode and unlocks the locked station, chosen at the
    first kiosk start or the first lock (typed twice). purpose: "kiosk" or "lock"."""

    def __init__(self, parent: QWidget | None = None, purpose: str = "kiosk") -> None:
        super().__init__(parent)
        self.purpose = purpose
        self.setObjectName("kioskPinDialog")
        self.setMinimumWidth(420)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.first = QLineEdit()
        self.first.setObjectName("pin")
        self.second = QLineEdit()
        self.second.setObjectName("pinAgain")
        for edit in (self.first, self.second):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setValidator(QRegularExpressionValidator(QRegularExpression(PIN_PATTERN), edit))
            edit.textChanged.connect(self._check)
        self._labels = [QLabel(), QLabel()]
        form = QFormLayout()
        for label, field in zip(self._labels, (self.first, self.second), strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.retranslateUi()
        self._check()
        self.first.setFocus()

    def pin(self) -> str:
        return self.first.text()

    def _valid(self) -> bool:
        pin = self.first.text()
        return (QRegularExpression(f"^{PIN_PATTERN}$").match(pin).hasMatch()
                and pin == self.second.text())

    def _check(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self._valid())

    def accept(self) -> None:
        if self._valid():
            super().accept()

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Kiosk PIN") if self.purpose == "kiosk"
                            else self.tr("Staff PIN"))
        self.intro.setText(self.tr(
            "Kiosk mode is left only with a staff PIN (Escape, then the PIN). Choose one: "
            "4 to 8 digits. The settings (Ctrl+,) change it later.") if self.purpose == "kiosk"
            else self.tr("The locked station opens only with a staff PIN (it also leaves "
                         "kiosk mode). Choose one: 4 to 8 digits. The settings (Ctrl+,) "
                         "change it later."))
        self._labels[0].setText(self.tr("&PIN:"))
        self._labels[1].setText(self.tr("&Again:"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)


__all__ = ["FirstRunDialog", "KioskPinDialog"]
