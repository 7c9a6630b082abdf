"""The station's status bar: station, event day, checked in / expected, printer, sync,
pretix."""

from __future__ import annotations

from PySide6.QtCore import QDate, QEvent, QLocale, Qt
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from checkin.pretix.cycle import PretixState
from checkin.sync.background import SyncStatus, clock_of
from ui.format import printer_state_text


class StationStatusBar(QStatusBar):
    """Permanent fields on the right; temporary messages (showMessage) on the left.

    The setters keep the raw values, so a language switch rebuilds every text.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._station = ""
        self._day = ""
        self._counts: tuple[int, int] | None = None
        self._printer: tuple[str, int, str, int] | None = None
        self._sync = SyncStatus()
        self.station_label = self._field("station")
        self.day_label = self._field("day")
        self.counts_label = self._field("counts")
        self.printer_label = self._field("printer")
        self.sync_label = self._field("sync")
        self.sync_label.hide()
        self._pretix: PretixState | None = None
        self._pretix_via_hub = False
        self.pretix_label = self._field("pretix")
        self.pretix_label.hide()
        self.retranslateUi()

    def _field(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(f"status_{name}")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setContentsMargins(6, 0, 6, 0)
        self.addPermanentWidget(label)
        return label

    # -- setters ---------------------------------------------------------------------------

    def set_station(self, name: str) -> None:
        self._station = name
        self._update_station()

    def set_day(self, day: str) -> None:
        """day: ISO date (YYYY-MM-DD)."""
        self._day = day
        self._update_day()

    def set_counts(self, checked_in: int, expected: int) -> None:
        self._counts = (checked_in, expected)
        self._update_counts()

    def set_printer(self, state: str, queue_length: int, reason: str = "",
                    failed: int = 0) -> None:
        """state: the printer's state word (checkin.printing.backend: ready, busy, offline,
        stopped, out_of_paper, unknown), translated here, so a language switch retranslates
        it too; reason: the printer's own detail (shown as it comes); failed: failed jobs."""
        self._printer = (state, queue_length, reason, failed)
        self._update_printer()

    def set_sync(self, status: SyncStatus) -> None:
        """The hub as the last background sync found it; hidden for a desk with no hub."""
        self._sync = status
        self._update_sync()

    def set_pretix(self, state: PretixState | None, via_hub: bool = False) -> None:
        """pretix as this desk's own connection, or (via_hub) its hub's, has it; hidden
        when neither is connected."""
        self._pretix, self._pretix_via_hub = state, via_hub
        self._update_pretix()

    # -- texts -----------------------------------------------------------------------------

    def _update_station(self) -> None:
        self.station_label.setText(self.tr("Station: {name}").format(
            name=self._station or self.tr("(unnamed)")))
        self.station_label.setAccessibleName(self.station_label.text())

    def _update_day(self) -> None:
        if not self._day:
            self.day_label.setText(self.tr("No event day"))
        else:
            date = QDate.fromString(self._day, Qt.DateFormat.ISODate)
            locale = QLocale()
            # The "C" locale (containers, bare systems) has no date format worth showing.
            shown = (locale.toString(date, QLocale.FormatType.ShortFormat)
                     if date.isValid() and locale.language() != QLocale.Language.C
                     else self._day)
            self.day_label.setText(self.tr("Day: {date}").format(date=shown))
            self.day_label.setToolTip(self._day)
        self.day_label.setAccessibleName(self.day_label.text())

    def _update_counts(self) -> None:
        if self._counts is None:
            self.counts_label.setText("")
            return
        checked_in, expected = self._counts
        percent = round(100 * checked_in / expected) if expected else 0
        self.counts_label.setText(
            self.tr("Checked in: {checked_in} / {expected} ({percent} %)").format(
                checked_in=checked_in, expected=expected, percent=percent))
        self.counts_label.setAccessibleName(self.counts_label.text())

    def _update_printer(self) -> None:
        if self._printer is None:
            self.printer_label.setText("")
            return
        word, queued, reason, failed = self._printer
        state = printer_state_text(word)
        if reason:
            state = self.tr("{state} ({reason})").format(state=state, reason=reason)
        if failed:
            state += " · " + self.tr("{count} failed").format(count=failed)
        if queued:
            text = self.tr("Printer: {state} · {queued} in queue").format(
                state=state, queued=queued)
        else:
            text = self.tr("Printer: {state}").format(state=state)
        self.printer_label.setText(text)
        self.printer_label.setAccessibleName(text)

    def sync_text(self) -> str:
        status = self._sync
        if status.online:
            text = self.tr("Hub: connected")
        elif status.offline_since:
            text = self.tr("Hub: offline since {time}").format(
                time=clock_of(status.offline_since))
        else:
            text = self.tr("Hub: not reached yet")
        if status.waiting:
            text += " · " + (self.tr("1 event waiting") if status.waiting == 1 else
                             self.tr("{n} events waiting").format(n=status.waiting))
        elif status.online:
            text += " · " + self.tr("all synced")
        return text

    def _update_sync(self) -> None:
        self.sync_label.setVisible(self._sync.paired)
        self.sync_label.setText(self.sync_text() if self._sync.paired else "")
        self.sync_label.setToolTip(self._sync.error)
        self.sync_label.setAccessibleName(self.sync_label.text())

    def pretix_text(self) -> str:
        state = self._pretix
        if state is None or not state.connected:
            return ""
        parts = [self.tr("pretix via hub") if self._pretix_via_hub else self.tr("pretix")]
        if state.error:
            parts.append(self.tr("error"))
        if state.last_pull:
            parts.append(self.tr("pulled {time}").format(time=clock_of(state.last_pull)))
        else:
            parts.append(self.tr("connected, not pulled yet"))
        if state.waiting:
            parts.append(self.tr("1 admission waiting") if state.waiting == 1 else
                         self.tr("{n} admissions waiting").format(n=state.waiting))
        elif state.last_push or state.accepted:
            parts.append(self.tr("all sent"))
        if state.refused:
            parts.append(self.tr("{n} refused").format(n=state.refused))
        return " · ".join(parts)

    def _update_pretix(self) -> None:
        text = self.pretix_text()
        self.pretix_label.setVisible(bool(text))
        self.pretix_label.setText(text)
        self.pretix_label.setToolTip(self._pretix.error if self._pretix else "")
        self.pretix_label.setAccessibleName(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self._update_station()
        self._update_day()
        self._update_counts()
        self._update_printer()
        self._update_sync()
        self._update_pretix()
