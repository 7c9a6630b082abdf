"""Dialogs behind the card's actions: a reason (reprint, undo) and attendee details (edit, walk-in).

They open window-modal with open(), not exec(): the event loop keeps running (scans
already queued finish, the print queue keeps updating), and the caller continues from
the dialog's accepted signal.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QCollator, QCoreApplication, QEvent, QLocale, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from checkin.badges import badge_changes
from checkin.models import ROLES, Attendee
from checkin.text import clean_text
from ui.attendee_table import role_label


def who(attendee: Attendee) -> str:
    """The person as a dialog names them before it changes anything: name and
    organisation ("Dr. Anja Müller, Charité Berlin")."""
    name = attendee.display_name or attendee.id
    if attendee.title:
        name = f"{attendee.title} {name}"
    return f"{name}, {attendee.organisation}" if attendee.organisation else name


def person_label(text: str) -> QLabel:
    """The person a dialog is for, in bold at its top."""
    label = QLabel(text)
    label.setObjectName("person")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names are data, never markup
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.3)
    label.setFont(font)
    return label


class ReasonDialog(QDialog):
    """Asks why (a reprint must say why; an undo may), naming the person it is for."""

    def __init__(self, title: str, prompt: str, choices: list[str], required: bool,
                 parent: QWidget | None = None, person: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setMinimumWidth(440)
        self.setWindowTitle(f"{title}: {person}" if person else title)
        self.required = required
        self.person = person_label(person)
        self.person.setVisible(bool(person))
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.reason = QComboBox()
        self.reason.setObjectName("reason")
        self.reason.setEditable(True)
        self.reason.addItems(["", *choices])
        self.reason.setCurrentIndex(0)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.person)
        layout.addWidget(self.prompt)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.reason.editTextChanged.connect(self._check)
        self._check()
        self.reason.setFocus()

    def text(self) -> str:
        return clean_text(self.reason.currentText())

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.text()) or not self.required)

    def accept(self) -> None:
        if self.required and not self.text():
            return
        super().accept()


def reprint_dialog(parent: QWidget, person: str) -> ReasonDialog:
    """person: who(attendee), shown before anything prints."""
    return ReasonDialog(
        QCoreApplication.translate("ReasonDialog", "Reprint badge"),
        QCoreApplication.translate(
            "ReasonDialog", "This person already has a printed badge. Why print another one?"),
        [QCoreApplication.translate("ReasonDialog", "Badge lost"),
         QCoreApplication.translate("ReasonDialog", "Badge damaged"),
         QCoreApplication.translate("ReasonDialog", "Details corrected"),
         QCoreApplication.translate("ReasonDialog", "Printer jammed")],
        required=True, parent=parent, person=person)


def undo_dialog(parent: QWidget, person: str) -> ReasonDialog:
    """person: who(attendee), shown before the check-in is undone."""
    return ReasonDialog(
        QCoreApplication.translate("ReasonDialog", "Undo check-in"),
        QCoreApplication.translate("ReasonDialog", "Undo today's check-in of %1?")
        .replace("%1", person),
        [QCoreApplication.translate("ReasonDialog", "Wrong person checked in"),
         QCoreApplication.translate("ReasonDialog", "Checked in by mistake"),
         QCoreApplication.translate("ReasonDialog", "Left again")],
        required=False, parent=parent, person=person)


def other_day_dialog(parent: QWidget, person: str, days: list[str]) -> ReasonDialog:
    """Admit someone not registered for today anyway: why (kept in the check-in event)."""
    registered = ", ".join(days) or "—"
    return ReasonDialog(
        QCoreApplication.translate("ReasonDialog", "Admit for today"),
        QCoreApplication.translate(
            "ReasonDialog", "Registered for: %1, not for today. Admit today anyway? "
            "The reason goes into the log with your name.").replace("%1", registered),
        [QCoreApplication.translate("ReasonDialog", "Day ticket sold at the desk"),
         QCoreApplication.translate("ReasonDialog", "Organiser's decision"),
         QCoreApplication.translate("ReasonDialog", "Registered for the wrong day by mistake")],
        required=True, parent=parent, person=person)


def territories() -> list[tuple[str, str]]:
    """(name, ISO alpha-2) of every territory Qt knows, named in the interface language
    (the card's names: ui.format.country_name), sorted by name."""
    from ui.format import country_name

    found: dict[str, str] = {}
    for territory in QLocale.Country:
        code = QLocale.territoryToCode(territory)
        if len(code) == 2 and code.isalpha():
            found[code] = country_name(code)
    collator = QCollator(QLocale())
    return sorted(((name, code) for code, name in found.items()),
                  key=lambda t: collator.sortKey(t[0]))


class AttendeeDialog(QDialog):
    """Edit an attendee's details, or register a walk-in (attendee=None)."""

    def __init__(self, attendee: Attendee | None, parent: QWidget | None = None,
                 badge_printed: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("attendeeDialog")
        self.setMinimumWidth(520)
        self.original = attendee
        self.walk_in = attendee is None
        self.title_edit = QLineEdit()
        self.given = QLineEdit()
        self.given.setObjectName("given_name")
        self.family = QLineEdit()
        self.family.setObjectName("family_name")
        self.order = QComboBox()
        self.order.addItem("", "given_first")
        self.order.addItem("", "family_first")
        self.badge_name = QLineEdit()
        self.organisation = QLineEdit()
        self.organisation.setObjectName("organisation")
        self.country = QComboBox()
        self.country.setObjectName("country")
        self.country.addItem("—", "")
        for name, code in territories():
            self.country.addItem(f"{name} ({code})", code)
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(role_label(role), role)
        self.email = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(70)
        for edit in (self.title_edit, self.given, self.family, self.badge_name,
                     self.organisation, self.email):
            edit.setMaxLength(200)
        self.form = QFormLayout()
        self._labels = [QLabel() for _ in range(10)]
        for label, field in zip(self._labels, (self.title_edit, self.given, self.family,
                                               self.order, self.badge_name, self.organisation,
                                               self.country, self.role, self.email,
                                               self.notes), strict=True):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet("color: #b3001b;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        # whom the form changes, before anything is saved
        self.person = person_label(who(attendee) if attendee is not None else "")
        self.person.setVisible(attendee is not None)
        layout.addWidget(self.person)
        layout.addLayout(self.form)
        # After fixing a typo the old badge is wrong: offer the reprint right here, but
        # only while the edit changes something the badge shows (else it is a waste).
        self.badge_printed = badge_printed
        self._reprint_touched = False
        self.reprint = QCheckBox()
        self.reprint.setObjectName("reprint")
        self.reprint.setVisible(attendee is not None)
        self.reprint.clicked.connect(self._reprint_clicked)
        layout.addWidget(self.reprint)
        self.badge_note = QLabel()
        self.badge_note.setObjectName("badgeNote")
        self.badge_note.setWordWrap(True)
        layout.addWidget(self.badge_note)
        self.today_only = QCheckBox()  # a day ticket; otherwise every event day
        self.today_only.setObjectName("today_only")
        self.today_only.setVisible(attendee is None)
        layout.addWidget(self.today_only)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        if attendee is not None:
            self._fill(attendee)
        for edit in (self.title_edit, self.given, self.family, self.badge_name,
                     self.organisation):
            edit.textChanged.connect(self._badge_check)
        for combo in (self.order, self.country, self.role):
            combo.currentIndexChanged.connect(self._badge_check)
        self.retranslateUi()
        self._badge_check()
        self.given.setFocus()

    def badge_changes(self) -> list[str]:
        """The printed fields this edit changes ([] for a walk-in)."""
        if self.original is None:
            return []
        return badge_changes(self.original, self.attendee())

    def wants_reprint(self) -> bool:
        """Print the badge after saving: asked for, and something printed changed."""
        return self.reprint.isChecked() and bool(self.badge_changes())

    def _reprint_clicked(self) -> None:
        self._reprint_touched = True

    def _badge_check(self) -> None:
        if self.original is None:
            self.badge_note.hide()
            return
        changed = bool(self.badge_changes())
        self.reprint.setEnabled(changed)
        if not changed:
            self.reprint.setChecked(False)
            self._reprint_touched = False
        elif not self._reprint_touched:  # a badge printed before is out of date now
            self.reprint.setChecked(self.badge_printed)
        self.badge_note.setVisible(not changed and self.badge_printed)

    def _fill(self, a: Attendee) -> None:
        self.title_edit.setText(a.title)
        self.given.setText(a.given_name)
        self.family.setText(a.family_name)
        self.order.setCurrentIndex(max(0, self.order.findData(a.name_order)))
        self.badge_name.setText(a.badge_name)
        self.organisation.setText(a.organisation)
        index = self.country.findData(a.country.upper())
        if index < 0 and a.country:
            self.country.addItem(a.country, a.country)
            index = self.country.count() - 1
        self.country.setCurrentIndex(max(0, index))
        index = self.role.findData(a.role)
        if index < 0:
            self.role.addItem(role_label(a.role), a.role)
            index = self.role.count() - 1
        self.role.setCurrentIndex(index)
        self.email.setText(a.email)
        self.notes.setPlainText(a.notes)

    def set_country(self, code: str) -> None:
        self.country.setCurrentIndex(max(0, self.country.findData(code.upper())))

    def attendee(self) -> Attendee:
        """The attendee as entered (text cleaned: NFC, no control or bidi characters)."""
        values: dict[str, Any] = {
            "title": clean_text(self.title_edit.text()),
            "given_name": clean_text(self.given.text()),
            "family_name": clean_text(self.family.text()),
            "name_order": self.order.currentData() or "given_first",
            "badge_name": clean_text(self.badge_name.text()),
            "organisation": clean_text(self.organisation.text()),
            "country": self.country.currentData() or "",
            "role": self.role.currentData() or "delegate",
            "email": clean_text(self.email.text()),
            "notes": clean_text(self.notes.toPlainText(), multiline=True),
        }
        if self.original is not None:
            return replace(self.original, **values)
        days = [date.today().isoformat()] if self.today_only.isChecked() else []
        return Attendee(id="", days=days, extra={"walk_in": True}, **values)

    def accept(self) -> None:
        a = self.attendee()
        if not (a.given_name or a.family_name or a.badge_name):
            self.problem.setText(self.tr("A name is needed."))
            self.given.setFocus()
            return
        super().accept()

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Walk-in registration") if self.walk_in
                            else self.tr("Edit details") + f": {self.person.text()}")
        texts = [self.tr("&Title"), self.tr("&Given name"), self.tr("&Family name"),
                 self.tr("Name &order"), self.tr("&Badge name"), self.tr("O&rganisation"),
                 self.tr("&Country"), self.tr("R&ole"), self.tr("&E-mail"), self.tr("&Notes")]
        for label, text in zip(self._labels, texts, strict=True):
            label.setText(text)
        self.order.setItemText(0, self.tr("Given name first"))
        self.order.setItemText(1, self.tr("Family name first (CJK, Hungarian, …)"))
        for index in range(self.role.count()):
            self.role.setItemText(index, role_label(self.role.itemData(index)))
        self.badge_name.setPlaceholderText(self.tr("Only if the badge should show another name"))
        self.reprint.setText(self.tr("&Print the badge again (details corrected)")
                             if self.badge_printed else self.tr("&Print the badge now"))
        self.badge_note.setText(self.tr("Nothing printed on the badge changes: saving "
                                        "prints no new badge."))
        self.today_only.setText(self.tr("Registered for &today only (day ticket)"))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Register, check in and print") if self.walk_in
                   else self.tr("Save"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)


__all__ = ["AttendeeDialog", "ReasonDialog", "other_day_dialog", "reprint_dialog",
           "territories", "undo_dialog", "who"]
