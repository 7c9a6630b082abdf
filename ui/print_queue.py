"""The print queue panel: whose badges wait, since when and why; retry, cancel, or send
them to another printer (Desk ▸ Print queue, Ctrl+J, or a click on the printer line).

The rows come from the db lane (checkin.desk.waiting_badges); the actions go to the print
lane through the Station; every new print state refreshes the rows.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from checkin.desk import QueuedBadge
from checkin.printing.backend import backends
from ui.format import format_time

NAME, ORGANISATION, SINCE, STATE, WHY, PRINTER = range(6)


class PrintQueueDialog(QDialog):
    """Badges not printed yet. `entries` holds the rows shown (tests read it)."""

    def __init__(self, station: Any, parent: QWidget | None = None,
                 printers: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printQueueDialog")
        self.setMinimumSize(640, 320)
        self.station = station
        self.entries: list[QueuedBadge] = []
        self.summary = QLabel()
        self.summary.setObjectName("queueSummary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("queueTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WHY, QHeaderView.ResizeMode.Stretch)
        self.retry_button = QPushButton()
        self.retry_button.setObjectName("retry")
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelBadge")
        self.move_button = QPushButton()
        self.move_button.setObjectName("move")
        # another printer: a backend and its printer (a CUPS queue, a folder, a device)
        self.backend = QComboBox()
        self.backend.setObjectName("moveBackend")
        for info in backends():
            self.backend.addItem(info.name, info.name)
        self.printer = QComboBox()
        self.printer.setObjectName("movePrinter")
        self.printer.setEditable(True)
        self.printer.addItems(printers or [])
        self.printer.setCurrentIndex(-1)
        self.printer.setMinimumWidth(180)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        actions = QHBoxLayout()
        actions.addWidget(self.retry_button)
        actions.addWidget(self.cancel_button)
        actions.addStretch(1)
        self.move_label = QLabel()
        actions.addWidget(self.move_label)
        actions.addWidget(self.backend)
        actions.addWidget(self.printer, 1)
        actions.addWidget(self.move_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.buttons)
        self.retry_button.clicked.connect(self.retry)
        self.cancel_button.clicked.connect(self.cancel)
        self.move_button.clicked.connect(self.move_to_printer)
        self.table.itemSelectionChanged.connect(self._enable)
        station.printStateChanged.connect(self._state_changed)
        self.retranslateUi()
        self.refresh()

    # -- rows ------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.station.load_waiting(self._show)

    def _state_changed(self, _state: Any) -> None:
        if self.isVisible():
            self.refresh()

    def _show(self, entries: list[QueuedBadge]) -> None:
        chosen = set(self.selected_ids())
        self.entries = list(entries)
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            where = f"{entry.backend}: {entry.printer}" if entry.printer else entry.backend
            texts = {NAME: entry.name, ORGANISATION: entry.organisation,
                     SINCE: format_time(entry.since), STATE: self.state_text(entry.state),
                     WHY: entry.why, PRINTER: where}
            for column, text in texts.items():
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, entry.job_id)
                if column == SINCE:
                    item.setToolTip(entry.since)
                self.table.setItem(row, column, item)
            if entry.job_id in chosen:
                self.table.selectRow(row)
        self._update_summary()
        self._enable()

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        return [self.entries[row].job_id for row in rows if row < len(self.entries)]

    def _targets(self) -> list[int]:
        """The chosen rows; none chosen: every row."""
        return self.selected_ids() or [entry.job_id for entry in self.entries]

    def _enable(self) -> None:
        has = bool(self.entries)
        for button in (self.retry_button, self.move_button):
            button.setEnabled(has)
        self.cancel_button.setEnabled(bool(self.selected_ids()))

    def done(self, result: int) -> None:
        self.station.printStateChanged.disconnect(self._state_changed)
        super().done(result)

    # -- actions ---------------------------------------------------------------------------

    def retry(self) -> None:
        self.station.retry_jobs(self._targets())

    def cancel(self) -> None:
        self.station.cancel_jobs(self.selected_ids())

    def move_to_printer(self) -> None:
        backend = self.backend.currentData() or "pdf"
        self.station.move_jobs(self._targets(), backend, self.printer.currentText().strip())

    # -- words -----------------------------------------------------------------------------

    def state_text(self, state: str) -> str:
        return {"queued": self.tr("waiting"), "printing": self.tr("at the printer"),
                "failed": self.tr("failed")}.get(state, state)

    def _update_summary(self) -> None:
        n = len(self.entries)
        self.summary.setText(
            self.tr("No badge is waiting.") if n == 0 else
            self.tr("1 badge has not printed yet.") if n == 1 else
            self.tr("%1 badges have not printed yet.").replace("%1", str(n)))

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Print queue"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Name"), self.tr("Organisation"), self.tr("Waiting since"),
            self.tr("State"), self.tr("Why"), self.tr("Printer")])
        self.retry_button.setText(self.tr("&Retry"))
        self.retry_button.setToolTip(self.tr("Print the chosen badges (none chosen: all) "
                                             "again on their printer"))
        self.cancel_button.setText(self.tr("&Cancel badge"))
        self.move_label.setText(self.tr("Another printer:"))
        line = self.printer.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("its name or folder (empty: its default)"))
        self.move_button.setText(self.tr("&Move there"))
        self.move_button.setToolTip(self.tr("Print the chosen badges (none chosen: all) on "
                                            "this printer now"))
        self._update_summary()
        for row, entry in enumerate(self.entries):
            item = self.table.item(row, STATE)
            if item is not None:
                item.setText(self.state_text(entry.state))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)


__all__ = ["PrintQueueDialog"]
