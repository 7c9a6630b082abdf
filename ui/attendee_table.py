"""The attendee list: a lazy table model over the event database, and its filter bar.

Smooth with 100,000 rows because the GUI thread never runs a query: a read lane (its
own thread and SQLite connection) runs the core's queries (checkin.attendee_list) for
the filtered, sorted list of ids, and then for pages of rows as the view asks for them.
The model holds only the id list and a bounded cache of pages; rows are exposed in
chunks through canFetchMore/fetchMore, and a row whose page has not arrived yet shows
a placeholder until the page lands.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from checkin.attendee_list import (
    BY_COUNTRY,
    BY_NAME,
    BY_ORGANISATION,
    BY_ROLE,
    BY_STATE,
    BY_TIME,
    CANCELLED,
    CHECKED_IN,
    NOT_TODAY,
    NOT_YET,
    IdList,
    ListQuery,
    Row,
    load_ids,
    load_rows,
)
from checkin.desk import message_of
from ui.format import country_name
from ui.workers import QueryLane

ATTENDEE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2

NAME, ORGANISATION, COUNTRY, ROLE, STATUS, TIME = range(6)
COLUMN_COUNT = 6

_COLUMN_SORT = {NAME: BY_NAME, ORGANISATION: BY_ORGANISATION, COUNTRY: BY_COUNTRY,
                ROLE: BY_ROLE, STATUS: BY_STATE, TIME: BY_TIME}
# The status words carry the meaning; colour only helps the eye (never colour alone).
_STATE_COLOURS = {CHECKED_IN: QColor("#1b5e20"), CANCELLED: QColor("#b71c1c"),
                  NOT_TODAY: QColor("#616161")}


# -- labels ----------------------------------------------------------------------------


def role_label(role: str) -> str:
    """The role's name in the interface language (unknown roles as written)."""
    # Literal calls, one per text, so that lupdate finds them.
    translate = QCoreApplication.translate
    labels = {
        "delegate": translate("Roles", "Delegate"),
        "speaker": translate("Roles", "Speaker"),
        "press": translate("Roles", "Press"),
        "staff": translate("Roles", "Staff"),
        "exhibitor": translate("Roles", "Exhibitor"),
        "vip": translate("Roles", "VIP"),
        "organiser": translate("Roles", "Organiser"),
        "student": translate("Roles", "Student"),
    }
    return labels.get(role, role)


def state_label(state: str) -> str:
    translate = QCoreApplication.translate
    labels = {
        CHECKED_IN: translate("AttendeeTableModel", "Checked in"),
        NOT_YET: translate("AttendeeTableModel", "Not yet"),
        CANCELLED: translate("AttendeeTableModel", "Cancelled"),
        NOT_TODAY: translate("AttendeeTableModel", "Not today"),
    }
    return labels.get(state, state)


def country_label(code: str) -> str:
    """"DE — Germany" / "DE — Deutschland": named in the interface language like the desk's
    card (ui.format.country_name; the German names are loaded on the db lane at start)."""
    territory = QLocale.codeToTerritory(code)
    if territory == QLocale.Country.AnyTerritory:
        return code
    return f"{code} — {country_name(code)}"


def time_label(iso: str) -> str:
    """HH:MM of the recorded wall-clock time (the desk's time, as the dashboard counts it)."""
    return iso[11:16] if len(iso) >= 16 else iso


# -- the model -------------------------------------------------------------------------


class AttendeeTableModel(QAbstractTableModel):
    """Attendees of the event for one day, filtered and sorted, loaded lazily.

    Give it a QueryLane (shared with the dashboard) or a database path (it then runs its
    own lane and closes it in shutdown()).
    """

    loaded = Signal(int, int)  # rows matching the filters, attendees in total
    loading_changed = Signal(bool)
    page_loaded = Signal(int)
    filter_options_changed = Signal(list, list)  # roles, countries
    error = Signal(str)

    PAGE_SIZE = 200
    CACHE_PAGES = 64

    def __init__(self, source: QueryLane | Path | str, day: str, parent: Any = None,
                 *, fetch_size: int = 1000, autoload: bool = True) -> None:
        super().__init__(parent)
        if isinstance(source, QueryLane):
            self._lane, self._own_lane = source, False
        else:
            self._lane, self._own_lane = QueryLane(source, name="attendee-list"), True
            self._lane.stop_with(self)
        self._query = ListQuery(day=day)
        self._fetch_size = max(1, fetch_size)
        self._ids: list[str] = []
        self._visible = 0
        self._total = 0
        self._roles: list[str] = []
        self._countries: list[str] = []
        self._generation = 0  # of id-list queries: only the newest one's answer is applied
        self._list_version = 0  # of the id list shown: a page belongs to one version
        self._list_day = day  # the day the shown id list was made for
        self._loading = False
        self._cache: OrderedDict[int, list[Row]] = OrderedDict()
        self._fresh: set[int] = set()
        self._pending: set[int] = set()
        if autoload:
            self.refresh()

    # -- filters and loading ---------------------------------------------------------------

    @property
    def query(self) -> ListQuery:
        return self._query

    def set_day(self, day: str) -> None:
        self._set_query(replace(self._query, day=day))

    def set_filters(self, **changes: Any) -> None:
        """Change status / role / country / text (keywords of ListQuery) and reload;
        ValueError for a status not in STATUS_FILTERS."""
        self._set_query(replace(self._query, **changes))

    def _set_query(self, query: ListQuery) -> None:
        if query != self._query:
            self._query = query
            self._load(keep_rows=False)

    def refresh(self) -> None:
        """Reload after a change (a check-in, an edit): same filters, fresh rows."""
        self._load(keep_rows=True)

    def _load(self, *, keep_rows: bool) -> None:
        self._generation += 1
        generation, query = self._generation, self._query
        self._set_loading(True)
        # A query overtaken by a newer one (type-ahead) is skipped on the lane, not run.
        self._lane.submit(
            lambda store: load_ids(store, query) if generation == self._generation else None,
            lambda result: self._ids_ready(generation, result, keep_rows, query.day),
            lambda exc: self._failed(generation, message_of(exc)))

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def is_loading(self) -> bool:
        return self._loading

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._set_loading(False)
        self.error.emit(message)

    def _ids_ready(self, generation: int, result: IdList | None, keep_rows: bool,
                   day: str = "") -> None:
        if result is None or generation != self._generation:
            return  # a newer query is on its way
        self._list_day = day or self._query.day
        self._total = result.total
        self._pending.clear()
        self._list_version += 1  # pages asked for before this answer are not for this list
        if result.ids == self._ids and self._ids:
            # Same rows in the same order: keep the view (selection, scroll) and re-fetch
            # the pages; the old values stay on screen until the fresh ones land.
            self._fresh.clear()
            if self._visible:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(self._visible - 1, COLUMN_COUNT - 1))
        else:
            wanted = self._visible if keep_rows else 0
            self.beginResetModel()
            self._ids = result.ids
            self._visible = min(len(self._ids), max(wanted, self._fetch_size))
            self._cache.clear()
            self._fresh.clear()
            self.endResetModel()
        if (result.roles, result.countries) != (self._roles, self._countries):
            self._roles, self._countries = result.roles, result.countries
            self.filter_options_changed.emit(list(self._roles), list(self._countries))
        self._set_loading(False)
        self.loaded.emit(len(self._ids), self._total)

    def _request_page(self, page: int) -> None:
        if page in self._pending:
            return
        self._pending.add(page)
        version, day = self._list_version, self._list_day
        ids = self._ids[page * self.PAGE_SIZE:(page + 1) * self.PAGE_SIZE]
        self._lane.submit(
            lambda store: load_rows(store, ids, day) if version == self._list_version else [],
            lambda rows: self._page_ready(version, page, rows),
            lambda exc: self._failed(-1, message_of(exc)))

    def _page_ready(self, version: int, page: int, rows: list[Row]) -> None:
        if version != self._list_version:
            return
        self._pending.discard(page)
        self._cache[page] = rows
        self._cache.move_to_end(page)
        self._fresh.add(page)
        while len(self._cache) > self.CACHE_PAGES:
            old, _ = self._cache.popitem(last=False)
            self._fresh.discard(old)
        first = page * self.PAGE_SIZE
        last = min(first + len(rows), self._visible) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, COLUMN_COUNT - 1))
        self.page_loaded.emit(page)

    def row_loaded(self, row: int) -> bool:
        """True once the row's page has arrived since the last reload."""
        return row // self.PAGE_SIZE in self._fresh

    def _row(self, row: int) -> Row | None:
        page = row // self.PAGE_SIZE
        rows = self._cache.get(page)
        if page not in self._fresh:
            self._request_page(page)
        if rows is None:
            return None
        self._cache.move_to_end(page)
        offset = row - page * self.PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    # -- what the view asks ------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._visible

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and self._visible < len(self._ids)

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if parent.isValid():
            return
        more = min(self._fetch_size, len(self._ids) - self._visible)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._visible, self._visible + more - 1)
        self._visible += more
        self.endInsertRows()

    def matching_count(self) -> int:
        """Rows matching the filters (rowCount() grows towards it through fetchMore)."""
        return len(self._ids)

    def total_count(self) -> int:
        return self._total

    def attendee_id(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < self._visible else None

    def row_of(self, attendee_id: str) -> int:
        """The row showing attendee_id, or -1 (also when not fetched into view yet)."""
        try:
            row = self._ids.index(attendee_id)
        except ValueError:
            return -1
        return row if row < self._visible else -1

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (self.tr("Name"), self.tr("Organisation"), self.tr("Country"), self.tr("Role"),
                  self.tr("Status"), self.tr("Checked in at"))
        return titles[section] if 0 <= section < COLUMN_COUNT else None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._visible:
            return None
        if role == ATTENDEE_ID_ROLE:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole:
            row = self._row(index.row()) if index.column() == STATUS else None
            colour = _STATE_COLOURS.get(row.state) if row is not None else None
            return QBrush(colour) if colour is not None else None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, STATE_ROLE):
            return None
        row = self._row(index.row())
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole and index.column() == NAME:
                return "…"
            return None
        if role == STATE_ROLE:
            return row.state
        column = index.column()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COUNTRY and row.country:
                return country_label(row.country)
            if column == TIME and row.time:
                return row.time
            return None
        if column == NAME:  # a name in another script with its Latin spelling beside it
            return f"{row.name} · {row.latin}" if row.latin else row.name
        if column == ORGANISATION:
            return row.organisation
        if column == COUNTRY:
            return row.country
        if column == ROLE:
            return role_label(row.role)
        if column == STATUS:
            return state_label(row.state)
        if column == TIME:
            return time_label(row.time)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._set_query(replace(self._query, sort=_COLUMN_SORT.get(column, BY_NAME),
                                descending=order == Qt.SortOrder.DescendingOrder))

    def retranslate(self) -> None:
        """Labels are translated when shown; tell the views to ask again."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COLUMN_COUNT - 1)
        if self._visible:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self._visible - 1, COLUMN_COUNT - 1))

    def shutdown(self) -> None:
        if self._own_lane:
            self._lane.shutdown()


# -- the view and the filter bar ---------------------------------------------------------


class AttendeeTableView(QTableView):
    """The table: Enter or a double-click on a row emits attendee_activated(id)."""

    attendee_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside it
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setSortingEnabled(True)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        # Fixed row heights: the view never measures 100,000 rows.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(NAME, Qt.SortOrder.AscendingOrder)
        self.doubleClicked.connect(self._activate)

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        header = self.horizontalHeader()
        for column, width in ((NAME, 240), (ORGANISATION, 220), (COUNTRY, 70), (ROLE, 110),
                              (STATUS, 110)):
            header.resizeSection(column, width)

    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            attendee_id = index.data(ATTENDEE_ID_ROLE)
            if attendee_id:
                self.attendee_activated.emit(attendee_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._activate(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    def selected_attendee_id(self) -> str | None:
        index = self.currentIndex()
        return index.data(ATTENDEE_ID_ROLE) if index.isValid() else None


class AttendeeTableWidget(QWidget):
    """Filter bar (search, status, role, country) over the attendee table."""

    attendee_activated = Signal(str)

    TEXT_DELAY_MS = 150  # type-ahead: one query per pause, not per keystroke

    def __init__(self, source: QueryLane | Path | str, day: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AttendeeTableModel(source, day, self)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox(self)
        self.role_filter = QComboBox(self)
        self.country_filter = QComboBox(self)
        self.count_label = QLabel(self)
        self.view = AttendeeTableView(self)
        self.view.setModel(self.model)
        self._search_label = QLabel(self)
        self._search_label.setBuddy(self.search)
        self._status_label = QLabel(self)
        self._status_label.setBuddy(self.status_filter)
        self._role_label = QLabel(self)
        self._role_label.setBuddy(self.role_filter)
        self._country_label = QLabel(self)
        self._country_label.setBuddy(self.country_filter)

        bar = QHBoxLayout()
        for label, field in ((self._search_label, self.search),
                             (self._status_label, self.status_filter),
                             (self._role_label, self.role_filter),
                             (self._country_label, self.country_filter)):
            bar.addWidget(label)
            bar.addWidget(field, 3 if field is self.search else 1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        QWidget.setTabOrder(self.search, self.status_filter)
        QWidget.setTabOrder(self.status_filter, self.role_filter)
        QWidget.setTabOrder(self.role_filter, self.country_filter)
        QWidget.setTabOrder(self.country_filter, self.view)
        self.setFocusProxy(self.search)

        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(self.TEXT_DELAY_MS)
        self._text_timer.timeout.connect(self._apply_text)
        self.search.textChanged.connect(self._text_timer.start)
        self.search.returnPressed.connect(self._search_return)
        self.status_filter.activated.connect(self._apply_combos)
        self.role_filter.activated.connect(self._apply_combos)
        self.country_filter.activated.connect(self._apply_combos)
        self.view.attendee_activated.connect(self.attendee_activated)
        self._first_row_wanted = False
        self.model.loaded.connect(self._loaded)
        self.model.filter_options_changed.connect(self._fill_options)
        self.retranslateUi()

    # -- API for the main window --------------------------------------------------------

    def refresh(self) -> None:
        self.model.refresh()

    def set_day(self, day: str) -> None:
        self.model.set_day(day)

    def shutdown(self) -> None:
        self._text_timer.stop()
        self.model.shutdown()

    # -- filters ------------------------------------------------------------------------

    def _apply_text(self) -> None:
        self.model.set_filters(text=self.search.text())

    def _search_return(self) -> None:
        """Enter in the search field: filter now, then go to the first row of the result."""
        self._text_timer.stop()
        self._first_row_wanted = True
        self._apply_text()
        if not self.model.is_loading():  # nothing to reload: the rows are already there
            self._go_to_first_row()

    def _loaded(self, matching: int, total: int) -> None:
        self._update_count(matching, total)
        if self._first_row_wanted:
            self._go_to_first_row()

    def _go_to_first_row(self) -> None:
        self._first_row_wanted = False
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0, 0))
            self.view.setFocus()

    def _apply_combos(self) -> None:
        self.model.set_filters(status=self.status_filter.currentData() or "all",
                               role=self.role_filter.currentData() or "",
                               country=self.country_filter.currentData() or "")

    def _fill_options(self, roles: list[str], countries: list[str]) -> None:
        self._fill(self.role_filter, self.tr("All roles"), [(r, role_label(r)) for r in roles])
        self._fill(self.country_filter, self.tr("All countries"),
                   [(c, country_label(c)) for c in countries])

    @staticmethod
    def _fill(combo: QComboBox, everything: str, items: list[tuple[str, str]]) -> None:
        current = combo.currentData() or ""
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, "")
        for key, text in items:
            combo.addItem(text, key)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def _update_count(self, matching: int, total: int) -> None:
        self.count_label.setText(
            self.tr("{matching} of {total}").format(matching=matching, total=total))

    # -- language -------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.search.setPlaceholderText(self.tr("Name, organisation, e-mail or code"))
        self._search_label.setText(self.tr("&Find:"))
        self._status_label.setText(self.tr("&Status:"))
        self._role_label.setText(self.tr("&Role:"))
        self._country_label.setText(self.tr("C&ountry:"))
        status = self.status_filter.currentData() or "all"
        self.status_filter.blockSignals(True)
        self.status_filter.clear()
        self.status_filter.addItem(self.tr("Everyone"), "all")
        self.status_filter.addItem(self.tr("Checked in"), CHECKED_IN)
        self.status_filter.addItem(self.tr("Not yet"), NOT_YET)
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData(status)))
        self.status_filter.blockSignals(False)
        self._fill_options(self._roles_now(), self._countries_now())
        self.view.setAccessibleName(self.tr("Attendees"))
        self._update_count(self.model.matching_count(), self.model.total_count())
        self.model.retranslate()

    def _roles_now(self) -> list[str]:
        return [self.role_filter.itemData(i) for i in range(1, self.role_filter.count())]

    def _countries_now(self) -> list[str]:
        return [self.country_filter.itemData(i) for i in range(1, self.country_filter.count())]

