"""Station settings: edits a StationConfig (TOML through the core, never QSettings).

The printer types are the backends registered in checkin.printing.backend (with their
descriptions and what the printer field means there), so a backend registered at
start-up appears here without this dialog knowing it.

Nothing here blocks the GUI thread: the CUPS printer list comes from `lpstat -e` run as a
QProcess, and the badge layouts are read on the thread pool; both fill in when ready.
"""

from __future__ import annotations

import functools
import itertools
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QObject,
    QProcess,
    QRegularExpression,
    QRunnable,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from checkin.config import StationConfig
from checkin.printing.backend import backends
from ui.camera import list_cameras
from ui.i18n import current_language, language_names
from ui.pretix_panel import PretixPanel
from ui.pretix_service import PretixService

PIN_PATTERN = r"\d{4,8}"


def default_layouts(language: str = "") -> list[tuple[str, str]]:
    """(name, description) of the badge layouts, described in `language` where the layout
    file says it in that language (reads the layout files: off the GUI thread)."""
    from checkin.badges.layout import list_layouts

    result = []
    for layout in list_layouts():
        name = getattr(layout, "name", str(layout))
        description = layout.describe(language)
        size = getattr(layout, "size_text", "")
        result.append((name, " · ".join(t for t in (description, size) if t)))
    return result


def parse_lpstat(output: str) -> list[str]:
    """`lpstat -e` prints one destination name per line."""
    return [line.strip() for line in output.splitlines() if line.strip()]


class _Done(QObject):
    ready = Signal(object)


class _Call(QRunnable):
    def __init__(self, fn: Callable[[], Any], done: _Done) -> None:
        super().__init__()
        self._fn, self._done = fn, done

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception:  # a broken layout file must not break the settings dialog
            result = None
        self._done.ready.emit(result)


class SettingsDialog(QDialog):
    """Edit the station's settings; config() returns the edited copy after accept.

    With save_to, the dialog also writes the TOML file itself on OK (and stays open with
    the reason if it cannot); without it, the caller saves (StationConfig.save).
    """

    saved = Signal(object)  # the StationConfig written to save_to
    printers_loaded = Signal(list)
    layouts_loaded = Signal(list)

    def __init__(self, config: StationConfig, parent: QWidget | None = None, *,
                 save_to: Path | None = None,
                 cameras: list[tuple[str, str]] | None = None,
                 layouts: Callable[[], list[tuple[str, str]]] = default_layouts,
                 lpstat: str | None = "", pretix: PretixService | None = None) -> None:
        super().__init__(parent)
        self._original = config
        self._result = replace(config)
        self._save_to = save_to
        self.setModal(True)

        self.station = QLineEdit(config.station)
        self.operator = QLineEdit(config.operator)
        self.backend = QComboBox()
        self.printer = QComboBox()
        self.printer.setEditable(True)
        self.printer.setEditText(config.printer)
        self.layout_combo = QComboBox()
        self.auto_print = QCheckBox()
        self.auto_print.setChecked(config.auto_print)
        self.camera_enabled = QCheckBox()
        self.camera_enabled.setChecked(config.camera_enabled)
        self.camera = QComboBox()
        self.sound = QCheckBox()
        self.sound.setChecked(config.sound)
        self.language = QComboBox()
        self.kiosk_pin = QLineEdit(config.kiosk_pin)
        self.kiosk_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.kiosk_pin.setValidator(QRegularExpressionValidator(
            QRegularExpression(PIN_PATTERN), self.kiosk_pin))
        self.lock_minutes = QSpinBox()
        self.lock_minutes.setRange(0, 240)
        self.lock_minutes.setValue(max(0, min(240, config.lock_minutes)))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self.form = QFormLayout()
        self._labels: dict[str, QLabel] = {}
        for key, field in (("station", self.station), ("operator", self.operator),
                           ("backend", self.backend), ("printer", self.printer),
                           ("layout", self.layout_combo), ("auto_print", self.auto_print),
                           ("camera_enabled", self.camera_enabled), ("camera", self.camera),
                           ("sound", self.sound), ("language", self.language),
                           ("kiosk_pin", self.kiosk_pin), ("lock_minutes", self.lock_minutes)):
            label = QLabel()
            label.setBuddy(field)
            self._labels[key] = label
            self.form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        # pretix as the attendee source (ui/pretix_panel.py): acts at once, not on OK
        self.pretix = PretixPanel(pretix, self) if pretix is not None else None
        if self.pretix is not None:
            layout.addWidget(self.pretix)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        chain: list[QWidget] = [
            self.station, self.operator, self.backend, self.printer, self.layout_combo,
            self.auto_print, self.camera_enabled, self.camera, self.sound, self.language,
            self.kiosk_pin, self.lock_minutes]
        if self.pretix is not None:
            chain += [self.pretix.url, self.pretix.organizer, self.pretix.event_slug,
                      self.pretix.list_id, self.pretix.token, self.pretix.test_button,
                      self.pretix.connect_button, self.pretix.pull_button]
        chain.append(self.buttons)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

        self._set_items(self.layout_combo, [(config.layout, config.layout)], config.layout)
        self._cameras = cameras if cameras is not None else list_cameras()
        self.backend.currentIndexChanged.connect(self._backend_changed)
        self.camera_enabled.toggled.connect(self.camera.setEnabled)
        self.camera.setEnabled(config.camera_enabled)
        self.retranslateUi()
        if layouts is default_layouts:  # in the interface's language, asked for here
            layouts = functools.partial(default_layouts, current_language())
        self._start_layouts(layouts)
        self._start_lpstat(lpstat)

    # -- choices that arrive later ---------------------------------------------------------

    def _start_layouts(self, layouts: Callable[[], list[tuple[str, str]]]) -> None:
        self._layouts_done = _Done()
        self._layouts_done.ready.connect(self._fill_layouts)
        QThreadPool.globalInstance().start(_Call(layouts, self._layouts_done))

    def _fill_layouts(self, layouts: list[tuple[str, str]] | None) -> None:
        current = self.layout_combo.currentData() or self._original.layout
        items = [(name, f"{name} — {text}" if text else name) for name, text in layouts or []]
        if current and current not in {name for name, _ in items}:
            items.insert(0, (current, current))
        self._set_items(self.layout_combo, items, current)
        self.layouts_loaded.emit([name for name, _ in items])

    def _start_lpstat(self, lpstat: str | None) -> None:
        """lpstat "" = find it on PATH; None = do not ask CUPS (tests, other systems)."""
        self._lpstat: QProcess | None = None
        program = shutil.which("lpstat") if lpstat == "" else lpstat
        if not program:
            return
        process = QProcess(self)
        process.setProgram(program)
        process.setArguments(["-e"])
        process.finished.connect(self._lpstat_finished)
        process.errorOccurred.connect(self._lpstat_failed)
        self._lpstat = process
        process.start()

    def _lpstat_finished(self, exit_code: int, _status: Any) -> None:
        process = self._lpstat
        if process is None:
            return
        output = bytes(process.readAllStandardOutput().data()).decode(errors="replace")
        names = parse_lpstat(output) if exit_code == 0 else []
        current = self.printer.currentText()
        self.printer.clear()
        self.printer.addItems(names)
        self.printer.setEditText(current)
        self.printers_loaded.emit(names)

    def _lpstat_failed(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.printers_loaded.emit([])

    def _backend_changed(self) -> None:
        # The field means what the backend makes of it (its registered printer_hint): the
        # PDF backend's folder, a CUPS queue, a Brother device. Another backend chosen: the
        # old value means nothing there (a CUPS queue name became a folder beside the app),
        # so the field starts empty, or with what this station had for that backend.
        backend = self.backend.currentData()
        shown = getattr(self, "_backend_shown", None)
        if shown is not None and backend != shown:
            same = backend == self._original.printer_backend
            self.printer.setEditText(self._original.printer if same else "")
        self._backend_shown = backend
        hint = {info.name: info.printer_hint for info in backends()}.get(backend or "")
        self._printer_field().setPlaceholderText(
            self._registry_text(hint) if hint else self.tr("system default printer"))

    def _printer_field(self) -> QLineEdit:
        field = self.printer.lineEdit()
        assert field is not None  # the printer combo box is editable
        return field

    def _registry_text(self, text: str) -> str:
        """A backend's description or printer hint (English, from the core) translated.

        The built-in backends' texts are spelt out so that lupdate finds them; a backend
        registered elsewhere brings its own text, shown as it is.
        """
        known = {
            "PDF files in a folder": self.tr("PDF files in a folder"),
            "CUPS printer": self.tr("CUPS printer"),
            "Brother QL label printer": self.tr("Brother QL label printer"),
            "System print dialog printer": self.tr("System print dialog printer"),
            "system default printer": self.tr("system default printer"),
            "folder for the badge PDFs (empty: the default folder)":
                self.tr("folder for the badge PDFs (empty: the default folder)"),
            "device, e.g. usb://0x04f9:0x209b or tcp://192.168.1.20":
                self.tr("device, e.g. usb://0x04f9:0x209b or tcp://192.168.1.20"),
        }
        return known.get(text, text)

    # -- result ---------------------------------------------------------------------------

    def config(self) -> StationConfig:
        """The edited settings (the values in the form if not yet accepted)."""
        return self._result if self.result() == QDialog.DialogCode.Accepted else self._collect()

    def _collect(self) -> StationConfig:
        return replace(
            self._original,
            station=self.station.text().strip(),
            operator=self.operator.text().strip(),
            printer_backend=self.backend.currentData() or self._original.printer_backend,
            printer=self.printer.currentText().strip(),
            layout=self.layout_combo.currentData() or self._original.layout,
            auto_print=self.auto_print.isChecked(),
            camera_enabled=self.camera_enabled.isChecked(),
            camera=self.camera.currentData() or "",
            sound=self.sound.isChecked(),
            language=self.language.currentData() or "",
            kiosk_pin=self.kiosk_pin.text(),
            lock_minutes=self.lock_minutes.value(),
        )

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def accept(self) -> None:
        config = self._collect()
        if config.kiosk_pin and not QRegularExpression(
                f"^{PIN_PATTERN}$").match(config.kiosk_pin).hasMatch():
            self._show_error(self.tr("The kiosk PIN must have 4 to 8 digits."))
            self.kiosk_pin.setFocus()
            return
        if self._save_to is not None:
            try:
                config.save(self._save_to)
            except OSError as exc:
                self._show_error(self.tr("Settings not saved: {reason}").format(
                    reason=exc.strerror or str(exc)))
                return
            self.saved.emit(config)
        self._result = config
        self.error.hide()
        super().accept()

    def done(self, result: int) -> None:
        if self._lpstat is not None and self._lpstat.state() != QProcess.ProcessState.NotRunning:
            self._lpstat.kill()
            self._lpstat.waitForFinished(1000)
        super().done(result)

    # -- texts ------------------------------------------------------------------------------

    @staticmethod
    def _set_items(combo: QComboBox, items: list[tuple[str, str]], current: str) -> None:
        combo.blockSignals(True)
        combo.clear()
        for key, text in items:
            combo.addItem(text, key)
        index = combo.findData(current)
        combo.setCurrentIndex(index if index >= 0 else 0)
        combo.blockSignals(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslateUi()
        super().changeEvent(event)

    def retranslateUi(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        texts = {
            "station": self.tr("&Station name:"),
            "operator": self.tr("&Operator:"),
            "backend": self.tr("Printer &type:"),
            "printer": self.tr("&Printer:"),
            "layout": self.tr("Badge &layout:"),
            "auto_print": self.tr("Print &badge on first check-in"),
            "camera_enabled": self.tr("Use a ca&mera"),
            "camera": self.tr("&Camera:"),
            "sound": self.tr("Play so&unds"),
            "language": self.tr("Lan&guage:"),
            "kiosk_pin": self.tr("&Kiosk PIN:"),
            "lock_minutes": self.tr("Lock when i&dle:"),
        }
        for key, text in texts.items():
            self._labels[key].setText(text)
        for box in (self.auto_print, self.camera_enabled, self.sound):
            box.setAccessibleName(box.text())
        self.station.setPlaceholderText(self.tr("e.g. Desk 1"))
        self.operator.setPlaceholderText(self.tr("who works at this desk"))
        self._printer_field().setPlaceholderText(self.tr("system default printer"))
        self.kiosk_pin.setPlaceholderText(self.tr("4 to 8 digits (empty: asked at the first "
                                                  "kiosk start)"))
        self.kiosk_pin.setToolTip(self.tr("The staff PIN: it leaves kiosk mode and unlocks "
                                          "the locked station."))
        self.lock_minutes.setSuffix(self.tr(" min"))
        self.lock_minutes.setSpecialValueText(self.tr("never"))
        backend = self.backend.currentData() or self._original.printer_backend
        self._set_items(self.backend, [(info.name, self._registry_text(info.description))
                                       for info in backends()], backend)
        self._backend_changed()
        camera = self.camera.currentData() if self.camera.count() else self._original.camera
        cameras = [("", self.tr("System default camera"))] + [
            (cam_id, text or cam_id) for cam_id, text in self._cameras]
        if camera and camera not in {cam_id for cam_id, _ in cameras}:
            cameras.append((camera, self.tr("{camera} (not connected)").format(camera=camera)))
        self._set_items(self.camera, cameras, camera or "")
        language = (self.language.currentData() if self.language.count()
                    else self._original.language)
        self._set_items(self.language, language_names(), language or "")
