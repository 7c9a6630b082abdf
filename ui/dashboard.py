"""The day at a glance: arrivals per 15 minutes, by role and by country, as charts and numbers.

The statistics come from checkin.reports (Qt-free) and are computed on a read lane; this
widget only draws them. Every chart has a table beside it with the same numbers, so the
figures can be read exactly, copied, and reached with a screen reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QEvent, QLocale, QMargins, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from checkin import reports
from checkin.desk import message_of
from checkin.store import today
from ui.attendee_table import country_label, role_label
from ui.workers import QueryLane

TOP_COUNTRIES = 12  # the chart shows these and one "other" bar; the table shows all
ARRIVALS_COLOUR = QColor("#1f6fb2")
CHECKED_IN_COLOUR = QColor("#2e7d32")
EXPECTED_COLOUR = QColor("#b0bec5")


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


class _Panel(QSplitter):
    """A chart on the left, its numbers in a table on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing to do there by keyboard
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.view.setMinimumSize(360, 240)
        self.addWidget(self.view)
        self.addWidget(self.table)
        self.setChildrenCollapsible(False)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 1)
        self.setSizes([700, 300])

    def clear_chart(self) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
            axis.deleteLater()

    def fill_table(self, headers: list[str], rows: list[list[Any]]) -> None:
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(str(value))
                if isinstance(value, int) or str(value).endswith("%"):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)

    def cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""


class DashboardWidget(QWidget):
    """Arrivals per 15 minutes, by role and by country for one day; refresh() reloads."""

    updated = Signal(object)  # reports.DayReport, after the widgets show it
    error = Signal(str)

    AUTO_REFRESH_MS = 30_000  # while visible: a wall display stays current on its own

    def __init__(self, source: QueryLane | Path | str, day: str | None = None,
                 parent: QWidget | None = None, *, autoload: bool = True) -> None:
        super().__init__(parent)
        if isinstance(source, QueryLane):
            self._lane, self._own_lane = source, False
        else:
            self._lane, self._own_lane = QueryLane(source, name="dashboard"), True
            self._lane.stop_with(self)
        self._day = day or today()
        self._report: reports.DayReport | None = None
        self._loading = False
        self._again = False

        self.summary = QLabel(self)
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.summary.setFont(font)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.tabs = QTabWidget(self)
        self.arrivals = _Panel()
        self.roles = _Panel()
        self.countries = _Panel()
        self.tabs.addTab(self.arrivals, "")
        self.tabs.addTab(self.roles, "")
        self.tabs.addTab(self.countries, "")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs)
        QWidget.setTabOrder(self.tabs, self.arrivals.table)
        self.setFocusProxy(self.tabs)

        self._timer = QTimer(self)
        self._timer.setInterval(self.AUTO_REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.retranslateUi()
        if autoload:
            self.refresh()

    # -- API ------------------------------------------------------------------------------

    @property
    def day(self) -> str:
        return self._day

    def set_day(self, day: str) -> None:
        self._day = day
        self.refresh()

    def report(self) -> reports.DayReport | None:
        return self._report

    def refresh(self) -> None:
        """Recompute the day's numbers on the read lane; one query at a time."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        day = self._day
        self._lane.submit(lambda store: reports.day_report(store, day), self._show,
                          self._failed)

    def shutdown(self) -> None:
        self._timer.stop()
        if self._own_lane:
            self._lane.shutdown()

    def _failed(self, exc: BaseException) -> None:
        message = message_of(exc)
        self._loading = False
        self.summary.setText(self.tr("No figures: {reason}").format(reason=message))
        self.error.emit(message)
        if self._again:
            self._again = False
            self.refresh()

    def _show(self, report: reports.DayReport) -> None:
        self._loading = False
        if report.day == self._day:
            self._report = report
            self._draw()
            self.updated.emit(report)
        if self._again:
            self._again = False
            self.refresh()

    # -- drawing ----------------------------------------------------------------------------

    def _draw(self) -> None:
        report = self._report
        if report is None:
            self.summary.setText(self.tr("Loading…"))
            return
        text = self.tr("{day}: {checked_in} of {expected} checked in ({percent} %)").format(
            day=self._day_text(report.day), checked_in=report.checked_in,
            expected=report.expected, percent=percent(report.checked_in, report.expected))
        refused = report.refused
        if refused:  # damaged codes are routine; ones that do not verify are counted apart
            forged = refused.get("forged", 0)
            other = sum(refused.values()) - forged
            text += "\n" + self.tr("Codes refused as not valid: {damaged} unreadable or "
                                   "from another key, {forged} not verifying (forged or "
                                   "altered)").format(damaged=other, forged=forged)
        if report.conflicts:
            text += "\n" + self.tr(
                "{n} admitted at two desks while apart (checkin conflicts lists them)").format(
                    n=report.conflicts)
        self.summary.setText(text)
        self._draw_arrivals(report)
        self._draw_groups(self.roles, report.roles, role_label, self.tr("Role"),
                          self.tr("Checked in and expected by role"), limit=None)
        self._draw_groups(self.countries, report.countries, self._country, self.tr("Country"),
                          self.tr("Checked in and expected by country"), limit=TOP_COUNTRIES)

    @staticmethod
    def _day_text(day: str) -> str:
        date = QDate.fromString(day, Qt.DateFormat.ISODate)
        return QLocale().toString(date, QLocale.FormatType.LongFormat) if date.isValid() else day

    def _country(self, code: str) -> str:
        return country_label(code) if code else self.tr("Unknown")

    def _draw_arrivals(self, report: reports.DayReport) -> None:
        panel = self.arrivals
        panel.clear_chart()
        panel.chart.setTitle(self.tr("Arrivals per 15 minutes"))
        bars = QBarSet(self.tr("Arrivals"))
        bars.setColor(ARRIVALS_COLOUR)
        for slot in report.arrivals:
            bars.append(slot.count)
        series = QBarSeries()
        series.append(bars)
        series.setBarWidth(0.9)
        panel.chart.addSeries(series)
        top = max((slot.count for slot in report.arrivals), default=0)
        self._axes(panel, series, [slot.start for slot in report.arrivals], top,
                   horizontal=False)
        panel.chart.legend().setVisible(False)
        rows: list[list[Any]] = []
        total = 0
        for slot in report.arrivals:
            total += slot.count
            rows.append([slot.start, slot.count, total])
        panel.fill_table([self.tr("From"), self.tr("Arrivals"), self.tr("Total so far")], rows)

    def _draw_groups(self, panel: _Panel, groups: list[reports.GroupCount], label: Any,
                     heading: str, title: str, *, limit: int | None) -> None:
        panel.clear_chart()
        panel.chart.setTitle(title)
        shown = groups
        if limit is not None and len(groups) > limit:
            rest = groups[limit - 1:]
            other = reports.GroupCount("\x00other", sum(g.checked_in for g in rest),
                                       sum(g.expected for g in rest))
            shown = [*groups[:limit - 1], other]
        checked = QBarSet(self.tr("Checked in"))
        checked.setColor(CHECKED_IN_COLOUR)
        expected = QBarSet(self.tr("Expected"))
        expected.setColor(EXPECTED_COLOUR)
        names = []
        # Horizontal bars draw bottom-up: reverse so the biggest group is on top.
        for group in reversed(shown):
            checked.append(group.checked_in)
            expected.append(group.expected)
            names.append(self.tr("Other") if group.key == "\x00other" else label(group.key))
        series = QHorizontalBarSeries()
        series.append(checked)
        series.append(expected)
        panel.chart.addSeries(series)
        top = max([g.expected for g in shown] + [g.checked_in for g in shown], default=0)
        self._axes(panel, series, names, top, horizontal=True)
        panel.chart.legend().setVisible(True)
        rows = [[label(g.key), g.checked_in, g.expected, f"{percent(g.checked_in, g.expected)} %"]
                for g in groups]
        panel.fill_table([heading, self.tr("Checked in"), self.tr("Expected"), "%"], rows)

    @staticmethod
    def _axes(panel: _Panel, series: Any, categories: list[str], top: int, *,
              horizontal: bool) -> None:
        category_axis = QBarCategoryAxis()
        category_axis.append(categories or ["—"])
        value_axis = QValueAxis()
        value_axis.setLabelFormat("%d")
        # Whole numbers only: ticks every step from 0, at most about five of them.
        step = max(1, -(-top // 5))
        value_axis.setRange(0, max(step * 5, top, 1))
        value_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        value_axis.setTickAnchor(0)
        value_axis.setTickInterval(step)
        if not horizontal and len(categories) > 16:
            category_axis.setLabelsAngle(-90)
        chart = panel.chart
        category_side = Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom
        value_side = Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft
        chart.addAxis(category_axis, category_side)
        chart.addAxis(value_axis, value_side)
        series.attachAxis(category_axis)
        series.attachAxis(value_axis)

    # -- visibility and language ------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: Any) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.tabs.setTabText(0, self.tr("&Arrivals"))
        self.tabs.setTabText(1, self.tr("By &role"))
        self.tabs.setTabText(2, self.tr("By &country"))
        self.tabs.setAccessibleName(self.tr("Dashboard"))
        self._draw()
