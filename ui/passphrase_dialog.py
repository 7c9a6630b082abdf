"""The passphrase of an encrypted event database, asked at start before it opens
(docs/encryption.md), and for a new one (pairing with an encrypted hub).

``unlock_at_start(path, parent=None) -> bool``: True when the database can be opened now
(plain, or its passphrase known: $CHECKIN_PASSPHRASE, the OS keyring, or typed here);
False when the person cancelled (the app then quits without opening it).
``install_prompter(app)``: checkin.passphrases asks through this dialog, on the GUI
thread only (a lane that needed it would get no answer, and say so in one line).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QThread
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)


class PassphraseDialog(QDialog):
    """One passphrase field (two for a new passphrase), a line for what went wrong."""

    def __init__(self, path: Path, *, new: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        self.setMinimumWidth(460)
        self.path = path
        self.new = new
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.first = QLineEdit()
        self.first.setObjectName("passphrase")
        self.second = QLineEdit()
        self.second.setObjectName("passphraseAgain")
        for edit in (self.first, self.second):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(self._check)
        self.problem = QLabel()
        self.problem.setObjectName("passphraseProblem")
        self.problem.setWordWrap(True)
        self._labels = [QLabel(), QLabel()]
        form = QFormLayout()
        form.addRow(self._labels[0], self.first)
        self._labels[0].setBuddy(self.first)
        if new:
            form.addRow(self._labels[1], self.second)
            self._labels[1].setBuddy(self.second)
        else:
            self.second.hide()
            self._labels[1].hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.retranslateUi()
        self._check()
        self.first.setFocus()

    def passphrase(self) -> str:
        return self.first.text()

    def _valid(self) -> bool:
        from checkin.cipher import MIN_LENGTH

        text = self.first.text()
        if not self.new:
            return bool(text)
        return len(text) >= MIN_LENGTH and text == self.second.text()

    def _check(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self._valid())

    def accept(self) -> None:
        if self._valid():
            super().accept()

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.first.selectAll()
        self.first.setFocus()

    def retranslateUi(self) -> None:
        from checkin.cipher import MIN_LENGTH

        self.setWindowTitle(self.tr("Encrypted event database"))
        if self.new:
            self.intro.setText(self.tr(
                "The event database %1 is to be encrypted. Choose its passphrase (at least "
                "%2 characters; a whole sentence is better) and keep it safe: without it "
                "nobody can open the database, not even support.")
                .replace("%1", str(self.path)).replace("%2", str(MIN_LENGTH)))
        else:
            self.intro.setText(self.tr(
                "The event database %1 is encrypted. Type its passphrase to open it.")
                .replace("%1", str(self.path)))
        self._labels[0].setText(self.tr("&Passphrase:"))
        self._labels[1].setText(self.tr("&Again:"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)


def unlock_at_start(path: Path, parent: QWidget | None = None) -> bool:
    """See the module doc. The passphrase is checked here (a wrong one is said in the
    dialog, which stays open); the database itself is opened later by the lanes."""
    from checkin import db
    from checkin.errors import CheckinError

    try:
        db.unlock(path)  # False: plain, or not there yet
        return True
    except CheckinError:
        pass  # encrypted, and neither the environment's nor the keyring's opens it: ask
    dialog = PassphraseDialog(path, parent=parent)
    while dialog.exec() == QDialog.DialogCode.Accepted:
        try:
            db.unlock(path, dialog.passphrase())
        except CheckinError:
            log.warning("station: a wrong passphrase was typed for %s", path)
            dialog.show_problem(QCoreApplication.translate(
                "PassphraseDialog", "This passphrase does not open the database. Try again "
                "(mind the keyboard layout and Caps Lock)."))
            continue
        return True
    log.info("station: the passphrase dialog for %s was cancelled", path)
    return False


def _ask(path: Path, new: bool) -> str | None:
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        return None  # never a dialog off the GUI thread
    dialog = PassphraseDialog(path, new=new)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.passphrase()


def install_prompter() -> None:
    from checkin import passphrases

    passphrases.set_prompter(_ask)


__all__ = ["PassphraseDialog", "install_prompter", "unlock_at_start"]
