"""English and German: the system language by default, switchable while the app runs."""

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenuBar

from checkin.config import StationConfig
from checkin.db import open_db
from checkin.store import Store
from ui import i18n
from ui.attendee_table import AttendeeTableWidget, role_label
from ui.dashboard import DashboardWidget
from ui.settings_dialog import SettingsDialog
from ui.status_bar import StationStatusBar

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "ui" / "translations" / "checkin_de.ts"


@pytest.fixture
def app():
    application = QApplication.instance()
    yield application
    i18n.install_translator(application, "en")


def test_resolve_language():
    assert i18n.resolve_language("de") == "de"
    assert i18n.resolve_language("EN") == "en"
    assert i18n.resolve_language("", QLocale("de_AT")) == "de"
    assert i18n.resolve_language("", QLocale("fr_FR")) == "en"
    assert i18n.resolve_language("", QLocale("en_US")) == "en"
    assert i18n.resolve_language("klingon", QLocale("de_CH")) == "de"


def test_switch_language_at_run_time(qtbot, app, tmp_path):
    path = tmp_path / "e.sqlite"
    Store(open_db(path, create=True)).set_event("E", ["2026-12-01"])
    table = AttendeeTableWidget(path, "2026-12-01")
    dashboard = DashboardWidget(path, "2026-12-01", autoload=False)
    dialog = SettingsDialog(StationConfig(), cameras=[], layouts=lambda: [], lpstat=None)
    bar = StationStatusBar()
    menu_bar = QMenuBar()
    for widget in (table, dashboard, dialog, bar, menu_bar):
        qtbot.addWidget(widget)
    try:
        assert table._search_label.text() == "&Find:"
        assert table.model.headerData(5, Qt.Orientation.Horizontal) == "Checked in at"
        assert i18n.install_translator(app, "de") == "de"
        assert i18n.current_language(app) == "de"
        qtbot.waitUntil(lambda: table._search_label.text() == "&Suchen:", timeout=30_000)
        assert table.status_filter.itemText(1) == "Eingecheckt"
        assert table.model.headerData(5, Qt.Orientation.Horizontal) == "Eingecheckt um"
        assert dashboard.tabs.tabText(0) == "&Ankünfte"
        assert dialog.windowTitle() == "Einstellungen"
        assert dialog._labels["station"].text() == "&Stationsname:"
        # Qt's own texts follow (qtbase_de.qm): the dialog's Cancel button.
        cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        assert cancel.text().replace("&", "") == "Abbrechen"
        assert role_label("speaker") == "Referent/in"
        assert role_label("custom-role") == "custom-role"
        assert i18n.language_names()[0] == ("", "Systemsprache")
        assert QLocale().language() == QLocale.Language.German
        assert QCoreApplication.translate("MainWindow", "no such text") == "no such text"

        assert i18n.install_translator(app, "en") == "en"
        qtbot.waitUntil(lambda: table._search_label.text() == "&Find:", timeout=30_000)
        assert dashboard.tabs.tabText(0) == "&Arrivals"
        assert dialog.windowTitle() == "Settings"
        assert cancel.text().replace("&", "") == "Cancel"
        assert role_label("speaker") == "Speaker"
    finally:
        table.shutdown()
        dashboard.shutdown()
        dialog.done(0)


def test_switching_twice_installs_one_set_of_translators(app):
    from PySide6.QtCore import QTranslator
    i18n.install_translator(app, "de")
    i18n.install_translator(app, "de")
    assert len(app.findChildren(QTranslator, "checkin-translator")) == 2  # qtbase + ours
    i18n.install_translator(app, "en")
    assert app.findChildren(QTranslator, "checkin-translator") == []


def _tool(name):
    path = Path(PySide6.__file__).parent / name
    if not path.exists():
        path = Path(shutil.which(f"pyside6-{name}") or "missing")
    if not path.exists():
        pytest.skip(f"{name} is not installed")
    return path


def test_texts_filed_under_no_context_still_translate(app, tmp_path):
    """lupdate files `tr = parent.tr; tr("...")` under no context; it runs as the class's."""
    ts = tmp_path / "t_de.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1" language="de">'
        "<context><name></name><message><source>Badge lost</source>"
        "<translation>Namensschild verloren</translation></message>"
        '<message numerus="yes"><source>%n waiting</source><translation>'
        "<numerusform>%n wartet</numerusform><numerusform>%n warten</numerusform>"
        "</translation></message></context></TS>", encoding="utf-8")
    subprocess.run([str(_tool("lrelease")), str(ts), "-qm", str(tmp_path / "t_de.qm")],
                   check=True, capture_output=True, timeout=60)
    translator = i18n._AppTranslator()
    assert translator.load("t_de", str(tmp_path))
    QCoreApplication.installTranslator(translator)
    try:
        assert QCoreApplication.translate("MainWindow", "Badge lost") == "Namensschild verloren"
        assert QCoreApplication.translate("MainWindow", "%n waiting", None, 3) == "3 warten"
        assert QCoreApplication.translate("MainWindow", "Other text") == "Other text"
    finally:
        QCoreApplication.removeTranslator(translator)


def test_every_text_is_translated():
    messages = ET.parse(TS).getroot().iter("message")
    untranslated = []
    for message in messages:
        translation = message.find("translation")
        forms = [f.text for f in translation.iter("numerusform")] or [translation.text]
        if translation.get("type") in ("unfinished", "vanished", "obsolete") or \
                not all(forms):
            untranslated.append(message.find("source").text)
    assert untranslated == []
    assert (TS.with_suffix(".qm")).stat().st_size > 1000


def test_translation_file_covers_the_code(tmp_path):
    """lupdate over ui/ finds no text that checkin_de.ts lacks (run the update script)."""
    lupdate = _tool("lupdate")
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "ui").glob("*.py"))
    subprocess.run([str(lupdate), "-locations", "none", *sources, "-ts", str(fresh)],
                   check=True, capture_output=True, timeout=120,
                   env={**os.environ, "PATH": os.environ.get("PATH", "") + os.pathsep
                        + str(Path(sys.executable).parent)})

    def texts(path):
        root = ET.parse(path).getroot()
        return {(c.findtext("name") or "", m.findtext("source"))
                for c in root.iter("context") for m in c.iter("message")}

    missing = texts(fresh) - texts(TS)
    assert not missing, f"run scripts/update_translations.sh and translate: {sorted(missing)}"
