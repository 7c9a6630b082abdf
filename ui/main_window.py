"""The station's main window: the desk (scan field, result card, actions, camera), the
attendee list, the dashboard, and the menus with every shortcut.

The scan field has the focus whenever the desk is shown: after a scan, a dialog, a click
anywhere on the desk, focus comes back to it, so the next scanner burst always lands.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QFont,
    QGuiApplication,
    QKeySequence,
    QScreen,
)
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from checkin.config import StationConfig
from checkin.desk import Hit, Outcome, PrintState, Stats, Summary
from checkin.sync import pairing
from checkin.sync.pairing import Pairing
from checkin.text import name_case
from ui.actions import AttendeeDialog, other_day_dialog, reprint_dialog, undo_dialog, who
from ui.camera import CameraPane
from ui.format import format_day, format_time, printer_state_text
from ui.lock import IdleWatch, LockScreen
from ui.result_card import ResultCard
from ui.scan_panel import MenuScanGuard, ScannerCatcher, ScanPanel
from ui.services import Station
from ui.sounds import Sounds
from ui.status_bar import StationStatusBar

log = logging.getLogger(__name__)

# The list and the dashboard are built when first shown, and imported then (startup).
if TYPE_CHECKING:
    from ui.attendee_table import AttendeeTableWidget
    from ui.dashboard import DashboardWidget

DESK, ATTENDEES, DASHBOARD = range(3)
DEFAULT_SIZE = (1280, 800)  # without a screen to place it on (and the tests' size)
# An answer slower than this (the database held by another program past its busy timeout,
# a slow disk) turns the card to "one moment", so nobody scans again into a silent screen.
WAITING_MS = 400
DAY_CHECK_MS = 30_000
# verdicts whose card shows the engine's reason (translated by ResultCard.verdict_detail)
VERDICT_REASONS = ("cancelled", "not_registered_today", "unknown", "invalid_signature")
# the card while the operator types a name: no person selected until one is chosen
SEARCH_KINDS = ("searching", "matches", "no_match")


class ButtonRow(QWidget):
    """The desk's action buttons: one row when every button's words fit in it, else two
    rows (a 1024x600 screen, German words), so no button's text is ever cut."""

    def __init__(self, buttons: list[QPushButton], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._buttons = buttons
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.rows = 0
        self._arrange(1)

    def _arrange(self, rows: int) -> None:
        if rows == self.rows:
            return
        self.rows = rows
        for button in self._buttons:
            self._grid.removeWidget(button)
        per_row = -(-len(self._buttons) // rows)
        for index, button in enumerate(self._buttons):
            self._grid.addWidget(button, index // per_row, index % per_row)
        self._stretch()

    def _stretch(self) -> None:
        """Columns share the width in proportion to their words (equal shares cut the
        longest, "Namensschild drucken"): when the row is as wide as wanted_width(),
        every button is as wide as its words."""
        per_row = -(-len(self._buttons) // self.rows)
        for column in range(len(self._buttons)):
            hints = [b.sizeHint().width() for i, b in enumerate(self._buttons)
                     if column < per_row and i % per_row == column]
            self._grid.setColumnStretch(column, max(hints, default=0))

    def wanted_width(self) -> int:
        spacing = max(0, self._grid.horizontalSpacing())
        return (sum(b.sizeHint().width() for b in self._buttons)
                + spacing * (len(self._buttons) - 1))

    def refit(self) -> None:
        """One row or two, by the buttons' words now (after a language switch too)."""
        if self.width() > 0:
            self._arrange(1 if self.wanted_width() <= self.width() else 2)
            self._stretch()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.refit()


Text = str | Callable[[], str]
"""A text on the card: as it is, or a function that words it in the current language."""


def text_of(text: Text) -> str:
    return text() if callable(text) else text


def start_geometry(available: QRect) -> tuple[QRect, bool]:
    """(geometry, maximised) of the window's start: the desk is the station's one
    application, so it takes the screen's whole available area, maximised (the card
    scales its text up on a large screen, down on a small one). The geometry is also
    where it stays without a window manager, which would not act on "maximised"."""
    return QRect(available), True


class MainWindow(QMainWindow):
    ready = Signal()  # the event is open and the desk takes scans
    lockChanged = Signal(bool)  # locked (True) or unlocked (tests wait for it)
    outcomeShown = Signal(object)  # an Outcome is on the card (tests wait for it)
    languageChanged = Signal(str)
    scanInDialog = Signal(str)  # a scan kept out of an open dialog's form

    def __init__(self, station: Station, config: StationConfig,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.station = station
        self.config = config
        self.sounds = Sounds(muted=not config.sound, parent=self)
        self.sounds.preload()  # before the lanes get work: no plugin loading mid-shift
        self.current: Outcome | None = None  # the person on the card, if any
        self.pair_with: Pairing | None = None  # a scanned hub code, accepted: app.main pairs
        # current is a search result chosen in the list whose card is not up yet (the
        # describe is on its way); an action asked for meanwhile waits for that card
        self._provisional = False
        self._pending_action: tuple[str, str] | None = None  # (action, attendee id)
        self._search_mode = False  # the operator typed a name: the list, not the card, leads
        self._previews: list[str] = []  # ids whose cards choosing rows asked for, in order
        self._saving: dict[str, bool] = {}  # attendee id -> a reprint was asked with the edit
        self.confirm_quit = True  # quitting with badges not printed asks first
        self._moved_to: list[str] = []  # printers badges were moved to from the queue panel
        self.dialog: Any = None  # the open action dialog (tests drive it)
        self.kiosk: Any = None
        self.summary: Summary | None = None
        self.attendees: AttendeeTableWidget | None = None
        self.dashboard: DashboardWidget | None = None
        self._closed = False
        self.config_problem = ""
        # the card's texts are kept as functions that word them, so that a language switch
        # words them again (a German note must not stay after switching back to English)
        self._card: tuple[str, Any, Text, Any] = ("idle", None, "", None)
        self._print_note: Text = ""

        self._build_desk()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tabs.addTab(self.desk, "")
        self.tabs.addTab(QWidget(), "")  # placeholders until first shown: fast start
        self.tabs.addTab(QWidget(), "")
        self.tabs.currentChanged.connect(self._tab_changed)

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setStyleSheet("QLabel#banner { background: #fff3c4; color: #3b2f00;"
                                  " padding: 8px 12px; font-size: 12pt;"
                                  " border-bottom: 2px solid #e0b000; }")
        self.banner.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._build_actions()
        # the lock (ui/lock.py): a cover over the whole window, and the idle timer
        self.locked = False
        self._locked_states: dict[QAction, bool] = {}
        self._hidden_dialog: Any = None
        self._no_pin_logged = False
        self.lock_screen = LockScreen(self)
        self.lock_screen.unlocked.connect(self.unlock)
        self.idle = IdleWatch(config.lock_minutes * 60_000, self)
        self.idle.idle.connect(self._idle)
        self._connect()
        self.retranslateUi()
        self._set_enabled_for(None)
        self.place_on_screen()
        self.card.show_state("busy")
        self.scan.field.setEnabled(False)
        self._waiting = QTimer(self)
        self._waiting.setSingleShot(True)
        self._waiting.setInterval(WAITING_MS)
        self._waiting.timeout.connect(self._show_waiting)
        self._day_timer = QTimer(self)  # a station left running overnight: the new day
        self._day_timer.setInterval(DAY_CHECK_MS)
        self._day_timer.timeout.connect(self.check_day)

    # -- construction -------------------------------------------------------------------

    def place_on_screen(self, screen: QScreen | None = None) -> None:
        """Start within the screen's available area (QScreen.availableGeometry), all of
        it: a 1366x768 laptop with a panel has no room for 1280x800 and a title bar, and
        a 4K screen shows the desk large (start_geometry)."""
        screen = screen or self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(*DEFAULT_SIZE)
            return
        geometry, maximised = start_geometry(screen.availableGeometry())
        self.setGeometry(geometry)  # also where it stays without a window manager
        if maximised:
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def _build_desk(self) -> None:
        self.desk = QWidget()
        self.scan = ScanPanel()
        self.camera = CameraPane(self.station.lanes["decode"])
        self.card = ResultCard()
        self.buttons: dict[str, QPushButton] = {}
        for key in ("check_in", "undo", "print", "edit", "walk_in"):
            button = QPushButton()
            button.setObjectName(f"button_{key}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan field keeps the focus
            button.setMinimumHeight(58)
            button.setMinimumWidth(60)  # ButtonRow keeps each as wide as its words
            font = QFont()
            font.setPointSize(12)
            button.setFont(font)
            self.buttons[key] = button
        self.button_row = ButtonRow(list(self.buttons.values()))
        self.print_label = QLabel()
        self.print_label.setObjectName("printQueue")
        self.print_label.setWordWrap(True)
        self.print_label.setTextFormat(Qt.TextFormat.PlainText)
        self.print_label.setStyleSheet("QLabel#printQueue { font-size: 12pt; padding: 6px;"
                                       " border: 1px solid #90a4ae; border-radius: 6px; }")
        self.print_label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.print_label.installEventFilter(self)  # a click opens the print queue

        left = QWidget()
        left_col = QVBoxLayout(left)
        self._left_col = left_col
        left_col.setContentsMargins(0, 0, 0, 0)
        left_col.addWidget(self.scan, 3)
        left_col.addWidget(self.camera, 2)
        right = QWidget()
        right_col = QVBoxLayout(right)
        right_col.setContentsMargins(0, 0, 0, 0)
        right_col.addWidget(self.card, 1)
        right_col.addWidget(self.button_row)
        right_col.addWidget(self.print_label)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(left)
        self.split.addWidget(right)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)
        self.split.setSizes([460, 780])
        self.split.setChildrenCollapsible(False)
        layout = QHBoxLayout(self.desk)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.split)
        for widget in (left, right, self.split, self.card, self.camera, self.print_label,
                       self.button_row):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.desk.setFocusProxy(self.scan.field)

    def _build_status_bar(self) -> None:
        self.status = StationStatusBar(self)
        self.setStatusBar(self.status)

    def _action(self, name: str,
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None, slot: Any,
                checkable: bool = False) -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.act_check_in = a("checkIn", "Ctrl+Return", self.check_in_current)
        self.act_undo = a("undo", QKeySequence.StandardKey.Undo, self.undo_current)
        self.act_print = a("print", "F5", self.print_current)
        self.act_cancel_print = a("cancelPrint", "Ctrl+Shift+X", self.cancel_print_current)
        self.act_edit = a("edit", "F2", self.edit_current)
        self.act_walk_in = a("walkIn", "Ctrl+N", self.walk_in)
        self.act_clear = a("clear", None, self.clear)
        self.act_desk = a("showDesk", "Ctrl+1", lambda: self.show_tab(DESK))
        self.act_attendees = a("showAttendees", "Ctrl+L", lambda: self.show_tab(ATTENDEES))
        self.act_dashboard = a("showDashboard", "Ctrl+D", lambda: self.show_tab(DASHBOARD))
        self.act_kiosk = a("kiosk", "Ctrl+K", self.enter_kiosk)
        self.act_settings = a("settings", "Ctrl+,", self.open_settings)
        self.act_mute = a("mute", "Ctrl+M", self.toggle_mute, checkable=True)
        self.act_mute.setChecked(not self.config.sound)
        self.act_camera = a("camera", "Ctrl+Shift+C", self.toggle_camera, checkable=True)
        self.act_quit = a("quit", QKeySequence.StandardKey.Quit, self.close)
        self.act_shortcuts = a("shortcuts", "F1", self.show_shortcuts)
        self.act_about = a("about", None, self.show_about)
        self.act_retry = a("retryPrint", "Ctrl+Shift+P", self.retry_failed_print)
        self.act_close_day = a("closeDay", None, self.close_day)
        self.act_queue = a("printQueue", "Ctrl+J", self.show_print_queue)
        self.act_lock = a("lock", "Ctrl+Shift+L", self.lock_now)

        bar = self.menuBar()
        self.menu_file = bar.addMenu("")
        self.menu_file.addAction(self.act_quit)
        self.menu_desk = bar.addMenu("")
        for action in (self.act_check_in, self.act_undo, self.act_print,
                       self.act_cancel_print, self.act_edit, self.act_walk_in, self.act_retry,
                       self.act_queue):
            self.menu_desk.addAction(action)
        self.menu_desk.addSeparator()
        self.menu_desk.addAction(self.act_close_day)
        self.menu_desk.addAction(self.act_lock)
        self.menu_view = bar.addMenu("")
        for action in (self.act_desk, self.act_attendees, self.act_dashboard, self.act_kiosk,
                       self.act_camera):
            self.menu_view.addAction(action)
        self.menu_settings = bar.addMenu("")
        self.menu_settings.addAction(self.act_settings)
        self.menu_settings.addAction(self.act_mute)
        self.menu_language = self.menu_settings.addMenu("")
        self.act_english = self.menu_language.addAction("English")
        self.act_german = self.menu_language.addAction("Deutsch")
        self.act_english.triggered.connect(lambda: self.set_language("en"))
        self.act_german.triggered.connect(lambda: self.set_language("de"))
        self.menu_help = bar.addMenu("")
        self.menu_help.addAction(self.act_shortcuts)
        self.menu_help.addAction(self.act_about)
        # a scanner firing while a menu is open: its code, not menu letters and a click
        self.menu_guard = MenuScanGuard(self)
        for widget in (bar, *bar.findChildren(QMenu)):
            self.menu_guard.watch(widget)
        self.menu_guard.scanned.connect(self._scanned_in_menu)

    def _connect(self) -> None:
        st = self.station
        st.opened.connect(self._opened)
        st.openFailed.connect(self._open_failed)
        st.outcome.connect(self.show_outcome)
        st.searched.connect(self._searched)
        st.statsChanged.connect(self._stats)
        st.printStateChanged.connect(self._print_state)
        st.syncChanged.connect(self.status.set_sync)
        st.pretix.stateChanged.connect(self.status.set_pretix)
        st.dayClosed.connect(self._day_closed)
        st.purged.connect(self._purged)
        st.purgeFailed.connect(self._purge_failed)
        st.failed.connect(self._failed)
        st.admitFailed.connect(lambda message: self._failed(message, "not_admitted"))
        st.printFailed.connect(self._print_error)
        st.printCancelled.connect(self._print_cancelled)
        self.scan.scanRequested.connect(self._scan)
        self.scan.searchRequested.connect(self._search_started)
        self.scan.searchRequested.connect(self.station.search)
        self.scan.pickRequested.connect(self._picked)
        self.scan.highlighted.connect(self._highlighted)
        self.camera.codeRead.connect(self._camera_code)
        self.buttons["check_in"].clicked.connect(self.check_in_current)
        self.buttons["undo"].clicked.connect(self.undo_current)
        self.buttons["print"].clicked.connect(self.print_current)
        self.buttons["edit"].clicked.connect(self.edit_current)
        self.buttons["walk_in"].clicked.connect(self.walk_in)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        # a scanner firing while the attendee list or dashboard is shown: the desk
        # (watching those views' widgets only: an application-wide Python event filter
        # costs every event of the GUI thread a trip into Python)
        self.catcher = ScannerCatcher(
            self, self.scan.field,
            lambda: self.tabs.currentIndex() != DESK and self.dialog is None
            and self.kiosk is None and self.station.ready and not self.locked)
        self.catcher.scanned.connect(self._scanned_elsewhere)

    # -- opening -------------------------------------------------------------------------

    def _opened(self, summary: Summary) -> None:
        self.summary = summary
        self.scan.field.setEnabled(True)
        self.card.show_state("idle")
        self._set_enabled_for(self.current)
        self._update_banner()
        self._update_title()
        self._update_status()
        self.focus_input()
        self._day_timer.start()
        self.idle.watch(self)
        self.idle.restart()
        self.ready.emit()
        from ui.format import german_country_names

        # loaded on the lane, not on the first German card (~30 ms of pycountry)
        self.station.lanes["db"].submit(lambda _ctx: german_country_names(), name="names")
        if self.config.camera_enabled:
            QTimer.singleShot(0, self, self.start_camera)  # after the first frame is on screen

    def check_day(self) -> None:
        """After midnight in the event's time zone (not this laptop's) the counts, the list
        and the dashboard follow the new day (the engine admits for it by itself)."""
        if self.summary is None:
            return
        day = datetime.now(self.summary.zone).date().isoformat()
        if day == self.summary.day:
            return
        self.summary.day = day
        self.station.refresh_stats()
        if self.attendees is not None:
            self.attendees.set_day(day)
        if self.dashboard is not None:
            self.dashboard.set_day(day)

    def _open_failed(self, message: str) -> None:
        self.card.show_state("open_failed", detail=message)
        self.banner.setText(self.tr("The event database cannot be opened: %1")
                            .replace("%1", message))
        self.banner.show()

    def set_config_problem(self, problem: str) -> None:
        """The settings file could not be (fully) used: the banner says so until fixed."""
        self.config_problem = problem
        self._update_banner()

    def _update_banner(self) -> None:
        s = self.summary
        if s is None and not self.banner.isHidden() and not self.config_problem:
            return  # the database could not be opened: that banner stays
        lines = []
        if self.config_problem:
            lines.append(self.tr(
                "The station's settings file was not used as written (%1): the defaults "
                "are in use there. Check the settings (Ctrl+,); saving them rewrites the "
                "file.").replace("%1", self.config_problem))
        if s is not None and s.clock_warning:
            lines.append(s.clock_warning)  # this laptop's clock is behind the event log
        if s is not None and self.config.lock_minutes > 0 and not self.config.kiosk_pin:
            lines.append(self.tr(
                "This station does not lock itself when left alone: no staff PIN is set. "
                "Set one in the settings (Ctrl+,) or lock it once (Ctrl+Shift+L)."))
        if s is not None and s.is_demo:
            lines.append(self.tr(
                "This is the demo event with made-up delegates. To use your real attendee "
                "list, run: checkin import FILE (CSV, XLSX or JSON export of your "
                "registration system), then restart the station."))
        self.banner.setText("\n".join(lines))
        self.banner.setVisible(bool(lines))

    def _update_title(self) -> None:
        name = self.summary.event_name if self.summary else ""
        self.setWindowTitle(f"{name} — " + self.tr("Check-in station") if name
                            else self.tr("Check-in station"))

    # -- the desk ------------------------------------------------------------------------

    def focus_input(self) -> None:
        if self.tabs.currentIndex() == DESK and self.scan.field.isEnabled():
            self.scan.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _focus_changed(self, old: Any, new: Any) -> None:
        # Whatever took the focus on the desk (a click on the card, a button), give it back:
        # a scanner's next burst must land in the field.
        if self.tabs.currentIndex() != DESK or self.dialog is not None:
            return
        if new is None or (new is not self.scan.field and self.desk.isAncestorOf(new)):
            QTimer.singleShot(0, self, self.focus_input)

    def _scan(self, text: str) -> None:
        if not self.station.ready or self.locked:
            return
        if pairing.looks_like_pairing(text):
            self.pair_by_code(text)
            return
        self._waiting.start()
        self.station.scan(text)

    def pair_by_code(self, text: str) -> None:
        """A hub's pairing code was scanned: after a yes, the app closes this window, pairs
        the desk (checkin.sync.desk_pairing) and opens it again on the hub's event."""
        try:
            found = pairing.parse(text)
        except pairing.PairingError as exc:
            self.card.show_state("error", detail=str(exc))
            return
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Question, self.tr("Pair this desk with a hub"),
            self.tr("Pair this desk with the hub at {url}?\n\nThe station restarts on the "
                    "hub's event; a demo event is kept aside, a real one is never "
                    "replaced.").format(url=found.url),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)

        def accepted() -> None:
            if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes:
                self.pair_with = found
                self.close()
        self._open_dialog(box, accepted)

    def show_note(self, text: str) -> None:
        """A line for the desk from before this window (e.g. how pairing went)."""
        self.banner.setText(text)
        self.banner.show()

    def _camera_code(self, text: str) -> None:
        if self.kiosk is not None:
            self.kiosk.scan_text(text)
            return
        if self.locked:  # only kiosk mode scans unattended
            return
        if self.tabs.currentIndex() != DESK:  # the answer is on the desk's card
            self.show_tab(DESK)
        self.scan.field.setText(text)
        self.scan.field.selectAll()
        self._scan(text)

    def _scanned_elsewhere(self, text: str) -> None:
        self.show_tab(DESK)
        self.scan.field.setText(text)
        self.scan.field.selectAll()
        self.scan.code_answered()  # no search list for a code
        self._scan(text)

    def _search_started(self, query: str) -> None:
        """The operator typed: from now on the list leads. The person on the card from
        before is no longer the one actions are for (F5 must not print the last
        delegate's badge while the list shows another name): the card says "searching"
        until a person is chosen in the list."""
        self._pending_action = None
        if not query:
            self._search_mode = False
            if self.current is None and self._card[0] in SEARCH_KINDS:
                self._show_card("idle")
            return
        self._search_mode = True
        self.current, self._provisional = None, False
        self._set_enabled_for(None)
        if self._card[0] not in SEARCH_KINDS:
            self._show_card("searching",
                            lambda: self.tr("Looking for “%1”…").replace("%1", query))

    def _scanned_in_menu(self, text: str) -> None:
        """A code scanned while a menu was open: the menu closed, and the code is
        scanned at the desk (the card answers it), with a line saying what happened."""
        self.statusBar().showMessage(self.tr(
            "A code was scanned while a menu was open: the menu was closed and the code "
            "scanned."), 8000)
        if self.kiosk is not None or self.dialog is not None or not self.station.ready:
            return
        self._scanned_elsewhere(text)

    def _searched(self, query: str, hits: list[Hit]) -> None:
        self.scan.set_results(query, hits)
        if (self._search_mode and self.current is None and query
                and query == self.scan.query and self.scan.current_hit() is None):
            n = len(hits)
            if n == 0:
                self._show_card("no_match", lambda: self.tr(
                    "No one found for “%1”. Check the spelling (a few letters are enough), "
                    "or register a walk-in: Ctrl+N.").replace("%1", query))
            else:
                self._show_card("matches", lambda: (
                    self.tr("One match for “%1”.") if n == 1
                    else self.tr("%2 matches for “%1”.").replace("%2", str(n))
                ).replace("%1", query) + "\n" + self.tr(
                    "↓ chooses the person; then Enter checks in, F5 prints, F2 edits."))

    def _show_card(self, kind: str, detail: Text = "") -> None:
        self._card = (kind, None, detail, None)
        self._print_note = ""
        self.card.show_state(kind, detail=text_of(detail))

    def _picked(self, attendee: Any) -> None:
        self._waiting.start()
        self.station.check_in(attendee.id)

    def _show_waiting(self) -> None:
        self.card.show_state("waiting")

    def _highlighted(self, attendee: Any) -> None:
        """A search result chosen in the list: it is the selected person from now on,
        although its card comes a moment later (describe); actions wait for it."""
        if attendee is None:
            return
        if self.current is None or self.current.attendee is None or (
                self.current.attendee.id != attendee.id):
            hit = self.scan.current_hit()
            self.current = Outcome("found", attendee,
                                   checked_in=bool(hit and hit.checked_in))
            self._provisional = True
            self._set_enabled_for(self.current)
        self._previews.append(attendee.id)
        self.station.describe(attendee.id)

    def _stale_preview(self, out: Outcome) -> bool:
        """A search result's card that arrives after the operator chose another row (its
        own card is on the way). A card from elsewhere (the attendee list) is not stale:
        it is shown, and the list's choice no longer stands."""
        if out.kind != "found" or out.attendee is None:
            return False
        if out.attendee.id in self._previews:
            index = self._previews.index(out.attendee.id)
            newer = self._previews[index + 1:]
            self._previews = newer
            return bool(newer)
        hit = self.scan.chosen_hit()
        if hit is not None and hit.attendee.id != out.attendee.id:
            self.scan.unchoose()
        return False

    def show_outcome(self, out: Outcome) -> None:
        if self._stale_preview(out):
            return
        if out.kind != "found":  # a preview of a search result is not the awaited answer
            self._waiting.stop()
        if out.attendee is not None or out.kind != "found":
            self._search_mode = False
        detail: Text = out.detail
        kind = out.kind
        if kind == "found" and out.checked_in and out.previous is not None:
            kind = "found_checked_in"
            previous = out.previous
            detail = lambda: self.card.admission_text(previous)  # noqa: E731
        elif kind == "found" and out.attendee is not None and out.attendee.status == "cancelled":
            kind, detail = "cancelled", ""
        self._print_note = ""
        if out.printing:
            self._print_note = lambda: self.tr("Badge is printing.")
        elif kind in ("ok", "created") and out.badge_printed:
            self._print_note = lambda: self.tr("Badge printed earlier.")
        elif kind == "saved" and out.attendee is not None:
            self._print_note = self._saved_note(out)
        if kind == "malformed":
            n = len(out.hits or [])
            detail = lambda: (  # noqa: E731
                self.tr("No one found for the typed text.") if n == 0 else
                self.tr("One match for the typed text.") if n == 1 else
                self.tr("%1 matches for the typed text.").replace("%1", str(n)))
            self.scan.set_results(out.input.strip(), out.hits or [])
            if n == 1:  # one match: preview the person, Enter checks in
                self.scan.choose(0)
        elif out.input and kind not in ("found", "error"):
            self.scan.code_answered()  # a code, not a search: no stale "no one found"
            if kind == "invalid_signature":
                self.scan.field.clear()  # the way on is the name: the field is ready for it
        if out.conflict:
            before, admissions = detail, out.conflict
            detail = lambda: "\n".join(  # noqa: E731  (retranslated on a language switch)
                part for part in (text_of(before), self.conflict_text(admissions)) if part)
        self._card = (kind, out.attendee, detail, out.previous)
        self._render_card()
        if out.attendee is not None or kind not in ("found",):
            self.current = out if out.attendee is not None else None
            self._provisional = False
        self._set_enabled_for(self.current)
        if not kind.startswith("found"):
            self.sounds.play(kind)
        if kind == "created":
            # the typed name that found no one is registered now: no "No one found" left
            self.scan.clear()
        elif out.attendee is not None and kind in ("ok", "undone", "saved",
                                                    "already_checked_in"):
            self.scan.update_hit(out.attendee, out.checked_in)
        if self.kiosk is not None:
            self.kiosk.show_outcome(out)
        self.outcomeShown.emit(out)
        if self.dialog is None:
            self.focus_input()
        self._run_pending_action()

    def _run_pending_action(self) -> None:
        """The action asked for while the chosen person's card was on its way: now, if
        the card shows that person; dropped if the card shows someone else."""
        pending, self._pending_action = self._pending_action, None
        if pending is None or self._provisional:
            self._pending_action = pending
            return
        action, attendee_id = pending
        a = self._person()
        if a is None or a.id != attendee_id:
            return
        QTimer.singleShot(0, self, {"check_in": self.check_in_current,
                                    "undo": self.undo_current,
                                    "print": self.print_current,
                                    "cancel_print": self.cancel_print_current,
                                    "edit": self.edit_current}[action])

    def _saved_note(self, out: Outcome) -> Text:
        """What happened to the badge after an edit (the card says it)."""
        assert out.attendee is not None
        asked = self._saving.pop(out.attendee.id, False)
        if out.printing or not out.badge_printed:
            return ""  # printing: the card follows it; no badge yet: nothing to say
        if not out.badge_changes:
            return lambda: self.tr("Nothing printed on the badge changed: no new badge.")
        if not asked:
            return lambda: self.tr("The printed badge still shows the old details "
                                   "(F5 prints a new one).")
        return ""

    def _render_card(self) -> None:
        kind, attendee, detail, previous = self._card
        text = text_of(detail)
        if kind in VERDICT_REASONS:  # the engine's English reason, in the UI's language
            text = self.card.verdict_detail(kind, text, attendee)
        note = text_of(self._print_note)
        if note:
            text = (text + "\n" if text else "") + note
        self.card.show_state(kind, attendee, text, previous)

    def _follow_badge(self, state: PrintState) -> None:
        """The card said "Badge is printing": say when it has, or why it has not."""
        out = self.current
        if out is None or not out.printing or out.attendee is None:
            return
        if state.seq < self.station.badge_seq.get(out.attendee.id, 0):
            return  # from before the badge was asked for: says nothing about it
        jobs = [job for job in state.jobs if job.attendee_id == out.attendee.id]
        note: Text
        if any(job.state in ("queued", "printing") for job in jobs):
            reason = state.reason
            word = state.state
            note = ((lambda: self.tr("Badge is printing.")) if state.ready else
                    (lambda: self.tr("Badge waits for the printer (%1).").replace(
                        "%1", reason or printer_state_text(word))))
        else:
            failed = [job for job in jobs if job.state == "failed"]
            out.printing = False
            out.badge_printed = not failed
            why = failed[-1].reason if failed else ""
            note = ((lambda: self.tr("Badge NOT printed: %1").replace("%1", why))
                    if failed else (lambda: self.tr("Badge printed.")))
            if failed and self.kiosk is not None:
                self.kiosk.badge_failed()
            self._set_enabled_for(out)
        if text_of(note) != text_of(self._print_note):
            self._print_note = note
            self._render_card()

    def _print_error(self, message: str) -> None:
        """The print lane failed: the card keeps its answer and says the badge did not
        print; the print line and the status bar say why."""
        self.sounds.play("error")
        self.statusBar().showMessage(self.tr("Printing: %1").replace("%1", message), 15_000)
        out = self.current
        if out is not None and out.printing:
            out.printing = False
            self._print_note = lambda: self.tr("Badge NOT printed: %1").replace("%1", message)
            self._render_card()
            self._set_enabled_for(out)
            if self.kiosk is not None:
                self.kiosk.badge_failed()

    def _failed(self, message: str, kind: str = "error") -> None:
        """kind "not_admitted": a scan or check-in failed, so the card must say that the
        person is NOT checked in (the database was locked, the disk full, ...)."""
        self._waiting.stop()
        self._card = (kind, None, message, None)
        self._print_note = ""
        self.card.show_state(kind, detail=message)
        self.sounds.play("error")
        if self.kiosk is not None:
            self.kiosk.show_error(message)
        self.outcomeShown.emit(Outcome("error", detail=message))

    def clear(self) -> None:
        self.scan.clear()
        self.current = None
        self._provisional, self._pending_action, self._search_mode = False, None, False
        self._card, self._print_note = ("idle", None, "", None), ""
        self.card.show_state("idle")
        self._set_enabled_for(None)
        self.focus_input()

    def _set_enabled_for(self, out: Outcome | None) -> None:
        ready = self.station.ready and not self.locked  # no shortcut acts behind the cover
        a = out.attendee if out else None
        # not registered today: Check in asks why they are admitted anyway
        can_check_in = bool(a and not out.checked_in  # type: ignore[union-attr]
                            and a.status != "cancelled")
        can_undo = bool(a and out.checked_in)  # type: ignore[union-attr]
        for action, button, enabled in (
                (self.act_check_in, "check_in", ready and can_check_in),
                (self.act_undo, "undo", ready and can_undo),
                (self.act_print, "print", ready and a is not None and a.status != "cancelled"),
                (self.act_edit, "edit", ready and a is not None),
                (self.act_walk_in, "walk_in", ready)):
            action.setEnabled(enabled)
            self.buttons[button].setEnabled(enabled)
        self.act_cancel_print.setEnabled(ready and a is not None)
        self._retranslate_buttons()

    # -- actions -------------------------------------------------------------------------

    def _person(self) -> Any:
        return self.current.attendee if self.current else None

    def _target(self, action: str) -> Outcome | None:
        """The outcome of the person the screen shows as selected, for `action`; None
        when there is none yet: the operator is still typing (the list leads, nobody is
        chosen), or the chosen person's card is on its way (the action then runs when it
        is up)."""
        if self.scan.typing():  # the search for the newest keystrokes is not out yet
            self.scan.flush_search()
        if self._provisional and self.current is not None and self.current.attendee:
            self._pending_action = (action, self.current.attendee.id)
            return None
        if self.current is None or self.current.attendee is None:
            if self._search_mode:
                self.statusBar().showMessage(self.tr(
                    "Choose the person first: ↓ in the list of names."), 8000)
            return None
        return self.current

    def check_in_current(self) -> None:
        out = self._target("check_in")
        if out is None or out.attendee is None or not self.act_check_in.isEnabled():
            return
        a = out.attendee
        day = self.summary.day if self.summary else ""
        if day and not a.registered_for(day):  # admitted anyway, and the log says why
            dialog = other_day_dialog(self, who(a), [format_day(d) for d in a.days])
            self._open_dialog(dialog, lambda: self._admit(a.id, dialog.text()))
            return
        self._admit(a.id)

    def _admit(self, attendee_id: str, override: str = "") -> None:
        self._waiting.start()
        self.station.check_in(attendee_id, override=override)

    def undo_current(self) -> None:
        out = self._target("undo")
        if out is None or out.attendee is None or not self.act_undo.isEnabled():
            return
        a = out.attendee
        dialog = undo_dialog(self, who(a))
        self._open_dialog(dialog, lambda: self.station.undo(a.id, dialog.text()))

    def print_current(self) -> None:
        out = self._target("print")
        if out is None or out.attendee is None or not self.act_print.isEnabled():
            return
        a = out.attendee
        if self._has_pending_job(a.id):  # not printed yet: a second job would print twice
            message = self.tr("The badge for %1 is already waiting for the printer "
                              "(Ctrl+Shift+X cancels it).").replace("%1", a.display_name or a.id)
            self.statusBar().showMessage(message, 8000)
            out.printing = True  # the card says where that badge is
            self._follow_badge(self.station.print_state)
            return
        if out.badge_printed or out.printing:
            dialog = reprint_dialog(self, who(a))
            self._open_dialog(dialog, lambda: self._reprint(a.id, dialog.text()))
        else:
            self.station.print_badge(a.id)
            self.statusBar().showMessage(self.tr("Badge for %1 sent to the printer.")
                                         .replace("%1", a.display_name), 5000)
            self._card_follows_badge()

    def cancel_print_current(self) -> None:
        """Cancel the badge of the person on the card that has not printed (stuck at the
        printer, or waiting for one that is away); F5 then prints it again."""
        out = self._target("cancel_print")
        a = out.attendee if out is not None else None
        if a is None or not self.act_cancel_print.isEnabled():
            return
        name = a.display_name or a.id
        if not self._has_pending_job(a.id):
            self.statusBar().showMessage(
                self.tr("No badge for %1 is waiting for the printer.").replace("%1", name),
                8000)
            return
        self.statusBar().showMessage(
            self.tr("Cancelling the badge for %1…").replace("%1", name), 8000)
        self.station.cancel_badges(a.id)

    def _print_cancelled(self, attendee_id: str, count: int) -> None:
        out = self.current
        if out is not None and out.attendee is not None and out.attendee.id == attendee_id:
            name = out.attendee.display_name or attendee_id
            out.printing = False  # the card no longer follows that badge
            self._print_note = lambda: self.tr("Badge print cancelled. F5 prints it again.")
            self._render_card()
            self._set_enabled_for(out)
        else:
            name = attendee_id
        self.statusBar().showMessage(
            self.tr("Badge for %1 cancelled. F5 prints it again.").replace("%1", name), 8000)

    def _has_pending_job(self, attendee_id: str) -> bool:
        return any(job.attendee_id == attendee_id and job.state in ("queued", "printing")
                   for job in self.station.print_state.jobs)

    def _reprint(self, attendee_id: str, reason: str) -> None:
        self.station.print_badge(attendee_id, reprint=True, reason=reason)
        if self.current is not None:
            self.current.badge_printed = True
            self._card_follows_badge()

    def _card_follows_badge(self) -> None:
        """A badge asked for from the card: the card says when it has printed (or not)."""
        if self.current is not None and self.current.attendee is not None:
            self.current.printing = True
            self._print_note = lambda: self.tr("Badge is printing.")
            self._render_card()

    def edit_current(self) -> None:
        out = self._target("edit")
        if out is None or out.attendee is None or not self.act_edit.isEnabled():
            return
        dialog = AttendeeDialog(out.attendee, self, badge_printed=out.badge_printed)

        def save() -> None:
            edited = dialog.attendee()
            reprint = dialog.wants_reprint()
            self._saving[edited.id] = reprint
            self.station.save_attendee(edited, reason=self.tr("edited at the desk"),
                                       reprint_reason=self.tr("details corrected")
                                       if reprint else "")
        self._open_dialog(dialog, save)

    def walk_in(self) -> None:
        if not self.act_walk_in.isEnabled():
            return
        dialog = AttendeeDialog(None, self)
        text = self.scan.query
        if text and not any(ch.isdigit() for ch in text):  # the typed name that found no one
            # offered as names are written ("sofia rinaldi" -> "Sofia Rinaldi"); the
            # operator can still change it
            parts = name_case(text).split()
            dialog.given.setText(" ".join(parts[:-1]) if len(parts) > 1 else "")
            dialog.family.setText(parts[-1] if parts else "")
        self._open_dialog(dialog, lambda: self.station.walk_in(dialog.attendee()))

    def _open_dialog(self, dialog: Any, on_accept: Any) -> None:
        self.dialog = dialog
        # A scanner fired while the dialog is open must not type a code into its field
        # (a walk-in named "4F2A…", a reason, a printer name) nor press its OK button.
        guard = ScannerCatcher(dialog, None, lambda: self.dialog is dialog)
        guard.watch(dialog)
        guard.scanned.connect(lambda code: self._scanned_in_dialog(dialog, code))

        def finished(result: int) -> None:
            self.dialog = None
            if result:
                on_accept()
            dialog.deleteLater()
            # the window takes the keyboard back itself: without a window manager that
            # does (a kiosk X session, Xvfb) nothing had the focus after a dialog
            self.activateWindow()
            self.focus_input()

        dialog.finished.connect(finished)
        dialog.open()
        self.idle.watch(dialog)  # typing in a dialog is someone at the desk
        # Ctrl+Shift+L from the dialog too (an edit with a name in it): lock, not close it
        dialog.addAction(self.act_lock)

    def _scanned_in_dialog(self, dialog: Any, code: str) -> None:
        """A scan while a dialog is open: kept out of the form, and the dialog says so.

        Not admitted behind the dialog: its verdict (card, sound) would be hidden or
        mixed up with the form being filled in; the operator finishes the form and scans
        again."""
        note = dialog.findChild(QLabel, "scanNote")
        if note is None:
            note = QLabel(dialog)
            note.setObjectName("scanNote")
            note.setWordWrap(True)
            note.setTextFormat(Qt.TextFormat.PlainText)
            note.setStyleSheet("QLabel#scanNote { background: #fff3c4; color: #3b2f00;"
                               " padding: 6px; border: 2px solid #e0b000; }")
            layout = dialog.layout()
            if layout is not None:
                layout.addWidget(note)
        shown = code if len(code) <= 24 else code[:23] + "…"
        text = self.tr("A scanned code (%1) was kept out of this form. Finish or cancel "
                       "the form, then scan again.").replace("%1", shown)
        note.setText(text)
        note.show()
        self.statusBar().showMessage(text, 8000)
        self.sounds.play("already_checked_in")  # the warning tone: look at the screen
        self.scanInDialog.emit(code)

    def show_print_queue(self) -> None:
        """Whose badges wait, since when and why; retry, cancel, another printer."""
        if self.dialog is not None or not self.station.ready:
            return
        from ui.print_queue import PrintQueueDialog

        # the printers named before as choices (the settings' one too); typed otherwise
        printers = [p for p in dict.fromkeys([*self._moved_to, self.config.printer]) if p]
        dialog = PrintQueueDialog(self.station, self, printers)
        dialog.move_button.clicked.connect(
            lambda: self._moved_to.insert(0, dialog.printer.currentText().strip()))
        self._open_dialog(dialog, lambda: None)

    def retry_failed_print(self) -> None:
        for job in self.station.print_state.jobs:
            if job.state == "failed":
                self.station.retry_print(job.id)

    # -- tabs: attendee list and dashboard ----------------------------------------------------

    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)

    def _tab_changed(self, index: int) -> None:
        if index == ATTENDEES and self.attendees is None and self.summary is not None:
            self._install_attendees()
        elif index == DASHBOARD and self.summary is not None:
            if self.dashboard is None:
                self._install_dashboard()
            else:
                self.dashboard.refresh()
        elif index == ATTENDEES and self.attendees is not None:
            self.attendees.refresh()
        if index == DESK:
            self.focus_input()
        else:  # the list's find field, the dashboard's tabs: the keyboard goes on there
            self.tabs.currentWidget().setFocus(Qt.FocusReason.TabFocusReason)

    def _install_attendees(self) -> None:
        from ui.attendee_table import AttendeeTableWidget

        assert self.summary is not None
        self.attendees = AttendeeTableWidget(self.station.db_path, self.summary.day)
        self.attendees.attendee_activated.connect(self._activated_in_list)
        self.catcher.watch(self.attendees)
        self._replace_tab(ATTENDEES, self.attendees)

    def _install_dashboard(self) -> None:
        from ui.dashboard import DashboardWidget

        assert self.summary is not None
        self.dashboard = DashboardWidget(self.station.db_path, self.summary.day)
        self.catcher.watch(self.dashboard)
        self._replace_tab(DASHBOARD, self.dashboard)

    def _replace_tab(self, index: int, widget: QWidget) -> None:
        old = self.tabs.widget(index)
        text = self.tabs.tabText(index)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, text)
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        if old is not None:
            old.deleteLater()
        widget.setFocus(Qt.FocusReason.TabFocusReason)

    def _activated_in_list(self, attendee_id: str) -> None:
        self.show_tab(DESK)
        self.scan.clear()  # the person chosen in the list is the selected one now
        self.station.describe(attendee_id)

    # -- kiosk ---------------------------------------------------------------------------

    def first_run(self) -> None:
        """The station's first start: its name and who works at it, asked once (with a
        test page on its printer)."""
        if self.dialog is not None:
            return
        from ui.first_run import FirstRunDialog

        dialog = FirstRunDialog(self.config, self.station, self.printer_name(
            self.config.printer_backend or "pdf", self.config.printer), self)
        self._open_dialog(dialog, lambda: self.apply_config(dialog.config()))

    def enter_kiosk(self) -> None:
        if self.kiosk is not None or not self.station.ready or self.dialog is not None:
            return
        if not self.config.kiosk_pin.strip():  # no PIN yet: nobody could leave; choose one
            from ui.first_run import KioskPinDialog

            dialog = KioskPinDialog(self)

            def chosen() -> None:
                self.apply_config(replace(self.config, kiosk_pin=dialog.pin()))
                QTimer.singleShot(0, self, self.enter_kiosk)
            self._open_dialog(dialog, chosen)
            return
        from ui.kiosk import KioskWindow

        self.kiosk = KioskWindow(self.station, self.config.kiosk_pin,
                                 self.summary.event_name if self.summary else "")
        self.kiosk.closed.connect(self._kiosk_closed)
        self.idle.stop()  # kiosk mode has its own PIN and keeps scanning: it never locks
        if self.camera.state == "on":  # delegates see where their phone points
            self._left_col.removeWidget(self.camera)
            self.kiosk.set_camera(self.camera)
        self.kiosk.start()

    def _kiosk_closed(self) -> None:
        kiosk, self.kiosk = self.kiosk, None
        if kiosk is not None:
            if kiosk.take_camera() is self.camera:
                self._left_col.addWidget(self.camera, 2)
                self.camera.show()
            kiosk.deleteLater()
        self.idle.restart()
        self.activateWindow()
        self.focus_input()

    # -- the lock (ui/lock.py; docs/privacy.md) ----------------------------------------------

    def counts_text(self) -> str:
        """The day's numbers for the lock screen (nobody's name in them)."""
        stats = self.station.stats
        return self.tr("{n} of {expected} checked in today").format(
            n=stats.checked_in, expected=stats.expected)

    def lock_now(self) -> None:
        """Lock on demand (Ctrl+Shift+L); without a staff PIN yet, choose one first."""
        if self.locked or self.kiosk is not None:
            return
        if not self.config.kiosk_pin.strip():
            if self.dialog is not None:
                return
            from ui.first_run import KioskPinDialog

            dialog = KioskPinDialog(self, purpose="lock")

            def chosen() -> None:
                self.apply_config(replace(self.config, kiosk_pin=dialog.pin()))
                QTimer.singleShot(0, self, self.lock_now)
            self._open_dialog(dialog, chosen)
            return
        self._lock("on demand")

    def _idle(self) -> None:
        if self.locked or self.kiosk is not None:
            return
        if not self.config.kiosk_pin.strip():  # nobody could unlock it: the banner says so
            if not self._no_pin_logged:
                log.warning("station idle for %d min but not locked: no staff PIN is set",
                            self.config.lock_minutes)
                self._no_pin_logged = True
            return
        self._lock(f"idle for {self.config.lock_minutes} min")

    def _lock(self, why: str) -> None:
        self.locked = True
        self.idle.stop()
        # Every shortcut and menu stays still behind the cover; a dialog (an edit, the
        # print queue: names) is hidden, and shown again when the station is unlocked.
        self._locked_states = {action: action.isEnabled() for action in self.actions()}
        for action in self._locked_states:
            action.setEnabled(False)
        for button in self.buttons.values():
            button.setEnabled(False)
        self.menuBar().setEnabled(False)
        if self.dialog is not None and self.dialog.isVisible():
            self._hidden_dialog = self.dialog
            self.dialog.hide()
        self.lock_screen.cover(
            event_name=self.summary.event_name if self.summary else "",
            counts=self.counts_text(), operator=self.config.operator,
            pin=self.config.kiosk_pin)
        log.info("station locked (%s); operator was %r", why, self.config.operator)
        self.lockChanged.emit(True)

    def unlock(self, operator: str) -> None:
        """The PIN was right (LockScreen.unlocked): the desk again, for operator."""
        if not self.locked:
            return
        self.locked = False
        for action, enabled in self._locked_states.items():
            action.setEnabled(enabled)
        self._locked_states = {}
        self.menuBar().setEnabled(True)
        self._set_enabled_for(self.current)
        if operator != self.config.operator:
            log.info("station unlocked by %r, now the operator (was %r)", operator,
                     self.config.operator)
            self.apply_config(replace(self.config, operator=operator))
        else:
            log.info("station unlocked by %r", operator)
        dialog, self._hidden_dialog = self._hidden_dialog, None
        if dialog is not None and dialog is self.dialog:
            dialog.show()
        else:
            self.activateWindow()
            self.focus_input()
        self.idle.restart()
        self.lockChanged.emit(False)

    # -- camera, sound, settings, language ----------------------------------------------------

    def start_camera(self) -> None:
        state = self.camera.start(self.config.camera)
        self.act_camera.setChecked(state == "on")

    def toggle_camera(self) -> None:
        if self.camera.state == "on":
            self.camera.stop()
        else:
            self.start_camera()
        self.act_camera.setChecked(self.camera.state == "on")

    def toggle_mute(self) -> None:
        self.sounds.set_muted(self.act_mute.isChecked())

    def open_settings(self) -> None:
        from ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.config, self, cameras=self.camera.available_cameras(),
                                pretix=self.station.pretix)

        def accepted() -> None:
            self.apply_config(dialog.config())
        self._open_dialog(dialog, accepted)

    def apply_config(self, config: StationConfig) -> None:
        old = self.config
        self.config = config
        try:
            config.save(self.station.config_path)
        except OSError as exc:
            self._failed(self.tr("Settings not saved: %1").replace("%1", str(exc)))
        else:
            self.set_config_problem("")  # the file now holds what the station uses
        self.station.apply_config(config)
        if config.lock_minutes != old.lock_minutes and not self.locked:
            self.idle.set_interval(config.lock_minutes * 60_000)
        if (config.kiosk_pin, config.lock_minutes) != (old.kiosk_pin, old.lock_minutes):
            self._update_banner()
        self.sounds.set_muted(not config.sound)
        self.act_mute.setChecked(not config.sound)
        if config.language != old.language:
            self.set_language(config.language, save=False)
        if (config.camera, config.camera_enabled) != (old.camera, old.camera_enabled):
            if config.camera_enabled:
                self.start_camera()
            else:
                self.camera.stop()
        self._update_status()

    def set_language(self, language: str, save: bool = True) -> None:
        from ui.i18n import install_translator

        app = QApplication.instance()
        if app is not None:
            install_translator(app, language)
        if save and language != self.config.language:
            self.config.language = language
            with contextlib.suppress(OSError):
                self.config.save(self.station.config_path)
        self.languageChanged.emit(language)

    def show_shortcuts(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        lines = []
        for menu in (self.menu_desk, self.menu_view, self.menu_settings):
            for action in menu.actions():
                if action.shortcut().toString():
                    text = action.text().replace("&", "")
                    lines.append(f"{action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}"
                                 f"\t{text}")
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Keyboard shortcuts"),
                          "\n".join(lines), QMessageBox.StandardButton.Ok, self)
        self._open_dialog(box, lambda: None)

    def conflict_text(self, admissions: list[Any]) -> str:
        """'Admitted at 2 desks while they could not see each other: Desk 1 09:05, ...'."""
        places = ", ".join(f"{a.station} {format_time(a.time)}" for a in admissions)
        return self.tr("CONFLICT: admitted at {n} desks while they could not see each other: "
                       "{places}").format(n=len({a.station for a in admissions}), places=places)

    def close_day(self) -> None:
        self.status.showMessage(self.tr("Closing the day: sending everything to the hub…"))
        self.station.close_day()

    def _day_closed(self, status: Any) -> None:
        if not status.paired:
            text = self.tr("This desk has no hub: nothing to send (checkin sync --hub URL "
                           "--token TOKEN pairs it).")
        elif status.all_synced:
            text = self.tr("All synced: {n} events; the hub has every event of this desk.")\
                .format(n=status.events)
        else:
            text = self.tr("NOT all synced: {n} events of this desk wait for the hub ({why}). "
                           "Try again when the hub is reachable.").format(
                               n=status.waiting, why=status.error or "?")
        final = status.pretix_final
        if final is not None:
            text += "\n" + self.pretix_final_text(final)
        self.status.showMessage(text.replace("\n", " "), 0)
        self.banner.setText(text)
        self.banner.show()
        days = self.summary.days if self.summary else []
        if status.paired and status.all_synced and days and self.station.stats.day >= max(days):
            self.offer_purge()

    def offer_purge(self) -> None:
        """After the last day's final sync: remove the attendee data from this desk?"""
        from PySide6.QtWidgets import QMessageBox

        if self.dialog is not None or self.locked:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Remove the attendee data?"),
                          self.tr("The hub has every event of this desk and the event is "
                                  "over. Remove the attendees and the event log from this "
                                  "laptop now? The day's numbers per role and country stay "
                                  "for the dashboard; the hub keeps everything. This cannot "
                                  "be undone."), QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("purgeOffer")
        remove = box.addButton(self.tr("&Remove personal data"),
                               QMessageBox.ButtonRole.DestructiveRole)
        later = box.addButton(self.tr("&Not now"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(later)

        def finished(_result: int) -> None:
            if box.clickedButton() is remove:
                self.status.showMessage(self.tr("Removing the attendee data…"))
                self.station.purge(keep_counts=True)
        box.finished.connect(finished)
        self._open_dialog(box, lambda: None)

    def _purged(self, result: Any) -> None:
        self.clear()
        if self.attendees is not None:
            self.attendees.refresh()
        if self.dashboard is not None:
            self.dashboard.refresh()
        text = self.tr("The attendee data is removed from this desk: {attendees} attendees, "
                       "{events} events.").format(attendees=result.attendees,
                                                  events=result.events)
        self.status.showMessage(text, 0)
        self.banner.setText(text)
        self.banner.show()

    def _purge_failed(self, message: str) -> None:
        text = self.tr("The attendee data was not removed: %1").replace("%1", message)
        self.status.showMessage(text, 0)
        self.banner.setText(text)
        self.banner.show()

    def pretix_final_text(self, final: Any) -> str:
        """The hub's final push to pretix (checkin.pretix.cycle.FinalPush), in a line."""
        text = self.tr("pretix: {accepted} admissions and undos accepted, {refused} refused, "
                       "{waiting} waiting.").format(accepted=final.accepted,
                                                    refused=final.refused,
                                                    waiting=final.waiting)
        if final.error:
            text += " " + self.tr("The hub keeps trying ({why}).").format(why=final.error)
        return text

    def about_text(self) -> str:
        """Version, event database and log file: what a supporter asks for first."""
        from checkin import __version__, logsetup

        return self.tr("Check-in station {version}\n\nEvent database: {db}\nLog file: {log}"
                       ).format(version=__version__, db=self.station.db_path,
                                log=logsetup.log_path())

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Information, self.tr("About the check-in station"),
                          self.about_text(), QMessageBox.StandardButton.Ok, self)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._open_dialog(box, lambda: None)

    # -- status ----------------------------------------------------------------------------

    def _stats(self, stats: Stats) -> None:
        self._update_status()
        if self.locked:
            self.lock_screen.set_counts(self.counts_text())

    def _print_state(self, state: PrintState) -> None:
        self._follow_badge(state)
        self.print_label.setText(self.print_text(state))
        self.print_label.setStyleSheet(
            "QLabel#printQueue { font-size: 12pt; padding: 6px; border-radius: 6px; "
            + ("border: 1px solid #90a4ae; }" if state.ready and not state.failed
               else "border: 3px solid #b3001b; background: #fde7e9; color: #5a0010; }"))
        self._update_status()

    def printer_name(self, backend: str, printer: str) -> str:
        """Where badges go, in words: a PDF folder (the operator has to open them) or the
        printer's name."""
        if backend == "pdf":
            return (self.tr("PDF folder %1").replace("%1", printer) if printer
                    else self.tr("PDF folder"))
        return printer or self.tr("default")

    def print_text(self, state: PrintState) -> str:
        printer = self.printer_name(state.backend, state.printer)
        if state.ready:
            head = self.tr("Printer %1: ready").replace("%1", printer)
        else:
            head = self.tr("Printer %1: NOT READY (%2)").replace("%1", printer).replace(
                "%2", state.reason or printer_state_text(state.state))
        waiting = state.queued + state.printing
        parts = [head, self.tr("queue empty") if waiting == 0 else
                 self.tr("1 badge waiting") if waiting == 1 else
                 self.tr("%1 badges waiting").replace("%1", str(waiting))]
        if state.failed:
            parts.append(self.tr("%1 failed (Ctrl+Shift+P retries)").replace(
                "%1", str(state.failed)))
        if state.last_error and not state.ready:
            parts.append(state.last_error)
        return " · ".join(parts)

    def _update_status(self) -> None:
        stats = self.station.stats
        ps = self.station.print_state
        self.status.set_station(self.station.station_name)
        self.status.set_day(stats.day)
        self.status.set_counts(stats.checked_in, stats.expected)
        if ps.backend:
            # the state word, not a text: the status bar translates it (and again
            # after a language switch, whichever widget hears of it first)
            self.status.set_printer(ps.state, ps.queued + ps.printing,
                                    "" if ps.ready else ps.reason, ps.failed)

    # -- language and lifecycle ---------------------------------------------------------------

    def retranslateUi(self) -> None:
        self.tabs.setTabText(DESK, self.tr("&Desk"))
        self.tabs.setTabText(ATTENDEES, self.tr("&Attendees"))
        self.tabs.setTabText(DASHBOARD, self.tr("Dash&board"))
        self.menu_file.setTitle(self.tr("&File"))
        self.menu_desk.setTitle(self.tr("&Desk"))
        self.menu_view.setTitle(self.tr("&View"))
        self.menu_settings.setTitle(self.tr("&Settings"))
        self.menu_language.setTitle(self.tr("&Language"))
        self.menu_help.setTitle(self.tr("&Help"))
        self.act_check_in.setText(self.tr("&Check in"))
        self.act_undo.setText(self.tr("&Undo check-in…"))
        self.act_edit.setText(self.tr("&Edit details…"))
        self.act_walk_in.setText(self.tr("&Walk-in registration…"))
        self.act_clear.setText(self.tr("C&lear"))
        self.act_desk.setText(self.tr("&Desk"))
        self.act_attendees.setText(self.tr("&Attendee list"))
        self.act_dashboard.setText(self.tr("Dash&board"))
        self.act_kiosk.setText(self.tr("&Kiosk mode (self check-in)"))
        self.act_settings.setText(self.tr("&Settings…"))
        self.act_mute.setText(self.tr("&Mute sounds"))
        self.act_camera.setText(self.tr("&Camera"))
        self.act_quit.setText(self.tr("&Quit"))
        self.act_shortcuts.setText(self.tr("&Keyboard shortcuts"))
        self.act_about.setText(self.tr("&About"))
        self.act_close_day.setText(self.tr("C&lose the day (send everything to the hub)"))
        self.act_lock.setText(self.tr("Loc&k the station"))
        self.act_retry.setText(self.tr("&Retry failed print jobs"))
        self.act_cancel_print.setText(self.tr("Cance&l waiting badge"))
        self.act_queue.setText(self.tr("Print &queue…"))
        self._retranslate_buttons()
        self._update_banner()
        self._update_title()
        if self.station.print_state.backend:
            self.print_label.setText(self.print_text(self.station.print_state))
        if self._card[0] not in ("idle", "busy"):
            self._render_card()  # the card's words in the new language
        if self.station.ready:
            self._update_status()

    def _retranslate_buttons(self) -> None:
        reprint = bool(self.current and self.current.badge_printed)
        self.act_print.setText(self.tr("&Reprint badge…") if reprint else self.tr("&Print badge"))
        texts = {
            "check_in": (self.tr("Check in"), self.act_check_in),
            "undo": (self.tr("Undo"), self.act_undo),
            "print": (self.tr("Reprint…") if reprint else self.tr("Print badge"), self.act_print),
            "edit": (self.tr("Edit"), self.act_edit),
            "walk_in": (self.tr("Walk-in"), self.act_walk_in),
        }
        for key, (text, action) in texts.items():
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            # two lines: the buttons stay narrow in every language
            self.buttons[key].setText(f"{text}\n{shortcut}" if shortcut else text)
        self.button_row.refit()

    def _ask_before_quit(self, waiting: list[Any]) -> None:
        """Badges wait for the printer: quit anyway, or look at the queue first."""
        from PySide6.QtWidgets import QMessageBox

        if not waiting or self.dialog is not None:
            if not waiting:
                self.confirm_quit = False
                self.close()
            return
        names = ", ".join(w.name for w in waiting[:8]) + (" …" if len(waiting) > 8 else "")
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Badges have not printed"),
                          (self.tr("1 badge has not printed: %2.") if len(waiting) == 1 else
                           self.tr("%1 badges have not printed: %2.")).replace(
                              "%1", str(len(waiting))).replace("%2", names) + "\n\n"
                          + self.tr("They stay in the queue: the station prints them when it "
                                    "starts again (or `checkin print --retry` does)."),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("quitWarning")
        quit_button = box.addButton(self.tr("&Quit anyway"),
                                    QMessageBox.ButtonRole.DestructiveRole)
        show_button = box.addButton(self.tr("&Show the queue"),
                                    QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def finished(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked is quit_button:
                self.confirm_quit = False
                QTimer.singleShot(0, self, self.close)
            elif clicked is show_button:
                QTimer.singleShot(0, self, self.show_print_queue)
        box.finished.connect(finished)
        self._open_dialog(box, lambda: None)

    def eventFilter(self, obj: Any, event: QEvent) -> bool:
        if obj is self.print_label and event.type() == QEvent.Type.MouseButtonRelease:
            self.show_print_queue()
            return True
        return super().eventFilter(obj, event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        elif event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.focus_input()
        super().changeEvent(event)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.lock_screen.isVisible():
            self.lock_screen.setGeometry(self.rect())

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.kiosk is not None or self.locked:  # left only with the PIN
            event.ignore()
            return
        if self._closed:
            super().closeEvent(event)
            return
        ps = self.station.print_state
        if (self.confirm_quit and self.station.ready
                and ps.queued + ps.printing + ps.failed > 0):
            event.ignore()  # badges have not printed: say whose first
            if self.dialog is None:
                self.station.load_waiting(self._ask_before_quit)
            return
        self._closed = True
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.disconnect(self._focus_changed)
        self.camera.stop()
        if self.attendees is not None:
            self.attendees.shutdown()
        if self.dashboard is not None:
            self.dashboard.shutdown()
        self.station.shutdown()
        super().closeEvent(event)


__all__ = ["MainWindow"]
