"""The one input field: scanner keystrokes + Enter, a typed name, or a code typed by hand.

- Every edit (debounced by a few ms so that a scanner's burst of keystrokes costs one
  search, while a person's typing still updates with each key) asks for a search.
- Enter asks for a scan; the text stays selected, so the next scan simply overwrites it
  and a name that turned out to be a search can still be refined.
- Up/Down walk the search results without leaving the field; Enter on a chosen result
  checks that person in. Escape clears.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenuBar,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from checkin.desk import Hit
from checkin.romanise import latin_spelling
from ui.format import country_name

SEARCH_DEBOUNCE_MS = 40  # below human typing speed (~150 ms a key), above a scanner's (~5 ms)
# Telling a handheld scanner from a person, by the keys' own timestamps (the window
# system's): a scanner types a code at a steady 1-20 ms a key and presses Enter (or Tab)
# right after; people type 80-250 ms a key, and even a fast typist's rolled-over letters
# (two keys 20-40 ms apart) come between slower ones. A run is a scanner's when it has at
# least SCANNER_MIN_CHARS characters, its typical (median) gap is at most
# SCANNER_TYPICAL_MS, no gap is over SCANNER_KEY_MS, and Enter follows within
# SCANNER_KEY_MS: a margin of nearly 2x over a scanner, of 4x under a person typing at
# 80 ms a key. Anything else is a person's, and what a person typed is never taken away.
SCANNER_MIN_CHARS = 5
SCANNER_TYPICAL_MS = 20.0
SCANNER_KEY_MS = 35.0


def scanner_run(times: list[float], enter_ms: float | None = None) -> bool:
    """Whether key presses at these times (ms, one per character), with Enter at
    enter_ms (None: unknown, a synthetic event), are a scanner's burst (see above)."""
    if len(times) < SCANNER_MIN_CHARS:
        return False
    gaps = sorted(b - a for a, b in itertools.pairwise(times))
    if gaps[0] < 0 or gaps[-1] > SCANNER_KEY_MS:
        return False
    if gaps[len(gaps) // 2] > SCANNER_TYPICAL_MS:
        return False
    return enter_ms is None or 0 <= enter_ms - times[-1] <= SCANNER_KEY_MS


def key_ms(event: QKeyEvent) -> float:
    """The window system's time of a key press (X11, Windows, macOS), so a GUI thread busy
    for a moment does not make a scanner's keys look slow; else our own clock."""
    return float(event.timestamp()) or time.monotonic() * 1000.0


def _person_typed(times: list[float]) -> bool:
    """Keys typed at a person's pace (a name before a scanner's burst): their typical gap
    is well over a scanner's."""
    gaps = sorted(b - a for a, b in itertools.pairwise(times))
    return not gaps or gaps[len(gaps) // 2] > 2 * SCANNER_TYPICAL_MS


class ScanField(QLineEdit):
    """The line edit; forwards navigation keys to the panel."""

    navigate = Signal(int)
    escape = Signal()
    tabbed = Signal()  # Tab: a scanner's end of code (see event())

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prefix_times: list[float] = []  # the keys typed before the current run
        self._run_times: list[float] = []  # the current run: keys no more than
        # SCANNER_KEY_MS apart
        self._burst_prefix = ""  # the text that stood in the field when this run began
        # A scanner's run that stalled once (a busy machine, USB) goes on as the same run:
        # its times are kept without the stall, which is this many ms.
        self._stalled_ms = 0.0

    def _note_key(self, event: QKeyEvent) -> None:
        text = event.text()
        if not text or not text.isprintable() or event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return
        now = key_ms(event) - self._stalled_ms
        last = self._run_times[-1] if self._run_times else None
        at_end = not self.hasSelectedText() and self.cursorPosition() == len(self.text())
        if (last is not None and now - last > SCANNER_KEY_MS and at_end
                and scanner_run(self._run_times)):
            stall = now - last - SCANNER_TYPICAL_MS
            self._stalled_ms += stall
            now -= stall
        elif last is None or not 0 <= now - last <= SCANNER_KEY_MS:
            # a new run: what stays in front of it is the text not replaced by this key
            kept = "" if self.hasSelectedText() else self.text()
            if self.cursorPosition() != len(self.text()):
                kept = ""  # typing inside the text: an edit, never a scan after a name
            self._prefix_times = (self._prefix_times + self._run_times)[-12:] if kept else []
            self._burst_prefix, self._run_times, self._stalled_ms = kept, [], 0.0
        if event.isAutoRepeat():  # a key held down is a person, however fast it repeats
            self._burst_prefix, self._prefix_times = "", []
        self._run_times.extend([now] * len(text))

    def scan_text(self, enter_ms: float | None = None) -> str:
        """The text Enter scans: a scanner's burst alone, without a name typed before it.

        An operator types "Eva", the list shows her, and the next delegate's code is
        scanned: the keystrokes land behind "Eva". The burst is the code, not "Eva…".
        Only when the run is a scanner's (scanner_run) and what stands before it was
        typed at a person's pace; else the whole text (keys that all came fast, with one
        hiccup between, are one code)."""
        text = self.text()
        prefix = self._burst_prefix
        if (prefix and text.startswith(prefix) and len(text) > len(prefix)
                and scanner_run(self._run_times,
                                None if enter_ms is None else enter_ms - self._stalled_ms)
                and _person_typed(self._prefix_times)):
            return text[len(prefix):]
        return text

    def reset_burst(self) -> None:
        self._burst_prefix, self._run_times, self._prefix_times = "", [], []
        self._stalled_ms = 0.0

    # Keys the window's actions own although a line edit would take them for itself:
    # Ctrl+Z must undo the check-in on the card, not the last typed letter.
    WINDOW_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)

    def event(self, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and any(event.matches(key) for key in self.WINDOW_KEYS)):
            event.ignore()  # not ours: the window's shortcut fires
            return True
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Tab
                and event.modifiers() == Qt.KeyboardModifier.NoModifier):
            # Scanners set up for web forms end a code with Tab instead of Enter; the desk
            # has nowhere else for the focus to go, so Tab submits the text like Enter.
            self._note_enter(event)
            self.tabbed.emit()
            return True
        return super().event(event)

    enter_ms: float | None = None  # when the Enter (or Tab) that ends the text was pressed

    def _note_enter(self, event: QKeyEvent) -> None:
        # None for a synthetic key without a timestamp: then only the run itself counts
        self.enter_ms = float(event.timestamp()) or None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._note_enter(event)
        if any(event.matches(key) for key in self.WINDOW_KEYS):
            # The window's undo action is disabled (no one on the card to undo): the key
            # still must not undo what was typed or scanned into the field.
            event.accept()
            return
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1,
                    Qt.Key.Key_PageUp: -5, Qt.Key.Key_PageDown: 5}[Qt.Key(key)]
            self.navigate.emit(step)
            return
        if key == Qt.Key.Key_Escape:
            self.escape.emit()
            return
        if key not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._note_key(event)
        super().keyPressEvent(event)


class ScannerCatcher(QObject):
    """A handheld scanner's burst typed where the desk's field is not: another tab of the
    window (the attendee list's find field, the dashboard), or a dialog's field (walk-in,
    edit, settings, a reason). It is a scan, not text for that field.

    `watch(view)` installs it on a view's widgets; it looks at the keys that reach them.
    On Enter or Tab after a scanner's run (scanner_run: measured timing, with a margin),
    the burst is taken back out of the field it landed in (the field shows what it held
    before; only the burst's characters go, never a person's), the Enter is swallowed (a
    dialog's default button must not fire on a scanner's Enter) and the code is emitted as
    `scanned`. A person typing, however fast, keeps every character and their Enter.
    `window` is the window (or dialog) whose widgets are watched."""

    scanned = Signal(str)

    def __init__(self, window: QWidget, own_field: QWidget | None, active: Any) -> None:
        super().__init__(window)
        self.window = window
        self.own_field = own_field
        self.active = active  # () -> bool: watch now (not on the desk, no dialog open)
        self._burst = ""
        self._times: list[float] = []
        # the field before the burst: (widget, its text, the text as the burst would leave
        # it when typed at the cursor, over a selection, with "\0" where the burst goes)
        self._before: tuple[QObject | None, str, str] = (None, "", "")

    def watch(self, view: QWidget) -> None:
        """Look at the keys typed into view and its widgets (not the whole application)."""
        for widget in (view, *view.findChildren(QWidget)):
            widget.installEventFilter(self)

    @staticmethod
    def _text_of(widget: QObject | None) -> str | None:
        if isinstance(widget, QComboBox) and widget.isEditable():
            widget = widget.lineEdit()
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        return None

    def _take_back(self, focus: QWidget, burst: str) -> None:
        """Put the field back as it was before the burst (or cut the burst off its end)."""
        text = self._text_of(focus)
        if text is None:
            return
        owner, before, shape = self._before
        if owner is focus and text in (shape.replace("\0", burst), before + burst):
            restored = before
        elif text.endswith(burst):
            restored = text[:-len(burst)]
        else:
            return  # the field changed otherwise meanwhile: leave it as the person left it
        target: QObject = focus
        if isinstance(focus, QComboBox) and (line := focus.lineEdit()) is not None:
            target = line
        if isinstance(target, QLineEdit):
            target.setText(restored)
        elif isinstance(target, QPlainTextEdit):
            target.setPlainText(restored)
            target.moveCursor(QTextCursor.MoveOperation.End)

    def _reset(self) -> None:
        self._burst, self._times = "", []

    def _field_state(self, focus: QWidget) -> tuple[QObject | None, str, str]:
        text = self._text_of(focus) or ""
        line = focus.lineEdit() if isinstance(focus, QComboBox) else focus
        if isinstance(line, QLineEdit):
            if line.hasSelectedText():
                start, length = line.selectionStart(), len(line.selectedText())
            else:
                start, length = line.cursorPosition(), 0
            return focus, text, text[:start] + "\0" + text[start + length:]
        return focus, text, text + "\0"

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        focus = QApplication.focusWidget()
        if (obj is not focus or focus is None or focus is self.own_field
                or not self.window.isAncestorOf(focus) or not self.active()):
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            burst, times = self._burst, self._times
            self._reset()
            if not scanner_run(times, float(event.timestamp()) or None):
                return False  # a person's Enter: the form as typed
            self._take_back(focus, burst)
            self._before = (None, "", "")
            self.scanned.emit(burst)
            return True
        text = event.text()
        if not text or not text.isprintable():
            return False  # Shift pressed for a capital (scanners send it too): no character
        if event.isAutoRepeat() or event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                                        | Qt.KeyboardModifier.AltModifier):
            self._reset()
            return False
        now = key_ms(event)
        if self._times and not 0 <= now - self._times[-1] <= SCANNER_KEY_MS:
            self._reset()
        if not self._burst:  # a new burst may begin: what the field holds before it
            self._before = self._field_state(focus)
        self._times.extend([now] * len(text))
        self._burst += text
        return False


class MenuScanGuard(QObject):
    """A scanner fired while a menu is open: its characters would be taken for a menu's
    mnemonic letters (one of them could trigger an action) and its Enter for a click on
    the highlighted item, and the code would vanish without a word.

    Installed on the menus (and the menu bar): a printable key is held back for a moment;
    if more follow at a scanner's pace and end with Enter (scanner_run), the menus close
    and the code is emitted as `scanned` (the desk admits it and says so); otherwise the
    held keys go on to the menu as typed (a mnemonic letter still works, a moment later)."""

    scanned = Signal(str)
    HOLD_MS = int(SCANNER_KEY_MS) + 15

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._held: list[tuple[QObject, int, Qt.KeyboardModifier, str, float]] = []
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.HOLD_MS)
        self._timer.timeout.connect(self._release)

    def watch(self, widget: QWidget) -> None:
        widget.installEventFilter(self)

    def _release(self) -> None:
        """Pass the held keys on, as they were typed."""
        self._timer.stop()
        held, self._held = self._held, []
        self._replaying = True
        try:
            for target, key, modifiers, text, _ms in held:
                if isinstance(target, QWidget) and target.isVisible():
                    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                        QApplication.sendEvent(target, QKeyEvent(kind, key, modifiers, text))
        finally:
            self._replaying = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (self._replaying or event.type() != QEvent.Type.KeyPress
                or not isinstance(event, QKeyEvent)):
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            times = [held[4] for held in self._held]
            if self._held and scanner_run(times, float(event.timestamp()) or None):
                code = "".join(held[3] for held in self._held)
                self._held = []
                self._timer.stop()
                while (popup := QApplication.activePopupWidget()) is not None:
                    popup.close()
                if isinstance(obj, QMenuBar):
                    obj.setActiveAction(None)  # type: ignore[arg-type]
                self.scanned.emit(code)
                return True
            self._release()
            return False
        text = event.text()
        if (text and text.isprintable() and not event.isAutoRepeat()
                and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                             | Qt.KeyboardModifier.AltModifier)):
            self._held.append((obj, event.key(), event.modifiers(), text, key_ms(event)))
            self._timer.start()
            return True
        if text and not text.isprintable():
            return False
        if self._held and event.key() not in (Qt.Key.Key_Shift,):
            self._release()
        return False


class ScanPanel(QWidget):
    scanRequested = Signal(str)
    searchRequested = Signal(str)
    pickRequested = Signal(object)  # the attendee chosen from the results: check in
    highlighted = Signal(object)  # attendee or None: the card previews the person

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = ScanField()
        self.field.setObjectName("scanField")
        font = QFont()
        font.setPointSize(20)
        self.field.setFont(font)
        self.field.setClearButtonEnabled(False)
        self.field.setMinimumHeight(52)
        self.field.setMaxLength(4096)  # a scanner gone wild must not freeze the field
        self.results = QListWidget()
        self.results.setObjectName("searchResults")
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setUniformItemSizes(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.setSpacing(2)
        rfont = QFont()
        rfont.setPointSize(13)
        self.results.setFont(rfont)
        self.hint = QLabel()
        self.hint.setObjectName("searchHint")
        self.hint.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel()
        layout.addWidget(self.caption)
        layout.addWidget(self.field)
        layout.addWidget(self.hint)
        layout.addWidget(self.results, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit_search)
        self._query = ""
        self._chosen = False  # the operator moved through the results since the last edit
        self._hits: list[Hit] = []
        self._results_query = ""
        self._code_text = ""  # the text last answered as a code (its late search is stale)

        self.field.textEdited.connect(self._edited)
        self.field.returnPressed.connect(self._enter)
        self.field.tabbed.connect(self._tab)
        self.field.navigate.connect(self._navigate)
        self.field.escape.connect(self.clear)
        self.results.itemDoubleClicked.connect(self._double_clicked)
        self.results.currentRowChanged.connect(self._row_changed)
        self.retranslateUi()

    # -- input ---------------------------------------------------------------------------

    def _edited(self, text: str) -> None:
        self._chosen = False
        self._code_text = ""
        self._timer.start()

    def _emit_search(self) -> None:
        self._query = self.field.text().strip()
        self.searchRequested.emit(self._query)

    def typing(self) -> bool:
        """Keys typed whose search has not been asked for yet (the debounce runs)."""
        return self._timer.isActive()

    def flush_search(self) -> None:
        """Ask for the search of the text as it is now (an action key right after typing)."""
        if self._timer.isActive():
            self._timer.stop()
            self._emit_search()

    def unchoose(self) -> None:
        """No result chosen any more (the card shows someone from elsewhere)."""
        self._chosen = False
        self.results.setCurrentRow(-1)

    def chosen_hit(self) -> Hit | None:
        """The result the operator chose in the list (↑↓, a click), if any."""
        return self.current_hit() if self._chosen else None

    def _enter(self) -> None:
        self._timer.stop()
        if self._chosen and self.current_hit() is not None:
            hit = self.current_hit()
            assert hit is not None
            self._chosen = False
            self.field.reset_burst()
            # selected: the next scan or typed name replaces the text, the results stay
            self.field.selectAll()
            self.pickRequested.emit(hit.attendee)
            return
        text = self.field.scan_text(self.field.enter_ms)
        self.field.reset_burst()
        if not text.strip():
            return
        if text != self.field.text():  # a scanner's code behind a typed name: the code only
            self.field.setText(text)
            self._code_text = text.strip()  # its late search (if any) is stale
        self.field.selectAll()
        self.scanRequested.emit(text)

    def _tab(self) -> None:
        """Tab scans the text, but never checks in a chosen result (Enter does that):
        a Tab pressed out of habit must not admit anyone."""
        if not self._chosen:
            self._enter()

    def _navigate(self, step: int) -> None:
        count = self.results.count()
        if not count:
            return
        row = self.results.currentRow()
        row = 0 if row < 0 else max(0, min(count - 1, row + step))
        self.results.setCurrentRow(row)
        self._chosen = True
        self._row_changed(row)

    def _row_changed(self, row: int) -> None:
        if self._chosen or self.results.hasFocus():
            hit = self.current_hit()
            self.highlighted.emit(hit.attendee if hit else None)

    def _double_clicked(self, item: QListWidgetItem) -> None:
        hit = self.current_hit()
        if hit is not None:
            self.pickRequested.emit(hit.attendee)
        self.field.setFocus()

    def clear(self) -> None:
        self._timer.stop()
        self._chosen = False
        self.field.clear()
        self.set_results("", [])
        self.highlighted.emit(None)

    def choose(self, row: int) -> None:
        """Select a result as if navigated to (keyboard flow; tests use it too)."""
        self.results.setCurrentRow(row)
        self._chosen = True
        self._row_changed(row)

    # -- results -------------------------------------------------------------------------

    @property
    def query(self) -> str:
        return self.field.text().strip()

    def hits(self) -> list[Hit]:
        return list(self._hits)

    def current_hit(self) -> Hit | None:
        row = self.results.currentRow()
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def set_results(self, query: str, hits: list[Hit]) -> None:
        """Show the results of `query` (stale answers for an older text are ignored)."""
        if query != self.query or (query and query == self._code_text):
            return
        self._hits = list(hits)
        self._results_query = query
        self._chosen = False
        self.results.clear()
        for hit in hits:
            a = hit.attendee
            name = a.display_name or a.id
            latin = latin_spelling(a)  # for a desk that cannot read the script
            if latin:
                name += f" · {latin}"
            if hit.checked_in:
                name = "✔ " + name + "   " + self.tr("(checked in)")
            if a.status == "cancelled":
                name += "   " + self.tr("(cancelled)")
            where = " · ".join(p for p in (a.organisation, country_name(a.country)) if p)
            text = f"{name}\n    {where}" if where else f"{name}\n"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            self.results.addItem(item)
        self._update_hint()

    def update_hit(self, attendee: Any, checked_in: bool) -> None:
        """A person's state changed (checked in, edited): refresh their row in place."""
        for i, hit in enumerate(self._hits):
            if hit.attendee.id == attendee.id:
                self._hits[i] = Hit(attendee, checked_in)
        row = self.results.currentRow()
        chosen = self._chosen
        self.set_results(self.query, self._hits)
        if row >= 0:
            self.results.setCurrentRow(row)
        self._chosen = chosen

    def code_answered(self) -> None:
        """The text was a code with its own verdict: drop the search it started meanwhile."""
        self._hits = []
        self._results_query = ""
        self._code_text = self.query
        self.results.clear()
        self._update_hint()

    def _update_hint(self) -> None:
        n = len(self._hits)
        if not self._results_query:
            self.hint.setText("")
        elif n == 0:
            self.hint.setText(self.tr("No one found. Ctrl+N registers a walk-in."))
        elif n == 1:
            self.hint.setText(self.tr("One match: ↓ chooses, Enter checks in"))
        else:
            self.hint.setText(self.tr("%1 matches: ↑↓ choose, Enter checks in")
                              .replace("%1", str(n)))

    # -- language ------------------------------------------------------------------------

    def retranslateUi(self) -> None:
        self.caption.setText(self.tr("Scan a code or type a name"))
        # short: the field is narrow at 20 pt, the caption above says it in full
        self.field.setPlaceholderText(self.tr("Scan, or type a name…"))
        self._update_hint()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)
