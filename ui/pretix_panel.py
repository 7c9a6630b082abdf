"""The settings' pretix section: pretix as the attendee source (docs/pretix.md, "In the
station app").

Address, organizer, event, check-in list id and API token; "Test" asks pretix and stores
nothing, "Connect" asks and stores the connection (the token in its 0600 file beside the
database, never shown again: an empty token field keeps the stored one), "Pull now"
imports the list. Each runs on the network lane (ui/pretix_service.py); the answer is one
line under the buttons. The rest of the dialog (OK / Cancel) does not touch pretix.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from checkin.pretix.form import Answer, Fields
from ui.pretix_service import PretixService

GOOD = "color: #1b5e20"
BAD = "color: #b00020; font-weight: bold"


class PretixPanel(QGroupBox):
    answered = Signal(str, bool)  # the line shown, and whether it is good news

    def __init__(self, service: PretixService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pretixPanel")
        self._service = service
        self._connected = False
        self.url = QLineEdit()
        self.organizer = QLineEdit()
        self.event_slug = QLineEdit()
        self.list_id = QLineEdit()
        self.list_id.setValidator(QIntValidator(1, 2**31 - 1, self.list_id))
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.test_button = QPushButton()
        self.connect_button = QPushButton()
        self.pull_button = QPushButton()
        for button in (self.test_button, self.connect_button, self.pull_button):
            button.setAutoDefault(False)  # Enter in a field is the dialog's OK, not these
        self.pull_button.setEnabled(False)
        self.result = QLabel()
        self.result.setObjectName("pretixResult")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.form = QFormLayout()
        self._labels: dict[str, QLabel] = {}
        for key, field in (("url", self.url), ("organizer", self.organizer),
                           ("event", self.event_slug), ("list_id", self.list_id),
                           ("token", self.token)):
            label = QLabel()
            label.setBuddy(field)
            self._labels[key] = label
            self.form.addRow(label, field)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.connect_button)
        row.addWidget(self.pull_button)
        row.addStretch(1)
        column = QVBoxLayout(self)
        column.addLayout(self.form)
        column.addLayout(row)
        column.addWidget(self.result)

        self.test_button.clicked.connect(self.test)
        self.connect_button.clicked.connect(self.connect_list)
        self.pull_button.clicked.connect(self.pull)
        self.retranslateUi()
        service.current(self._filled)

    # -- the stored connection ---------------------------------------------------------------

    def _filled(self, fields: Fields | None) -> None:
        if fields is None:
            return
        self.url.setText(fields.url)
        self.organizer.setText(fields.organizer)
        self.event_slug.setText(fields.event)
        self.list_id.setText(str(fields.list_id))
        self._set_connected(True)

    def _set_connected(self, connected: bool) -> None:
        self._connected = connected
        self.pull_button.setEnabled(connected)
        self.token.setPlaceholderText(
            self.tr("stored (type a new one to replace it)") if connected
            else self.tr("a team API token of the event"))

    # -- the buttons -------------------------------------------------------------------------

    def fields(self) -> Fields | None:
        """The form's fields; None (and the reason shown) when the list id is missing."""
        try:
            list_id = int(self.list_id.text())
        except ValueError:
            self._show(self.tr("The check-in list id is a number (pretix shows it in the "
                               "list's address)."), good=False)
            self.list_id.setFocus()
            return None
        return Fields(self.url.text().strip(), self.organizer.text().strip(),
                      self.event_slug.text().strip(), list_id, self.token.text().strip())

    def test(self) -> None:
        fields = self.fields()
        if fields is not None:
            self._start(self.tr("Asking pretix…"))
            self._service.test(fields, lambda answer: self._answered(answer, stored=False),
                               self._failed)

    def connect_list(self) -> None:
        fields = self.fields()
        if fields is not None:
            self._start(self.tr("Connecting…"))
            self._service.connect_list(fields, lambda answer: self._answered(answer, stored=True),
                                  self._failed)

    def pull(self) -> None:
        self._start(self.tr("Pulling the attendees from pretix…"))
        self._service.pull_now(self._pulled, self._failed)

    # -- answers -----------------------------------------------------------------------------

    def _start(self, text: str) -> None:
        for button in (self.test_button, self.connect_button, self.pull_button):
            button.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText(text)

    def _done(self) -> None:
        self.test_button.setEnabled(True)
        self.connect_button.setEnabled(True)
        self.pull_button.setEnabled(self._connected)

    def _show(self, text: str, good: bool) -> None:
        self.result.setStyleSheet(GOOD if good else BAD)
        self.result.setText(text)
        self.result.setAccessibleName(text)
        self.answered.emit(text, good)

    def _answered(self, answer: Answer, stored: bool) -> None:
        self._done()
        where = self.tr("event “{event}”, check-in list “{list}”").format(
            event=answer.event_name, list=answer.list_name)
        if answer.positions is not None:
            where += " " + self.tr("({n} positions)").format(n=answer.positions)
        if stored:
            self.token.clear()
            self._set_connected(True)
            self._done()
            self._show(self.tr("Connected: {where}. “Pull now” imports the attendees.")
                       .format(where=where), good=True)
        else:
            self._show(self.tr("pretix answers: {where}. Nothing stored yet.").format(
                where=where), good=True)

    def _pulled(self, result: Any) -> None:
        self._done()
        self._show(self.tr("Pulled: {added} added, {changed} changed, {cancelled} cancelled, "
                           "{checkins} check-ins from other pretix devices.").format(
                               added=result.added, changed=result.changed,
                               cancelled=result.cancelled, checkins=result.checkins),
                   good=True)

    def _failed(self, line: str) -> None:
        self._done()
        self._show(line, good=False)

    # -- texts -------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.setTitle(self.tr("Attendees from pretix"))
        texts = {
            "url": self.tr("pretix a&ddress:"),
            "organizer": self.tr("O&rganizer:"),
            "event": self.tr("E&vent:"),
            "list_id": self.tr("Check-&in list id:"),
            "token": self.tr("&API token:"),
        }
        for key, text in texts.items():
            self._labels[key].setText(text)
        self.url.setPlaceholderText("https://pretix.eu")
        self.organizer.setPlaceholderText(self.tr("the organizer's short form"))
        self.event_slug.setPlaceholderText(self.tr("the event's short form"))
        self.test_button.setText(self.tr("T&est"))
        self.connect_button.setText(self.tr("Co&nnect"))
        self.pull_button.setText(self.tr("Pull no&w"))
        self._set_connected(self._connected)
